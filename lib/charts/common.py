"""The shared parts of every chart (lib.charts): palette, formatting, titles, source lines, axes, `_finish`,
uncertainty rings, bounds and target marks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from lib import citations as cite
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

    The screen shows the title above the chart and the source under it as page text (lib.blocks.chart_block): it
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

