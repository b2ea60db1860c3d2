"""So sánh / Compare: bars, heatmap and radar of the selected units, the sub-indices against the median,
and two indicators against each other (scatter)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from lib import charts as C
from lib.data import Frames, rows_by_id
from lib.export.spec import ChartSpec, safe_filename
from lib.filters import FilterState
from lib.views.shared import _same_basis, chart_file_name, in_period, make_spec, plot_labels, targets_of


def latest_normalised(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """The selected units' values per indicator in the period, scored 0–1 within one year per indicator
    against every unit of the view (charts.comparable_scores)."""
    rows = _same_basis(in_period(vobs, state), state.boundaries)
    rows = rows[rows["indicator"].isin(frames.indicators.loc[frames.indicators["kind"] != "milestone", "id"])]
    return C.comparable_scores(rows, frames.indicators, state.units)


def _radar_rows(sel: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The values a radar draws: the selected units' scored values of its one year (charts.radar_year)."""
    mine = sel[sel["unit"].isin(state.units[:C.RADAR_MAX])]
    year = C.radar_year(mine) if len(mine) else None
    if year is None:
        return mine.iloc[0:0]
    return mine[(mine["row_year"] == year) & (mine["year"] == year) & mine["score"].notna()]


def compare_specs(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[ChartSpec]:
    lang = state.lang
    labels = plot_labels(frames, lang)
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _same_basis(vobs, state.boundaries)
    bar_obs = in_period(rows[(rows["indicator"] == state.indicator) & rows["unit"].isin(state.units)], state)
    bars = C.grouped_bar_figure(bar_obs, meta, labels, state.units, lang=lang, years=state.years,
                                sources=frames.sources, targets=targets_of(frames, state.indicator))
    latest = latest_normalised(vobs, frames, state)
    sel = latest[latest["unit"].isin(state.units)]
    heat = C.heatmap_figure(sel, frames.indicators, labels, state.units, lang=lang, years=state.years,
                            sources=frames.sources)
    radar = C.radar_figure(latest, frames.indicators, labels, state.units, lang=lang, years=state.years,
                           sources=frames.sources)
    return [
        make_spec("compare-bars", bars, bar_obs, frames, state, meta, C.figure_title(bars)),
        make_spec("compare-heatmap", heat, sel, frames, state, None, C.figure_title(heat)),
        make_spec("compare-radar", radar, _radar_rows(sel, state), frames, state, None, C.figure_title(radar)),
    ]


def child_indicators(frames: Frames, indicator: str) -> list[str]:
    """The sub-indices of an indicator (registry `parent`), or its siblings when it is one itself."""
    ind = frames.indicators
    rows = rows_by_id(ind)
    kids = list(ind.loc[ind["parent"] == indicator, "id"])
    if not kids:
        parent = rows[indicator]["parent"] if indicator in rows else None
        if isinstance(parent, str):
            kids = list(ind.loc[ind["parent"] == parent, "id"])
    return [k for k in kids if rows[k]["kind"] not in ("rank", "milestone")]


def subindex_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> ChartSpec | None:
    """The sub-indices of the latest year in which a selected unit has them, against the median of all
    units with a value that year (same basis). None when the indicator has no sub-indices."""
    lang = state.lang
    kids = child_indicators(frames, state.indicator)
    if not kids:
        return None
    rows = _same_basis(in_period(vobs[vobs["indicator"].isin(kids)], state), state.boundaries)
    mine = rows[rows["unit"].isin(state.units)]
    if mine.empty:
        fig = C.subindex_figure(mine, frames.indicators, kids, plot_labels(frames, lang), state.units, lang=lang,
                                year=state.years[1], sources=frames.sources)
        return make_spec("compare-subindices", fig, mine, frames, state, None, C.figure_title(fig))
    year = int(mine["year"].max())
    rows = rows[rows["year"] == year].sort_values("as_of").groupby(["unit", "indicator"], as_index=False).tail(1)
    fig = C.subindex_figure(rows, frames.indicators, kids, plot_labels(frames, lang), state.units, lang=lang,
                            year=year, sources=frames.sources)
    return make_spec("compare-subindices", fig, rows[rows["unit"].isin(state.units)], frames, state, None,
                     C.figure_title(fig))


def widest_other(frames: Frames, state: FilterState, indicator: str) -> str:
    """The indicator, other than `indicator`, that covers the most units of the view in one year."""
    from lib.filters import coverage

    cov = coverage(frames, state.boundaries)
    order = [i for i in frames.indicators["id"] if i != indicator]
    return max(order, key=lambda i: (cov.get(i, (0,))[0], -order.index(i))) if order else indicator


def scatter_years_of(vobs: pd.DataFrame, frames: Frames, state: FilterState, x: str, y: str) -> list[int]:
    """scatter_years as a view function, for lib.ui.computed (2–3 ms on every run of the compare page)."""
    return scatter_years(vobs, state, x, y)


def scatter_years(vobs: pd.DataFrame, state: FilterState, x: str, y: str) -> list[int]:
    rows = _same_basis(in_period(vobs[vobs["indicator"].isin([x, y])], state), state.boundaries)
    both = rows.groupby("year")["indicator"].nunique()
    return sorted(int(yr) for yr, n in both.items() if n == 2 or x == y)


def scatter_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState, x: str, y: str, year: int,
                 fit: bool = False) -> tuple[ChartSpec, int]:
    """Two indicators of the same year and basis, one dot per unit that has both."""
    lang = state.lang
    rows = _same_basis(vobs[vobs["indicator"].isin([x, y]) & (vobs["year"] == year)], state.boundaries)
    rows = rows.sort_values("as_of").groupby(["unit", "indicator"], as_index=False).tail(1)
    rows = rows[~C.is_bound(rows)]  # a bound ("< 10 %") is no position on an axis
    xs = rows[rows["indicator"] == x].set_index("unit")
    ys = rows[rows["indicator"] == y].set_index("unit")
    # The units with both values, in x's order (one join: a lookup per unit cost 0.3 s at commune scale).
    both = xs[["value", "source"]].join(ys[["value", "source"]], how="inner", suffixes=("_x", "_y"))
    units = list(both.index)
    pairs = pd.DataFrame({"unit": units, "x": both["value_x"].to_numpy(), "y": both["value_y"].to_numpy(),
                          "x_source": both["source_x"].to_numpy(), "y_source": both["source_y"].to_numpy()})
    mx, my = C.meta_of(frames.indicators, x), C.meta_of(frames.indicators, y)
    fig = C.scatter_figure(pairs, mx, my, plot_labels(frames, lang), state.units, lang=lang, year=year,
                           sources=frames.sources, fit=fit)
    used = pd.concat([xs.loc[units].reset_index(), ys.loc[units].reset_index()]) if units else rows.iloc[0:0]
    spec = make_spec("compare-scatter", fig, used, frames, state, None, C.figure_title(fig))
    stem = safe_filename(chart_file_name("compare-scatter", lang), mx[f"title_{lang}"], my[f"title_{lang}"],
                         str(year), ext="").rstrip(".")
    return replace(spec, filename_stem=stem), len(units)
