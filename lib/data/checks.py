"""Checks of the parsed dataset: the pydantic models (lib.data.schema), then one function per section.

`validate(doc)` runs the models over what lib.data.read built; `cross_check` then runs what the models
cannot see alone — references, duplicates, bounds, dates, validity, mergers — one function per section
(`check_dataset`, `check_indicators`, `check_sources`, `check_units`, `check_observations`,
`check_events`, `check_targets`), all adding to one `Checks` list, so that every problem of a file is reported in one
run, each with its line (looked up once, for the problems shown).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from lib.data.dates import DateSpan, parse_date, plot_date  # noqa: F401 - re-exported
from lib.data.meaning import check_meaning
from lib.data.observation_checks import BASES, _num, check_observations  # noqa: F401 - BASES re-exported
from lib.data.publishers import NON_PUBLISHERS_PATH, non_publisher_of, non_publishers  # noqa: F401 - re-exported
from lib.data.read import DatasetError, Problem, RawDocument, quoted, read_document
from lib.data.schema import Dataset, Indicator
from lib.data.validation import _REF, _resolve, validate

# Dates before this year cannot be about digital government in Vietnam's provinces.
EARLIEST_YEAR = 1945


# --- Cross-checks, one function per section ---------------------------------------------------------


_MISSING = object()  # a date text not parsed yet


@dataclass
class Checks:
    """What the section checks share: the problems found so far (loc, message, referenced locs), each
    record by its id, each unit's validity, and the dates already parsed."""

    ds: Dataset
    pending: list[tuple[tuple, str, tuple]] = field(default_factory=list)
    latest: dt.date | None = None  # the dataset's `updated` date plus one year
    regions: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    spans: dict[str, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    _parsed: dict[str, DateSpan | None] = field(default_factory=dict)  # each distinct date text parsed once

    def add(self, loc: tuple, message: str, refs: tuple = ()) -> None:
        self.pending.append((loc, message, refs))

    def date(self, loc: tuple, text: str | None) -> DateSpan | None:
        """The span of a date field, or None (and a problem) if it does not exist or is out of range."""
        if text is None:
            return None
        span = self._parsed.get(text, _MISSING)
        if span is _MISSING:
            try:
                span = parse_date(text)
            except ValueError:
                span = None
            self._parsed[text] = span
        if span is None:
            self.add(loc, f"the date {quoted(text)} does not exist (use YYYY, YYYY-MM or YYYY-MM-DD)")
        elif span.start.year < EARLIEST_YEAR:
            self.add(loc, f"the date {text} is before {EARLIEST_YEAR}: no source on digital government dates "
                     "that early; check the year")
        elif self.latest is not None and span.start > self.latest:
            self.add(loc, f"the date {text} is more than a year after the dataset's `updated` date "
                     f"({self.ds.dataset.updated}): check the year, or update `updated`")
        return span

    def unique(self, section: str, key: str, items: list) -> dict:
        """The records of a section by id; a repeated id is a problem naming the first one's line."""
        out: dict = {}
        for i, item in enumerate(items):
            k = getattr(item, key)
            if k in out:
                self.add((section, i, key), f"duplicate {key} {quoted(k)} (first used at line {_REF.format(0)})",
                         ((section, out[k][0], key),))
            else:
                out[k] = (i, item)
        return {k: v[1] for k, v in out.items()}

    def within(self, code: str, span: DateSpan, *, grace_days: int = 0) -> bool:
        """Whether a date falls in the unit's validity (`grace_days` after its end still count)."""
        start, end = self.spans.get(code, (None, None))
        if end and span.start > end + dt.timedelta(days=grace_days):
            return False
        return not (start and span.end < start)

    def validity_text(self, code: str) -> str:
        u = self.units[code]
        return f"{u.valid_from or '…'} – {u.valid_to or 'nay/now'}"


def check_dataset(c: Checks) -> None:
    """`updated` is a real, past date; it bounds every other date (at most a year later)."""
    updated = c.date(("dataset", "updated"), c.ds.dataset.updated)
    if updated is None:
        return
    if updated.start.year > dt.date.today().year + 1:
        c.add(("dataset", "updated"), f"the date {c.ds.dataset.updated} is in the future: write the day "
              "the dataset was last updated")
    else:
        u = updated.end
        c.latest = dt.date(u.year + 1, u.month, 28 if (u.month, u.day) == (2, 29) else u.day)


def check_indicators(c: Checks) -> None:
    """Weights, parents and published ranks point to suitable indicators; bounds make sense; ranks and
    milestones are never combined."""
    indicators = c.indicators
    for i, ind in enumerate(c.ds.indicators):
        loc = ("indicators", i)
        _check_weight(c, loc, ind)
        if ind.parent and ind.parent not in indicators:
            c.add(loc + ("parent",), f"unknown indicator {quoted(ind.parent)}")
        rank = ind.published_rank
        if rank and (rank not in indicators or indicators[rank].kind != "rank"):
            c.add(loc + ("published_rank",), f"{quoted(rank)} is not a rank indicator of the registry")
        _check_bounds(c, loc, ind)


def _check_weight(c: Checks, loc: tuple, ind: Indicator) -> None:
    indicators = c.indicators
    weight = ind.combine.weight
    if not weight:
        return
    if weight == ind.id:
        c.add(loc + ("combine", "weight"), f"{quoted(ind.id)} cannot be its own weight: a weighted mean "
              "needs a count (the number of services, households…) as weight")
    elif weight not in indicators:
        c.add(loc + ("combine", "weight"), f"unknown indicator {quoted(weight)} as weight")
    elif indicators[weight].kind != "count":
        c.add(loc + ("combine", "weight"), f"the weight {quoted(weight)} is a {indicators[weight].kind}, "
              "not a count: a weighted mean needs a count (the number of services, households…) as weight")


def _check_bounds(c: Checks, loc: tuple, ind: Indicator) -> None:
    if ind.min is not None and ind.max is not None and ind.min > ind.max:
        c.add(loc + ("min",), f"min {_num(ind.min)} is above max {_num(ind.max)}")
    if ind.kind == "percent" and ((ind.min or 0) < 0 or (ind.max if ind.max is not None else 100) > 100):
        c.add(loc + ("min" if (ind.min or 0) < 0 else "max",), "a percent indicator must stay within 0–100")
    if ind.kind in ("rank", "milestone") and ind.combine.rule != "none":
        c.add(loc + ("combine", "rule"), f"a {ind.kind} can never be combined: use rule none")


def check_sources(c: Checks) -> None:
    """Real dates; a place to find the source (a URL or a stored file); never a host that is not a publisher."""
    for i, src in enumerate(c.ds.sources):
        c.date(("sources", i, "published"), src.published)
        c.date(("sources", i, "accessed"), src.accessed)
        if not src.url and not src.file:
            c.add(("sources", i, "url"), "a source needs a `url` or, for a stored article, a `file`")
        listed = non_publisher_of(src.url)
        if listed:
            c.add(("sources", i, "url"), f"{listed[0]} is not a publisher of record ({listed[1]}; "
                  "data/non_publishers.yaml): cite the original page, or leave the value out")


def check_units(c: Checks) -> None:
    """Validity periods, regions, merger sources and successors; fills `c.spans`."""
    units = c.units
    for i, unit in enumerate(c.ds.units):
        loc = ("units", i)
        start = c.date(loc + ("valid_from",), unit.valid_from)
        end = c.date(loc + ("valid_to",), unit.valid_to)
        c.spans[unit.code] = (start.start if start else None, end.end if end else None)
        if start and end and start.start > end.end:
            c.add(loc + ("valid_to",), f"valid_to {unit.valid_to} is before valid_from {unit.valid_from}")
        if unit.region not in c.regions:
            c.add(loc + ("region",), f"unknown region {quoted(unit.region)}")
        if unit.merger_source and unit.merger_source not in c.sources:
            c.add(loc + ("merger_source",), f"unknown source {quoted(unit.merger_source)}")
        merged = c.date(loc + ("merged_on",), unit.merged_on)
        if unit.successor:
            succ = units.get(unit.successor)
            if succ is None:
                c.add(loc + ("successor",), f"the merger points to unit {quoted(unit.successor)}, which does not exist")
            elif succ.code == unit.code:
                c.add(loc + ("successor",), "a unit cannot be its own successor")
            elif merged and succ.valid_from and succ.valid_from != unit.merged_on:
                c.add(loc + ("merged_on",), f"merged on {unit.merged_on}, but successor {quoted(succ.code)} "
                      f"starts on {succ.valid_from}")
    check_merger_cycles(c)


def check_merger_cycles(c: Checks) -> None:
    """Successors form chains old -> new; a chain that comes back to itself (a -> b -> a) has no end.
    Each unit is visited once (a chain of 2,500 mergers walked from each of its units took a minute)."""
    units = c.units
    done: set[str] = set()  # units whose chain is known to end (or to reach a cycle already reported)
    order = {u.code: j for j, u in enumerate(c.ds.units)}
    for unit in c.ds.units:
        path: dict[str, int] = {}  # the units of this walk, in order (a dict: membership in O(1))
        code = unit.code
        while code in units and code not in done and code not in path:
            path[code] = len(path)
            if not units[code].successor:
                break
            code = units[code].successor
        if code in path and units[code].successor:
            cycle = list(path)[path[code]:]
            if len(cycle) > 1:  # (a unit as its own successor: check_units)
                c.add(("units", order[cycle[0]], "successor"), "the mergers form a cycle: "
                      + " → ".join(cycle + [cycle[0]]) + "; a successor is the unit that exists after the merger")
        done.update(path)



def check_events(c: Checks) -> None:
    """References, the units' validity on the event's date (a merger may fall the day after), the period."""
    for i, ev in enumerate(c.ds.events):
        loc = ("events", i)
        if ev.source not in c.sources:
            c.add(loc + ("source",), f"unknown source {quoted(ev.source)}")
        span = c.date(loc + ("date",), ev.date)
        for j, code in enumerate(ev.units):
            if code not in c.units:
                c.add(loc + ("units", j), f"unknown unit {quoted(code)}")
            elif span and not c.within(code, span, grace_days=1 if ev.kind == "merger" else 0):
                c.add(loc + ("date",), f"{ev.date} is outside the validity of unit {quoted(code)} "
                      f"({c.validity_text(code)})")
        if ev.period and ev.period.start > ev.period.end:
            c.add(loc + ("period",), f"the period starts ({ev.period.start}) after it ends ({ev.period.end})")


def check_targets(c: Checks) -> None:
    """A target names a known indicator and source, in the indicator's own unit, within its bounds (a percent
    never above 100), for a year no earlier than the document that sets it."""
    for i, tg in enumerate(c.ds.targets):
        loc = ("targets", i)
        ind = c.indicators.get(tg.indicator)
        if ind is None:
            c.add(loc + ("indicator",), f"unknown indicator {quoted(tg.indicator)}")
        else:
            if tg.unit not in (ind.unit.vi, ind.unit.en):
                c.add(loc + ("unit",), f"the unit {quoted(tg.unit)} differs from the unit of {quoted(tg.indicator)} "
                      f"({quoted(ind.unit.vi)}): a target is written in its indicator's unit")
            lo = ind.min
            hi = 100 if ind.kind == "percent" and ind.max is None else ind.max
            if (lo is not None and tg.value < lo) or (hi is not None and tg.value > hi):
                what = " %" if ind.kind == "percent" else ""
                c.add(loc + ("value",), f"{_num(tg.value)}{what} is outside the bounds of {quoted(tg.indicator)} "
                      f"({_num(lo) if lo is not None else '−∞'} – {_num(hi) if hi is not None else '∞'})")
        if tg.source not in c.sources:
            c.add(loc + ("source",), f"unknown source {quoted(tg.source)}")
        issued = c.date(loc + ("document", "date"), tg.document.date)
        if issued and tg.year < issued.start.year:
            c.add(loc + ("year",), f"the target year {tg.year} is before the document's date "
                  f"({tg.document.date}): a text cannot set a target for a year already past")


def cross_check(ds: Dataset, doc: RawDocument) -> tuple[list[Problem], int]:
    """Everything pydantic cannot see alone, section by section. Returns (the problems, at most
    MAX_PROBLEMS of them, with their lines; how many there are in all)."""
    c = Checks(ds)
    c.regions = c.unique("regions", "id", ds.regions)
    c.indicators = c.unique("indicators", "id", ds.indicators)
    c.sources = c.unique("sources", "id", ds.sources)
    c.units = c.unique("units", "code", ds.units)
    c.unique("events", "id", ds.events)
    c.unique("targets", "id", ds.targets)
    check_dataset(c)
    check_indicators(c)
    check_sources(c)
    check_units(c)
    check_observations(c)
    check_events(c)
    check_targets(c)
    check_meaning(c)
    return _resolve(doc, c.pending)


def load_dataset(path: str | os.PathLike | None = None, *, max_bytes: int | None = None,
                 raw: bytes | None = None) -> Dataset:
    """Read, parse and fully validate the dataset; raise DatasetError with every problem found
    (listing at most MAX_PROBLEMS). `raw`: the file's bytes, if the caller has read them already."""
    doc = read_document(path, max_bytes=max_bytes, raw=raw)
    ds = validate(doc)
    problems, total = cross_check(ds, doc)
    if problems:
        raise DatasetError(problems, total)
    return ds
