"""Load data/provinces.yaml safely, validate it in one pass, and turn it into tidy pandas frames.

Every problem names the file, the line (from the YAML node marks) and the field path, so a curator
can go straight to it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from lib.schema import Dataset, Source

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT / "data" / "provinces.yaml"
ENV_PATH = "PROVINCES_DATA"
ENV_MAX_BYTES = "PROVINCES_MAX_BYTES"
DEFAULT_MAX_BYTES = 5_000_000
# Aliases may add at most this many nodes to a document (nor expand it more than this many times over).
MAX_EXPANDED_NODES = 2_000_000
MAX_EXPANSION_RATIO = 20

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe C loader, with dates left as text (the models check their shape)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


# --- Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dataset, in plain words."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DatasetError(Exception):
    """The dataset cannot be used; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- Reading the file ------------------------------------------------------------------------------


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The dataset to use: the argument, else $PROVINCES_DATA, else data/provinces.yaml."""
    chosen = path or os.environ.get(ENV_PATH) or DEFAULT_PATH
    return Path(chosen)


def max_bytes_limit(max_bytes: int | None = None) -> int:
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get(ENV_MAX_BYTES)
    return int(env) if env and env.isdigit() else DEFAULT_MAX_BYTES


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(nodes after expanding aliases, distinct nodes), computed without expanding anything."""
    memo: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in memo and not done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                children += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done:
            memo[key] = 1 + sum(memo.get(id(c), 1) for c in children)
            continue
        memo[key] = 1  # marks "seen" (and breaks recursive aliases)
        distinct += 1
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in memo)
    return memo[id(root)], distinct


def _line_index(root: yaml.Node) -> dict[tuple, int]:
    """Map each field path, e.g. ('observations', 3, 'value'), to its 1-based line (a key's own line)."""
    lines: dict[tuple, int] = {(): root.start_mark.line + 1}
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark.line)
                lines.setdefault(path + (key,), k.start_mark.line + 1)
                stack.append((v, path + (key,)))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                lines.setdefault(path + (i,), v.start_mark.line + 1)
                stack.append((v, path + (i,)))
    return lines


@dataclass
class RawDocument:
    path: Path
    data: dict
    node: yaml.Node
    _lines: dict[tuple, int] | None = None

    @property
    def lines(self) -> dict[tuple, int]:
        """Field path -> line, built on first use: only a file with problems needs it."""
        if self._lines is None:
            self._lines = _line_index(self.node)
        return self._lines

    def line(self, loc: Iterable) -> int | None:
        """The line of the deepest known part of `loc`."""
        loc = tuple(loc)
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return None


def read_document(path: str | os.PathLike | None = None, *, max_bytes: int | None = None) -> RawDocument:
    """Read and parse the YAML safely; refuse empty, oversized, non-YAML, alias-bomb and tagged input."""
    path = resolve_path(path)
    name = str(path)
    fail = lambda msg, line=None: DatasetError([Problem(name, line, "", msg)])  # noqa: E731
    if not path.exists():
        raise fail("the file does not exist")
    if not path.is_file():
        raise fail("this is not a file")
    limit = max_bytes_limit(max_bytes)
    size = path.stat().st_size
    if size > limit:
        raise fail(f"the file is {size:,} bytes, over the limit of {limit:,} bytes "
                   f"(raise it with {ENV_MAX_BYTES} if this is intended)")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"the file is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise fail("the file is empty")
    loader = _Loader(text)
    gc_was_on = gc.isenabled()
    gc.disable()  # building ~10^5–10^6 nodes: the cyclic collector would more than double the time
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail("the file holds no YAML document (only comments or blank lines)")
        if "*" in text:  # no alias, no bomb: skip the walk
            expanded, distinct = _expanded_size(node)
            added = expanded - distinct
            if added > MAX_EXPANDED_NODES or (expanded > 10_000 and expanded > MAX_EXPANSION_RATIO * distinct):
                raise fail(f"YAML aliases expand {distinct:,} nodes into {expanded:,}: refused as an "
                           "alias bomb ('billion laughs'); write the values out instead")
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        tag = (exc.problem or "").split("tag ")[-1]
        raise fail(f"YAML tag {tag} is not allowed: the dataset may hold only plain values "
                   "(no python/object or other tags)", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise fail(f"this is not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
        if gc_was_on:
            gc.enable()
    if not isinstance(data, dict):
        raise fail("the top level must be a mapping with the sections schema_version, dataset, "
                   f"regions, indicators, sources, observations, events and units (found {type(data).__name__})", 1)
    return RawDocument(path, data, node)


# --- Validation -------------------------------------------------------------------------------------


def _dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


def _is_branch_label(part: object) -> bool:
    """pydantic adds union branches ('bool', 'float', 'function-after[...]') to error paths: not fields."""
    return isinstance(part, str) and (part in ("bool", "float", "str", "int") or part.startswith("function-"))


def _schema_problems(doc: RawDocument, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not _is_branch_label(p))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the format; check its spelling)"
        elif err["type"] == "missing":
            msg = "this required field is missing"
        elif "input" in err and not isinstance(err["input"], (dict, list)):
            msg = f"{msg} (got {err['input']!r})"
        problems.append(Problem(str(doc.path), doc.line(loc), _dotted(loc), msg))
    # Unions report one error per branch: keep one line per field.
    seen, unique = set(), []
    for p in problems:
        if (p.line, p.field) not in seen:
            seen.add((p.line, p.field))
            unique.append(p)
    return unique


@dataclass(frozen=True)
class DateSpan:
    start: dt.date
    end: dt.date
    precision: str  # "day" | "month" | "year"


def parse_date(text: str) -> DateSpan:
    """'2020', '2020-09' or '2020-09-24' as the span it covers; ValueError if it is no real date."""
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
    return f"{x:g}"


def cross_check(ds: Dataset, doc: RawDocument) -> list[Problem]:
    """Everything pydantic cannot see alone: references, duplicates, bounds, dates, validity, mergers."""
    problems: list[Problem] = []
    file = str(doc.path)

    def add(loc: tuple, message: str) -> None:
        problems.append(Problem(file, doc.line(loc), _dotted(loc), message))

    def check_date(loc: tuple, text: str | None) -> DateSpan | None:
        if text is None:
            return None
        try:
            return parse_date(text)
        except ValueError:
            add(loc, f"the date {text!r} does not exist (use YYYY, YYYY-MM or YYYY-MM-DD)")
            return None

    def unique(section: str, key: str, items: list) -> dict:
        out: dict = {}
        for i, item in enumerate(items):
            k = getattr(item, key)
            if k in out:
                add((section, i, key), f"duplicate {key} {k!r} (first used at line {doc.line((section, out[k][0], key))})")
            else:
                out[k] = (i, item)
        return {k: v[1] for k, v in out.items()}

    regions = unique("regions", "id", ds.regions)
    indicators = unique("indicators", "id", ds.indicators)
    sources = unique("sources", "id", ds.sources)
    units = unique("units", "code", ds.units)
    unique("events", "id", ds.events)

    check_date(("dataset", "updated"), ds.dataset.updated)
    for i, ind in enumerate(ds.indicators):
        if ind.combine.weight and ind.combine.weight not in indicators:
            add(("indicators", i, "combine", "weight"), f"unknown indicator {ind.combine.weight!r} as weight")
        if ind.parent and ind.parent not in indicators:
            add(("indicators", i, "parent"), f"unknown indicator {ind.parent!r}")
        if ind.published_rank and (ind.published_rank not in indicators or indicators[ind.published_rank].kind != "rank"):
            add(("indicators", i, "published_rank"), f"{ind.published_rank!r} is not a rank indicator of the registry")
        if ind.min is not None and ind.max is not None and ind.min > ind.max:
            add(("indicators", i, "min"), f"min {ind.min} is above max {ind.max}")
        if ind.kind == "percent" and ((ind.min or 0) < 0 or (ind.max if ind.max is not None else 100) > 100):
            add(("indicators", i, "max"), "a percent indicator must stay within 0–100")
        if ind.kind in ("rank", "milestone") and ind.combine.rule != "none":
            add(("indicators", i, "combine", "rule"), f"a {ind.kind} can never be combined: use rule none")

    for i, src in enumerate(ds.sources):
        check_date(("sources", i, "published"), src.published)
        check_date(("sources", i, "accessed"), src.accessed)
        if not src.url and not src.file:
            add(("sources", i, "url"), "a source needs a `url` or, for a stored article, a `file`")

    spans: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for i, unit in enumerate(ds.units):
        start = check_date(("units", i, "valid_from"), unit.valid_from)
        end = check_date(("units", i, "valid_to"), unit.valid_to)
        spans[unit.code] = (start.start if start else None, end.end if end else None)
        if start and end and start.start > end.end:
            add(("units", i, "valid_to"), f"valid_to {unit.valid_to} is before valid_from {unit.valid_from}")
        if unit.region not in regions:
            add(("units", i, "region"), f"unknown region {unit.region!r}")
        if unit.merger_source and unit.merger_source not in sources:
            add(("units", i, "merger_source"), f"unknown source {unit.merger_source!r}")
        merged = check_date(("units", i, "merged_on"), unit.merged_on)
        if unit.successor:
            succ = units.get(unit.successor)
            if succ is None:
                add(("units", i, "successor"), f"the merger points to unit {unit.successor!r}, which does not exist")
            elif succ.code == unit.code:
                add(("units", i, "successor"), "a unit cannot be its own successor")
            elif merged and succ.valid_from and succ.valid_from != unit.merged_on:
                add(("units", i, "merged_on"), f"merged on {unit.merged_on}, but successor {succ.code!r} "
                    f"starts on {succ.valid_from}")

    def within(code: str, span: DateSpan, *, grace_days: int = 0) -> bool:
        start, end = spans.get(code, (None, None))
        if end and span.start > end + dt.timedelta(days=grace_days):
            return False
        if start and span.end < start:
            return False
        return True

    def validity_text(code: str) -> str:
        u = units[code]
        return f"{u.valid_from or '…'} – {u.valid_to or 'nay/now'}"

    seen: dict[tuple, int] = {}
    for i, obs in enumerate(ds.observations):
        loc = ("observations", i)
        ind = indicators.get(obs.indicator)
        if obs.unit not in units:
            add(loc + ("unit",), f"unknown unit {obs.unit!r}")
        if ind is None:
            add(loc + ("indicator",), f"unknown indicator {obs.indicator!r}")
        if obs.source not in sources:
            add(loc + ("source",), f"unknown source {obs.source!r}")
        span = check_date(loc + ("date",), obs.date)
        basis = obs.basis or (obs.out_of if obs.out_of in (63, 34) else None)
        if obs.basis and obs.out_of and obs.basis != obs.out_of:
            add(loc + ("basis",), f"basis {obs.basis} disagrees with out_of {obs.out_of}")
        key = (obs.unit, obs.indicator, obs.date, basis)
        if key in seen:
            add(loc, f"duplicate observation of {obs.indicator!r} for {obs.unit!r} on {obs.date}"
                f"{f' (basis {basis})' if basis else ''} (also at line {doc.line(('observations', seen[key]))})")
        else:
            seen[key] = i
        unit = units.get(obs.unit)
        if unit is not None and basis:
            era = "pre" if unit.valid_to else ("post" if unit.valid_from else "both")
            if (era, basis) in (("pre", 34), ("post", 63)):
                add(loc + ("basis",), f"unit {obs.unit!r} is one of the {'63 provinces before' if era == 'pre' else '34 units after'} "
                    f"1/7/2025: it cannot carry a value on the {basis}-unit basis")
        # A value measured on the 34 units' territory for a year before they existed (DTI 2024, published
        # after the merger) is the one exception to the validity rule, and only with `basis: 34`.
        retro = basis == 34 and unit is not None and unit.valid_from is not None and not unit.valid_to
        if span and obs.unit in units and not within(obs.unit, span) and not (retro and span.end < spans[obs.unit][0]):
            add(loc + ("date",), f"{obs.date} is outside the validity of unit {obs.unit!r} "
                f"({validity_text(obs.unit)}); after a merger, record the value on the successor"
                " (a value the source measured on the 34 new units for an earlier year needs `basis: 34`)")
        if ind is not None:
            if ind.kind == "milestone":
                if not isinstance(obs.value, bool):
                    add(loc + ("value",), f"{obs.indicator!r} is a yes/no milestone: use true or false (got {obs.value!r})")
                continue
            if isinstance(obs.value, bool):
                add(loc + ("value",), f"{obs.indicator!r} takes a number, not {str(obs.value).lower()}")
                continue
            lo = ind.min
            hi = ind.max
            if ind.kind == "rank" and obs.out_of:
                hi = obs.out_of
            if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
                unit_txt = " %" if ind.kind == "percent" else ""
                add(loc + ("value",), f"{_num(obs.value)}{unit_txt} is outside the bounds of {obs.indicator!r} "
                    f"({_num(lo) if lo is not None else '−∞'} – {_num(hi) if hi is not None else '∞'})")
            if ind.kind in ("rank", "count") and float(obs.value) != int(obs.value):
                add(loc + ("value",), f"{obs.indicator!r} is a {ind.kind}: a whole number is expected (got {obs.value:g})")
            if ind.kind == "rank" and obs.out_of is None:
                add(loc + ("out_of",), "a rank needs `out_of` (63 provinces or 34 units)")

    for i, ev in enumerate(ds.events):
        loc = ("events", i)
        if ev.source not in sources:
            add(loc + ("source",), f"unknown source {ev.source!r}")
        span = check_date(loc + ("date",), ev.date)
        for j, code in enumerate(ev.units):
            if code not in units:
                add(loc + ("units", j), f"unknown unit {code!r}")
            elif span and not within(code, span, grace_days=1 if ev.kind == "merger" else 0):
                add(loc + ("date",), f"{ev.date} is outside the validity of unit {code!r} ({validity_text(code)})")
        if ev.period and ev.period.start > ev.period.end:
            add(loc + ("period",), f"the period starts ({ev.period.start}) after it ends ({ev.period.end})")
    return problems


def load_dataset(path: str | os.PathLike | None = None, *, max_bytes: int | None = None) -> Dataset:
    """Read, parse and fully validate the dataset; raise DatasetError with every problem found."""
    doc = read_document(path, max_bytes=max_bytes)
    try:
        ds = Dataset.model_validate(doc.data)
    except ValidationError as exc:
        raise DatasetError(_schema_problems(doc, exc)) from None
    problems = cross_check(ds, doc)
    if problems:
        raise DatasetError(problems)
    return ds


# --- Frames -----------------------------------------------------------------------------------------


@dataclass
class Frames:
    """The tidy tables every page and chart reads. Treat them as read-only."""

    units: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    regions: pd.DataFrame
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    # Small derived lookups (unit labels per language, observation counts), computed once per Frames
    # instead of on every rerun; they live and die with this object.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def remember(self, key: str, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def _dt64(values: Iterable) -> np.ndarray:
    """ISO dates, datetime.date objects or None as a datetime64 column (pd.to_datetime is 10× slower here)."""
    return np.array([np.datetime64(v, "ns") if v else np.datetime64("NaT", "ns") for v in values],
                    dtype="datetime64[ns]")


def to_frames(ds: Dataset, path: str = "") -> Frames:
    """Flatten the validated dataset into tidy frames, one row per record."""
    us = ds.units
    preds: dict[str, tuple] = {}
    for u in us:
        if u.successor:
            preds[u.successor] = preds.get(u.successor, ()) + (u.code,)
    units = pd.DataFrame({
        "code": [u.code for u in us], "admin_code": [u.admin_code for u in us],
        "name_vi": [u.name.vi for u in us], "name_en": [u.name.en for u in us],
        "full_name": [u.full_name for u in us], "type": [u.type for u in us], "region": [u.region for u in us],
        "aliases": pd.Series([tuple(u.aliases) for u in us], dtype=object),
        "valid_from": _dt64(u.valid_from for u in us), "valid_to": _dt64(u.valid_to for u in us),
        "successor": pd.Series([u.successor for u in us], dtype=object),
        "merged_on": _dt64(u.merged_on for u in us),
        "merger_source": pd.Series([u.merger_source for u in us], dtype=object),
        "era": ["pre" if u.valid_to else ("post" if u.valid_from else "both") for u in us],
        "predecessors": pd.Series([preds.get(u.code, ()) for u in us], dtype=object),
    })
    indicators = pd.DataFrame([{
        "id": i.id, "title_vi": i.title.vi, "title_en": i.title.en, "unit_vi": i.unit.vi, "unit_en": i.unit.en,
        "kind": i.kind, "higher_is_better": i.higher_is_better, "rule": i.combine.rule, "weight": i.combine.weight,
        "decimals": i.decimals, "min": i.min, "max": i.max, "description_vi": i.description.vi,
        "description_en": i.description.en, "parent": i.parent, "published_rank": i.published_rank, "order": n,
    } for n, i in enumerate(ds.indicators)])
    # Built column by column (a list of dicts costs twice as much); dates parsed once per distinct text.
    spans = {d: parse_date(d) for d in {o.date for o in ds.observations}}
    as_of = {d: np.datetime64(plot_date(sp), "ns") for d, sp in spans.items()}
    obs = sorted(ds.observations, key=lambda o: (o.indicator, o.unit, as_of[o.date]))  # stable, as before

    def text(values: list) -> pd.Series:
        # Plain Python strings: converting 10^5 of them to Arrow strings would double this function's time.
        return pd.Series(values, dtype=object)

    def key(values: list) -> pd.Series:
        # The columns every page filters on stay Arrow strings: comparing them is 6× faster than objects.
        return pd.Series(values, dtype="str")

    observations = pd.DataFrame({
        "unit": key([o.unit for o in obs]), "indicator": key([o.indicator for o in obs]),
        "value": np.array([float(o.value) for o in obs], dtype=float), "date": text([o.date for o in obs]),
        "as_of": np.array([as_of[o.date] for o in obs], dtype="datetime64[ns]"),
        "year": np.array([spans[o.date].start.year for o in obs], dtype=int),
        "precision": text([spans[o.date].precision for o in obs]),
        # Optional text is "" when absent, so `if row.period:` and string joins never meet NaN.
        "period": text([o.period or "" for o in obs]),
        "out_of": pd.array([o.out_of for o in obs], dtype="Int64"),
        # 63 or 34 where the value is tied to one set of units (ranks, DTI 2024), else missing.
        "basis": pd.array([o.basis or (o.out_of if o.out_of in (63, 34) else None) for o in obs], dtype="Int64"),
        "source": key([o.source for o in obs]), "quote": text([o.quote for o in obs]),
        "qualifier": text([o.qualifier or "" for o in obs]),
        "confidence": text([o.confidence or "" for o in obs]),
        "note": text([o.note or "" for o in obs]),
    })
    events = pd.DataFrame([{
        "id": e.id, "date": e.date, "as_of": plot_date(parse_date(e.date)), "precision": parse_date(e.date).precision,
        "kind": e.kind,
        "title_vi": e.title.vi, "title_en": e.title.en, "units": tuple(e.units), "partner": e.partner,
        "period_start": e.period.start if e.period else None, "period_end": e.period.end if e.period else None,
        "source": e.source, "quote": e.quote,
    } for e in ds.events], columns=["id", "date", "as_of", "precision", "kind", "title_vi", "title_en", "units", "partner",
                                    "period_start", "period_end", "source", "quote"])
    events["as_of"] = _dt64(events["as_of"])
    sources = pd.DataFrame([s.model_dump() for s in ds.sources],
                           columns=list(Source.model_fields))
    regions = pd.DataFrame([{"id": r.id, "name_vi": r.name.vi, "name_en": r.name.en} for r in ds.regions])
    return Frames(units, indicators, observations, events, sources, regions, path=path,
                  meta={"title_vi": ds.dataset.title.vi, "title_en": ds.dataset.title.en,
                        "updated": ds.dataset.updated})


def load_frames(path: str | os.PathLike | None = None, *, max_bytes: int | None = None) -> Frames:
    """Validate and flatten in one call: what the app and the curator command use.

    The cyclic garbage collector is paused meanwhile: the work allocates ~10 objects per YAML node and
    frees nothing cyclic, and collections over that heap cost more than the parse itself."""
    resolved = resolve_path(path)
    was_on = gc.isenabled()
    gc.disable()
    try:
        return to_frames(load_dataset(resolved, max_bytes=max_bytes), path=str(resolved))
    finally:
        if was_on:
            gc.enable()
