"""The print figure: a chart sized for a page or a slide, carrying its title, filters, source line and
as-of dates (`export_figure`), its size (`export_size`, `export_height`), and the notes text of the packs.

Pure Plotly (no plotly.io, no kaleido): the files are made by lib.export.render.
"""

from __future__ import annotations

import html
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import plotly.graph_objects as go

from lib.export.spec import EXPORT_HEIGHT, EXPORT_SCALE, EXPORT_WIDTH, ChartSpec
from lib.i18n import t
from lib.safe_text import wrap_lines

FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


def wrap(text: str, width: int) -> list[str]:
    """Printed text in lines of at most `width` characters (long words cut; lib.safe_text.wrap_lines)."""
    return wrap_lines(text, width)


def prefixed(text: str, prefix: str) -> str:
    """``"Nguồn: …"`` unless the text already starts with that label."""
    text = (text or "").strip()
    if not text or text.lower().startswith(prefix.lower()):
        return text
    return f"{prefix}: {text}"


# --- measuring text with the same font Chromium uses for the export (DejaVu Sans) ---------------------------------

_TAG_RE = re.compile(r"<[^>]+>")


@lru_cache(maxsize=16)
def _pil_font(size: int, bold: bool = False):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size)
    except OSError:
        return None


def _text_w(text: str, size: float = 12, bold: bool = False) -> float:
    """Width in CSS px of one line of text in DejaVu Sans (an over-estimate for Arial/Liberation, which are
    narrower)."""
    text = html.unescape(_TAG_RE.sub("", str(text)))
    font = _pil_font(int(round(size)), bold)
    if font is None:
        return 0.62 * size * len(text)
    return float(font.getlength(text))


def _wrap_px(text: str, max_px: float, size: float, bold: bool = False) -> list[str]:
    """Word wrap to ``max_px`` pixels of DejaVu Sans (explicit newlines kept; over-long words broken)."""
    return wrap_lines(text, max_px, measure=lambda s: _text_w(s, size, bold))


def _is_cartesian(trace) -> bool:
    try:
        return "xaxis" in trace._valid_props  # noqa: SLF001 - plotly has no public "is cartesian" test
    except AttributeError:
        return False


def _str_values(values) -> list[str]:
    if values is None:
        return []
    try:
        return [str(v) for v in values if isinstance(v, str)]
    except TypeError:
        return []


def legend_shown(fig: go.Figure) -> bool:
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    shown = [t for t in fig.data if t.showlegend is not False]
    return len(shown) >= 2 or any(t.type == "pie" for t in fig.data)


def has_colorbar(fig: go.Figure) -> bool:
    scale_types = {"choropleth", "choroplethmap", "choroplethmapbox", "heatmap", "contour", "histogram2d",
                   "histogram2dcontour", "densitymap", "densitymapbox", "surface"}
    for trace in fig.data:
        if (trace.type in scale_types and getattr(trace, "showscale", None) is not False
                and not getattr(trace, "coloraxis", None)):
            return True
        marker = getattr(trace, "marker", None)
        if marker is not None and getattr(marker, "showscale", None):
            return True
    used = {getattr(trace, "coloraxis", None) or getattr(getattr(trace, "marker", None), "coloraxis", None)
            for trace in fig.data}
    return any(ax and fig.layout[ax].showscale is not False for ax in used)


_PAD = 24  # canvas padding (px) for the title, filters and footer


def export_height(spec: ChartSpec, height: int = EXPORT_HEIGHT) -> int:
    """The print figure's height: the page's, or the screen chart's plus the header and footer if taller."""
    return max(height, int(spec.figure.layout.height or 0) + 120)


def export_size(spec: ChartSpec, scale: float = EXPORT_SCALE) -> tuple[int, int]:
    """The PNG's real size in pixels, for the download's help text (a 63-province ranking is tall)."""
    return int(EXPORT_WIDTH * scale), int(export_height(spec) * scale)


def _footer_lines(spec: ChartSpec, lang: str, text_px: float) -> list[str]:
    """The note, the source and the as-of date, wrapped to the print width (at most 2, 3 and 2 lines)."""
    lines = (_wrap_px(spec.note, text_px, 11)[:2]
             + _wrap_px(prefixed(spec.source, t("export_source", lang)), text_px, 11)[:3])
    if spec.as_of:
        lines += _wrap_px(prefixed(spec.as_of, t("export_as_of", lang)), text_px, 11)[:2]
    return lines


def _margin_left(fig: go.Figure, cartesian: list, base_size: float) -> float:
    """Room for the y axis's longest tick label and its title (measured), or the page's padding."""
    margin_l = float(fig.layout.margin.l or 0)
    if not cartesian:
        return max(margin_l, _PAD)
    yfont = float(fig.layout.yaxis.tickfont.size or base_size)
    ylabels: list[str] = []
    for name in {tr.yaxis or "y" for tr in cartesian}:  # each y axis: its tick texts if set (lines), else values
        axis = fig.layout[name.replace("y", "yaxis", 1)]
        ticktext = _str_values(axis.ticktext)
        ylabels += ([line for s in ticktext for line in re.split(r"<br\s*/?>", s)] if ticktext else
                    [s for tr in cartesian if (tr.yaxis or "y") == name for s in _str_values(tr.y)])
    ytick_w = max((_text_w(s, yfont) for s in ylabels), default=0) if ylabels else 5 * 0.62 * yfont
    ytitle = 26 if fig.layout.yaxis.title.text else 0
    return max(margin_l, _PAD + ytitle + ytick_w + 12)


def _within(pos, anchor, low_side: str, high_side: str) -> bool:
    """A legend's position along one axis puts its box inside the plot area (plot-area fractions)."""
    if pos is None or not 0 <= pos <= 1:
        return False
    return not ((pos >= 1 and anchor == high_side) or (pos <= 0 and anchor == low_side))


class _Legend(NamedTuple):
    side: bool  # shown at the side of the plot
    below: bool  # shown below it, horizontally (moved there for print)
    font: float
    names: list[str]
    title: str
    groups: list  # each name's legendgroup, or None
    entrywidth: float | None  # every item's set width in px (its symbol not counted), when the figure sets one


def _legend_facts(fig: go.Figure, base_size: float) -> _Legend:
    """What the print layout needs to know of the figure's legend."""
    legend = fig.layout.legend
    show_legend = legend_shown(fig)
    # Inside the plot area only when its box is: a legend at y=1 anchored at its bottom sits above the plot
    # (the screen charts' place, lib.charts.common), one at y=0 anchored at its top below it.
    legend_inside = (_within(legend.x, legend.xanchor, "right", "left")
                     and _within(legend.y, legend.yanchor, "top", "bottom"))
    legend_font = float(legend.font.size or base_size)
    shown = [t for t in fig.data if t.name and t.showlegend is not False]
    names = [str(t.name) for t in shown]
    groups = [t.legendgroup or None for t in shown]
    legend_title = str(legend.title.text or "")
    horizontal_legend = show_legend and not legend_inside and legend.orientation == "h"
    side_legend = show_legend and not legend_inside and not horizontal_legend
    entrywidth = legend.entrywidth or None
    if entrywidth and legend.entrywidthmode == "fraction":
        entrywidth = None  # a share of the plot's width: items as wide as their names is the nearer guess
    return _Legend(side_legend, horizontal_legend, legend_font, names, legend_title, groups, entrywidth)


def _margin_right(fig: go.Figure, legend: _Legend, width: int, margin_l: float) -> float:
    """Room for a legend at the side (measured) or a colour bar."""
    side_legend, legend_font, names, legend_title = legend.side, legend.font, legend.names, legend.title
    margin_r = max(float(fig.layout.margin.r or 0), _PAD + 6)
    if side_legend:
        legend_w = max([_text_w(n, legend_font) for n in names] + [_text_w(legend_title, legend_font)], default=0)
        margin_r = max(margin_r, _PAD + 0.02 * (width - margin_l - margin_r) + 40 + legend_w + 14)
    if has_colorbar(fig):
        margin_r = max(margin_r, _PAD + 110)
    return margin_r


def _legend_height(legend: _Legend, plot_w: float) -> float:
    """The height of a horizontal legend below the plot, laid out as plotly.js does (legend/draw.js): an item is
    its symbol (40 px) and its name; the items share one row when they fit in the plot area's width with 5 px
    between them. Otherwise they wrap: into columns as wide as the widest item, or, when any trace names a
    legendgroup, group after group, each as wide as its widest item, rows 10 px apart (tracegroupgap). An item is
    1.3 lines of text high, at least 16 px, plus 3; the box adds 10 (measured in Chromium at 11 px: 29 px for one
    row, 19 px for each further one, 29 with groups)."""
    if not legend.below or not legend.names:
        return 0.0
    font = legend.font
    room = plot_w - (_text_w(legend.title, font) + 10 if legend.title else 0)
    item_h = max(1.3 * font, 16) + 3
    widths = [40 + (legend.entrywidth or _text_w(n, font)) for n in legend.names]
    groups = legend.groups
    if any(groups):
        by_group: dict = {}
        for i, (w, g) in enumerate(zip(widths, groups)):
            by_group.setdefault(g if g is not None else ("trace", i), []).append(w)
        total, row_w, row_h = 0.0, 0.0, 0.0
        for items in by_group.values():
            w, h = max(items) + 5, item_h * len(items)
            if row_w and row_w + w > room:
                total, row_w, row_h = total + row_h + 10, 0.0, 0.0
            row_w, row_h = row_w + w, max(row_h, h)
        return total + row_h + 10 + 4
    if sum(widths) + 10 + 5 * (len(widths) - 1) < room:
        rows = 1
    else:
        per_row = max(1, 1 + int((room - max(widths)) // (max(widths) + 5)))
        rows = math.ceil(len(widths) / per_row)
    return rows * item_h + 10 + 4  # 4 px to spare: Plotly grows a margin that is short, and the footer moves


def _lines_w(text: str, size: float) -> float:
    """The width of the longest line of a label (Plotly breaks a label at <br>)."""
    return max(_text_w(line, size) for line in re.split(r"<br\s*/?>", text))


class _Ticks(NamedTuple):
    """The x axis's category labels as the print layout sees them."""

    font: float
    widths: list[float]  # each label's longest line, px
    lines: int  # the most lines of any label


def _x_ticks(fig: go.Figure, cartesian: list, base_size: float) -> _Ticks | None:
    xfont = float(fig.layout.xaxis.tickfont.size or base_size)
    xlabels = list(dict.fromkeys(s for t in cartesian for s in _str_values(t.x)))
    if not xlabels:
        return None
    return _Ticks(xfont, [_lines_w(s, xfont) for s in xlabels], max(len(re.split(r"<br\s*/?>", s)) for s in xlabels))


def _tick_angle(ticks: _Ticks, plot_w: float) -> int:
    """The angle Plotly's automatic rule gives the labels (0, 30 or 90°): flat when they fit side by side, tilted
    by 30° when the tilted lines clear each other (slanted text d px apart is d·sin 30° apart across its lines)."""
    step = plot_w / len(ticks.widths)
    if max(ticks.widths) + 10 <= step:
        return 0
    return 30 if step * 0.5 >= ticks.lines * 1.3 * ticks.font + 4 else 90


def _tick_height(ticks: _Ticks | None, angle: float) -> float:
    """The height of the x axis's tick labels at `angle`."""
    if ticks is None:
        return 0.0
    a = math.radians(abs(angle))
    return max(ticks.widths) * math.sin(a) + ticks.lines * 1.3 * ticks.font * math.cos(a) + 6


def _tick_overhang(ticks: _Ticks, plot_w: float) -> float:
    """How far the last label, tilted by 30°, reaches right of the plot area."""
    return ticks.widths[-1] * math.cos(math.radians(30)) - plot_w / (2 * len(ticks.widths))


def _x_axis_layout(fig: go.Figure, cartesian: list, base_size: float, width: float, margin_l: float,
                   margin_r: float) -> tuple[float, float]:
    """The x labels' angle, set on the figure (Plotly's automatic choice moved with the margins it then grew:
    a tilted last label widened the right margin, the narrower plot turned the labels upright and the legend
    rewrapped, and the legend printed over the source line), and the right margin a tilted last label needs.
    Returns (right margin, room below the plot for the labels and the axis title)."""
    title = 32 if fig.layout.xaxis.title.text else 0
    ticks = _x_ticks(fig, cartesian, base_size) if cartesian else None
    if ticks is None:  # numbers or dates: one flat line of labels
        xfont = float(fig.layout.xaxis.tickfont.size or base_size)
        return margin_r, (14 + xfont + 6 + title if cartesian else 10.0)
    angle = fig.layout.xaxis.tickangle
    if not isinstance(angle, (int, float)):
        angle = _tick_angle(ticks, max(width - margin_l - margin_r, 50))
        if angle == 30:
            overhang = _tick_overhang(ticks, max(width - margin_l - margin_r, 50))
            wider = max(margin_r, _PAD + overhang + 4)
            if _tick_angle(ticks, max(width - margin_l - wider, 50)) == 30:
                margin_r = wider
            else:  # no room for the tilted last label: upright labels, which hang down only
                angle = 90
        fig.update_xaxes(tickangle=angle)
    return margin_r, 14 + _tick_height(ticks, angle) + title


def _is_below_plot(a) -> bool:
    """An annotation placed below the plot area (the on-screen source line)."""
    return (a.yref in (None, "paper")) and a.y is not None and (a.y < 0 or (a.y == 0 and (a.yshift or 0) < 0))


def _set_footer(fig: go.Figure, footer_lines: list[str], x: float, y: float) -> None:
    """Replace the annotations below the plot area by the footer, at (x, y) in plot-area fractions."""
    kept = [a for a in (fig.layout.annotations or ()) if not _is_below_plot(a)]
    footer = go.layout.Annotation(
        text="<br>".join(html.escape(line, quote=False) for line in footer_lines),
        xref="paper", yref="paper",
        x=x, xanchor="left",
        y=y, yanchor="bottom",
        align="left", showarrow=False,
        font=dict(size=11, color="#444444", family=FONT_FAMILY),
    )
    fig.layout.annotations = [*kept, footer] if footer_lines else kept


def _header_html(title_lines: list[str], filter_lines: list[str]) -> str:
    return "<br>".join(
        [f"<b>{html.escape(line, quote=False)}</b>" for line in title_lines]
        + [f'<span style="font-size:13px;color:#555555">{html.escape(line, quote=False)}</span>'
           for line in filter_lines]
    )


def export_figure(spec: ChartSpec, lang: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT) -> go.Figure:
    """A new figure sized for print that carries the title, the filters, the source line and the as-of date.

    ``spec.figure`` is deep-copied, never changed. Annotations placed below the plot area (the on-screen source line)
    are replaced by this function's footer so the source is not printed twice. A horizontal legend is moved just above
    the footer.

    Plotly cannot pin an annotation to the canvas, only to the plot area, and it grows margins for long tick labels and
    legends. So the margins are *measured* here (DejaVu Sans metrics for category labels and legend names) and set
    generously enough that Plotly has no reason to grow them, which keeps the footer exactly where it is put.
    """
    from lib.charts_map import embed_shapes

    # a deep copy (plotly copies the data and layout), with the map's shapes embedded (the page names them by URL)
    fig = go.Figure(embed_shapes(spec.figure))
    # A chart drawn taller on screen than the print page (a ranking of 63 provinces) keeps its height,
    # so that every label stays readable.
    height = export_height(spec, height)
    base_size = float(fig.layout.font.size or 12)
    text_px = width - 2 * _PAD

    title_lines = _wrap_px(spec.title, text_px, 18, bold=True)[:3] or [" "]
    filter_lines = _wrap_px(prefixed(spec.filters, t("export_filters", lang)), text_px, 13)[:2]
    footer_lines = _footer_lines(spec, lang, text_px)
    footer_h = 15 * len(footer_lines)

    # ---- horizontal space ---------------------------------------------------------------------------------------
    cartesian = [t for t in fig.data if _is_cartesian(t)]
    old = fig.layout.margin
    margin_l = _margin_left(fig, cartesian, base_size)
    legend = _legend_facts(fig, base_size)
    horizontal_legend = legend.below
    margin_r, axis_room = _x_axis_layout(fig, cartesian, base_size, width, margin_l,
                                         _margin_right(fig, legend, width, margin_l))
    plot_w = max(width - margin_l - margin_r, 50)

    # ---- vertical space ---------------------------------------------------------------------------------------
    # Title and filters are one Plotly title (pinned to the canvas top); every line takes ~23.5 px (1.3 × 18 px).
    header_lines = len(title_lines) + len(filter_lines)
    margin_t = max(float(old.t or 0), 9 + 23.5 * header_lines + 22)
    legend_h = _legend_height(legend, plot_w)
    margin_b = max(float(old.b or 0), axis_room + legend_h + footer_h + 16)
    plot_h = max(height - margin_t - margin_b, 50)

    # ---- footer (annotations are placed in plot-area fractions, so convert from pixels) ------------------------
    _set_footer(fig, footer_lines, -(margin_l - _PAD) / plot_w, -(margin_b - 8) / plot_h)

    if horizontal_legend:
        fig.update_layout(legend=dict(xref="container", yref="container", x=_PAD / width, xanchor="left",
                                      y=(8 + footer_h + 6) / height, yanchor="bottom"))

    fig.update_layout(
        width=width,
        height=height,
        autosize=False,
        paper_bgcolor="white",
        plot_bgcolor=fig.layout.plot_bgcolor or "white",  # keeps the heatmap's grey "no data" cells
        font=dict(family=FONT_FAMILY, color="#222222"),
        # Measured: with yanchor="top" Plotly draws a multi-line title 13 px too high, so move it down by that much.
        # (Plotly's separate title.subtitle is not used: its second line overlaps the first.)
        title=dict(
            text=_header_html(title_lines, filter_lines),
            subtitle=dict(text=""),  # drop an on-screen subtitle: the filters line replaces it
            x=_PAD / width, xanchor="left", xref="container",
            y=1 - (14 + (13 if header_lines > 1 else 0)) / height, yanchor="top", yref="container",
            font=dict(size=18, color="#111111", family=FONT_FAMILY),
            pad=dict(l=0, t=0, b=0, r=0),
        ),
        margin=dict(t=margin_t, b=margin_b, l=margin_l, r=margin_r, autoexpand=True),
    )
    # The default template's grey plot area would vanish on white; keep a light grid where none was set.
    fig.for_each_xaxis(lambda ax: ax.update(gridcolor="#e6e6e6") if ax.gridcolor is None else None)
    fig.for_each_yaxis(lambda ax: ax.update(gridcolor="#e6e6e6") if ax.gridcolor is None else None)
    return fig


def notes_text(spec: ChartSpec, lang: str) -> str:
    """The speaker notes / PDF notes: the method note, filters, source, as-of date, then the long notes."""
    parts = [
        spec.note,
        prefixed(spec.filters, t("export_filters", lang)),
        prefixed(spec.source, t("export_source", lang)),
        prefixed(spec.as_of, t("export_as_of", lang)),
    ]
    text = "\n".join(p for p in parts if p)
    if spec.notes.strip():
        text += f"\n\n{t('export_notes', lang)}:\n{spec.notes.strip()}"
    return text
