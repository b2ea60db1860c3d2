"""Hồ sơ tỉnh / Province profile: one unit at a time — its headline standing, sub-indices against the
median of all units and of its region, every other indicator it has, plain sentences generated from the
numbers, its milestones and (34-unit view) its predecessors' own values, area, population and communes.

A *position* here is computed from the values ("41/63": 40 units have a higher value); a *published
rank* is what the ministry printed. The two are never mixed: each says which it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from lib import charts as C
from lib import citations as cite
from lib.data import Frames
from lib.filters import FilterState, units_for_boundaries
from lib.i18n import fmt_date, period_label, t
from lib.views.compare import child_indicators
from lib.views.overview import published_rank_of
from lib.views.profile_headline import (  # noqa: F401 - Headline, sentences: the profile's parts
    Headline,
    headline,
    headline_indicator,
    headline_metrics,
    position_text,
    positions,
    sentences,
    year_values,
)
from lib.views.shared import _same_basis, derived_text, in_period, indicator_titles, labels_for, reads
from lib.views.timeline import events_of

# The unit's size, shown as figures beside its name (34-unit view), not as indicators of digital government.
UNIT_FACTS = ("area_km2", "population_2025", "commune_units_2025")
MIN_COMPARED = 5  # a position among fewer units than this is not shown ("1/2" compares nothing)
STRONG_WEAK = 3  # strongest and weakest sub-indices named


# --- Sub-indices -----------------------------------------------------------------------------------


@dataclass
class SubIndices:
    year: int
    table: pd.DataFrame  # what the page shows
    strongest: list[str] = field(default_factory=list)
    weakest: list[str] = field(default_factory=list)


def subindices(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> SubIndices | None:
    """The headline indicator's sub-indices in the latest year the unit has them: its value, the median of
    all units and of its region (peer group) with a value that year, and its position; the three furthest
    above and below the median of all named."""
    lang = state.lang
    kids = child_indicators(frames, headline_indicator(frames, state.boundaries))
    rows = _same_basis(in_period(vobs[vobs["indicator"].isin(kids)], state), state.boundaries)
    mine = rows[rows["unit"] == unit]
    if not kids or mine.empty:
        return None
    year = int(mine["year"].max())
    rows = rows[rows["year"] == year].sort_values("as_of").groupby(["unit", "indicator"], as_index=False).tail(1)
    region = frames.units.set_index("code")["region"]
    peers = set(region.index[region == region.get(unit)])
    titles = indicator_titles(frames, lang)
    out, gaps = [], {}
    for k in kids:
        r = rows[rows["indicator"] == k].set_index("unit")["value"]
        if unit not in r.index:
            continue
        meta = C.meta_of(frames.indicators, k)
        pos = positions(r, bool(meta["higher_is_better"]))
        name = titles[k].replace("DTI – ", "")
        gaps[name] = float(r[unit] - r.median())
        peer = r[r.index.isin(peers)]
        out.append({t("col_subindex", lang): name, t("col_value", lang): C.format_obs(r[unit], meta, lang),
                    t("col_median_all", lang, n=len(r)): C.format_obs(r.median(), meta, lang),
                    t("col_median_region", lang, n=len(peer)): C.format_obs(peer.median(), meta, lang),
                    t("col_position", lang): position_text(int(pos.at[unit, "position"]), len(r),
                                                           bool(pos.at[unit, "shared"]), lang)})
    if not out:
        return None
    order = sorted(gaps, key=gaps.get, reverse=True)
    return SubIndices(year, pd.DataFrame(out), order[:STRONG_WEAK], order[::-1][:STRONG_WEAK])


# --- Every other indicator -------------------------------------------------------------------------


def _latest_rows(vobs: pd.DataFrame, state: FilterState, unit: str, skip: set[str]) -> pd.DataFrame:
    rows = _same_basis(in_period(vobs[vobs["unit"] == unit], state), state.boundaries)
    rows = rows[~rows["indicator"].isin(skip)]
    return rows.sort_values("as_of", kind="stable").groupby("indicator", as_index=False).tail(1)


def _position_among(vobs: pd.DataFrame, state: FilterState, row, meta: dict, lang: str) -> str:
    """'12/34' among the units of the view with a value of the same indicator, year and basis; '' when
    fewer than MIN_COMPARED units have one, or for a rank or a milestone (no position of its own)."""
    if meta["kind"] in ("rank", "milestone"):
        return ""
    same = _same_basis(vobs[(vobs["indicator"] == row["indicator"]) & (vobs["year"] == row["year"])],
                       state.boundaries)
    same = same.sort_values("as_of", kind="stable").groupby("unit").tail(1)
    same = same[~C.is_bound(same)].set_index("unit")["value"]  # "< 10 %" has no place among the values
    if len(same) < MIN_COMPARED or row["unit"] not in same.index:
        return ""
    pos = positions(same, bool(meta["higher_is_better"]))
    return position_text(int(pos.at[row["unit"], "position"]), len(same), bool(pos.at[row["unit"], "shared"]), lang)


def _cell_value(row, meta: dict, lang: str) -> str:
    text = C.format_obs(row["value"], meta, lang, row["qualifier"])
    if meta["kind"] == "rank" and pd.notna(row["out_of"]):
        text += f" / {int(row['out_of'])}"
    return text


def _when(row, lang: str) -> str:
    """'Quý I/2026 (họp)' / 'Q1 2026 (meeting)' for a period, else the as-of date, in the reader's language."""
    return period_label(row["period"], lang) or fmt_date(row["as_of"], row["precision"], lang)


def _source_text(value, src: dict, lang: str) -> str:
    return "; ".join(cite.short(src[s], lang) for s in C.source_ids([value]) if s in src)


def other_indicators(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> pd.DataFrame:
    """Every indicator the unit has besides the headline, its published rank, its sub-indices and the unit's
    size: latest value, as-of, source, and the position among the view's units where enough have one."""
    lang = state.lang
    head = headline_indicator(frames, state.boundaries)
    skip = {head, published_rank_of(frames, head), *child_indicators(frames, head), *UNIT_FACTS}
    rows = _latest_rows(vobs, state, unit, skip)
    order = dict(zip(frames.indicators["id"], frames.indicators["order"]))
    rows = rows.assign(_o=rows["indicator"].map(order)).sort_values("_o")
    titles = indicator_titles(frames, lang)
    src = cite.by_id(frames.sources)
    out = []
    for row in rows.to_dict("records"):
        meta = C.meta_of(frames.indicators, row["indicator"])
        out.append({t("col_indicator", lang): titles[row["indicator"]],
                    t("col_value", lang): _cell_value(row, meta, lang),
                    t("col_as_of", lang): _when(row, lang),
                    t("col_position", lang): _position_among(vobs, state, row, meta, lang),
                    t("col_source", lang): _source_text(row["source"], src, lang),
                    t("col_derived", lang): derived_text(row.get("derived"), row.get("rule"), lang),
                    t("col_confidence", lang): t(f"confidence_{row['confidence']}", lang)
                    if row["confidence"] in C.UNCERTAIN else ""})
    table = pd.DataFrame(out)
    # A value combined from the predecessors' (34-unit view) or of low confidence says so; the columns only
    # when some row needs them.
    marks = [c for c in (t("col_derived", lang), t("col_confidence", lang)) if c in table and not table[c].any()]
    return table.drop(columns=marks)


def unit_facts(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> list[tuple[str, str, str]]:
    """(title, value, as-of and source) of the unit's area, population and communes, where recorded."""
    lang = state.lang
    rows = vobs[(vobs["unit"] == unit) & vobs["indicator"].isin(UNIT_FACTS)]
    rows = rows.sort_values("as_of", kind="stable").groupby("indicator").tail(1).set_index("indicator")
    titles = indicator_titles(frames, lang)
    src = cite.by_id(frames.sources)
    return [(titles[i], C.format_obs(rows.at[i, "value"], C.meta_of(frames.indicators, i), lang),
             f"{_when(rows.loc[i], lang)} · {_source_text(rows.at[i, 'source'], src, lang)}")
            for i in UNIT_FACTS if i in rows.index]


# --- Predecessors, milestones ----------------------------------------------------------------------


def predecessors(frames: Frames, unit: str) -> list[str]:
    units = frames.units.set_index("code")
    return list(units.loc[unit, "predecessors"]) if unit in units.index else []


def predecessor_values(frames: Frames, state: FilterState, unit: str) -> pd.DataFrame:
    """34-unit view: the headline indicator of the unit's predecessors, each year, on the 63 basis (their own
    values), with their position among the 63 and the published rank; beside the unit's own (34 basis)."""
    preds = predecessors(frames, unit)
    if state.boundaries != "34" or not preds:
        return pd.DataFrame()
    from lib.combine import view_observations

    lang = state.lang
    ind = headline_indicator(frames, "34")
    meta = C.meta_of(frames.indicators, ind)
    old = view_observations(frames, "63")[0]  # the 63 view's, as its pages have them
    state63 = FilterState("63", preds, state.years, state.indicator, lang)
    vals = year_values(old, state63, ind)
    names = frames.units.set_index("code")[f"name_{lang}"].to_dict()
    ranks = year_values(old, state63, published_rank_of(frames, ind) or ind)
    out = []
    for p in preds:
        if p not in vals.index:
            continue
        for y in vals.loc[p].dropna().index:
            pos = positions(vals[y], bool(meta["higher_is_better"]))
            r = ranks.at[p, y] if p in ranks.index and y in ranks.columns else None
            out.append({t("col_unit", lang): f"{names.get(p, p)} ({t('profile_predecessor', lang)})",
                        t("col_year", lang): str(int(y)), t("col_value", lang): C.format_obs(vals.at[p, y], meta, lang),
                        t("col_position", lang): position_text(int(pos.at[p, "position"]), len(pos),
                                                               bool(pos.at[p, "shared"]), lang),
                        t("profile_published_rank", lang): f"{int(r)}/63" if r is not None and pd.notna(r)
                        else t("not_published", lang)})
    return pd.DataFrame(out)


def milestones(frames: Frames, state: FilterState, unit: str) -> pd.DataFrame:
    """The unit's events (milestones and agreements) by date; for a new unit its predecessors' too, marked."""
    lang = state.lang
    preds = predecessors(frames, unit)
    ev = events_of(frames.events, [unit, *preds]).sort_values("as_of")
    if ev.empty:
        return pd.DataFrame()
    labels = labels_for(frames, lang)
    names = frames.units.set_index("code")[f"name_{lang}"].to_dict()
    src = cite.by_id(frames.sources)

    def whose(units) -> str:
        return ", ".join((f"{names.get(u, u)} ({t('profile_predecessor', lang)})" if u in preds else labels.get(u, u))
                         for u in units if u == unit or u in preds)

    return pd.DataFrame({
        t("col_date", lang): [fmt_date(a, p, lang) for a, p in zip(ev["as_of"], ev["precision"])],
        t("col_event", lang): ev[f"title_{lang}"].tolist(),
        t("provinces", lang): [whose(us) for us in ev["units"]],
        t("source", lang): [cite.short(src[s], lang) if s in src else "" for s in ev["source"]],
    })


def targets_section(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> pd.DataFrame | None:
    """The state's targets on the indicators the unit has values of, judged on the view's own values (the
    compare page's table for one unit, without its unit column); None when it has none (no empty section)."""
    from lib.views.targets import compare_table

    table = compare_table(vobs, frames, replace(state, units=[unit]))
    return None if table.empty else table.drop(columns=table.columns[0])


# --- The page's choice of unit ---------------------------------------------------------------------


def profile_unit(frames: Frames, state: FilterState) -> str:
    """The unit the profile shows: the link's `unit`, else the first selected unit of the view, else the
    view's first unit."""
    codes = list(units_for_boundaries(frames.units, state.boundaries)["code"])
    for code in [state.unit, *state.units]:
        if code in codes:
            return code
    return codes[0] if codes else ""


def region_name(frames: Frames, unit: str, lang: str) -> str:
    units = frames.units.set_index("code")
    regions = dict(zip(frames.regions["id"], frames.regions[f"name_{lang}"]))
    return regions.get(units.at[unit, "region"], "") if unit in units.index else ""


@dataclass
class Profile:
    """Everything the page and the brief show of one unit (texts in the state's language)."""

    unit: str
    name: str
    headline: Headline | None
    metrics: list
    sentences: list[str]
    sub: SubIndices | None
    others: pd.DataFrame
    facts: list
    preds: pd.DataFrame
    events: pd.DataFrame
    targets: object = None
    cited: list[str] = field(default_factory=list)


def _cited(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> list[str]:
    """Every source behind the profile's values and events, as a reader cites it."""
    rows = _same_basis(in_period(vobs[vobs["unit"] == unit], state), state.boundaries)
    ids = C.source_ids(rows["source"]) + list(events_of(frames.events, [unit, *predecessors(frames, unit)])["source"])
    src = cite.by_id(frames.sources)
    return list(dict.fromkeys(cite.citation(src[s], state.lang) for s in ids if s in src))


@reads("boundaries", "years", "lang")  # the unit is its argument; the indicator and selection are not read
def build_profile(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> Profile:
    lang = state.lang
    name = labels_for(frames, lang).get(unit, unit)
    h = headline(vobs, frames, state, unit)
    return Profile(unit=unit, name=name, headline=h, metrics=headline_metrics(h, frames, lang) if h else [],
                   sentences=sentences(h, frames, lang, name), sub=subindices(vobs, frames, state, unit),
                   others=other_indicators(vobs, frames, state, unit), facts=unit_facts(vobs, frames, state, unit),
                   preds=predecessor_values(frames, state, unit), events=milestones(frames, state, unit),
                   targets=targets_section(vobs, frames, state, unit), cited=_cited(vobs, frames, state, unit))


def neighbour_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str, k: int = 4):
    """The headline indicator's ranking around the unit (it and k neighbours each side, the median line),
    for the brief: legible on a printed page where 63 bars are not."""
    from lib.export.spec import ChartSpec, safe_filename

    h = headline(vobs, frames, state, unit)
    if h is None:
        return None
    lang = state.lang
    meta = C.meta_of(frames.indicators, h.indicator)
    rows = _same_basis(vobs[(vobs["indicator"] == h.indicator) & (vobs["year"] == h.year)], state.boundaries)
    from lib.views.shared import plot_labels

    fig = C.ranking_figure(rows, meta, plot_labels(frames, lang), [unit], lang=lang, year=h.year,
                           sources=frames.sources, around=k)
    from lib.safe_text import plot_to_text

    return ChartSpec(key="profile-neighbours", figure=fig, title=plot_to_text(C.figure_title(fig)),
                     filename_stem=safe_filename("ho-so", unit, str(h.year), ext="").rstrip("."),
                     filters="", source=plot_to_text(C.source_line(rows["source"], frames.sources, lang), sep=" "),
                     as_of="", note=plot_to_text(C.figure_note(fig), sep=" "))
