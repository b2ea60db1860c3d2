"""Numbers as a table prints them, read by the table's own decimal mark: '1.529' is 1529 in Vietnamese.

A Vietnamese table writes 1.529 for one thousand five hundred and twenty-nine and 68,54 for sixty-eight and a
half; an English one the other way round. The import spec states which (`decimal: ","` or `decimal: "."`);
without it, a number that reads both ways ('2.000', '1,529') is refused instead of guessed. A bound printed
as '<10' ('dưới 10 %') is read as the qualifier '<' and the number 10 only where the spec allows bounds.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DECIMAL_MARKS = (",", ".")
QUALIFIERS = ("<", ">", "≈")
_PLAIN = re.compile(r"^[0-9]+$")


class NumberError(ValueError):
    """The cell is not a number in the table's locale (the message says why, in a curator's words)."""


@dataclass(frozen=True)
class Reading:
    value: float
    text: str  # the number with '.' as decimal mark and no grouping, as printed otherwise ('68.54', '1529')
    decimals: int  # digits after the decimal mark, as printed
    qualifier: str | None = None


def _grouped(text: str, sep: str) -> bool:
    """'1.529' or '12.345.678' with sep '.': groups of three after a first group of 1–3 digits."""
    return re.fullmatch(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+", text) is not None


def _split(body: str, decimal: str | None) -> tuple[str, str]:
    """(integer digits, fraction digits) of an unsigned numeral; NumberError if it does not read one way."""
    if _PLAIN.match(body):
        return body, ""
    if decimal is None:
        return _split_undeclared(body)
    group = "." if decimal == "," else ","
    whole, _, frac = body.rpartition(decimal) if decimal in body else (body, "", "")
    if decimal in body and (whole.count(decimal) or not frac or not _PLAIN.match(frac)):
        raise NumberError(f"{body!r} is not a number with {decimal!r} as decimal mark")
    if whole == "" and decimal in body:
        whole = "0"
    if _PLAIN.match(whole):
        return whole, frac
    if _grouped(whole, group):
        return whole.replace(group, ""), frac
    raise NumberError(f"{body!r} is not a number in the table's locale (decimal mark {decimal!r}, "
                      f"{group!r} groups thousands)")


def _split_undeclared(body: str) -> tuple[str, str]:
    """Without a declared decimal mark: one mark that cannot group thousands is a decimal mark; anything
    that reads both ways ('2.000', '1,529') or mixes marks is refused."""
    marks = [c for c in body if c in DECIMAL_MARKS]
    whole, _, frac = body.partition(marks[0]) if len(marks) == 1 else (body, "", "")
    if len(marks) != 1 or not _PLAIN.match(frac) or not (whole == "" or _PLAIN.match(whole)):
        raise NumberError(f"{body!r} is ambiguous or not a number: state the table's decimal mark in the spec "
                          "(decimal: \",\" or decimal: \".\")")
    if len(frac) == 3 and whole not in ("", "0") and len(whole) <= 3:
        raise NumberError(f"{body!r} is ambiguous: {whole}{marks[0]}{frac} reads as {whole}.{frac} or as "
                          f"{whole}{frac}; state the table's decimal mark in the spec (decimal: \",\" or \".\")")
    return whole or "0", frac


def read_number(cell: str, decimal: str | None = None, *, bounds: bool = False) -> Reading:
    """The number a cell prints, read with the table's decimal mark (None: not stated)."""
    text = cell.strip()
    qualifier = None
    if text[:1] in QUALIFIERS:
        if not bounds:
            raise NumberError(f"{cell!r} is a bound, not a value (the spec's column allows no bounds)")
        qualifier, text = text[0], text[1:].strip()
    sign = ""
    if text[:1] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if not text or not re.fullmatch(r"[0-9.,]+", text) or not any(ch.isdigit() for ch in text):
        raise NumberError(f"{cell!r} is not a number")
    whole, frac = _split(text, decimal)
    whole = whole.lstrip("0") or "0"
    out = f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"
    return Reading(float(out), out, len(frac), qualifier)
