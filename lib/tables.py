"""CSV and Excel files of exactly what the filters select, with the sources alongside."""

from __future__ import annotations

import io

import pandas as pd


def csv_bytes(table: pd.DataFrame, sources: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens Vietnamese text intact; every row already names its source."""
    return table.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, sources: pd.DataFrame, lang: str = "vi") -> bytes:
    """Two sheets: the data and the sources cited."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        table.to_excel(xl, sheet_name="Dữ liệu" if lang == "vi" else "Data", index=False)
        sources.to_excel(xl, sheet_name="Nguồn" if lang == "vi" else "Sources", index=False)
    return buf.getvalue()
