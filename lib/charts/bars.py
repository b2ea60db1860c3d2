"""Grouped bars: one group per year, one bar (or, for a rank, a dot) per selected unit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.charts.common import (
    PALETTE,
    PATTERNS,
    SYMBOLS,
    UNCERTAIN,
    _bar_text,
    _finish,
    _hover,
    _ring,
    _unit,
    _val,
    add_target_marks,
    bounds_note,
    chart_title,
    empty_figure,
    rank_axis,
    source_line,
    span_of,
    split_bounds,
    whole_ticks,
)
from lib.draft import Draft
from lib.i18n import t


def _bar_texts(r: pd.DataFrame, meta: dict, lang: str, flags: list[bool]) -> list[str]:
    """Each value's words ("*" after a derived one, "○" after an uncertain bar; dots get a ring instead)."""
    return [_bar_text((_val(v, meta, lang, q) + (" *" if (pd.notna(d) and bool(d)) else "")),
                      f and meta["kind"] != "rank")
            if pd.notna(v) else ""
            for v, q, d, f in zip(r["value"], r["qualifier"], r.get("derived", [False] * len(r)), flags)]


def _unit_series(fig: Draft, i: int, r: pd.DataFrame, xs: list, name: str, meta: dict, lang: str,
                 sources: pd.DataFrame, ringed: bool) -> tuple[bool, bool]:
    """One unit's bars (or, for a rank, dots) over the years `xs`; returns (any uncertain, ringed so far)."""
    flags = [c in UNCERTAIN for c in r.get("confidence", pd.Series("", index=r.index)).fillna("")]
    common = dict(
        x=[str(x) for x in xs], y=r["value"], name=name, cliponaxis=False, hoverinfo="text",
        text=_bar_texts(r, meta, lang, flags),
        hovertext=[_hover(row, meta, lang, name, sources) if pd.notna(row["value"]) else ""
                   for row in r.reset_index().to_dict("records")],
    )
    if meta["kind"] != "rank":
        fig.add_bar(marker={"color": PALETTE[i % len(PALETTE)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
                            "line": {"color": "#333", "width": 0.5}}, textposition="outside", **common)
        return any(flags), ringed
    fig.add_scatter(mode="markers+text", textposition="middle right", offsetgroup=str(i),
                    marker={"color": PALETTE[i % len(PALETTE)], "symbol": SYMBOLS[i % len(SYMBOLS)],
                            "size": 12, "line": {"color": "#333", "width": 0.5}}, **common)
    pts = [(str(x), v) for x, v, f in zip(xs, r["value"], flags) if f]
    if pts:  # the ring sits in the unit's own slot of the group
        _ring(fig, [a for a, _ in pts], [b for _, b in pts], lang, legend=not ringed,
              extra={"offsetgroup": str(i)})
        ringed = True
    return any(flags), ringed


def _value_axis(fig: Draft, rows: pd.DataFrame, meta: dict, lang: str) -> None:
    if meta["kind"] == "rank":
        fig.update_yaxes(title=_unit(meta, lang) or None, **rank_axis(rows["value"], rows["out_of"]))
    else:
        fig.update_yaxes(title=_unit(meta, lang) or None, rangemode="tozero")
    whole_ticks(fig, meta, rows["value"], "y", tozero=meta["kind"] != "rank")


def grouped_bar_figure(rows: pd.DataFrame, meta: dict, labels: dict[str, str], units: list[str], *,
                       lang: str, years: tuple[int, int], sources: pd.DataFrame,
                       targets: pd.DataFrame | None = None) -> go.Figure:
    """One group per year, one bar per unit of `units` (latest value of that year); gaps stay gaps. `rows`:
    the indicator's observations of those units in the period (lib.views selects them).

    Ranks are drawn as dots on a reversed axis (1 at the top): a bar's length would read as "more"."""
    title = chart_title(meta, lang, years)
    if rows.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    rows = rows.sort_values("as_of").groupby(["unit", "year"], as_index=False).tail(1)
    rows, bounds = split_bounds(rows)
    if rows.empty:
        return empty_figure(bounds_note(bounds, meta, labels, lang), title, lang)
    title = chart_title(meta, lang, span_of(rows["year"]))
    fig = Draft()
    xs = sorted(rows["year"].unique())
    any_uncertain = ringed = False
    for i, unit in enumerate(u for u in units if u in set(rows["unit"])):
        shaky, ringed = _unit_series(fig, i, rows[rows["unit"] == unit].set_index("year").reindex(xs), xs,
                                     labels.get(unit, unit), meta, lang, sources, ringed)
        any_uncertain = any_uncertain or shaky
    # The targets not yet past at the first year shown: a line across the years at each value.
    add_target_marks(fig, None if targets is None else targets[targets["year"] >= int(xs[0])], meta, lang)
    if any_uncertain and not ringed:
        _ring(fig, [None], [None], lang)
    fig.update_layout(barmode="group", scattermode="group", showlegend=True)  # one series still names itself
    _value_axis(fig, rows, meta, lang)
    fig.update_xaxes(type="category")
    return _finish(fig, title, source_line(list(rows["source"]) + list(bounds["source"]), sources, lang), lang=lang,
                   note=bounds_note(bounds, meta, labels, lang))

