"""The dates of the dataset: the span a date text covers and where it sits on a time axis (split from
lib.data.checks, which re-exports these names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DateSpan:
    start: dt.date
    end: dt.date
    precision: str  # "day" | "month" | "year"


def parse_date(text: str) -> DateSpan:
    """'2020', '2020-09' or '2020-09-24' as the span it covers; ValueError if it is no real date.
    Only the digits 0–9 count (int() alone would take '٢٠٢٠')."""
    if not text.isascii():
        raise ValueError(f"not ASCII: {text!r}")
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return DateSpan(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year")
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return DateSpan(start, nxt - dt.timedelta(days=1), "month")
    day = dt.date(*parts)
    return DateSpan(day, day, "day")


def plot_date(span: DateSpan) -> dt.date:
    """Where a value sits on a time axis: the day; mid-month; 30 June for a whole year."""
    if span.precision == "day":
        return span.start
    if span.precision == "month":
        return span.start.replace(day=15)
    return dt.date(span.start.year, 6, 30)

