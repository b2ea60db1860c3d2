"""Pure figure builders: frames in, a new Plotly figure out. No Streamlit, no I/O, no globals mutated.
They draw the rows lib.views selected for the filters (the one place that filters), and never select again.

Every figure carries its title (indicator, unit, period) and a source line under the plot, uses a
colour-blind-safe palette (Okabe–Ito) doubled by patterns, dashes or symbols so it reads in greyscale,
and never draws missing data as zero.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from lib import citations as cite
from lib.combine import MERGER_DATE
from lib.data import rows_by_id
from lib.draft import Draft
from lib.i18n import fmt_date, fmt_value, period_label, t
from lib.safe_text import plot_escape, wrap_lines
from lib.targets import target_label

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PATTERNS = ["", "/", "\\", "x", "-", "|", "+", "."]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "hexagon", "cross"]
EVENT_SYMBOLS = {"agreement": "diamond", "review": "circle", "ioc_launch": "star", "launch": "triangle-up",
                 "merger": "x", "policy": "square"}
FONT = "DejaVu Sans, Arial, sans-serif"
HIGHLIGHT, MUTED, NO_DATA = "#08306B", "#BDBDBD", "#EEEEEE"
RADAR_MAX = 6  # the radar draws the first six selected units (more lines would not read)
HEATMAP_TEXT_MAX = 6  # cells carry their value as text up to this many units (fits a phone's width)
SUBINDEX_MAX = 8  # the sub-index chart draws the first 8 selected units (and the median of all)
RANKING_MAX, RANKING_END = 80, 30  # above 80 units a ranking shows the first 30, the last 30 and the selection


# --- Text helpers ----------------------------------------------------------------------------------


def meta_of(indicators: pd.DataFrame, indicator: str) -> dict:
    """One indicator's row as a dict (with its id), a copy the caller may change."""
    return dict(rows_by_id(indicators)[indicator])


def ind_title(meta: dict, lang: str) -> str:
    """The indicator's title for a figure (escaped: Plotly reads HTML-like tags in every label)."""
    return plot_escape(meta[f"title_{lang}"])


def _unit(meta: dict, lang: str) -> str:
    """The indicator's unit for a figure label (escaped)."""
    return plot_escape(meta[f"unit_{lang}"])


def ind_unit(meta: dict, lang: str) -> str:
    return meta[f"unit_{lang}"]


def span_of(*columns: Iterable) -> tuple[int, int]:
    """The first and last year among the values a chart draws (its title's period, not the filter's)."""
    ys = [int(y) for col in columns for y in col if y is not None and pd.notna(y)]
    return (min(ys), max(ys)) if ys else (0, 0)


def period_text(years: tuple[int, int]) -> str:
    return f"{years[0]}" if years[0] == years[1] else f"{years[0]}–{years[1]}"


def chart_title(meta: dict, lang: str, years: tuple[int, int]) -> str:
    """'Tỷ lệ DVCTT mức độ 4 / toàn trình (%) · 2020–2024'."""
    unit = _unit(meta, lang)
    return f"{ind_title(meta, lang)}{f' ({unit})' if unit else ''} · {period_text(years)}"


def format_obs(value: float, meta: dict, lang: str, qualifier: str | None = None) -> str:
    """A value with its unit as plain text (tables, cards); figures use `_val`."""
    return fmt_value(value, meta["kind"], int(meta["decimals"]), ind_unit(meta, lang), lang, qualifier)


def _val(value: float, meta: dict, lang: str, qualifier: str | None = None) -> str:
    """format_obs for a figure label: escaped (the unit comes from the dataset)."""
    return plot_escape(format_obs(value, meta, lang, qualifier))


def source_ids(values: Iterable) -> list[str]:
    """Distinct source ids in order, from a column holding ids or, for derived values, tuples of ids."""
    out: dict[str, None] = {}
    values = list(values)
    with contextlib.suppress(TypeError):  # a list of ids is not hashable: then go through them all
        values = list(dict.fromkeys(values))  # a column repeats a few ids thousands of times
    for v in values:
        for sid in (v if isinstance(v, (tuple, list)) else (v,)):
            if isinstance(sid, str) and sid:
                out.setdefault(sid)
    return list(out)


def source_line(values: Iterable, sources: pd.DataFrame, lang: str, limit: int = 4) -> str:
    """OWID-style 'Nguồn: Bộ TT&TT (2023); Báo Quảng Bình (QBĐT) (2020)' (lib.citations.short); long lists are
    cut with a count."""
    ids = source_ids(values)
    if not ids:
        return ""
    src = cite.by_id(sources)
    labels = []
    for sid in ids:
        if sid in src:
            label = plot_escape(cite.short(src[sid], lang))
            if label not in labels:
                labels.append(label)
    more = len(labels) - limit
    text = "; ".join(labels[:limit])
    if more > 0:
        text += f"; {t('cite_more', lang, n=more)}"
    return wrap(f"{t('source', lang)}: {text}")


def wrap(text: str, width: int = 120) -> str:
    """Break a long caption or label into <br>-separated lines at spaces (safe_text.wrap_lines; a word is never
    cut), so it never runs off the image."""
    return "<br>".join(wrap_lines(text, width, break_long=False))


def whole_ticks(fig: go.Figure | Draft, meta: dict, values: Iterable, axis: str = "y", *, tozero: bool = False,
                **where) -> None:
    """A count or a rank is a whole number, so its axis never shows "70,5 dịch vụ": Plotly picks steps of
    0.5 or less when the axis spans fewer than about six, so there the step is 1. `tozero`: the axis
    starts at 0 (bars). `where`: a subplot selector (row=…, col=…)."""
    if meta.get("kind") not in ("count", "rank"):
        return
    v = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").dropna()
    if v.empty:
        return
    lo = min(0.0, float(v.min())) if tozero else float(v.min())
    if float(v.max()) - lo < 6:
        (fig.update_yaxes if axis == "y" else fig.update_xaxes)(dtick=1, tick0=0, tickformat=",d", **where)


def rank_axis(*columns: Iterable) -> dict:
    """An axis of places: 1st at the top (or right), starting at 0.5 so that no "0" is ticked (there is no
    0th place), down to the worst place in `columns` (the ranks shown and, where known, the number ranked:
    out_of), with room for a label beside the last dot."""
    nums = [float(v) for col in columns for v in col if v is not None and pd.notna(v)]
    worst = max(nums + [1.0])
    return {"range": [worst + 0.5 + worst * 0.06, 0.5], "autorange": False}


def _finish(fig: go.Figure | Draft, title: str, source: str, *, lang: str, height: int = 460, bottom: int = 90,
            note: str = "", **after) -> go.Figure:
    """Fonts, white print-friendly background, light grid; the title, the source line and a method note
    (how a figure was computed, shown under the chart) kept in `layout.meta`.

    The screen shows the title above the chart and the source under it as page text (lib.ui.chart_block): it
    wraps on a phone, a screen reader reads it, and no legend or toolbar can overlap it. The printed chart
    (lib.export.layout) draws both inside the image. No named template: assigning one costs ~10 ms per figure
    on every rerun; these few settings are what the charts need of "plotly_white". `bottom` is the room the
    x axis needs below the plot (rotated labels, an axis title). `after`: layout settings that override these
    (a legend at the side). A Draft becomes its go.Figure here, validated once (lib.draft)."""
    bg = (fig.layout.get("plot_bgcolor") if isinstance(fig, Draft) else fig.layout.plot_bgcolor) or "white"
    fig.update_layout(
        meta={"title": title, "source": source, "note": note},
        font={"family": FONT, "size": 12, "color": "#222"},
        separators=",." if lang == "vi" else ".,",  # axis and colour-bar numbers: 0,5 in Vietnamese
        paper_bgcolor="white", plot_bgcolor=bg,
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": max(20, bottom - 60)},
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom", "font": {"size": 11}},
    )
    fig.update_xaxes(gridcolor="#E6E6E6", zerolinecolor="#BDBDBD")
    fig.update_yaxes(gridcolor="#E6E6E6", zerolinecolor="#BDBDBD")
    if after:
        fig.update_layout(**after)
    return fig.figure() if isinstance(fig, Draft) else fig


def figure_title(fig: go.Figure) -> str:
    """The title a figure builder gave its chart (Plotly-escaped text, like every label)."""
    return (fig.layout.meta or {}).get("title", "")


def figure_note(fig: go.Figure) -> str:
    """The method note a figure builder gave its chart, or ""."""
    return (fig.layout.meta or {}).get("note", "")


def empty_figure(message: str, title: str = "", lang: str = "vi") -> go.Figure:
    fig = Draft()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 14, "color": "#555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, title, "", lang=lang, height=240, bottom=20)


HOVER_COLUMNS = ("unit", "value", "qualifier", "out_of", "period", "as_of", "precision", "derived", "rule", "source")


def _records(rows: pd.DataFrame) -> list[dict]:
    """The rows as dicts of the columns a hover reads (a frame's other columns cost time at commune scale)."""
    return rows[[c for c in HOVER_COLUMNS if c in rows.columns]].to_dict("records")


def _hover(row: pd.Series, meta: dict, lang: str, name: str, sources: pd.DataFrame | dict | None = None) -> str:
    """Value, as-of date, derived mark and source of one point. `sources` may be a prebuilt
    {source id: source line} dict (see _source_texts), which big charts use to stay fast."""
    parts = [f"<b>{name}</b>", _val(row["value"], meta, lang, row.get("qualifier"))]
    if meta["kind"] == "rank" and pd.notna(row.get("out_of")):
        parts[-1] += f" / {int(row['out_of'])}"
    when = period_label(row.get("period") or "", lang) or fmt_date(row["as_of"], row["precision"], lang)
    parts.append(f"{t('as_of', lang)}: {plot_escape(when)}")
    if row.get("derived"):
        parts.append(f"<i>{t('derived', lang)} ({row.get('rule')})</i>")
    if sources is not None and isinstance(row.get("source"), (str, tuple)):
        parts.append(sources.get(row["source"], "") if isinstance(sources, dict)
                     else source_line([row["source"]], sources, lang, limit=2))
    return "<br>".join(parts)


def _source_texts(rows: pd.DataFrame, sources: pd.DataFrame, lang: str) -> dict[str, str]:
    """The hover source line of each distinct source id in `rows`, computed once."""
    return {key: source_line([key], sources, lang, limit=2) for key in dict.fromkeys(rows["source"])
            if isinstance(key, (str, tuple))}


# A value the source prints only as a bound ("dưới 10 %", "trên 99 %"): shown as "< 10 %" in text, never drawn as
# the number (no bar, point, line or colour at 10), never combined, and sorted after the known values.
BOUNDS = ("<", ">")


def is_bound(rows: pd.DataFrame) -> pd.Series:
    """True for the rows whose value is a bound, not a value."""
    if "qualifier" not in rows.columns:
        return pd.Series(False, index=rows.index)
    return rows["qualifier"].isin(BOUNDS)


def split_bounds(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the rows with a value, the rows with only a bound)."""
    bound = is_bound(rows)
    return rows[~bound], rows[bound]


def bounds_note(bounds: pd.DataFrame, meta: dict, labels: dict[str, str], lang: str) -> str:
    """'Known only as a bound, not drawn: Hà Nội 2024 < 10 %; …' (empty when there are none)."""
    if bounds.empty:
        return ""
    rows = bounds.sort_values(["unit", "as_of"]).to_dict("records")
    items = [f"{labels.get(r['unit'], r['unit'])} {int(r['year'])}: "
             f"{format_obs(r['value'], meta, lang, r['qualifier'])}" for r in rows]
    return t("bounds_not_drawn", lang, items="; ".join(items))


def _join_notes(*notes: str) -> str:
    return " ".join(n for n in notes if n)


# A target a legal text sets (lib.targets): a dashed line in this colour for a province's obligation, a grey
# dotted one for a national aggregate (a reference only), each labelled "QĐ 942: ≥ 80 % (2025)".
TARGET_COLOR, NATIONAL_COLOR = "#B00020", "#616161"


def _target_trace(tg: dict, meta: dict, lang: str, x: list, y: list) -> dict:
    """A line between two points with the target's label at its end, and its legal text in the hover."""
    national = tg["scope"] == "national"
    label = plot_escape(target_label(tg, meta, lang))
    hover = (f"<b>{label}</b><br>{plot_escape(tg[f'wording_{lang}'])}<br>{plot_escape(tg['doc_number'])}, "
             f"{plot_escape(tg['clause'])}")
    return dict(type="scatter", mode="lines+text", x=x, y=y, text=["", label], textposition="top left",
                textfont={"size": 10, "color": NATIONAL_COLOR if national else TARGET_COLOR},
                line={"color": NATIONAL_COLOR if national else TARGET_COLOR, "dash": "dot" if national else "dash",
                      "width": 1.5},
                name=label, showlegend=False, hovertext=[hover, hover], hoverinfo="text", cliponaxis=False,
                meta={"target": tg["id"]})


def _one_line_per_value(targets: pd.DataFrame | None) -> list[dict]:
    """Targets that ask the same (comparator, value, year, scope) of the indicator share one line, labelled with
    every text that sets it ("NQ 17, QĐ 1565: = 100 % (2025)"): two labels on one line cannot be read."""
    merged: dict[tuple, dict] = {}
    for tg in ([] if targets is None else targets.sort_values("doc_date", kind="stable").to_dict("records")):
        key = (tg["comparator"], float(tg["value"]), int(tg["year"]), tg["scope"])
        if key in merged:
            first = merged[key]
            for lang in ("vi", "en"):
                first[f"doc_short_{lang}"] += f", {tg[f'doc_short_{lang}']}"
            first["doc_number"] += f", {tg['doc_number']}"
        else:
            merged[key] = dict(tg)
    return list(merged.values())


def _add_time_targets(fig: Draft, targets: pd.DataFrame | None, meta: dict, lang: str, years: tuple[int, int]) -> None:
    """The targets on a timeline's first row (lines from the period's start at the earliest)."""
    for tr in target_lines_in_time(targets, meta, lang, pd.Timestamp(f"{years[0]}-01-01")):
        fig.add_trace(tr, row=1, col=1)


def target_lines_in_time(targets: pd.DataFrame | None, meta: dict, lang: str, start: pd.Timestamp) -> list[dict]:
    """On a time axis: each target as a dashed line from the text's date (or `start`, if later) to the end of
    the target year."""
    out = []
    for tg in _one_line_per_value(targets):
        x0 = max(pd.Timestamp(tg["doc_date"]), start)
        x1 = pd.Timestamp(f"{int(tg['year'])}-12-31")
        if x1 >= x0:
            out.append(_target_trace(tg, meta, lang, [x0, x1], [float(tg["value"])] * 2))
    return out


def add_target_marks(fig: Draft, targets: pd.DataFrame | None, meta: dict, lang: str, *, value_axis: str = "y"
                     ) -> list[float]:
    """On a chart of categories (years, units): each target as a dashed line across the whole plot at its
    value, labelled at the line's end; `value_axis` "x" when the values run along x (a horizontal ranking).
    Returns the values drawn (an axis with a fixed range must include them)."""
    drawn = []
    for tg in _one_line_per_value(targets):
        v = float(tg["value"])
        national = tg["scope"] == "national"
        color = NATIONAL_COLOR if national else TARGET_COLOR
        other = "x" if value_axis == "y" else "y"
        line = {"type": "line", f"{value_axis}0": v, f"{value_axis}1": v, f"{value_axis}ref": value_axis,
                f"{other}0": 0, f"{other}1": 1, f"{other}ref": f"{other} domain",
                "line": {"color": color, "dash": "dot" if national else "dash", "width": 1.5}}
        fig.update_layout(shapes=[*fig.layout.get("shapes", []), line])
        where = ({"x": 1, "xref": "x domain", "y": v, "yref": "y", "xanchor": "right", "yanchor": "bottom"}
                 if value_axis == "y" else
                 {"x": v, "xref": "x", "y": 1, "yref": "y domain", "xanchor": "right", "yanchor": "bottom"})
        fig.add_annotation(text=plot_escape(target_label(tg, meta, lang)), showarrow=False,
                           font={"size": 10, "color": color}, **where)
        drawn.append(v)
    return drawn


def _values_and_bounds(rows: pd.DataFrame, hist: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(the values of `rows`, of `hist`, the bounds of both): what a timeline draws and what it only names."""
    rows, bounds = split_bounds(rows)
    if hist.empty:
        return rows, hist, bounds
    hist, hist_bounds = split_bounds(hist)
    return rows, hist, pd.concat([bounds, hist_bounds])


def latest_per_unit(obs: pd.DataFrame) -> pd.DataFrame:
    """The newest observation of each (unit, indicator)."""
    return obs.sort_values("as_of").groupby(["unit", "indicator"], as_index=False).tail(1)


# --- Low and medium confidence ---------------------------------------------------------------------
# A value whose confidence is low or medium (its own, else its source's: lib.data.frames) is ringed on
# every chart — a hollow circle over the dot, line point or cell, "○" after a bar's label — and the legend
# says what the ring means, so the printed chart (PNG, SVG, packs) carries the warning too.

UNCERTAIN = ("low", "medium")
UNCERTAIN_RING = {"symbol": "circle-open", "size": 18, "color": "#D55E00", "line": {"width": 2}}


def uncertain(rows: pd.DataFrame) -> list[bool]:
    """Per row: is the value's confidence low or medium?"""
    if "confidence" not in rows.columns:
        return [False] * len(rows)
    return [c in UNCERTAIN for c in rows["confidence"]]


def _ring(fig: Draft, xs: list, ys: list, lang: str, *, polar: bool = False, legend: bool = True,
          extra: dict | None = None, **where) -> None:
    """Hollow rings over the points (xs, ys) of uncertain values, one legend entry ("○ low or medium
    confidence"); with no point, only the legend entry when `legend` and nothing else."""
    trace = dict(type="scatterpolar" if polar else "scatter", mode="markers", name=t("uncertain_legend", lang),
                 marker=UNCERTAIN_RING, hoverinfo="skip", legendgroup="uncertain", showlegend=legend,
                 **({"r": ys, "theta": xs} if polar else {"x": xs, "y": ys}), **(extra or {}))
    fig.add_trace(trace, **where)


def _ring_rows(fig: Draft, rows: pd.DataFrame, x: Iterable, y: Iterable, lang: str, **where) -> bool:
    """Rings at (x, y) of the uncertain rows of `rows`; True when any was drawn."""
    flags = uncertain(rows)
    pts = [(a, b) for a, b, f in zip(x, y, flags) if f]
    if pts:
        _ring(fig, [a for a, _ in pts], [b for _, b in pts], lang, **where)
    return bool(pts)


def _bar_text(text: str, flag: bool) -> str:
    return f"{text} ○" if flag and text else text


# --- Figures ---------------------------------------------------------------------------------------


def value_positions(values: pd.Series, best_first: bool) -> pd.Series:
    """Each value's position (1 = best; tied values share the better place, the next is skipped: 1, 2, 2, 4)."""
    return values.astype(float).rank(method="min", ascending=best_first).astype(int)


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
        fig.add_vline(x=median, line={"color": "#D55E00", "dash": "dash", "width": 1.5})
        fig.add_annotation(x=median, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                           text=f"{t('median_line', lang)} {_val(median, meta, lang)}",
                           font={"size": 10, "color": "#D55E00"})
    notes = [t("ranking_position_note", lang, n=len(known)) + (f" {t('median_note', lang)}" if with_median else ""),
             bounds_note(bounds, meta, labels, lang)]
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang,
                   height=max(300, 22 * len(rows) + 150), note=" ".join(n for n in notes if n))


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
    if meta["kind"] == "rank":
        # A rank is a place, not an amount: a dot on an axis that runs from last (left) to 1st (right), 1st
        # at the top, so "further right and higher" reads as better — never a bar whose length is 63rd place.
        fig = Draft(dict(type="scatter", mode="markers+text", textposition="middle left",
                         marker={"color": colors, "size": 10, "line": {"color": "#333", "width": 0.5}}, **common))
        fig.update_xaxes(**rank_axis(drawn.dropna(), rows["out_of"]), title=_unit(meta, lang) or None)
        if _ring_rows(fig, rows, drawn, names, lang):
            fig.update_layout(showlegend=True)
    else:
        flags = uncertain(rows)
        common["text"] = [_bar_text(x, f) for x, f in zip(common["text"], flags)]
        fig = Draft(dict(type="bar", orientation="h", marker={"color": colors}, textposition="outside",
                         showlegend=False, **common))
        if any(flags):
            _ring(fig, [None], [None], lang)
            fig.update_layout(showlegend=True)
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
        r = rows[rows["unit"] == unit].set_index("year").reindex(xs)
        name = labels.get(unit, unit)
        flags = [c in UNCERTAIN for c in r.get("confidence", pd.Series("", index=r.index)).fillna("")]
        any_uncertain = any_uncertain or any(flags)
        common = dict(
            x=[str(x) for x in xs], y=r["value"], name=name, cliponaxis=False, hoverinfo="text",
            text=[_bar_text((_val(v, meta, lang, q) + (" *" if (pd.notna(d) and bool(d)) else "")),
                            f and meta["kind"] != "rank")  # dots get a ring instead
                  if pd.notna(v) else ""
                  for v, q, d, f in zip(r["value"], r["qualifier"], r.get("derived", [False] * len(r)), flags)],
            hovertext=[_hover(row, meta, lang, name, sources) if pd.notna(row["value"]) else ""
                       for row in r.reset_index().to_dict("records")],
        )
        if meta["kind"] == "rank":
            fig.add_scatter(mode="markers+text", textposition="middle right", offsetgroup=str(i),
                            marker={"color": PALETTE[i % len(PALETTE)], "symbol": SYMBOLS[i % len(SYMBOLS)],
                                    "size": 12, "line": {"color": "#333", "width": 0.5}}, **common)
            pts = [(str(x), v) for x, v, f in zip(xs, r["value"], flags) if f]
            if pts:  # the ring sits in the unit's own slot of the group
                _ring(fig, [a for a, _ in pts], [b for _, b in pts], lang, legend=not ringed,
                      extra={"offsetgroup": str(i)})
                ringed = True
        else:
            fig.add_bar(marker={"color": PALETTE[i % len(PALETTE)], "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
                                "line": {"color": "#333", "width": 0.5}}, textposition="outside", **common)
    # The targets not yet past at the first year shown: a line across the years at each value.
    add_target_marks(fig, None if targets is None else targets[targets["year"] >= int(xs[0])], meta, lang)
    if any_uncertain and not ringed:
        _ring(fig, [None], [None], lang)
    fig.update_layout(barmode="group", scattermode="group", showlegend=True)  # one series still names itself
    if meta["kind"] == "rank":
        fig.update_yaxes(title=_unit(meta, lang) or None, **rank_axis(rows["value"], rows["out_of"]))
    else:
        fig.update_yaxes(title=_unit(meta, lang) or None, rangemode="tozero")
    whole_ticks(fig, meta, rows["value"], "y", tozero=meta["kind"] != "rank")
    fig.update_xaxes(type="category")
    return _finish(fig, title, source_line(list(rows["source"]) + list(bounds["source"]), sources, lang), lang=lang,
                   note=bounds_note(bounds, meta, labels, lang))


def normalise(latest: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Add `score` in 0–1 per indicator (1 = best), min–max over the units given. Tied units share their
    position; with nothing to compare (one unit, or every unit equal) the score is missing, never a made-up
    0,5 ("average"): the chart writes the value uncoloured."""
    meta = indicators.set_index("id")
    out = latest[~is_bound(latest)].copy()  # a bound has no place on a 0–1 scale
    g = out.groupby("indicator")["value"]
    lo, hi = g.transform("min"), g.transform("max")
    s = (out["value"] - lo) / (hi - lo)
    good = (meta["higher_is_better"].astype(bool) & (meta["kind"] != "rank"))
    good_high = out["indicator"].map(good).fillna(False).astype(bool)
    score = s.where(good_high, 1 - s)
    out["score"] = score.mask((hi == lo) | hi.isna()).astype(float).to_numpy()
    return out


def comparable_scores(rows: pd.DataFrame, indicators: pd.DataFrame, units: list[str]) -> pd.DataFrame:
    """Each selected unit's value per indicator, scored 0–1 only against values of the same year.

    A colour on the heatmap or a radar's radius says better or worse, so it compares like with like: each
    indicator gets a row year, the year most selected units have as their newest value (a tie: the newer),
    and a unit's value of that year is scored min–max against every unit of the view with a value that
    year. A selected unit without a value in the row year keeps its newest value with no score (shown, with
    its year, but not coloured). `rows`: the view's observations in the period. Adds `score` and `row_year`.
    """
    rows = rows.sort_values("as_of", kind="stable").groupby(["unit", "indicator", "year"], as_index=False).tail(1)
    mine = rows[rows["unit"].isin(units)]
    newest = mine.groupby(["unit", "indicator"], as_index=False).tail(1)
    if newest.empty:
        return newest.assign(score=pd.Series(dtype=float), row_year=pd.Series(dtype="Int64"))
    counts = newest.groupby(["indicator", "year"]).size().reset_index(name="n")
    counts = counts.sort_values(["indicator", "n", "year"], kind="stable").groupby("indicator").tail(1)
    row_year = dict(zip(counts["indicator"], counts["year"]))
    in_row = rows[rows["year"] == rows["indicator"].map(row_year)]
    scored = normalise(in_row, indicators)
    scored = scored[scored["unit"].isin(units)]
    have = set(zip(scored["unit"], scored["indicator"]))
    other = newest[[(u, i) not in have for u, i in zip(newest["unit"], newest["indicator"])]]
    out = pd.concat([scored, other.assign(score=float("nan"))], ignore_index=True)
    return out.assign(row_year=out["indicator"].map(row_year))


def heatmap_figure(latest: pd.DataFrame, indicators: pd.DataFrame, labels: dict[str, str], units: list[str], *,
                   lang: str, years: tuple[int, int], sources: pd.DataFrame) -> go.Figure:
    """Indicator × province; colour = score within the row's year (see comparable_scores; 1 = best = light).

    Only indicators that at least one selected unit has are drawn; a missing cell is grey with the
    words "no data", never a colour that could be read as zero; a value of another year than the row's is
    written with its year on grey, not coloured. `latest`: comparable_scores' frame.
    """
    title = f"{t('heatmap_title', lang)} · {period_text(years)}"
    rows = latest
    if rows.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    title = f"{t('heatmap_title', lang)} · {period_text(span_of(rows['year']))}"
    metas = rows_by_id(indicators)
    inds = [i for i in indicators["id"] if i in set(rows["indicator"])]
    cells: dict[tuple[str, str], dict] = {}
    for r in rows.to_dict("records"):
        cells.setdefault((r["indicator"], r["unit"]), r)  # the first row of a cell, as before
    z, text, hover = [], [], []
    for i in inds:
        m = metas[i]
        zr, tr, hr = [], [], []
        for u in units:
            if (i, u) not in cells:
                zr.append(None)
                tr.append("—")  # the words would not fit a narrow cell; the hover and the note below say them
                hr.append(f"<b>{labels.get(u, u)}</b><br>{ind_title(m, lang)}<br>{t('no_data', lang)}")
                continue
            c = cells[(i, u)]
            text_hover = f"{_hover(c, m, lang, labels.get(u, u), sources)}<br>{ind_title(m, lang)}"
            if pd.isna(c["score"]):  # another year than the row's, or nothing to compare: shown, not coloured
                zr.append(None)
                other = int(c["year"]) != int(c["row_year"])
                tr.append(_val(c["value"], m, lang, c["qualifier"]) + (f" ({int(c['year'])})" if other else ""))
                why = "heatmap_other_year" if other else "heatmap_no_comparison"
                hr.append(f"{text_hover}<br><i>{t(why, lang, year=int(c['row_year']))}</i>")
                continue
            zr.append(float(c["score"]))
            tr.append(_val(c["value"], m, lang, c["qualifier"]))
            hr.append(text_hover)
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    row_year = dict(zip(rows["indicator"], rows["row_year"]))
    ylabels = [wrap(f"{ind_title(metas[i], lang)} ({int(row_year[i])})", 26) for i in inds]
    fig = Draft(dict(type="heatmap",
        # Above a region's size the cells are too narrow for words: colour and hover only (grey = no data).
        z=z, x=[wrap(labels.get(u, u), 18) for u in units], y=ylabels, text=text,
        texttemplate="%{text}" if len(units) <= HEATMAP_TEXT_MAX else None,
        textfont={"size": 10}, hovertext=hover, hoverinfo="text", colorscale="Cividis", zmin=0, zmax=1,
        xgap=2, ygap=2,  # the colour bar lies under the grid: on a phone every pixel of width goes to the cells
        colorbar={"title": {"text": "0–1", "side": "right"}, "thickness": 10, "orientation": "h", "len": 0.6,
                  "x": 0.5, "xanchor": "center", "y": -0.02, "yanchor": "top"},
    ))
    fig.update_layout(plot_bgcolor=NO_DATA)
    xcat = [wrap(labels.get(u, u), 18) for u in units]
    shaky = [(i, u) for (i, u), c in cells.items() if i in inds and u in units and c.get("confidence") in UNCERTAIN]
    if shaky and len(units) <= HEATMAP_TEXT_MAX:  # values written in the cells: "○" after the value
        for i, u in shaky:
            text[inds.index(i)][units.index(u)] += " ○"
        fig.data[0]["text"] = text
        _ring(fig, [None], [None], lang)
    elif shaky:  # colour only: a ring over the cell
        _ring(fig, [xcat[units.index(u)] for _, u in shaky], [ylabels[inds.index(i)] for i, _ in shaky], lang)
    if shaky:
        fig.update_layout(showlegend=True)
    fig.update_xaxes(side="top", tickfont={"size": 11}, showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False, tickfont={"size": 10})
    # The legend (the ring's meaning) goes under the colour bar: above the grid it would cover the unit names.
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang,
                   height=max(360, 40 * len(inds) + 260), bottom=180, note=t("heatmap_note", lang),
                   legend={"orientation": "h", "x": 0, "y": -0.02 - 60 / max(360, 40 * len(inds) + 260),
                           "yanchor": "top", "font": {"size": 11}})


def radar_year(rows: pd.DataFrame) -> int | None:
    """The one year a radar draws: the row year (comparable_scores) with the most scored indicators, the
    newer on a tie. A polygon that joined 2017 on one axis to 2024 on the next would read as one moment."""
    scored = rows[rows["score"].notna()]
    if scored.empty:
        return None
    n = scored.groupby("row_year")["indicator"].nunique()
    return int(max(n.index, key=lambda y: (n[y], y)))


def radar_figure(latest: pd.DataFrame, indicators: pd.DataFrame, labels: dict[str, str], units: list[str], *,
                 lang: str, years: tuple[int, int], sources: pd.DataFrame) -> go.Figure:
    """Normalised indicators of ONE year (radar_year) for up to RADAR_MAX units, the year named in each
    polygon's legend; an axis with no score for a unit stays a gap (never 0,5)."""
    units = units[:RADAR_MAX]
    rows = latest[latest["unit"].isin(units)]
    year = radar_year(rows) if "row_year" in rows and len(rows) else None
    title = f"{t('radar_title', lang)} · {year if year is not None else period_text(years)}"
    if year is None:
        return empty_figure(t("radar_needs_three", lang), title, lang)
    rows = rows[(rows["row_year"] == year) & (rows["year"] == year) & rows["score"].notna()]
    # The axes: indicators most of the selected units have (at most 10), so the shape compares like with like.
    cover = rows.groupby("indicator")["unit"].nunique()
    need = max(2, (len(units) + 1) // 2) if len(units) > 1 else 1
    order = {i: n for n, i in enumerate(indicators["id"])}
    inds = sorted([i for i, n in cover.items() if n >= need], key=lambda i: (-cover[i], order[i]))[:10]
    inds = sorted(inds, key=order.get)
    rows = rows[rows["indicator"].isin(inds)]
    if len(inds) < 3:
        return empty_figure(t("radar_needs_three", lang), title, lang)
    metas = rows_by_id(indicators)
    theta = [wrap(ind_title(metas[i], lang), 28) for i in inds]
    fig = Draft()
    ringed = False
    for k, u in enumerate(units):
        r = rows[rows["unit"] == u].set_index("indicator").reindex(inds)
        if r["score"].isna().all():  # nothing of that year: no legend entry claiming a polygon
            continue
        name = t("radar_year_name", lang, name=labels.get(u, u), year=year)
        fig.add_trace(dict(type="scatterpolar",
            r=list(r["score"]) + [r["score"].iloc[0]], theta=theta + [theta[0]], name=name,
            connectgaps=False, mode="lines+markers",
            line={"color": PALETTE[k % len(PALETTE)], "dash": DASHES[k % len(DASHES)]},
            marker={"symbol": SYMBOLS[k % len(SYMBOLS)], "size": 8},
            hovertext=[f"{name}<br>{th}<br>" + (_val(v, metas[i], lang)
                       if pd.notna(v) else t("no_data", lang))
                       for th, i, v in zip(theta + [theta[0]], inds + [inds[0]],
                                           list(r["value"]) + [r["value"].iloc[0]])],
            hoverinfo="text",
        ))
        flag = [c in UNCERTAIN for c in r.get("confidence", pd.Series("", index=r.index)).fillna("")]
        pts = [(th, sc) for th, sc, f in zip(theta, r["score"], flag) if f and pd.notna(sc)]
        if pts:
            _ring(fig, [a for a, _ in pts], [b for _, b in pts], lang, polar=True, legend=not ringed)
            ringed = True
    fig.update_layout(polar={"radialaxis": {"range": [0, 1], "tickvals": [0, 0.5, 1]},
                             "angularaxis": {"tickfont": {"size": 9}}})
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang, height=540, bottom=110,
                   legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "xanchor": "left"})


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
    k = 0
    for unit in units:
        r = rows[rows["unit"] == unit].sort_values("as_of")
        if r.empty:
            continue
        name = labels.get(unit, unit)
        real = r[~r.get("derived", pd.Series(False, index=r.index)).fillna(False).astype(bool)]
        fake = r[r.get("derived", pd.Series(False, index=r.index)).fillna(False).astype(bool)]
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
    _add_time_targets(fig, targets, meta, lang, years)
    if meta["kind"] == "rank":
        fig.update_yaxes(**rank_axis(rows["value"], rows["out_of"], hist.get("value", []), hist.get("out_of", [])),
                         row=1, col=1)
    fig.update_yaxes(title=_unit(meta, lang) or None, row=1, col=1)
    whole_ticks(fig, meta, list(rows["value"]) + list(hist.get("value", [])), "y", row=1, col=1)
    # Milestones: one row per unit label, a symbol per kind, each marked with its number (the events table's
    # row below), alternately above and below the marker within a lane so that neighbours do not overlap.
    ev_rows = []
    for e in evs.to_dict("records"):
        for u in e["units"]:
            if u in units or (len(hist) and u in set(hist["unit"])) or u in set(event_units):
                ev_rows.append((labels.get(u, u), e))
    # One label per lane and date ("6,7,8,9" for four events of one day), alternately left and right of the
    # marker (above or below, a label would run into the next lane).
    groups: dict[tuple, list[int]] = {}
    for lab, e in ev_rows:
        groups.setdefault((lab, e["as_of"]), []).append(int(e.get("number") or 0))
    side: dict[str, int] = {}
    label: dict[tuple, tuple[str, str]] = {}
    for (lab, when), nums in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        side[lab] = side.get(lab, -1) + 1
        label[(lab, when)] = (",".join(str(n) for n in sorted(set(nums)) if n),
                              "middle right" if side[lab] % 2 == 0 else "middle left")
    texts, place, seen = [], [], set()
    for lab, e in ev_rows:
        key = (lab, e["as_of"])
        texts.append("" if key in seen else label[key][0])
        place.append(label[key][1])
        seen.add(key)
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
    if list(merger_units):
        fig.add_vline(x=pd.Timestamp(MERGER_DATE).timestamp() * 1000, line={"color": "#D55E00", "dash": "dot"})
    lanes = list(dict.fromkeys(lab for lab, _ in ev_rows))
    fig.update_yaxes(type="category", row=2, col=1, tickfont={"size": 10}, tickmode="array",
                     tickvals=lanes, categoryorder="array", categoryarray=lanes)
    src = list(rows["source"]) + (list(hist["source"]) if len(hist) else []) + list(evs["source"])
    # The legend under the chart: at its side it took most of a phone's width from the plot.
    # Entries of a fixed width: several a row on a laptop, one a row on a phone; the bottom margin makes room
    # for one a row, so that no entry is cut on a phone.
    n_entries = sum(1 for tr in fig.data if tr.get("showlegend", True) is not False)
    legend_h = 24 * n_entries
    height = max(640, 400 + 44 * len(lanes)) + legend_h
    note = _join_notes(t("timeline_numbers_note", lang) if ev_rows else "", bounds_note(bounds, meta, labels, lang))
    return _finish(fig, title, source_line(src, sources, lang), lang=lang, height=height, note=note, bottom=110,
                   legend={"orientation": "h", "x": 0, "y": -45 / height, "yanchor": "top", "font": {"size": 11},
                           "entrywidth": 200, "entrywidthmode": "pixels"},
                   margin={"r": 10, "t": 30, "b": 70 + legend_h})


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
        sel = [(lab, e) for lab, e in rows if plot_escape(e["partner"] or "—") == partner]
        start = [pd.Timestamp(f"{int(e['period_start'])}-01-01") for _, e in sel]
        end = [pd.Timestamp(f"{int(e['period_end'])}-12-31") for _, e in sel]
        fig.add_trace(dict(type="bar",
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
        ))
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


def subindex_figure(rows: pd.DataFrame, indicators: pd.DataFrame, children: list[str], labels: dict[str, str],
                    units: list[str], *, lang: str, year: int, sources: pd.DataFrame) -> go.Figure:
    """The sub-indices of one year: a bar per selected unit, and the median of every unit with data."""
    title = t("subindex_title", lang, year=year)
    meta = indicators.set_index("id")
    units = [u for u in units if u in set(rows["unit"])][:SUBINDEX_MAX]
    sel = rows[rows["unit"].isin(units)]
    if sel.empty or not children:
        return empty_figure(t("no_subindices", lang), title, lang)
    names = [wrap(plot_escape(meta.loc[c, f"title_{lang}"]).replace("DTI – ", ""), 16) for c in children]
    fig = Draft()
    src_text = _source_texts(rows, sources, lang)
    any_uncertain = False
    for k, unit in enumerate(u for u in units if u in set(sel["unit"])):
        r = sel[sel["unit"] == unit].set_index("indicator").reindex(children)
        name = labels.get(unit, unit)
        flags = [c in UNCERTAIN for c in r.get("confidence", pd.Series("", index=r.index)).fillna("")]
        any_uncertain = any_uncertain or any(flags)
        fig.add_bar(
            x=names, y=r["value"], name=name, text=["○" if f else "" for f in flags], textposition="outside",
            marker={"color": PALETTE[k % len(PALETTE)], "pattern": {"shape": PATTERNS[k % len(PATTERNS)]},
                    "line": {"color": "#333", "width": 0.5}},
            hovertext=[(_hover(x, meta.loc[i].to_dict() | {"id": i}, lang, name, src_text)
                        + f"<br>{plot_escape(meta.loc[i, f'title_{lang}'])}")
                       if pd.notna(x["value"]) else t("no_data", lang)
                       for i, x in zip(children, r.reset_index().to_dict("records"))],
            hoverinfo="text",
        )
    med = rows.groupby("indicator")["value"].agg(["median", "count"]).reindex(children)
    n = int(med["count"].max()) if med["count"].notna().any() else 0
    fig.add_scatter(
        x=names, y=med["median"], mode="markers", name=t("median_of", lang, n=n),
        marker={"symbol": "line-ew", "size": 34, "line": {"color": "#000", "width": 3}},
        hovertext=[f"{t('median_of', lang, n=int(c) if pd.notna(c) else 0)}: {fmt_value(m, 'index', 4, '', lang)}"
                   for m, c in zip(med["median"], med["count"])], hoverinfo="text",
    )
    if any_uncertain:
        _ring(fig, [None], [None], lang)
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=meta.loc[children[0], f"unit_{lang}"] or None, rangemode="tozero")
    return _finish(fig, title, source_line(sel["source"], sources, lang), lang=lang, height=480, bottom=100)


def scatter_figure(rows: pd.DataFrame, mx: dict, my: dict, labels: dict[str, str], units: list[str], *, lang: str,
                   year: int, sources: pd.DataFrame, fit: bool = False) -> go.Figure:
    """Two indicators of one year and basis: every unit a dot, the selected ones labelled. `rows` has
    unit, x, y, x_source, y_source (one row per unit with both values)."""
    title = (f"{t('scatter_title', lang, year=year)}<br><sup>{ind_title(my, lang)} ↔ {ind_title(mx, lang)}</sup>")
    if rows.empty:
        return empty_figure(t("scatter_empty", lang), title, lang)
    hl = set(units)
    src = {sid: source_line([sid], sources, lang, limit=1) for sid in set(rows["x_source"]) | set(rows["y_source"])}

    def hover(r) -> str:
        return (f"<b>{labels.get(r['unit'], r['unit'])}</b><br>{ind_title(mx, lang)}: {_val(r['x'], mx, lang)}"
                f"<br>{src.get(r['x_source'], '')}<br>{ind_title(my, lang)}: {_val(r['y'], my, lang)}"
                f"<br>{src.get(r['y_source'], '')}")

    fig = Draft()
    rest = rows[~rows["unit"].isin(hl)]
    mine = rows[rows["unit"].isin(hl)]
    fig.add_scatter(x=rest["x"], y=rest["y"], mode="markers", name=t("all_units", lang),
                    marker={"color": MUTED, "size": 9, "line": {"color": "#757575", "width": 0.5}},
                    hovertext=[hover(r) for r in rest.to_dict("records")], hoverinfo="text")
    fig.add_scatter(x=mine["x"], y=mine["y"], mode="markers+text", name=t("selected_units", lang),
                    marker={"color": HIGHLIGHT, "size": 12, "symbol": "diamond"},
                    text=[labels.get(u, u) for u in mine["unit"]], textposition="top center",
                    textfont={"size": 11, "color": HIGHLIGHT}, cliponaxis=False,
                    hovertext=[hover(r) for r in mine.to_dict("records")], hoverinfo="text")
    if fit and len(rows) >= 3 and rows["x"].nunique() > 1:
        import numpy as np

        a, b = np.polyfit(rows["x"].astype(float), rows["y"].astype(float), 1)
        xs = [float(rows["x"].min()), float(rows["x"].max())]
        fig.add_scatter(x=xs, y=[a * x + b for x in xs], mode="lines", name=t("trend_line", lang),
                        line={"color": "#D55E00", "dash": "dash"}, hoverinfo="skip")
    fig.update_xaxes(title=f"{ind_title(mx, lang)}" + (f" ({_unit(mx, lang)})" if _unit(mx, lang) else ""),
                     **(rank_axis(rows["x"]) if mx["kind"] == "rank" else {}))
    fig.update_yaxes(title=f"{ind_title(my, lang)}" + (f" ({_unit(my, lang)})" if _unit(my, lang) else ""),
                     **(rank_axis(rows["y"]) if my["kind"] == "rank" else {}))
    whole_ticks(fig, mx, rows["x"], "x")
    whole_ticks(fig, my, rows["y"], "y")
    srcs = list(rows["x_source"]) + list(rows["y_source"])
    return _finish(fig, title, source_line(srcs, sources, lang), lang=lang, height=540, bottom=100)
