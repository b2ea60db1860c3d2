"""CSV and Excel files of exactly what the filters select, with the sources alongside.

Dataset text never becomes a formula: a text cell starting with =, +, -, @, a tab or a carriage return
(a quote such as "=HYPERLINK(…)" or "-5 % so với 2020") is written as text. In the CSV it gets a leading
`'` (lib.safe_text.neutralise_cell), the usual guard, since a CSV cell has no type. In the Excel file it
is a string cell (never a formula) with Excel's "quote prefix" flag, so it shows exactly as in the
dataset and stays text even when edited. Numeric columns are never touched (-5 stays the number -5).
"""

from __future__ import annotations

import io

import pandas as pd

from lib.i18n import t
from lib.safe_text import neutralise_cell

_RISKY = r"^(?:[\t\r]|\s*[=+\-@＝＋－＠])"


def _risky_cells(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Per text column, a boolean mask of the cells a spreadsheet would read as a formula."""
    out: dict[str, pd.Series] = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        try:
            mask = s.str.contains(_RISKY, regex=True, na=False)
        except (AttributeError, TypeError):  # an object column that is not all text
            mask = s.map(lambda v: isinstance(v, str) and neutralise_cell(v) is not v)
        mask = mask.astype(bool)
        if mask.any():
            out[col] = mask
    return out


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every formula-like text cell prefixed with `'` (a copy only if something changes)."""
    risky = _risky_cells(frame)
    if not risky:
        return frame
    frame = frame.copy()
    for col, mask in risky.items():
        frame[col] = frame[col].astype(object)
        frame.loc[mask, col] = frame.loc[mask, col].map(neutralise_cell)
    return frame


def csv_bytes(table: pd.DataFrame, sources: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens Vietnamese text intact; every row already names its source."""
    return neutralised(table).to_csv(index=False).encode("utf-8-sig")


def _write_sheet(xl: pd.ExcelWriter, frame: pd.DataFrame, name: str) -> None:
    frame.to_excel(xl, sheet_name=name, index=False)
    risky = _risky_cells(frame)
    if not risky:
        return
    sheet = xl.sheets[name]
    for col, mask in risky.items():
        c = frame.columns.get_loc(col) + 1
        for r in mask.to_numpy().nonzero()[0]:
            cell = sheet.cell(row=int(r) + 2, column=c)  # row 1 holds the headers
            cell.data_type = "s"  # openpyxl made "=…" a formula: make it text again
            cell.quotePrefix = True


def xlsx_bytes(table: pd.DataFrame, sources: pd.DataFrame, lang: str = "vi") -> bytes:
    """Two sheets: the data and the sources cited."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        _write_sheet(xl, table, t("sheet_data", lang))
        _write_sheet(xl, sources, t("sheet_sources", lang))
    return buf.getvalue()
