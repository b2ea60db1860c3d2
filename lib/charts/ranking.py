"""The ranking: every unit best first, positions beside the names, the median line."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import (
    HIGHLIGHT,
    MUTED,
    RANKING_END,
    RANKING_MAX,
    _bar_text,
    _finish,
    _hover,
    _records,
    _ring,
    _ring_rows,
    _source_texts,
    _unit,
    _val,
    add_target_marks,
    bounds_note,
    chart_title,
    empty_figure,
    is_bound,
    latest_per_unit,
    rank_axis,
    source_line,
    split_bounds,
    uncertain,
    whole_ticks,
)
from lib.draft import Draft
from lib.i18n import t


def value_positions(values: pd.Series, best_first: bool) -> pd.Series:
    """Each value's position (1 = best; tied values share the better place, the next is skipped: 1, 2, 2, 4):
    one more than the number of values strictly better (a sorted search, as pandas' rank(method="min"))."""
    v = values.astype(float).to_numpy()
    if np.isnan(v).any():
        raise ValueError("a position needs a value: drop the missing ones first")
    s = np.sort(v)
    pos = np.searchsorted(s, v, "left") + 1 if best_first else len(s) - np.searchsorted(s, v, "right") + 1
    return pd.Series(pos, index=values.index, dtype=int)


def _around(rows: pd.DataFrame, units: set[str], k: int) -> pd.DataFrame:
    """The rows of `units` and their k neighbours each side (rows are in ranking order)."""
    at = [i for i, u in enumerate(rows["unit"]) if u in units]
    keep = sorted({j for i in at for j in range(max(0, i - k), min(len(rows), i + k + 1))})
    return rows.iloc[keep]


def ranking_figure(rows: pd.DataFrame, meta: dict, labels: dict[str, str], highlight: Iterable[str], *,
                   lang: str, year: int, sources: pd.DataFrame, extra: dict[str, str] | None = None,
                   targets: pd.DataFrame | None = None, around: int | None = None, printed: str = "") -> go.Figure:
    """Every unit in `rows` (the indicator's observations of `year` on one basis, as lib.views selects them;
    the newest per unit), best first; the selected ones highlighted. Each unit's position by value is written
    on the axis beside its name ("41 · Quảng Trị"), and the median of all drawn as a line (both from the known
    values: a bound such as "< 10 %" has no place and comes after them). `extra` adds a line per unit to the
    hover (the change since the previous year). `around`: only the selected units and that many neighbours
    each side (a brief), the gaps said in the title."""
    rows = latest_per_unit(rows)
    title = chart_title(meta, lang, (year, year)) + (f" · {printed}" if printed else "")
    if rows.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    best_first = meta["kind"] == "rank" or not meta["higher_is_better"]
    known, bounds = split_bounds(rows)
    known = known.sort_values("value", ascending=best_first, kind="stable")
    known = known.assign(_pos=value_positions(known["value"], best_first).to_numpy())
    # Bounds after every known value: "< 10 %" is not a place between 9 and 11.
    rows = pd.concat([known, bounds.sort_values("value", ascending=best_first, kind="stable")])
    hl = set(highlight)
    total = len(rows)
    median = float(known["value"].median()) if not known.empty else None
    if around is not None:
        rows = _around(rows, hl, around)
        title += " · " + t("ranking_around", lang, k=around, total=total)
    elif total > RANKING_MAX:  # district or commune scale: the best, the last, and the selected
        keep = rows["unit"].isin(hl)
        keep.iloc[:RANKING_END] = True
        keep.iloc[-RANKING_END:] = True
        rows = rows[keep]
        title += " · " + t("ranking_cut", lang, n=RANKING_END, total=total)
    fig = _ranking_draft(rows, meta, labels, hl, lang=lang, sources=sources, extra=extra,
                         targets=None if targets is None else targets[targets["year"] >= year])
    with_median = meta["kind"] != "rank" and median is not None
    if with_median:
        line = {"color": "#D55E00", "dash": "dash", "width": 1.5}
        fig.add_vline(x=median, line=line)
        # Its words in the legend, not over the line: a label at the line's top ran into the legend's first
        # entry on a phone (the line is near the middle of a narrow plot, where the legend's text is).
        fig.add_trace(dict(type="scatter", mode="lines", x=[None], y=[None], line=line, hoverinfo="skip",
                           name=f"{t('median_line', lang)} {_val(median, meta, lang)}", showlegend=True))
        fig.update_layout(showlegend=True)
    notes = [t("ranking_position_note", lang, n=len(known)) + (f" {t('median_note', lang)}" if with_median else ""),
             bounds_note(bounds, meta, labels, lang)]
    # Room right of the plot for the longest bar's label ("0,8371 ○"): on a 390 px phone the plot is ~150 px
    # wide and the axis' own room (a quarter of the longest bar) was ~37 px, so the label was cut at the edge.
    room = {"margin": {"r": 40}} if meta["kind"] != "rank" else {}
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang,
                   height=max(300, 22 * len(rows) + 150), note=" ".join(n for n in notes if n), **room)


def _rank_dots(rows: pd.DataFrame, drawn: pd.Series, names: list[str], colors: list[str], common: dict, meta: dict,
               lang: str) -> Draft:
    # A rank is a place, not an amount: a dot on an axis that runs from last (left) to 1st (right), 1st
    # at the top, so "further right and higher" reads as better — never a bar whose length is 63rd place.
    fig = Draft(dict(type="scatter", mode="markers+text", textposition="middle left",
                     marker={"color": colors, "size": 10, "line": {"color": "#333", "width": 0.5}}, **common))
    fig.update_xaxes(**rank_axis(drawn.dropna(), rows["out_of"]), title=_unit(meta, lang) or None)
    if _ring_rows(fig, rows, drawn, names, lang):
        fig.update_layout(showlegend=True)
    return fig


def _value_bars(rows: pd.DataFrame, colors: list[str], common: dict, lang: str) -> Draft:
    flags = uncertain(rows)
    common["text"] = [_bar_text(x, f) for x, f in zip(common["text"], flags)]
    fig = Draft(dict(type="bar", orientation="h", marker={"color": colors}, textposition="outside",
                     showlegend=False, **common))
    if any(flags):
        _ring(fig, [None], [None], lang)
        fig.update_layout(showlegend=True)
    return fig


def _ranking_draft(rows: pd.DataFrame, meta: dict, labels: dict[str, str], hl: set[str], *, lang: str,
                   sources: pd.DataFrame, extra: dict[str, str] | None, targets: pd.DataFrame | None) -> Draft:
    """The ranking's bars (or, for a published rank, dots), each unit's position ticked beside its name."""
    derived = rows["derived"].fillna(False).astype(bool) if "derived" in rows else [False] * len(rows)
    names = [labels.get(u, u) + (f" ({t('derived', lang)})" if d else "") for u, d in zip(rows["unit"], derived)]
    colors = [HIGHLIGHT if u in hl else MUTED for u in rows["unit"]]
    src_text = _source_texts(rows, sources, lang)
    bound = is_bound(rows).to_numpy()
    drawn = rows["value"].mask(is_bound(rows))  # a bound gets no bar and no dot
    common = dict(
        x=drawn, y=names, cliponaxis=False,
        text=[_val(v, meta, lang, q) for v, q in zip(rows["value"], rows["qualifier"])],
        hovertext=[_hover(r, meta, lang, n, src_text)
                   + (f"<br>{extra[r['unit']]}" if extra and extra.get(r["unit"]) else "")
                   for r, n in zip(_records(rows), names)],
        hoverinfo="text",
    )
    fig = _rank_dots(rows, drawn, names, colors, common, meta, lang) if meta["kind"] == "rank" else \
        _value_bars(rows, colors, common, lang)
    # The targets still ahead of (or at) the ranking's year: a line across the ranking at each value.
    marks = add_target_marks(fig, targets, meta, lang, value_axis="x")
    if meta["kind"] != "rank":
        # Room right of the longest bar (or target) for its label, which would otherwise be cut on a phone.
        top = max([float(drawn.max()) if drawn.notna().any() else 0.0, *marks])
        fig.update_xaxes(title=_unit(meta, lang) or None,
                         range=[min(0.0, float(drawn.min())), top * 1.25] if top > 0 else None)
        whole_ticks(fig, meta, [0, top * 1.25], "x", tozero=True)
        if bound.any():
            _bound_words(fig, names, bound, common)
    positions = rows["_pos"] if "_pos" in rows else pd.Series([None] * len(rows))
    ticks = ([f"{int(p)} · {n}" if pd.notna(p) else n for p, n in zip(positions, names)]
             if meta["kind"] != "rank" else names)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10}, tickmode="array", tickvals=names, ticktext=ticks)
    return fig


def _bound_words(fig: Draft, names: list[str], bound, common: dict) -> None:
    """A bound's words at the axis, where its bar would start: text, not a length."""
    fig.add_trace(dict(type="scatter", mode="text", x=[0.0] * int(bound.sum()),
                       y=[n for n, b in zip(names, bound) if b], textposition="middle right",
                       text=[x for x, b in zip(common["text"], bound) if b], cliponaxis=False,
                       hovertext=[x for x, b in zip(common["hovertext"], bound) if b], hoverinfo="text",
                       showlegend=False))

