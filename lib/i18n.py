"""UI strings in Vietnamese and English (the table is lib/strings.yaml), and number/date formats for each language.

Indicator titles and units are not here: they live in the dataset's registry.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS_FILE = Path(__file__).with_name("strings.yaml")


def _read_strings(path: Path = STRINGS_FILE) -> dict[str, dict[str, str]]:
    """The table of words (lib/strings.yaml): {key: {"vi": …, "en": …}}."""
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


STRINGS: dict[str, dict[str, str]] = _read_strings()


def t(key: str, lang: str, **params: Any) -> str:
    """The UI string `key` in `lang` (falls back to Vietnamese), with {named} parameters filled in."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


# --- Formats --------------------------------------------------------------------------------------


def fmt_number(value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG, *, trim: bool = False) -> str:
    """1529 -> '1.529' (vi) / '1,529' (en); 30.5 -> '30,5' / '30.5'. Missing stays visibly missing.

    With `trim`, trailing zeros go (30 -> '30', not '30,0'): a value is shown as precisely as its
    source states it, never with invented precision.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    text = f"{value:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_value(value: float | None, kind: str, decimals: int, unit: str, lang: str,
              qualifier: str | None = None) -> str:
    """A value with its unit as a reader expects it: '30,5 %', '213 điểm cầu', '0,567', 'Có'.

    Up to max(decimals, 2) decimals, trailing zeros trimmed; an index shows no unit (it is in the title)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "milestone":
        return t("yes" if value else "no", lang)
    num = fmt_number(value, max(decimals, 2), lang, trim=True)
    prefix = f"{qualifier} " if qualifier else ""
    if kind == "percent":
        return f"{prefix}{num} %"
    if kind in ("rank", "index"):
        return f"{prefix}{num}"
    return f"{prefix}{num} {unit}".strip()


def fmt_date(value: Any, precision: str = "day", lang: str = DEFAULT_LANG) -> str:
    """Vietnamese: 24/09/2020, 09/2020, 2020. English: 24 Sep 2020, Sep 2020, 2020."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    ts = pd.Timestamp(value)
    if precision == "year":
        return f"{ts.year}"
    month = (["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][ts.month - 1])
    if precision == "month":
        return f"{month} {ts.year}" if lang == "en" else f"{ts.month:02d}/{ts.year}"
    return f"{ts.day} {month} {ts.year}" if lang == "en" else f"{ts.day:02d}/{ts.month:02d}/{ts.year}"


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# The common Vietnamese period labels of the dataset, each with its English form (period_label).
_PERIOD_RULES: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"quý\s+(I{1,3}|IV)\s*/\s*(\d{4})", re.I), lambda m: f"Q{_ROMAN[m[1].upper()]} {m[2]}"),
    (re.compile(r"quý\s+([1-4])\s*/\s*(\d{4})", re.I), lambda m: f"Q{m[1]} {m[2]}"),
    (re.compile(r"(\d{1,2})\s+tháng\s+đầu\s+năm\s+(\d{4})", re.I), lambda m: f"first {m[1]} months of {m[2]}"),
    (re.compile(r"(\d{1,2})\s+tháng\s+cuối\s+năm\s+(\d{4})", re.I), lambda m: f"last {m[1]} months of {m[2]}"),
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I),
     lambda m: f"{_MONTHS_EN[int(m[1]) - 1]} {m[2]}" if 1 <= int(m[1]) <= 12 else m[0]),
    (re.compile(r"cả\s+năm\s+(\d{4})", re.I), lambda m: f"full year {m[1]}"),
    (re.compile(r"năm\s+(\d{4})", re.I), lambda m: m[1]),
    (re.compile(r"\(\s*họp\s*\)", re.I), lambda m: "(meeting)"),
    (re.compile(r"\(\s*ước(?: tính)?\s*\)", re.I), lambda m: "(estimate)"),
]


def period_label(text: str, lang: str) -> str:
    """A dataset period label in `lang`. The labels are written in Vietnamese ("9 tháng đầu năm 2024",
    "Quý I/2026 (họp)"); in English the common forms are translated by rule ("first 9 months of 2024",
    "Q1 2026 (meeting)"); names that are the same in both ("DTI 2022") pass unchanged."""
    if lang == "vi" or not text:
        return text
    for pattern, english in _PERIOD_RULES:
        text = pattern.sub(english, text)
    return text


def strip_marks(text: str) -> str:
    """Text without Vietnamese diacritics, case kept: 'Quảng Trị' -> 'Quang Tri' (đ/Đ -> d/D). The one
    folding of the code base: search (fold), file names and unit codes (slug)."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case text without diacritics, for searching: 'Quảng Trị' -> 'quang tri'."""
    return strip_marks(text).lower()


def slug(text: str) -> str:
    """ASCII words in lower case joined by '-': 'Bà Rịa - Vũng Tàu' -> 'ba-ria-vung-tau' (unit codes, file
    names); '_' is kept, since it separates the parts of a file name."""
    text = strip_marks(text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9_]+", "-", text)
    return re.sub(r"-*_[-_]*", "_", text).strip("-_")
