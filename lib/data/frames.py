"""The tidy pandas frames every page and chart reads, built from the checked dataset.

`load_frames` is the one call the app and the curator command make: read (lib.data.read), check
(lib.data.checks), flatten (`to_frames`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lib.data.checks import BASES, load_dataset, parse_date, plot_date
from lib.data.read import resolve_path
from lib.data.schema import Dataset, Source, Target


@dataclass
class Frames:
    """The tidy tables every page and chart reads. Treat them as read-only."""

    units: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    regions: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=lambda: targets_frame([]))
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    # Small derived lookups (unit labels per language, observation counts), computed once per Frames
    # instead of on every rerun; they live and die with this object.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def remember(self, key: str, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


_ROWS_BY_ID: list[tuple[pd.DataFrame, dict[str, dict]]] = []  # (frame, its rows by id): the newest few frames


def rows_by_id(frame: pd.DataFrame) -> dict[str, dict]:
    """The rows of a read-only frame (indicators, sources) as dicts by their `id`, built once per frame object.

    Chart hovers and source lines look a source up per point: rebuilding this per call cost 290 ms of the
    compare page's rerun. The frame is kept alongside its rows, so an identity check can never match a new
    frame at a reused address. Callers must not change what they get (copy a row before editing it)."""
    rows = next((r for f, r in _ROWS_BY_ID if f is frame), None)
    if rows is None:
        rows = {r["id"]: r for r in frame.to_dict("records")}
        _ROWS_BY_ID[:] = [(frame, rows), *_ROWS_BY_ID[:7]]
    return rows


def _dt64(values: Iterable) -> np.ndarray:
    """ISO dates, datetime.date objects or None as a datetime64 column (pd.to_datetime is 10× slower here)."""
    return np.array([np.datetime64(v, "ns") if v else np.datetime64("NaT", "ns") for v in values],
                    dtype="datetime64[ns]")


TARGET_COLUMNS = ["id", "indicator", "comparator", "value", "unit", "year", "scope", "doc_number", "doc_date",
                  "doc_title_vi", "doc_title_en", "doc_short_vi", "doc_short_en", "issuer", "clause", "wording_vi",
                  "wording_en", "source", "quote", "confidence", "mapping", "note"]


def targets_frame(targets: list[Target]) -> pd.DataFrame:
    """One row per target; absent optional text is "" (as in the other frames), never NaN."""
    return pd.DataFrame([{
        "id": t.id, "indicator": t.indicator, "comparator": t.comparator, "value": float(t.value), "unit": t.unit,
        "year": t.year, "scope": t.scope, "doc_number": t.document.number, "doc_date": t.document.date,
        "doc_title_vi": t.document.title.vi, "doc_title_en": t.document.title.en,
        "doc_short_vi": t.document.short.vi, "doc_short_en": t.document.short.en, "issuer": t.document.issuer or "",
        "clause": t.clause, "wording_vi": t.wording.vi, "wording_en": t.wording.en, "source": t.source,
        "quote": t.quote, "confidence": t.confidence, "mapping": t.mapping, "note": t.note or "",
    } for t in targets], columns=TARGET_COLUMNS)


def _text(values: list) -> pd.Series:
    # Plain Python strings: converting 10^5 of them to Arrow strings would double this function's time.
    return pd.Series(values, dtype=object)


def _key(values: list) -> pd.Series:
    # The columns every page filters on are Arrow strings in a large file (comparing 10^5 of them is 6× faster
    # than objects); in a small one Python strings (at 10^3 rows a filter of the frame is 2× faster: pyarrow's
    # `take` of each Arrow column costs more than the comparison saves). Measured: bench/README.md "Per run".
    return pd.Series(values, dtype="str" if len(values) > ARROW_MIN_ROWS else object)


ARROW_MIN_ROWS = 20_000


def _fit(frame: pd.DataFrame) -> pd.DataFrame:
    """A small frame's Arrow string columns (pandas' default for text) as Python strings (see `_key`)."""
    if len(frame) > ARROW_MIN_ROWS:
        return frame
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def units_frame(ds: Dataset) -> pd.DataFrame:
    us = ds.units
    preds: dict[str, tuple] = {}
    for u in us:
        if u.successor:
            preds[u.successor] = preds.get(u.successor, ()) + (u.code,)
    return pd.DataFrame({
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


def indicators_frame(ds: Dataset) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": i.id, "title_vi": i.title.vi, "title_en": i.title.en, "unit_vi": i.unit.vi, "unit_en": i.unit.en,
        "kind": i.kind, "higher_is_better": i.higher_is_better, "rule": i.combine.rule, "weight": i.combine.weight,
        "decimals": i.decimals, "min": i.min, "max": i.max, "description_vi": i.description.vi,
        "description_en": i.description.en, "parent": i.parent, "published_rank": i.published_rank, "order": n,
    } for n, i in enumerate(ds.indicators)])


def observations_frame(ds: Dataset) -> pd.DataFrame:
    # Built column by column (a list of dicts costs twice as much); dates parsed once per distinct text.
    spans = {d: parse_date(d) for d in {o.date for o in ds.observations}}
    as_of = {d: np.datetime64(plot_date(sp), "ns") for d, sp in spans.items()}
    src_conf = {s.id: "" if s.confidence == "high" else s.confidence for s in ds.sources}
    obs = sorted(ds.observations, key=lambda o: (o.indicator, o.unit, as_of[o.date]))  # stable, as before
    return pd.DataFrame(_observation_values(obs, spans, as_of) | _observation_texts(obs, src_conf))


def _observation_values(obs: list, spans: dict, as_of: dict) -> dict:
    text, key = _text, _key
    return {
        "unit": key([o.unit for o in obs]), "indicator": key([o.indicator for o in obs]),
        "value": np.array([float(o.value) for o in obs], dtype=float), "date": text([o.date for o in obs]),
        "as_of": np.array([as_of[o.date] for o in obs], dtype="datetime64[ns]"),
        "year": np.array([spans[o.date].start.year for o in obs], dtype=int),
        "precision": text([spans[o.date].precision for o in obs]),
        # Optional text is "" when absent, so `if row.period:` and string joins never meet NaN.
        "period": text([o.period or "" for o in obs]),
        "out_of": pd.array([o.out_of for o in obs], dtype="Int64"),
        # 63 or 34 where the value is tied to one set of units (ranks, DTI 2024), else missing.
        "basis": pd.array([o.basis or (o.out_of if o.out_of in BASES else None) for o in obs], dtype="Int64"),
    }


def _observation_texts(obs: list, src_conf: dict) -> dict:
    text, key = _text, _key
    return {
        "source": key([o.source for o in obs]), "quote": text([o.quote for o in obs]),
        "qualifier": text([o.qualifier or "" for o in obs]),
        # The value's own confidence, else its source's: a value read on a copy is as uncertain as the copy.
        # "" is high (the default), so `confidence in ("low", "medium")` marks what a chart must mark.
        "confidence": text([o.confidence or src_conf.get(o.source, "") for o in obs]),
        "note": text([o.note or "" for o in obs]),
    }


def events_frame(ds: Dataset) -> pd.DataFrame:
    events = pd.DataFrame([{
        "id": e.id, "date": e.date, "as_of": plot_date(parse_date(e.date)), "precision": parse_date(e.date).precision,
        "kind": e.kind,
        "title_vi": e.title.vi, "title_en": e.title.en, "units": tuple(e.units), "partner": e.partner,
        "period_start": e.period.start if e.period else None, "period_end": e.period.end if e.period else None,
        "source": e.source, "quote": e.quote,
    } for e in ds.events], columns=["id", "date", "as_of", "precision", "kind", "title_vi", "title_en", "units",
                                    "partner", "period_start", "period_end", "source", "quote"])
    events["as_of"] = _dt64(events["as_of"])
    return events


def sources_frame(ds: Dataset) -> pd.DataFrame:
    text = _text
    # Every field of a source is text; an absent one is "" (as in observations), never NaN that
    # str() would turn into the word "nan" in a table cell or a link.
    sources = pd.DataFrame({name: text([getattr(s, name) or "" for s in ds.sources]) for name in Source.model_fields
                            if name != "description"})
    for lang in ("vi", "en"):  # the curator's plain description, one column per language like the indicators'
        sources[f"description_{lang}"] = text([getattr(s.description, lang) if s.description else ""
                                               for s in ds.sources])
    return sources


def to_frames(ds: Dataset, path: str = "") -> Frames:
    """Flatten the validated dataset into tidy frames, one row per record."""
    regions = pd.DataFrame([{"id": r.id, "name_vi": r.name.vi, "name_en": r.name.en} for r in ds.regions])
    tables = (units_frame(ds), indicators_frame(ds), observations_frame(ds), events_frame(ds), sources_frame(ds),
              regions, targets_frame(ds.targets))
    return Frames(*(_fit(f) for f in tables), path=path,
                  meta={"title_vi": ds.dataset.title.vi, "title_en": ds.dataset.title.en,
                        "updated": ds.dataset.updated})


def load_frames(path: str | os.PathLike | None = None, *, max_bytes: int | None = None,
                raw: bytes | None = None) -> Frames:
    """Validate and flatten in one call: what the app and the curator command use.

    The cyclic garbage collector is paused meanwhile: the work allocates ~10 objects per YAML node and
    frees nothing cyclic, and collections over that heap cost more than the parse itself."""
    resolved = resolve_path(path)
    was_on = gc.isenabled()
    gc.disable()
    try:
        return to_frames(load_dataset(resolved, max_bytes=max_bytes, raw=raw), path=str(resolved))
    finally:
        if was_on:
            gc.enable()
