"""What each page shows, as plain functions of (frames, view observations, filter state).

Pages call these and only render the result, so the logic is tested without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from lib import charts as C
from lib import citations as cite
from lib.data import Frames, rows_by_id
from lib.export.spec import ChartSpec, safe_filename
from lib.filters import FilterState, unit_labels, unit_names
from lib.i18n import STRINGS, fmt_date, period_label, t
from lib.safe_text import md_escape, plot_escape, plot_to_text
from lib.views.describe import describe

# Display limits of a chart's filter and as-of lines (the rest is counted: "(+3)").
NAMES_SHOWN = 6
DATES_SHOWN = 6


def indicator_titles(frames: Frames, lang: str) -> dict[str, str]:
    """Every indicator's title in `lang` by id (plain text); once per dataset (sidebar, pages and tables)."""
    ind = frames.indicators
    return frames.remember(f"indicator_titles_{lang}", lambda: dict(zip(ind["id"], ind[f"title_{lang}"])))


def labels_for(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label in `lang`; computed once per dataset (pages ask for it several times a rerun)."""
    return frames.remember(f"labels_{lang}", lambda: unit_labels(frames.units, lang))


def plot_labels(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label escaped for Plotly (its labels read HTML-like tags): what figures get, while
    tables and captions get `labels_for`."""
    return frames.remember(f"plot_labels_{lang}",
                           lambda: {k: plot_escape(v) for k, v in labels_for(frames, lang).items()})


def md_labels(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label escaped for Streamlit's Markdown (notes, captions)."""
    return frames.remember(f"md_labels_{lang}", lambda: {k: md_escape(v) for k, v in labels_for(frames, lang).items()})


def targets_of(frames: Frames, indicator: str) -> pd.DataFrame:
    """The targets legal texts set on one indicator (drawn on its charts)."""
    return frames.targets[frames.targets["indicator"] == indicator]


def _same_basis(obs: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """Ranks only against rankings of the view's basis: 63 provinces or 34 units, never mixed."""
    basis = 63 if boundaries == "63" else 34
    return obs[obs["basis"].isna() | (obs["basis"] == basis)]


def in_period(obs: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    return obs[obs["year"].between(*state.years)]


def filters_line(frames: Frames, state: FilterState) -> str:
    lang = state.lang
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" (+{len(names) - NAMES_SHOWN})" if len(names) > NAMES_SHOWN else "")
    return (f"{t('boundaries', lang)}: {t('boundaries_' + state.boundaries, lang)} · "
            f"{t('provinces', lang)}: {shown or '—'} · {t('period', lang)}: {C.period_text(state.years)}")


def as_of_text(obs: pd.DataFrame, lang: str) -> str:
    if obs.empty:
        return ""
    # The precision (year, month, day) comes from the loader with each date; nothing re-guesses it.
    firsts = dict(sorted(dict(zip(obs["date"], obs["precision"])).items()))
    dates = list(firsts)
    shown = [fmt_date(d, p, lang) for d, p in list(firsts.items())[:DATES_SHOWN]]
    more = f" (+{len(dates) - DATES_SHOWN})" if len(dates) > DATES_SHOWN else ""
    return f"{', '.join(shown)}{more}"


def cited_sources(obs: pd.DataFrame, frames: Frames, lang: str) -> list[tuple[str, list[str]]]:
    """Every source behind a chart as a reader cites it (lib.citations.citation), with the as-of dates it
    supports in `lang`'s format, in the order the chart first uses them."""
    src = cite.by_id(frames.sources)
    dates: dict[str, set[str]] = {}
    pairs = obs[["source", "date"]].drop_duplicates()  # each (source, date) once, in order of first use
    for value, date in zip(pairs["source"], pairs["date"]):
        for sid in C.source_ids([value]):
            dates.setdefault(sid, set()).add(date)
    return [(cite.citation(src[sid], lang), [cite.date_text(d, lang) for d in sorted(dates[sid])])
            for sid in dates if sid in src]


def _notes(cited: list[tuple[str, list[str]]], lang: str) -> str:
    return "\n".join(f"- {c} ({t('as_of', lang)} {', '.join(d)})" for c, d in cited)


def notes_text(obs: pd.DataFrame, frames: Frames, lang: str) -> str:
    """The sources of a chart for its notes: one citation a line, with the as-of dates it supports."""
    return _notes(cited_sources(obs, frames, lang), lang)


CHART_FILE_NAMES = {  # ASCII: the start of each chart's download file name, in the reader's language
    "overview-ranking": ("xep-hang", "ranking"), "overview-movement": ("dien-bien", "movement"),
    "compare-bars": ("so-sanh-cot", "compare-bars"), "compare-heatmap": ("ban-do-nhiet", "heatmap"),
    "compare-radar": ("radar", "radar"), "compare-subindices": ("chi-so-thanh-phan", "sub-indices"),
    "compare-scatter": ("tuong-quan", "scatter"), "timeline-lines": ("dong-thoi-gian", "timeline"),
    "timeline-gantt": ("thoa-thuan", "agreements"), "overview-map": ("ban-do", "map"),
}


PRINT_TABLE_ROWS = 8  # the numbers printed beside a chart in the packs: the selected units' newest values


def numbers_table(obs: pd.DataFrame, frames: Frames, state: FilterState) -> tuple:
    """A chart's numbers for print, as plain text: the selected units' newest value of each indicator and
    year the chart draws, at most PRINT_TABLE_ROWS rows ((header, rows); () when the rows lack values)."""
    need = {"unit", "indicator", "value", "year", "as_of"}
    if obs.empty or not need <= set(obs.columns):
        return ()
    lang = state.lang
    rows = obs[obs["unit"].isin(state.units)].sort_values("as_of", kind="stable")
    rows = rows.groupby(["unit", "indicator", "year"], as_index=False).tail(1)
    if rows.empty:
        return ()
    order = {u: i for i, u in enumerate(state.units)}
    rows = rows.assign(_u=rows["unit"].map(order)).sort_values(["indicator", "_u", "year"]).head(PRINT_TABLE_ROWS)
    labels, titles = labels_for(frames, lang), indicator_titles(frames, lang)
    many = rows["indicator"].nunique() > 1
    body = tuple((labels.get(u, u) + (f" · {titles[i]}" if many else ""), str(int(y)),
                  C.format_obs(v, C.meta_of(frames.indicators, i), lang))
                 for u, i, y, v in zip(rows["unit"], rows["indicator"], rows["year"], rows["value"]) if pd.notna(v))
    return ((t("col_unit", lang), t("col_year", lang), t("col_value", lang)), body) if body else ()


def chart_file_name(key: str, lang: str) -> str:
    names = CHART_FILE_NAMES.get(key, (key, key))
    return names[0] if lang == "vi" else names[1]


def _drawn_years(obs: pd.DataFrame, state: FilterState) -> tuple[int, int]:
    """The span of the years of the values (or events) a chart draws; the filter's only when it draws none."""
    cols = [obs[c] for c in ("year",) if c in obs]
    if "date" in obs:
        cols.append([int(d[:4]) for d in obs["date"] if isinstance(d, str) and d[:4].isdigit()])
    span = C.span_of(*cols)
    return span if span != (0, 0) else state.years


def make_spec(key: str, fig, obs: pd.DataFrame, frames: Frames, state: FilterState, meta: dict | None,
              title: str, years: tuple[int, int] | None = None) -> ChartSpec:
    lang = state.lang
    stem_title = meta[f"title_{lang}"] if meta else ""
    # The chart's own name first: the ranking and the compare bars of one indicator never share a file name.
    # The period in the file name is the span of the values drawn, as in the title (never the filter's).
    drawn = years or _drawn_years(obs, state)
    stem = safe_filename(chart_file_name(key, lang), stem_title, t("file_units", lang, n=len(state.units)),
                         C.period_text(drawn).replace("–", "-"), ext="").rstrip(".")
    cited = cited_sources(obs, frames, state.lang)
    message = t(f"msg_{key}", state.lang, n=obs["unit"].nunique() if "unit" in obs else 0,
                period=C.period_text(drawn)) if f"msg_{key}" in STRINGS else ""
    # The spec's texts are plain (page text, print title, slides); the figure's labels are Plotly markup.
    return ChartSpec(key=key, figure=fig, title=plot_to_text(title), filename_stem=stem,
                     filters=filters_line(frames, state),
                     source=plot_to_text(C.source_line(obs["source"], frames.sources, state.lang), sep=" ")
                     if len(obs) else "",
                     as_of=as_of_text(obs, state.lang), notes=_notes(cited, state.lang),
                     note=plot_to_text(C.figure_note(fig), sep=" ") if hasattr(fig, "layout") else "",
                     cited=tuple(c for c, _ in cited), message=message, table=numbers_table(obs, frames, state),
                     alt=describe(plot_to_text(title), obs, meta, labels_for(frames, state.lang), state))


# --- Overview --------------------------------------------------------------------------------------


@dataclass
class Card:
    indicator: str
    unit: str
    label: str
    value: str
    delta: str | None
    delta_good: bool | None
    as_of: str
    derived: bool
    low_confidence: bool
    year: int = 0
    delta_arrow: str = "off"  # "up" = a better place or a higher value, "down", "off"
    delta_color: str = "gray"  # green when better, red when worse (higher_is_better; for a rank, a smaller number)


def overview_cards(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[Card]:
    """The latest value per (selected unit, indicator) in the period, with the change since the previous."""
    lang = state.lang
    rows = _same_basis(in_period(vobs[vobs["unit"].isin(state.units)], state), state.boundaries)
    labels = labels_for(frames, lang)
    cards = []
    order = {u: i for i, u in enumerate(state.units)}
    ind_order = dict(zip(frames.indicators["id"], frames.indicators["order"]))
    for (ind, unit), g in rows.groupby(["indicator", "unit"]):
        g = g.sort_values("as_of")
        meta = C.meta_of(frames.indicators, ind)
        last = g.iloc[-1]
        value = C.format_obs(last["value"], meta, lang, last["qualifier"])
        if meta["kind"] == "rank" and pd.notna(last["out_of"]):
            value += f" / {int(last['out_of'])}"
        delta = good = None
        arrow, colour = "off", "gray"
        if len(g) > 1 and meta["kind"] != "milestone":
            prev = g.iloc[-2]
            diff = last["value"] - prev["value"]
            when = period_label(prev["period"], lang) or fmt_date(prev["as_of"], prev["precision"], lang)
            since = t("change_since", lang, date=when)
            if meta["kind"] == "rank":
                # For a rank, up means a better place: 58th → 32nd "improved 26 places", green, arrow up.
                delta = f"{rank_change_text(prev['value'], last['value'], lang)[2:]} {since}"
                good = None if diff == 0 else diff < 0
                arrow = "off" if diff == 0 else ("up" if diff < 0 else "down")
            else:
                sign = "+" if diff > 0 else "−" if diff < 0 else "±"
                num = C.format_obs(abs(diff), meta, lang).replace(" %", " " + t("percentage_points", lang))
                delta = f"{sign}{num} {since}"
                good = None if diff == 0 else (diff > 0) == bool(meta["higher_is_better"])
                arrow = "off" if diff == 0 else ("up" if diff > 0 else "down")
            colour = "gray" if good is None else ("green" if good else "red")
        cards.append(Card(ind, unit, labels.get(unit, unit), value, delta, good,
                          period_label(last["period"], lang) or fmt_date(last["as_of"], last["precision"], lang),
                          bool(last.get("derived", False)), last["confidence"] == "low",
                          int(last["year"]), arrow, colour))
    cards.sort(key=lambda c: (ind_order.get(c.indicator, 999), order.get(c.unit, 999)))
    return cards


def merger_notes(frames: Frames, state: FilterState) -> list[str]:
    """Each merger behind the selection, said once in plain words (Markdown-escaped):
    'Từ 1/7/2025, Quảng Bình và Quảng Trị hợp nhất thành Quảng Trị (từ 7/2025).'"""
    lang = state.lang
    units = frames.units.set_index("code")
    labels = labels_for(frames, lang)
    out, said = [], set()
    for code in state.units:
        if code not in units.index:
            continue
        succ = code if units.loc[code, "predecessors"] else units.loc[code, "successor"]
        if not isinstance(succ, str) or succ in said or succ not in units.index:
            continue
        said.add(succ)
        names = [md_escape(n) for n in unit_names(frames.units, units.loc[succ, "predecessors"], lang)]
        joined = f" {t('and', lang)} ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
        out.append(t("merger_sentence", lang, names=joined, name=md_escape(labels[succ])))
    return out


def not_combinable_notes(status: pd.DataFrame, frames: Frames, state: FilterState, *, year: int | None = None,
                         vobs: pd.DataFrame | None = None) -> list[str]:
    """For the chosen indicator and the selected new units: why a value could not be combined, with
    the predecessors' own values. With `year`, only that year; with `vobs`, not where the new unit has a
    value of its own (e.g. the ministry's DTI 2024 on the 34 units)."""
    if status.empty:
        return []
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = status[(status["indicator"] == state.indicator) & status["unit"].isin(state.units)
                  & status["year"].between(*state.years) & (status["status"] != "combined")]
    if year is not None:
        rows = rows[rows["year"] == year]
    if vobs is not None and len(rows):
        own = vobs[(vobs["indicator"] == state.indicator) & ~vobs["derived"].fillna(False).astype(bool)]
        have = set(zip(own["unit"], own["year"]))
        rows = rows[[(u, y) not in have for u, y in zip(rows["unit"], rows["year"])]]
    labels = md_labels(frames, lang)
    out = []
    for _, r in rows.iterrows():
        vals = "; ".join(f"{labels.get(u, u)}: {md_escape(C.format_obs(v, meta, lang))} ({md_escape(d)})"
                         for u, v, d, _ in r["inputs"] if True)
        missing = ", ".join(md_escape(n) for n in unit_names(frames.units, r["missing"], lang))
        why = t(f"reason_{r['status']}", lang).format(m=missing)
        head = f"**{labels.get(r['unit'], r['unit'])} · {r['year']}**"
        out.append(f"{head} — {t('not_combinable', lang)} ({why}). {vals}")
    return out


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


def reads(*fields: str):
    """Declares the only filters a view function reads (lib.ui.computed then keys its result by those: the
    map is not redrawn when the start of the period moves). The others reach it as None, so reading one
    fails loudly instead of replaying a stale result."""
    def mark(fn):
        fn.reads = fields
        return fn
    return mark


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


def map_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState, year: int, fig=None) -> ChartSpec:
    """The map as a chart to show and download; `fig`: map_figure_of's figure, if already drawn."""
    meta = C.meta_of(frames.indicators, state.indicator)
    fig = map_figure_of(vobs, frames, state, year) if fig is None else fig
    return make_spec("overview-map", fig, _map_rows(vobs, state, year), frames, state, meta,
                     C.chart_title(meta, state.lang, (year, year)))


# --- Compare ---------------------------------------------------------------------------------------


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


# --- Timeline --------------------------------------------------------------------------------------


def events_of(events: pd.DataFrame, units: set[str] | list[str]) -> pd.DataFrame:
    """The events that name one of `units` (an empty result keeps its columns)."""
    units = set(units)
    return events[pd.Series([any(u in units for u in us) for us in events["units"]], index=events.index, dtype=bool)]


def timeline_units(frames: Frames, state: FilterState) -> list[str]:
    """The units whose events the timeline shows: the selected ones and, in the 34-unit view, their
    predecessors (the Gantt and the events table list the same)."""
    if state.boundaries != "34":
        return list(state.units)
    preds = frames.units.set_index("code")["predecessors"]
    return list(dict.fromkeys([*state.units, *(p for u in state.units if u in preds.index for p in preds[u])]))


def numbered_events(frames: Frames, state: FilterState) -> pd.DataFrame:
    """The events of the timeline's units in the period, by date, each with its `number` (the label of its
    marker on the chart and of its row in the events table)."""
    evs = frames.events[frames.events["as_of"].dt.year.between(*state.years)]
    evs = events_of(evs, timeline_units(frames, state)).sort_values(["as_of", "id"], kind="stable")
    return evs.assign(number=range(1, len(evs) + 1))


def timeline_inputs(vobs: pd.DataFrame, frames: Frames, state: FilterState, history: pd.DataFrame | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """What the timeline draws, selected once: the indicator's values of the selected units in the period,
    their predecessors' values in the period (34-unit view: `history`), and the numbered events of either
    in the period."""
    rows = in_period(vobs[(vobs["indicator"] == state.indicator) & vobs["unit"].isin(state.units)], state)
    hist = None if history is None else in_period(history[history["indicator"] == state.indicator], state)
    return rows, hist, numbered_events(frames, state)


def agreements_in(events: pd.DataFrame, units: list[str], years: tuple[int, int]) -> pd.DataFrame:
    """Cooperation agreements with a period that meets `years` and names one of `units`."""
    ag = events[(events["kind"] == "agreement") & events["period_start"].notna()]
    ag = ag[(ag["period_end"] >= years[0]) & (ag["period_start"] <= years[1])]
    return events_of(ag, units)


def timeline_specs(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[ChartSpec]:
    from lib.combine import predecessor_history

    lang = state.lang
    labels = plot_labels(frames, lang)
    meta = C.meta_of(frames.indicators, state.indicator)
    history = predecessor_history(frames, state.units) if state.boundaries == "34" else None
    merged = [u for u in state.units if u in set(frames.units.loc[frames.units["era"] == "post", "code"])]
    rows, hist, evs = timeline_inputs(vobs, frames, state, history)
    line = C.timeline_figure(rows, evs, meta, labels, state.units, lang=lang, years=state.years,
                             sources=frames.sources, history=hist, merger_units=merged,
                             targets=targets_of(frames, state.indicator), event_units=timeline_units(frames, state))
    # In the 34-unit view a new unit's agreements include its predecessors' (drawn on their own rows).
    gantt_units = list(state.units) + (sorted(set(history["unit"])) if history is not None and len(history)
                                       else [p for u in state.units for p in
                                             frames.units.set_index("code").loc[u, "predecessors"]]
                                       if state.boundaries == "34" else [])
    ag = agreements_in(frames.events, gantt_units, state.years)
    gantt = C.gantt_figure(ag, labels, gantt_units, lang=lang, years=state.years, sources=frames.sources)
    used = pd.concat([rows, hist if hist is not None else rows.iloc[0:0], evs[["source", "date", "precision"]]],
                     ignore_index=True)
    return [
        make_spec("timeline-lines", line, used, frames, state, meta, C.figure_title(line)),
        make_spec("timeline-gantt", gantt, ag[["source", "date", "precision"]], frames, state, None,
                  C.figure_title(gantt), years=C.span_of(ag["period_start"], ag["period_end"]) if len(ag) else None),
    ]


def events_table(frames: Frames, state: FilterState) -> pd.DataFrame:
    """The events the timeline marks, numbered as on the chart; in the 34-unit view the predecessors'
    events too, each marked with the unit it belongs to now."""
    lang = state.lang
    labels = labels_for(frames, lang)
    ev = numbered_events(frames, state)
    src = cite.by_id(frames.sources)
    successor = frames.units.set_index("code")["successor"]
    chosen = set(state.units)

    def mark(units: tuple) -> str:
        if state.boundaries != "34" or any(u in chosen for u in units):
            return ""
        now = [successor[u] for u in units if isinstance(successor.get(u), str) and successor[u] in chosen]
        return t("event_of_predecessor", lang, unit=", ".join(dict.fromkeys(labels.get(u, u) for u in now)))

    table = pd.DataFrame({
        t("col_number", lang): ev["number"].to_numpy(),
        t("col_date", lang): [fmt_date(a, p, lang) for a, p in zip(ev["as_of"], ev["precision"])],
        t("col_event", lang): ev[f"title_{lang}"].to_numpy(),
        (t("provinces", lang)): [", ".join(labels.get(u, u) for u in us) for us in ev["units"]],
        t("col_predecessor", lang): [mark(us) for us in ev["units"]],
        (t("source", lang)): [cite.short(src[s], lang) if s in src else "" for s in ev["source"]],
        t("col_quote", lang): ev["quote"].to_numpy(),
    })
    if not table[t("col_predecessor", lang)].astype(bool).any():
        table = table.drop(columns=[t("col_predecessor", lang)])
    return table


# --- Sources & data --------------------------------------------------------------------------------


def data_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Every observation behind the filters, with its source title and link, as-of date and quote."""
    lang = state.lang
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    labels = labels_for(frames, lang)
    ind = frames.indicators.set_index("id")
    rows = rows.sort_values(["unit", "indicator", "as_of"])
    cited = cite.by_id(frames.sources)

    def src_field(ids: str, f) -> str:
        """One citation part (lib.citations) of each source behind a value, joined."""
        return " | ".join(f(cited[s], lang) for s in C.source_ids([ids]) if s in cited)

    return pd.DataFrame({
        t("col_unit", lang): [labels.get(u, u) for u in rows["unit"]],
        t("col_indicator", lang): [ind.loc[i, f"title_{lang}"] for i in rows["indicator"]],
        t("col_value", lang): [C.format_obs(v, C.meta_of(frames.indicators, i), lang, q)
                                         + (f" / {int(o)}" if pd.notna(o) else "")
                                         for v, i, q, o in zip(rows["value"], rows["indicator"], rows["qualifier"],
                                                               rows["out_of"])],
        t("col_numeric_value", lang): rows["value"].to_numpy(),
        t("col_unit_of_measure", lang): [ind.loc[i, f"unit_{lang}"] for i in rows["indicator"]],
        t("col_as_of", lang): [period_label(p, lang) or fmt_date(a, pr, lang) for p, a, pr in
                                          zip(rows["period"], rows["as_of"], rows["precision"])],
        t("col_derived", lang): [(t("derived", lang) + f" ({r})") if d else "" for d, r in
                                           zip(rows.get("derived", False), rows.get("rule", None))],
        t("col_source", lang): [src_field(s, cite.what) for s in rows["source"]],
        t("col_publisher", lang): [src_field(s, cite.who) for s in rows["source"]],
        t("col_date_published", lang): [src_field(s, cite.when) for s in rows["source"]],
        t("col_link", lang): [src_field(s, cite.link) for s in rows["source"]],
        t("col_quote", lang): rows["quote"].to_numpy(),
        t("col_confidence", lang): [t(f"confidence_{c}", lang) if c in C.UNCERTAIN else "" for c in rows["confidence"]],
    })


def coverage_matrix(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Province × indicator: the latest year with data in the period, or empty."""
    lang = state.lang
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    labels = labels_for(frames, lang)
    if rows.empty:
        return pd.DataFrame()
    m = rows.groupby(["unit", "indicator"])["year"].max().unstack()
    inds = [i for i in frames.indicators["id"] if i in m.columns]
    m = m.reindex(index=[u for u in state.units if u in m.index], columns=inds)
    m.index = [labels.get(u, u) for u in m.index]
    titles = indicator_titles(frames, lang)
    m.columns = [titles[i] for i in inds]
    return m.astype("Int64").astype("string").fillna("")


def sources_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Every source behind the filters: of the values and of the events (the timeline names an event's source
    only by publisher and year; its full citation is here and in the downloads' sources sheet)."""
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    ids = set(C.source_ids(rows["source"])) | set(numbered_events(frames, state)["source"])
    return frames.sources[frames.sources["id"].isin(ids)].reset_index(drop=True)


def coverage_note(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> str:
    """'2/4 tỉnh có số liệu · không có số liệu: A, B' when some selected units have no value of the chosen
    indicator in the period (Markdown-escaped); '' when all have one."""
    rows = _same_basis(in_period(vobs[(vobs["indicator"] == state.indicator) & vobs["unit"].isin(state.units)], state),
                       state.boundaries)
    have = set(rows["unit"])
    missing = [u for u in state.units if u not in have]
    if not missing or not state.units:
        return ""
    labels = md_labels(frames, state.lang)
    return t("thin_coverage", state.lang, k=len(state.units) - len(missing), n=len(state.units),
             names=", ".join(labels.get(u, u) for u in missing))


def dataset_counts(frames: Frames, state: FilterState) -> list[tuple[str, int]]:
    """What the dataset holds, for the sources page: units of the current boundaries (63 or 34, not the
    86 records of both), indicators, sources, observations, events."""
    from lib.filters import units_for_boundaries

    return [("summary_units", len(units_for_boundaries(frames.units, state.boundaries))),
            ("summary_indicators", len(frames.indicators)), ("summary_sources", len(frames.sources)),
            ("summary_observations", len(frames.observations)), ("summary_events", len(frames.events))]


def pack_texts(specs: list[ChartSpec], frames: Frames, state: FilterState) -> dict:
    """Title, subtitle and the full list of sources cited by the charts, for the briefing pack."""
    lang = state.lang
    cited = list(dict.fromkeys(c for spec in specs for c in spec.cited))
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:8]) + (f" (+{len(names) - 8})" if len(names) > 8 else "")
    return {"title": t("app_title", lang),
            "subtitle": f"{shown} · {C.period_text(state.years)} · {t('boundaries_' + state.boundaries, lang)}",
            "sources": cited, "targets": _pack_target_lines(frames, state)}


def _pack_target_lines(frames: Frames, state: FilterState) -> list[str]:
    from lib.views.targets import pack_lines

    return pack_lines(frames, state)


def localise_sources(sources: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sources as a reader's table (lib.citations.table): no id, file path or curator note."""
    return cite.table(sources, lang)


def web_links_only(table: pd.DataFrame, col: str) -> tuple[pd.DataFrame, bool]:
    """A table for a page whose `col` is drawn as links: a cell that is not one web address (a stored
    article's words "(bài báo gốc, …)") would become a broken link, so it is left empty there; the
    downloads keep it. Also says whether any cell was emptied (the page then says why, once)."""
    if col not in table.columns or table.empty:
        return table, False
    cells = table[col].fillna("").astype(str)
    keep = cells.str.fullmatch(r"https?://\S+") | (cells == "")
    if keep.all():
        return table, False
    out = table.copy()
    out.loc[~keep, col] = ""
    return out, True


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the page shows of data_table: without the machine-readable number column, and without the
    'derived' column when nothing is derived (the downloads keep everything)."""
    out = table.drop(columns=[t("col_numeric_value", lang)])
    derived_col = t("col_derived", lang)
    if not out[derived_col].astype(bool).any():
        out = out.drop(columns=[derived_col])
    return out


# --- Every province, every year: standing, movement, sub-indices, two indicators, the 34-unit 2024 ---

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
    basis = 63 if state.boundaries == "63" else 34

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
