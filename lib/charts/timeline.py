"""Figures over time: the timeline with its milestones, the agreements' Gantt, the movement."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import (
    DASHES,
    EVENT_SYMBOLS,
    MUTED,
    PALETTE,
    PATTERNS,
    SYMBOLS,
    _add_time_targets,
    _finish,
    _hover,
    _join_notes,
    _records,
    _ring_rows,
    _source_texts,
    _unit,
    _val,
    _values_and_bounds,
    bounds_note,
    chart_title,
    empty_figure,
    period_text,
    rank_axis,
    source_line,
    span_of,
    split_bounds,
    whole_ticks,
    wrap,
)
from lib.combine import MERGER_DATE
from lib.draft import Draft
from lib.i18n import fmt_date, t
from lib.safe_text import plot_escape


def _derived_mask(r: pd.DataFrame) -> pd.Series:
    return r.get("derived", pd.Series(False, index=r.index)).fillna(False).astype(bool)


def _unit_lines(fig: Draft, rows: pd.DataFrame, units: list[str], meta: dict, labels: dict[str, str], lang: str,
                sources: pd.DataFrame) -> int:
    """A line per unit through its own values, its derived values as open markers; returns the styles used."""
    k = 0
    for unit in units:
        r = rows[rows["unit"] == unit].sort_values("as_of")
        if r.empty:
            continue
        name = labels.get(unit, unit)
        real, fake = r[~_derived_mask(r)], r[_derived_mask(r)]
        style = {"color": PALETTE[k % len(PALETTE)], "dash": DASHES[k % len(DASHES)]}
        if len(real):
            fig.add_trace(dict(type="scatter",
                x=real["as_of"], y=real["value"], name=name, mode="lines+markers", line=style,
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 9},
                hovertext=[_hover(x, meta, lang, name, sources) for x in real.to_dict("records")], hoverinfo="text",
            ), row=1, col=1)
        if len(fake):
            fig.add_trace(dict(type="scatter",
                x=fake["as_of"], y=fake["value"], name=f"{name} ({t('derived', lang)})", mode="markers",
                marker={"symbol": SYMBOLS[k % len(SYMBOLS)] + "-open", "size": 11, "color": style["color"]},
                hovertext=[_hover(x, meta, lang, name, sources) for x in fake.to_dict("records")], hoverinfo="text",
            ), row=1, col=1)
        k += 1
    return k


def _history_lines(fig: Draft, hist: pd.DataFrame, k: int, meta: dict, labels: dict[str, str], lang: str,
                   sources: pd.DataFrame) -> None:
    """The predecessors' lines, grey, up to the merger (styles continue from `k`)."""
    for pred, r in (hist.groupby("unit") if len(hist) else []):
        r = r.sort_values("as_of")
        name = labels.get(pred, pred)
        fig.add_trace(dict(type="scatter",
            x=r["as_of"], y=r["value"], name=name, mode="lines+markers",
            line={"color": "#666", "dash": DASHES[k % len(DASHES)], "width": 1.5},
            marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 7, "color": "#666"},
            hovertext=[_hover(x, meta, lang, name, sources) for x in r.to_dict("records")], hoverinfo="text",
        ), row=1, col=1)
        k += 1


def _value_axis(fig: Draft, rows: pd.DataFrame, hist: pd.DataFrame, meta: dict, lang: str) -> None:
    if meta["kind"] == "rank":
        fig.update_yaxes(**rank_axis(rows["value"], rows["out_of"], hist.get("value", []), hist.get("out_of", [])),
                         row=1, col=1)
    fig.update_yaxes(title=_unit(meta, lang) or None, row=1, col=1)
    whole_ticks(fig, meta, list(rows["value"]) + list(hist.get("value", [])), "y", row=1, col=1)


def _event_rows(evs: pd.DataFrame, units: list[str], hist: pd.DataFrame, event_units: Iterable[str],
                labels: dict[str, str]) -> list[tuple[str, dict]]:
    """(lane label, event) for each unit an event names that the chart draws."""
    ev_rows = []
    for e in evs.to_dict("records"):
        for u in e["units"]:
            if u in units or (len(hist) and u in set(hist["unit"])) or u in set(event_units):
                ev_rows.append((labels.get(u, u), e))
    return ev_rows


LABEL_PLOT_PX = 460  # the time axis's width in px: a laptop's is ~780, a printed page's ~460 (legend beside it)
LABEL_CHAR_PX = 7.5  # one character of an event number (11 px on screen, 12 px in print)


def _event_labels(ev_rows: list[tuple[str, dict]], span_days: float) -> tuple[list[str], list[str], float]:
    """The events' numbers beside their markers, one label per group of touching markers ("5,13" for two
    events of a day), right of the group's last marker, or left of its first when the next group is too close
    and the left is free; when neither side has room the two groups share one label. No label prints over
    another or over a marker: each event with its own label, alternating sides, ran together ("5 ●13 6■" read
    as 5136). `span_days`: the time axis's span. (texts and positions, one per event row; the days the last
    labels reach past the last event: the room the axis must give them)."""
    per_px = max(span_days, 1.0) / LABEL_PLOT_PX
    touch = 14 * per_px  # markers closer than this overlap
    end = max((pd.Timestamp(e["as_of"]) for _, e in ev_rows), default=None)

    def when(i: int) -> pd.Timestamp:
        return pd.Timestamp(ev_rows[i][1]["as_of"])

    def text(group: list[int]) -> str:
        return ",".join(str(n) for n in sorted({int(ev_rows[k][1].get("number") or 0) for k in group}) if n)

    def reach(group: list[int]) -> pd.Timedelta:  # along the axis: the gap, the label, half the next marker
        return pd.Timedelta(days=(6 + LABEL_CHAR_PX * len(text(group)) + 10) * per_px)

    lanes: dict[str, list[int]] = {}
    for i, (lab, _) in enumerate(ev_rows):
        lanes.setdefault(lab, []).append(i)
    texts, place, room = [""] * len(ev_rows), ["middle right"] * len(ev_rows), 0.0
    for idx in lanes.values():
        idx.sort(key=when)
        groups: list[list[int]] = []
        for i in idx:
            if groups and (when(i) - when(groups[-1][-1])).days <= touch:
                groups[-1].append(i)
            else:
                groups.append([i])
        taken = pd.Timestamp.min  # the lane is drawn on up to here (markers and labels so far)
        g = 0
        while g < len(groups):
            grp = groups[g]
            first, last = when(grp[0]), when(grp[-1])
            nxt = when(groups[g + 1][0]) if g + 1 < len(groups) else None
            if nxt is None or last + reach(grp) < nxt:
                texts[grp[-1]] = text(grp)
                taken = last + reach(grp)
            elif first - reach(grp) > taken:
                texts[grp[0]], place[grp[0]] = text(grp), "middle left"
                taken = last + pd.Timedelta(days=touch)
            else:  # no room on either side: one label for both groups
                groups[g:g + 2] = [grp + groups[g + 1]]
                continue
            g += 1
        last_group = groups[-1]
        if texts[last_group[-1]]:
            room = max(room, (when(last_group[-1]) + reach(last_group) - end).days)
    return texts, place, room


def _event_traces(fig: Draft, ev_rows: list[tuple[str, dict]], lang: str, sources: pd.DataFrame,
                  span_days: float) -> float:
    """The milestones: a symbol per kind, each marked with its number (the events table's row below); returns
    the days the last labels reach past the last event."""
    texts, place, room = _event_labels(ev_rows, span_days)
    for kind, sym in EVENT_SYMBOLS.items():
        sel = [(lab, e, p, x) for (lab, e), p, x in zip(ev_rows, place, texts) if e["kind"] == kind]
        if not sel:
            continue
        fig.add_trace(dict(type="scatter",
            x=[e["as_of"] for _, e, _, _ in sel], y=[lab for lab, _, _, _ in sel], mode="markers+text",
            text=[x for _, _, _, x in sel], textposition=[p for _, _, p, _ in sel],
            textfont={"size": 11, "color": "#222"}, cliponaxis=False,
            name=t(f"event_kind_{kind}", lang), marker={"symbol": sym, "size": 12, "color": "#333",
                                                 "line": {"width": 1, "color": "#fff"}},
            hovertext=[f"<b>{e.get('number', '')}. {plot_escape(e[f'title_{lang}'])}</b><br>"
                       f"{fmt_date(e['as_of'], e['precision'], lang)}"
                       f"<br>{source_line([e['source']], sources, lang, 1)}" for _, e, _, _ in sel],
            hoverinfo="text",
        ), row=2, col=1)
    return room


def _timeline_finish(fig: Draft, title: str, src: list, lanes: list[str], note: str, *, lang: str,
                     sources: pd.DataFrame) -> go.Figure:
    # The legend under the chart: at its side it took most of a phone's width from the plot.
    # Entries of a fixed width: several a row on a laptop, one a row on a phone; the bottom margin makes room
    # for one a row, so that no entry is cut on a phone.
    n_entries = sum(1 for tr in fig.data if tr.get("showlegend", True) is not False)
    legend_h = 24 * n_entries
    height = max(640, 400 + 44 * len(lanes)) + legend_h
    return _finish(fig, title, source_line(src, sources, lang), lang=lang, height=height, note=note, bottom=110,
                   legend={"orientation": "h", "x": 0, "y": -45 / height, "yanchor": "top", "font": {"size": 11},
                           "entrywidth": 200, "entrywidthmode": "pixels"},
                   margin={"r": 10, "t": 30, "b": 70 + legend_h})


def timeline_figure(rows: pd.DataFrame, evs: pd.DataFrame, meta: dict, labels: dict[str, str],
                    units: list[str], *, lang: str, years: tuple[int, int], sources: pd.DataFrame,
                    history: pd.DataFrame | None = None, merger_units: Iterable[str] = (),
                    targets: pd.DataFrame | None = None, event_units: Iterable[str] = ()) -> go.Figure:
    """The indicator over time per unit (markers at as-of dates, lines only between real values),
    predecessors' lines up to the merger, and the milestones on the same time axis below. `rows`, `history`
    and `evs` are what lib.views.timeline_inputs selected: the indicator's values of `units` in the period,
    their predecessors' values, and the events of either in the period."""
    title = chart_title(meta, lang, years)
    hist = pd.DataFrame() if history is None else history
    rows, hist, bounds = _values_and_bounds(rows, hist)
    if rows.empty and hist.empty and evs.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    title = chart_title(meta, lang, span_of(rows["year"], hist.get("year", []), pd.to_datetime(evs["as_of"]).dt.year))
    fig = Draft.grid(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06)
    both = pd.concat([rows, hist], ignore_index=True) if len(hist) else rows
    _ring_rows(fig, both, both["as_of"], both["value"], lang, row=1, col=1)
    k = _unit_lines(fig, rows, units, meta, labels, lang, sources)
    _history_lines(fig, hist, k, meta, labels, lang, sources)
    _add_time_targets(fig, targets, meta, lang, years)
    _value_axis(fig, rows, hist, meta, lang)
    ev_rows = _event_rows(evs, units, hist, event_units, labels)
    dates = pd.to_datetime(pd.concat([rows["as_of"], hist.get("as_of", pd.Series(dtype=object)), evs["as_of"]]))
    span = (dates.max() - dates.min()).days if len(dates) else 365.0
    room = _event_traces(fig, ev_rows, lang, sources, span)
    if room > 0:  # the time axis runs on far enough to hold the last labels (Plotly's own range cut them off)
        xs = pd.to_datetime(pd.Series([x for tr in fig.data if tr.get("type") == "scatter"
                                       for x in list(tr.get("x", []))]))
        pad = pd.Timedelta(days=0.03 * max(span, 1.0))
        fig.update_xaxes(range=[str(xs.min() - pad), str(max(xs.max() + pad, dates.max() + pd.Timedelta(days=room)))])
    if list(merger_units):
        fig.add_vline(x=pd.Timestamp(MERGER_DATE).timestamp() * 1000, line={"color": "#D55E00", "dash": "dot"})
    lanes = list(dict.fromkeys(lab for lab, _ in ev_rows))
    # A lane's name on two lines when long ("Quảng Bình<br>(trước 7/2025)"): on a phone it took half the width.
    fig.update_yaxes(type="category", row=2, col=1, tickfont={"size": 10}, tickmode="array",
                     tickvals=lanes, ticktext=[wrap(lab, 16) for lab in lanes], categoryorder="array",
                     categoryarray=lanes)
    src = list(rows["source"]) + (list(hist["source"]) if len(hist) else []) + list(evs["source"])
    note = _join_notes(t("timeline_numbers_note", lang) if ev_rows else "", bounds_note(bounds, meta, labels, lang))
    return _timeline_finish(fig, title, src, lanes, note, lang=lang, sources=sources)


def _gantt_trace(k: int, partner: str, sel: list[tuple[str, dict]], lang: str) -> dict:
    """One partner's bars, from the start of the first year to the end of the last."""
    start = [pd.Timestamp(f"{int(e['period_start'])}-01-01") for _, e in sel]
    end = [pd.Timestamp(f"{int(e['period_end'])}-12-31") for _, e in sel]
    return dict(type="bar",
        y=[lab for lab, _ in sel], base=start, x=[(b - a).total_seconds() * 1000 for a, b in zip(start, end)],
        orientation="h", name=partner,
        # The pattern over the colour (not instead of it), faint, so Plotly's black-or-white text keeps its
        # contrast; the text stays horizontal and full size on a phone's narrow bars.
        marker={"color": PALETTE[k % len(PALETTE)],
                "pattern": {"shape": PATTERNS[k % len(PATTERNS)], "fillmode": "overlay", "fgcolor": "white",
                            "fgopacity": 0.3},
                "line": {"color": "#333", "width": 0.5}},
        text=[f"{int(e['period_start'])}–{int(e['period_end'])}" for _, e in sel],
        textposition="inside", insidetextanchor="middle", constraintext="none", textangle=0,
        textfont={"size": 12},
        hovertext=[f"<b>{plot_escape(e[f'title_{lang}'])}</b><br>"
                   f"{partner}: {int(e['period_start'])}–{int(e['period_end'])}"
                   f"<br>{fmt_date(e['as_of'], e['precision'], lang)}" for _, e in sel],
        hoverinfo="text",
    )


def gantt_figure(agreements: pd.DataFrame, labels: dict[str, str], units: list[str], *, lang: str,
                 years: tuple[int, int], sources: pd.DataFrame) -> go.Figure:
    """Cooperation-agreement periods, a bar from start to end year for each unit of `units` an agreement
    names. `agreements`: those with a period that meets the chosen one (lib.views.agreements_in)."""
    title = f"{t('gantt_title', lang)} · {period_text(years)}"
    # One row per unit and partner: two agreements of one unit that overlap in time (Đà Nẵng with FPT and
    # Viettel) never draw one bar and its label over another.
    rows = [(wrap(f"{labels.get(u, u)} · {plot_escape(e['partner'] or '—')}", 22), e)
            for e in agreements.to_dict("records") for u in e["units"] if u in units]
    if not rows:
        return empty_figure(t("no_data_filters", lang), title, lang)
    drawn = span_of([e["period_start"] for _, e in rows], [e["period_end"] for _, e in rows])
    title = f"{t('gantt_title', lang)} · {period_text(drawn)}"
    partners = list(dict.fromkeys(plot_escape(e["partner"] or "—") for _, e in rows))
    fig = Draft()
    for k, partner in enumerate(partners):
        fig.add_trace(_gantt_trace(k, partner, [(lab, e) for lab, e in rows
                                                 if plot_escape(e["partner"] or "—") == partner], lang))
    fig.update_layout(barmode="overlay", showlegend=True)
    fig.update_xaxes(type="date")
    fig.update_yaxes(type="category", autorange="reversed", tickfont={"size": 11})
    return _finish(fig, title, source_line([e["source"] for _, e in rows], sources, lang), lang=lang,
                   height=max(280, 48 * len({lab for lab, _ in rows}) + 180))


def movement_figure(rows: pd.DataFrame, meta: dict, labels: dict[str, str], units: list[str], *, lang: str,
                    years: tuple[int, int], sources: pd.DataFrame, note: str = "") -> go.Figure:
    """Each year: every unit as a grey dot (the spread), the selected units as coloured lines on top.

    `rows` holds one value per (unit, year) of the view's basis; the builder draws what it is given (for a
    rank, lib.views leaves out the years whose ranking is incomplete and says so in `note`)."""
    title = f"{chart_title(meta, lang, years)}<br><sup>{t('movement_title', lang)}</sup>"
    rows, bounds = split_bounds(rows)
    note = _join_notes(note, bounds_note(bounds, meta, labels, lang))
    if rows.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    xs = sorted(rows["year"].unique())
    src_text = _source_texts(rows, sources, lang)
    fig = Draft()
    allr = rows.sort_values(["year", "value"])
    fig.add_trace(dict(type="box",
        x=[str(y) for y in allr["year"]], y=allr["value"], name=t("all_units", lang), boxpoints="all",
        jitter=0.5, pointpos=0, fillcolor="rgba(0,0,0,0)", line={"color": "#9E9E9E", "width": 1},
        marker={"color": MUTED, "size": 6, "line": {"color": "#757575", "width": 0.5}},
        hovertext=[_hover(r, meta, lang, labels.get(r["unit"], r["unit"]), src_text) for r in _records(allr)],
        hoverinfo="text", boxmean=False,
    ))
    for k, unit in enumerate(u for u in units if u in set(rows["unit"])):
        r = rows[rows["unit"] == unit].set_index("year").reindex(xs).reset_index()
        name = labels.get(unit, unit)
        fig.add_trace(dict(type="scatter",
            x=[str(y) for y in r["year"]], y=r["value"], name=name, mode="lines+markers+text",
            line={"color": PALETTE[k % len(PALETTE)], "dash": DASHES[k % len(DASHES)], "width": 2.5},
            marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 11, "color": PALETTE[k % len(PALETTE)],
                    "line": {"color": "white", "width": 1}},
            text=[_val(v, meta, lang) if pd.notna(v) else "" for v in r["value"]], textposition="middle right",
            textfont={"size": 10, "color": PALETTE[k % len(PALETTE)]}, connectgaps=False, cliponaxis=False,
            hovertext=[_hover(x, meta, lang, name, src_text) if pd.notna(x["value"]) else ""
                       for x in r.to_dict("records")],
            hoverinfo="text",
        ))
    if meta["kind"] != "rank":  # the median of every unit each year, the reference a province reads itself against
        med = rows.groupby("year")["value"].median().reindex(xs)
        fig.add_trace(dict(type="scatter", x=[str(y) for y in xs], y=med.tolist(), name=t("median_line", lang),
                           mode="lines", line={"color": "#D55E00", "dash": "dash", "width": 1.5},
                           hovertext=[f"{t('median_line', lang)} {y}: {_val(m, meta, lang)}" for y, m in zip(xs, med)],
                           hoverinfo="text"))
    mine = rows[rows["unit"].isin(units)]
    _ring_rows(fig, mine, [str(y) for y in mine["year"]], mine["value"], lang)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[str(x) for x in xs])
    fig.update_yaxes(title=_unit(meta, lang) or None,
                     **(rank_axis(allr["value"], allr.get("out_of", [])) if meta["kind"] == "rank" else {}))
    whole_ticks(fig, meta, allr["value"], "y")
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang, height=500, bottom=110,
                   note=note)

