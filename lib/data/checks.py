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
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from pydantic import TypeAdapter, ValidationError

from lib.data.meaning import check_meaning
from lib.data.read import MAX_PROBLEMS, ROOT, DatasetError, Problem, RawDocument, dotted, quoted, read_document
from lib.data.schema import (
    ADMIN_CODE_PATTERN,
    DATE_PATTERN,
    NONBLANK,
    SLUG_PATTERN,
    URL_PATTERN,
    Dataset,
    Event,
    Indicator,
    Observation,
    Region,
    Source,
    Target,
    Unit,
)

# Dates before this year cannot be about digital government in Vietnam's provinces.
EARLIEST_YEAR = 1945
# The two sets of units a value can measure: the provinces before 1/7/2025 and the units after it.
BASES = (63, 34)


def _is_branch_label(part: object) -> bool:
    """pydantic adds union branches ('bool', 'float', 'function-after[...]') to error paths: not fields."""
    return isinstance(part, str) and (part in ("bool", "float", "str", "int") or part.startswith("function-"))


_NUMBER_TEXT = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*\Z")


def _message(err: dict) -> str:
    """pydantic's message for one error, rewritten in words a curator can act on."""
    kind, msg = err["type"], err["msg"]
    value = err.get("input")
    got = f" (got {quoted(value)})" if "input" in err else ""
    if kind == "extra_forbidden":
        return "unknown key (not part of the format; check its spelling)"
    if kind == "missing":
        return "this required field is missing"
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float"):
        what = "a whole number" if kind.startswith("int") else "a number"
        if isinstance(value, bool):
            return f"{what} is expected, not true/false{got}"
        if isinstance(value, str):
            if _NUMBER_TEXT.match(value) or value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
                return f"{what} written as text{got}: write it without quotes"
            return f"{what} is expected, not text{got}"
        return f"{what} is expected{got}"
    if kind == "finite_number":
        return f"NaN or infinity is not a number a source can state{got}"
    if kind == "bool_type":
        return f"true or false is expected{got}"
    if kind == "string_type":
        if isinstance(value, bool):
            return (f"text is expected, but YAML reads the unquoted word as {quoted(value)} "
                    "(yes/no/on/off/true/false): put it in quotes")
        return f"text is expected{got}"
    if kind == "list_type":
        return f"a list is expected{got}: write it in brackets, [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"a mapping is expected{got}: write it as {{key: value, …}}"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        if pattern == NONBLANK:
            return "this text is empty or only spaces: write it out, or leave the field out if it is optional"
        if pattern == DATE_PATTERN:
            return (f"a date must match the pattern YYYY, YYYY-MM or YYYY-MM-DD, with the digits 0–9{got}")
        if pattern == URL_PATTERN:
            return f"a URL must start with http:// or https://{got}"
        if pattern == SLUG_PATTERN:
            return f"a code is made of a–z, 0–9, - and _ (starting with a letter or digit){got}"
        if pattern == ADMIN_CODE_PATTERN:
            return f"an administrative code is two digits 0–9, quoted (\"01\"){got}"
    if "input" in err and not isinstance(value, (dict, list)):
        return f"{msg}{got}"
    return msg


_REF = "\x00{}\x00"  # in a pending message: the line of its n-th reference, filled in by _resolve


def _resolve(doc: RawDocument, pending: list[tuple[tuple, str, tuple]]) -> tuple[list[Problem], int]:
    """(Problems, total) from (loc, message, referenced locs): lines are looked up in one pass over
    the file, and only for the first MAX_PROBLEMS problems (the rest are counted)."""
    if not pending:
        return [], 0
    shown = pending[:MAX_PROBLEMS]
    lines = doc.lines_for([loc for loc, _, _ in shown] + [r for _, _, refs in shown for r in refs])
    problems = []
    for loc, message, refs in shown:
        for n, ref in enumerate(refs):
            message = message.replace(_REF.format(n), str(lines.get(ref, "?")))
        problems.append(Problem(str(doc.path), lines.get(loc), dotted(loc), message))
    return problems, len(pending)


# The list sections are validated in chunks: a file of 10^5 bad records stops converting pydantic's
# errors once MAX_PROBLEMS are in hand (converting millions of them would take seconds and gigabytes)
# and only counts the rest.
_SECTIONS = {name: TypeAdapter(list[model]) for name, model in (
    ("regions", Region), ("indicators", Indicator), ("sources", Source), ("observations", Observation),
    ("events", Event), ("units", Unit), ("targets", Target))}
_CHUNK = 2_000


def validate(doc: RawDocument) -> Dataset:
    """The pydantic models over the parsed data; DatasetError listing the first MAX_PROBLEMS problems
    (one per field) and counting all of them."""
    data = doc.data
    pending: list[tuple[tuple, dict]] = []
    total = 0

    def collect(exc: ValidationError, prefix: tuple, offset: int = 0) -> None:
        nonlocal total
        total += exc.error_count()
        if len(pending) >= MAX_PROBLEMS:
            return
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            if loc and loc[-1].__class__ is str and _is_branch_label(loc[-1]):
                loc = tuple(p for p in loc if not _is_branch_label(p))
            if prefix:
                loc = prefix + ((offset + loc[0],) + loc[1:] if loc else ())
            pending.append((loc, err))

    head = dict(data)
    lists = {}
    for name in _SECTIONS:
        if isinstance(data.get(name), list):
            lists[name] = data[name]
            head[name] = []  # validated below, in chunks
    try:
        ds = Dataset.model_validate(head)
    except ValidationError as exc:
        ds = None
        collect(exc, ())
    parts: dict[str, list] = {}
    for name, items in lists.items():
        adapter, out = _SECTIONS[name], []
        for start in range(0, len(items), _CHUNK):
            try:
                out += adapter.validate_python(items[start:start + _CHUNK])
            except ValidationError as exc:
                collect(exc, (name,), start)
        parts[name] = out
    if pending or ds is None:
        seen: set[tuple] = set()
        unique = [(loc, err) for loc, err in pending if not (loc in seen or seen.add(loc))]
        problems, _ = _resolve(doc, [(loc, _message(err), ()) for loc, err in unique[:MAX_PROBLEMS]])
        raise DatasetError(problems, max(total - (len(pending) - len(unique)), len(unique)))
    return ds.model_copy(update=parts)


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


def _num(x: float) -> str:
    """A number as written, without float noise: 100.0001 stays 100.0001 (`:g` would print 100)."""
    return f"{x:.15g}"


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
        weight = ind.combine.weight
        if weight:
            if weight == ind.id:
                c.add(loc + ("combine", "weight"), f"{quoted(ind.id)} cannot be its own weight: a weighted mean "
                      "needs a count (the number of services, households…) as weight")
            elif weight not in indicators:
                c.add(loc + ("combine", "weight"), f"unknown indicator {quoted(weight)} as weight")
            elif indicators[weight].kind != "count":
                c.add(loc + ("combine", "weight"), f"the weight {quoted(weight)} is a {indicators[weight].kind}, "
                      "not a count: a weighted mean needs a count (the number of services, households…) as weight")
        if ind.parent and ind.parent not in indicators:
            c.add(loc + ("parent",), f"unknown indicator {quoted(ind.parent)}")
        rank = ind.published_rank
        if rank and (rank not in indicators or indicators[rank].kind != "rank"):
            c.add(loc + ("published_rank",), f"{quoted(rank)} is not a rank indicator of the registry")
        if ind.min is not None and ind.max is not None and ind.min > ind.max:
            c.add(loc + ("min",), f"min {_num(ind.min)} is above max {_num(ind.max)}")
        if ind.kind == "percent" and ((ind.min or 0) < 0 or (ind.max if ind.max is not None else 100) > 100):
            c.add(loc + ("min" if (ind.min or 0) < 0 else "max",), "a percent indicator must stay within 0–100")
        if ind.kind in ("rank", "milestone") and ind.combine.rule != "none":
            c.add(loc + ("combine", "rule"), f"a {ind.kind} can never be combined: use rule none")


NON_PUBLISHERS_PATH = ROOT / "data" / "non_publishers.yaml"


@lru_cache(maxsize=4)
def non_publishers(path: Path = NON_PUBLISHERS_PATH) -> dict[str, str]:
    """The hosts that are not publishers of record (data/non_publishers.yaml): {host: why}. A project file,
    not user input; a missing file is an empty list."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    return {str(h["host"]).lower(): str(h.get("why", "")) for h in doc.get("hosts", [])}


def non_publisher_of(url: str | None) -> tuple[str, str] | None:
    """(host, why) when the URL's host (or a domain above it) is on the non-publisher list."""
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return None
    listed = non_publishers()
    parts = host.split(".")
    for n in range(len(parts) - 1):
        name = ".".join(parts[n:])
        if name in listed:
            return name, listed[name]
    return None


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


def check_observations(c: Checks) -> None:
    """References, duplicates, the basis (63 or 34), the unit's validity, and the value against its indicator."""
    # The unit counts a rank can be out of: the view before 1/7/2025 (units with no valid_from: 63 in the
    # real data) and after it (no valid_to: 34). Counted, not assumed, so other unit sets validate too.
    n_before = sum(1 for u in c.ds.units if u.valid_from is None)
    n_after = sum(1 for u in c.ds.units if u.valid_to is None)
    seen: dict[tuple, int] = {}
    for i, obs in enumerate(c.ds.observations):
        loc = ("observations", i)
        ind = c.indicators.get(obs.indicator)
        unit = c.units.get(obs.unit)
        if unit is None:
            c.add(loc + ("unit",), f"unknown unit {quoted(obs.unit)}")
        if ind is None:
            c.add(loc + ("indicator",), f"unknown indicator {quoted(obs.indicator)}")
        if obs.source not in c.sources:
            c.add(loc + ("source",), f"unknown source {quoted(obs.source)}")
        span = c.date(loc + ("date",), obs.date)
        if obs.out_of is not None and obs.out_of != n_before and obs.out_of != n_after:
            c.add(loc + ("out_of",), f"out_of {obs.out_of} is not a number of units of this dataset: "
                  f"{n_before} (the units before 1/7/2025) or {n_after} (after)")
        basis = _check_basis(c, loc, obs, unit)
        key = (obs.unit, obs.indicator, obs.date, basis)
        if key in seen:
            c.add(loc, f"duplicate observation of {quoted(obs.indicator)} for {quoted(obs.unit)} on {obs.date}"
                  f"{f' (basis {basis})' if basis else ''} (also at line {_REF.format(0)})",
                  (("observations", seen[key]),))
        else:
            seen[key] = i
        # A value measured on the 34 units' territory for a year before they existed (DTI 2024, published
        # after the merger) is the one exception to the validity rule, and only with `basis: 34`.
        retro = basis == 34 and unit is not None and unit.valid_from is not None and not unit.valid_to
        if span and unit is not None and not c.within(obs.unit, span) \
                and not (retro and span.end < c.spans[obs.unit][0]):
            c.add(loc + ("date",), f"{obs.date} is outside the validity of unit {quoted(obs.unit)} "
                  f"({c.validity_text(obs.unit)}); after a merger, record the value on the successor"
                  " (a value the source measured on the 34 new units for an earlier year needs `basis: 34`)")
        if ind is not None:
            _check_value(c, loc, obs, ind, n_before, n_after)


def _check_basis(c: Checks, loc: tuple, obs: Observation, unit: Unit | None) -> int | None:
    """The observation's basis (its own, or the one its `out_of` implies); problems if it disagrees with
    `out_of` or with the unit (an old province never carries basis 34, nor a new unit basis 63)."""
    basis = obs.basis or (obs.out_of if obs.out_of in BASES else None)
    if obs.basis and obs.out_of and obs.basis != obs.out_of:
        c.add(loc + ("basis",), f"basis {obs.basis} disagrees with out_of {obs.out_of}")
    if unit is not None and basis:
        era = "pre" if unit.valid_to else ("post" if unit.valid_from else "both")
        if (era, basis) in (("pre", 34), ("post", 63)):
            c.add(loc + ("basis",), f"unit {quoted(obs.unit)} is one of the "
                  f"{'63 provinces before' if era == 'pre' else '34 units after'} "
                  f"1/7/2025: it cannot carry a value on the {basis}-unit basis")
    return basis


def _check_value(c: Checks, loc: tuple, obs: Observation, ind: Indicator, n_before: int, n_after: int) -> None:
    """A milestone is true/false; anything else a number within bounds, whole for counts and ranks; a rank
    says out of how many."""
    if ind.kind == "milestone":
        if not isinstance(obs.value, bool):
            c.add(loc + ("value",), f"{quoted(obs.indicator)} is a yes/no milestone: use true or false "
                  f"(got {quoted(obs.value)})")
        return
    if isinstance(obs.value, bool):
        c.add(loc + ("value",), f"{quoted(obs.indicator)} takes a number, not {str(obs.value).lower()}")
        return
    lo = ind.min
    hi = obs.out_of if ind.kind == "rank" and obs.out_of else ind.max
    if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
        unit_txt = " %" if ind.kind == "percent" else ""
        c.add(loc + ("value",), f"{_num(obs.value)}{unit_txt} is outside the bounds of {quoted(obs.indicator)} "
              f"({_num(lo) if lo is not None else '−∞'} – {_num(hi) if hi is not None else '∞'})")
    # A count is whole unless the registry gives it decimals (an amount such as an area in km²).
    if (ind.kind == "rank" or (ind.kind == "count" and not ind.decimals)) and float(obs.value) != int(obs.value):
        c.add(loc + ("value",), f"{quoted(obs.indicator)} is a {ind.kind}: a whole number is expected "
              f"(got {_num(obs.value)})")
    if ind.kind == "rank" and obs.out_of is None:
        c.add(loc + ("out_of",), f"a rank needs `out_of`: {n_before} (the units before 1/7/2025) or "
              f"{n_after} (after)")


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
