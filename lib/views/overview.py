"""Tổng quan / Overview: the selected units' standing, the ranking of all units, the map, the movement of
every year, and (34-unit view) the ministry's own values beside the predecessors'."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib import charts as C
from lib.data import Frames, rows_by_id
from lib.export.spec import ChartSpec
from lib.filters import FilterState, unit_names
from lib.i18n import t
from lib.views.shared import _same_basis, in_period, labels_for, make_spec, plot_labels, reads, targets_of


def ranking_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState,
                 changes: dict[str, str] | None = None) -> tuple[ChartSpec, int, int]:
    """The ranking of all units with the indicator, in the latest year of the period in which a selected
    unit has data (else the latest year with any data)."""
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _same_basis(in_period(vobs[vobs["indicator"] == state.indicator], state), state.boundaries)
    mine = rows[rows["unit"].isin(state.units)]
    year = int((mine if len(mine) else rows)["year"].max()) if len(rows) else state.years[1]
    shown = rows[rows["year"] == year]
    fig = C.ranking_figure(shown, meta, plot_labels(frames, lang), state.units, lang=lang, year=year,
                           sources=frames.sources, extra=changes, targets=targets_of(frames, state.indicator),
                           printed=ranks_printed(shown, meta, lang))
    return (make_spec("overview-ranking", fig, shown, frames, state, meta, C.figure_title(fig)),
            shown["unit"].nunique(), year)


def ranks_printed(rows: pd.DataFrame, meta: dict, lang: str) -> str:
    """For a rank indicator whose year's ranking is incomplete: "13 of 63 ranks printed" (said on the chart
    itself, so a leader never reads 13 dots as the whole ranking); "" otherwise."""
    if meta["kind"] != "rank" or rows.empty or rows["out_of"].isna().all():
        return ""
    n, total = rows["unit"].nunique(), int(rows["out_of"].max())
    return t("ranks_printed", lang, n=n, total=total) if n < total else ""


def overview_ranking(vobs: pd.DataFrame, frames: Frames, state: FilterState
                     ) -> tuple[pd.DataFrame, ChartSpec, int, int]:
    """The overview's answer: the selected units' standing table, and the ranking whose hovers carry each
    unit's change (standing's), with the number of units ranked and the year: (table, spec, units, year)."""
    table, changes, _ = standing(vobs, frames, state)
    spec, n_units, year = ranking_spec(vobs, frames, state, changes)
    return table, spec, n_units, year


def _map_rows(vobs: pd.DataFrame, state: FilterState, year: int) -> pd.DataFrame:
    return _same_basis(vobs[(vobs["indicator"] == state.indicator) & (vobs["year"] == year)], state.boundaries)


@reads("boundaries", "units", "indicator", "lang")
def map_figure_of(vobs: pd.DataFrame, frames: Frames, state: FilterState, year: int, by_url: bool = False):
    """The choropleth of the ranking's indicator and year over every unit of the view (no-data hatched);
    `by_url`: the shapes named by the address of their static file, for the page (lib.charts_map)."""
    from lib.charts_map import map_figure
    from lib.filters import units_for_boundaries

    meta = C.meta_of(frames.indicators, state.indicator)
    codes = list(units_for_boundaries(frames.units, state.boundaries)["code"])
    return map_figure(_map_rows(vobs, state, year), meta, plot_labels(frames, state.lang), state.units,
                      lang=state.lang, year=year, boundaries=state.boundaries, sources=frames.sources,
                      unit_codes=codes, by_url=by_url)


def map_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState, year: int, fig=None,
             by_url: bool = False) -> ChartSpec:
    """The map as a chart to show and download; `fig`: map_figure_of's figure, if already drawn, else drawn here
    (`by_url`: the shapes by their static file's address, for the page). The page keeps the whole spec in
    lib.ui.computed: its title, sources, alt text and file name cost 13–15 ms on every run when only the figure
    was kept."""
    meta = C.meta_of(frames.indicators, state.indicator)
    fig = map_figure_of(vobs, frames, state, year, by_url=by_url) if fig is None else fig
    return make_spec("overview-map", fig, _map_rows(vobs, state, year), frames, state, meta,
                     C.chart_title(meta, state.lang, (year, year)))


MOVEMENT_MIN_SHARE = 0.5  # a year joins the movement chart when it covers at least half the best year's units


def _by_year(vobs: pd.DataFrame, state: FilterState, indicator: str) -> pd.DataFrame:
    """One value per (unit, year) of the indicator, on the view's basis only, in the period."""
    rows = _same_basis(in_period(vobs[vobs["indicator"] == indicator], state), state.boundaries)
    return rows.sort_values("as_of", kind="stable").groupby(["unit", "year"], as_index=False).tail(1)


def published_rank_of(frames: Frames, indicator: str) -> str | None:
    """The rank indicator the registry links to a value indicator (`published_rank`), if any."""
    rows = rows_by_id(frames.indicators)
    r = rows.get(indicator, {}).get("published_rank")
    return r if isinstance(r, str) and r in rows else None


def _arrow(diff: float, good: bool | None) -> str:
    return "▲" if diff > 0 else "▼" if diff < 0 else "="


def rank_change_text(prev: float | None, now: float | None, lang: str) -> str:
    """'tăng 26 bậc' for 58th → 32nd: for a rank, a smaller number is a better place."""
    if prev is None or now is None or pd.isna(prev) or pd.isna(now):
        return ""
    places = int(prev) - int(now)
    if places > 0:
        return "▲ " + t("rank_improved", lang, n=places)
    if places < 0:
        return "▼ " + t("rank_fell", lang, n=-places)
    return "= " + t("rank_same", lang)


def value_change_text(prev: float | None, now: float | None, meta: dict, lang: str) -> str:
    if prev is None or now is None or pd.isna(prev) or pd.isna(now):
        return ""
    if meta["kind"] == "rank":
        return rank_change_text(prev, now, lang)
    diff = float(now) - float(prev)
    num = C.format_obs(abs(diff), meta, lang).replace(" %", " " + t("percentage_points", lang))
    sign = "+" if diff > 0 else "−" if diff < 0 else "±"
    return f"{_arrow(diff, None)} {sign}{num}"


def _ranking_years(state: FilterState, rows: pd.DataFrame) -> tuple[int, int | None]:
    """The ranking's year (the latest with a value of a selected unit, else of any) and the year before it with data."""
    mine = rows[rows["unit"].isin(state.units)]
    year = int((mine if len(mine) else rows)["year"].max())
    earlier = sorted(y for y in rows["year"].unique() if y < year)
    return year, (int(earlier[-1]) if earlier else None)


def _published_text(rank, basis: int, lang: str) -> str:
    """'4/63' for a printed rank, 'not published' where the source printed none."""
    return f"{int(rank)}/{basis}" if rank is not None and pd.notna(rank) else t("not_published", lang)


@dataclass
class _Standing:
    """What every row of the standing table reads (`get(frame, unit, year)` looks a value up)."""

    meta: dict
    lang: str
    year: int
    prev_year: int | None
    val: pd.DataFrame
    ranks: pd.DataFrame
    rank_ind: str | None
    basis: int
    bound_text: dict
    pos_text: dict
    labels: dict
    get: object

    def row(self, unit: str) -> dict:
        lang, meta, year, prev_year, get = self.lang, self.meta, self.year, self.prev_year, self.get
        now, before = get(self.val, unit, year), get(self.val, unit, prev_year)
        row = {t("col_unit", lang): self.labels.get(unit, unit),
               t("col_value_year", lang, year=year): C.format_obs(now, meta, lang) if now is not None and pd.notna(now)
               else self.bound_text.get((unit, year), t("no_data", lang))}
        if meta["kind"] != "rank":  # computed from the values, beside (never instead of) the published rank
            row[t("col_position_year", lang, year=year)] = self.pos_text.get(unit, "—")
        if prev_year is not None:
            row[t("col_change", lang, year=prev_year)] = value_change_text(before, now, meta, lang) or "—"
        if self.rank_ind:
            row.update(self.rank_cells(unit))
        return row

    def rank_cells(self, unit: str) -> dict:
        lang, year, prev_year = self.lang, self.year, self.prev_year
        r_now, r_before = self.get(self.ranks, unit, year), self.get(self.ranks, unit, prev_year)
        cells = {t("col_rank_year", lang, year=year): _published_text(r_now, self.basis, lang)}
        if prev_year is not None:
            cells[t("col_rank_year", lang, year=prev_year)] = _published_text(r_before, self.basis, lang)
            cells[t("col_rank_change", lang)] = rank_change_text(r_before, r_now, lang) or "—"
        return cells


def standing(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> tuple[pd.DataFrame, dict[str, str], int | None]:
    """The selected units' value in the ranking's year, the change since the previous year with data,
    and the published rank (where the source printed one) with its change: (table, hover line per unit,
    previous year)."""
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _by_year(vobs, state, state.indicator)
    if rows.empty:
        return pd.DataFrame(), {}, None
    year, prev_year = _ranking_years(state, rows)
    known, bounds = C.split_bounds(rows)
    # A bound ("< 10 %") is shown as printed, never used in a change: {(unit, year): its text}.
    bound_text = {(u, int(y)): C.format_obs(v, meta, lang, q) for u, y, v, q in
                  zip(bounds["unit"], bounds["year"], bounds["value"], bounds["qualifier"])}
    val = known.pivot_table(index="unit", columns="year", values="value", aggfunc="last")
    rank_ind = published_rank_of(frames, state.indicator)
    ranks = _by_year(vobs, state, rank_ind).pivot_table(index="unit", columns="year", values="value", aggfunc="last") \
        if rank_ind else pd.DataFrame()
    basis = state.basis

    # {year: {unit: value}}: a dict lookup per cell (frame.at costs ~25 µs, 0.1 s for 3,000 units)
    cols = {id(f): {y: f[y].dropna().to_dict() for y in f.columns} for f in (val, ranks)}

    def get(frame: pd.DataFrame, unit: str, y: int | None):
        return None if y is None else cols[id(frame)].get(y, {}).get(unit)

    extra = {}
    for unit in val.index:
        change = value_change_text(get(val, unit, prev_year), get(val, unit, year), meta, lang)
        if change:
            extra[unit] = f"{t('col_change', lang, year=prev_year)}: {change}"
    st = _Standing(meta=meta, lang=lang, year=year, prev_year=prev_year, val=val, ranks=ranks, rank_ind=rank_ind,
                   basis=basis, bound_text=bound_text, pos_text=_position_texts(val, year, meta),
                   labels=labels_for(frames, lang), get=get)
    return pd.DataFrame([st.row(unit) for unit in state.units]), extra, prev_year


def _position_texts(val: pd.DataFrame, year: int, meta: dict) -> dict[str, str]:
    """'41/63' for every unit with a value in `year`: its position by value among them (ties share a place)."""
    if year not in val.columns:
        return {}
    v = val[year].dropna()
    pos = C.value_positions(v, meta["kind"] == "rank" or not meta["higher_is_better"])
    return {u: f"{p}/{len(v)}" for u, p in pos.items()}


def movement_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> ChartSpec:
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _by_year(vobs, state, state.indicator)
    # The spread of a year means something only when most units have a value that year: a year with a
    # handful of press figures (DTI 2020, 2021) is left out rather than drawn as "all provinces".
    per_year = rows.groupby("year")["unit"].nunique()
    keep = per_year[per_year >= MOVEMENT_MIN_SHARE * per_year.max()].index
    notes = []
    if meta["kind"] == "rank" and len(rows):  # a rank's spread only means something when every place is printed
        total = rows.groupby("year")["out_of"].max()
        partial = [y for y in per_year.index if pd.notna(total[y]) and per_year[y] < int(total[y])]
        keep = [y for y in keep if y not in partial]
        if partial:
            notes.append(t("ranks_left_out", lang, years=", ".join(
                f"{y} ({t('ranks_printed', lang, n=int(per_year[y]), total=int(total[y]))})" for y in partial)))
    rows = rows[rows["year"].isin(keep)]
    years = (int(rows["year"].min()), int(rows["year"].max())) if len(rows) else state.years
    if meta["kind"] == "index" and rows["year"].nunique() > 1:
        notes.append(t("method_changed", lang))
    note = " ".join(notes)
    fig = C.movement_figure(rows, meta, plot_labels(frames, lang), state.units, lang=lang, years=years,
                            sources=frames.sources, note=note)
    return make_spec("overview-movement", fig, rows, frames, state, meta, C.chart_title(meta, lang, years))


def official_34_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """34-unit view: each selected new unit's own value on the 34 basis beside its predecessors' own
    values of the same year (63 basis). Empty when no selected new unit has such a value."""
    if state.boundaries != "34":
        return pd.DataFrame()
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    units = frames.units.set_index("code")
    labels = labels_for(frames, lang)
    obs = frames.observations
    mine = obs[(obs["indicator"] == state.indicator) & (obs["basis"] == 34) & obs["unit"].isin(state.units)
               & obs["year"].between(*state.years)]
    out = []
    for unit in state.units:
        preds = units.loc[unit, "predecessors"] if unit in units.index else ()
        r = mine[mine["unit"] == unit]
        if not preds or r.empty:
            continue
        last = r.sort_values("as_of").iloc[-1]
        year = int(last["year"])
        p = obs[(obs["indicator"] == state.indicator) & obs["unit"].isin(preds) & (obs["year"] == year)
                & (obs["basis"].isna() | (obs["basis"] == 63))]
        vals = dict(zip(p["unit"], p["value"]))
        names = unit_names(frames.units, preds, lang)
        out.append({
            t("col_unit", lang): f"{labels.get(unit, unit)} · {year}",
            t("col_official_34", lang): C.format_obs(last["value"], meta, lang),
            t("col_predecessors", lang): "; ".join(
                f"{n}: {C.format_obs(vals[c], meta, lang) if c in vals else t('no_data', lang)}"
                for c, n in zip(preds, names)),
        })
    return pd.DataFrame(out)
