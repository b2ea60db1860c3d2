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


def _legend_shown(fig: go.Figure) -> bool:
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    shown = [t for t in fig.data if t.showlegend is not False]
    return len(shown) >= 2 or any(t.type == "pie" for t in fig.data)


def _has_colorbar(fig: go.Figure) -> bool:
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
    ylabels = [s for t in cartesian for s in _str_values(t.y)] + _str_values(fig.layout.yaxis.ticktext)
    ytick_w = max((_text_w(s, yfont) for s in ylabels), default=0) if ylabels else 5 * 0.62 * yfont
    ytitle = 26 if fig.layout.yaxis.title.text else 0
    return max(margin_l, _PAD + ytitle + ytick_w + 12)


def _legend_facts(fig: go.Figure, base_size: float) -> tuple[bool, bool, float, list[str], str]:
    """(shown at the side, shown below horizontally, its font size, its names, its title)."""
    legend = fig.layout.legend
    show_legend = _legend_shown(fig)
    legend_inside = (legend.x is not None and 0 <= legend.x <= 1 and legend.y is not None and 0 <= legend.y <= 1)
    legend_font = float(legend.font.size or base_size)
    names = [str(t.name) for t in fig.data if t.name and t.showlegend is not False]
    legend_title = str(legend.title.text or "")
    horizontal_legend = show_legend and not legend_inside and legend.orientation == "h"
    side_legend = show_legend and not legend_inside and not horizontal_legend
    return side_legend, horizontal_legend, legend_font, names, legend_title


def _margin_right(fig: go.Figure, legend: tuple, width: int, margin_l: float) -> float:
    """Room for a legend at the side (measured) or a colour bar."""
    side_legend, _, legend_font, names, legend_title = legend
    margin_r = max(float(fig.layout.margin.r or 0), _PAD + 6)
    if side_legend:
        legend_w = max([_text_w(n, legend_font) for n in names] + [_text_w(legend_title, legend_font)], default=0)
        margin_r = max(margin_r, _PAD + 0.02 * (width - margin_l - margin_r) + 40 + legend_w + 14)
    if _has_colorbar(fig):
        margin_r = max(margin_r, _PAD + 110)
    return margin_r


def _legend_height(legend: tuple, text_px: float) -> float:
    """The height of a horizontal legend below the plot: its items wrapped into rows of the print width."""
    _, horizontal_legend, legend_font, names, legend_title = legend
    if not horizontal_legend:
        return 0.0
    per_row = text_px - (_text_w(legend_title, legend_font) + 10 if legend_title else 0)
    items = [40 + _text_w(n, legend_font) + 10 for n in names]
    rows, used = 1, 0.0
    for w in items:
        if used and used + w > per_row:
            rows, used = rows + 1, 0.0
        used += w
    return rows * (legend_font + 10) + 6


def _tick_height(max_w: float, xfont: float, n_labels: int, angle, plot_w: float) -> float:
    """The height of the x axis's tick labels: at their set angle, or as Plotly turns them when they do not fit."""
    if isinstance(angle, (int, float)):
        a = math.radians(abs(angle))
        return max_w * math.sin(a) + xfont * math.cos(a)
    if not n_labels or max_w + 10 <= plot_w / n_labels:
        return xfont + 6  # labels fit side by side
    if plot_w / n_labels >= 2.2 * xfont:
        return 0.5 * max_w + xfont  # Plotly tilts them by 30°
    return max_w + 6  # Plotly turns them by 90°


def _axis_room(fig: go.Figure, cartesian: list, base_size: float, plot_w: float) -> float:
    """The room below the plot area for the x axis's tick labels and title."""
    if not cartesian:
        return 10.0
    xfont = float(fig.layout.xaxis.tickfont.size or base_size)
    xlabels = list(dict.fromkeys(s for t in cartesian for s in _str_values(t.x)))
    max_w = max((_text_w(s, xfont) for s in xlabels), default=0.0)
    tick_h = _tick_height(max_w, xfont, len(xlabels), fig.layout.xaxis.tickangle, plot_w)
    return 14 + tick_h + (32 if fig.layout.xaxis.title.text else 0)


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
    horizontal_legend = legend[1]
    margin_r = _margin_right(fig, legend, width, margin_l)
    plot_w = max(width - margin_l - margin_r, 50)

    # ---- vertical space ---------------------------------------------------------------------------------------
    # Title and filters are one Plotly title (pinned to the canvas top); every line takes ~23.5 px (1.3 × 18 px).
    header_lines = len(title_lines) + len(filter_lines)
    margin_t = max(float(old.t or 0), 9 + 23.5 * header_lines + 22)
    legend_h = _legend_height(legend, text_px)
    axis_room = _axis_room(fig, cartesian, base_size, plot_w)
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


# --- Print: legible charts for the packs ------------------------------------------------------------------------------

# A chart is printed at about 60 % of a slide's or an A4 landscape page's width, with its numbers beside it.
# Its smallest text is the 11 px footer: drawn W px wide and printed P pt wide, it is 11·P/W pt, so W is
# chosen for P/W ≥ 0.82 (9 pt). The rest of its text is set to at least PRINT_FONT px for print.
PPTX_PRINT_WIDTH = 720  # printed 8.2 in (590 pt) wide on a 13.33 in slide
PDF_PRINT_WIDTH = 620  # printed 179 mm (507 pt) wide: 60 % of an A4 landscape page (297 mm)
# A chart with a colour bar or a legend at its side needs the whole width (its numbers go below or after it).
PPTX_WIDE_WIDTH = 1080  # printed 12.3 in (886 pt) wide
PDF_WIDE_WIDTH = 920  # printed 267 mm (757 pt) wide
PRINT_MAX_HEIGHT = 510  # px, the print figure's height at most (the page's height at that scale)
WIDE_MAX_HEIGHT = 590  # px, the same for a chart printed the whole width (PDF: 590 px ≈ 170 mm at 0.82 pt/px)
PRINT_FONT = 12
PART_ROWS = 13  # a ranking with more rows is split into parts of at most this many
PART_PITCH = 18  # px per row of a printed ranking part


HEATMAP_PART_ROWS = 8  # a heatmap of more rows (indicators) is split the same way
HEATMAP_PITCH = 26


def _one_row_per_category(fig: go.Figure) -> bool:
    """A ranking (one trace whose y holds one category, a unit, per row) or a heatmap (one row per y). Other
    traces may only mark some of those rows (a ring of uncertainty, a bound's words) or be a legend entry."""
    if not fig.data or fig.data[0].type not in ("bar", "scatter", "heatmap") or fig.data[0].y is None:
        return False
    rows = list(fig.data[0].y)
    if not all(isinstance(v, str) for v in rows):
        return False
    return all(set(_categories(tr)) <= set(rows) for tr in fig.data[1:])


def _categories(trace) -> list[str]:
    """The row categories a companion trace marks (none for a legend-only entry)."""
    return [v for v in (trace.y if trace.y is not None else ()) if v is not None]


def _keep_rows(trace, keep: set[str]) -> None:
    """A companion trace cut to the points on the kept rows (a legend-only entry stays as it is)."""
    ys = list(trace.y) if trace.y is not None else []
    if not _categories(trace) or trace.type == "heatmap":
        return
    idx = [i for i, v in enumerate(ys) if v in keep]
    for attr in ("x", "y", "text", "hovertext"):
        value = getattr(trace, attr, None)
        if value is not None and not isinstance(value, str):
            setattr(trace, attr, [list(value)[i] for i in idx])


def _slice_trace(trace, sl: slice) -> None:
    if trace.type == "heatmap":  # rows: y and the rows of every 2-D array
        trace.y = list(trace.y)[sl]
        for attr in ("z", "text", "hovertext"):
            value = getattr(trace, attr, None)
            if value is not None and not isinstance(value, str):
                setattr(trace, attr, [list(r) for r in list(value)[sl]])
        return
    for attr in ("x", "y", "text", "hovertext"):
        value = getattr(trace, attr, None)
        if value is not None and not isinstance(value, str):
            setattr(trace, attr, list(value)[sl])
    color = trace.marker.color if trace.marker is not None else None
    if color is not None and not isinstance(color, str):
        trace.marker.color = list(color)[sl]


def _part(spec: ChartSpec, sl: slice, i: int, k: int, lang: str) -> ChartSpec:
    from dataclasses import replace

    from lib.safe_text import plot_to_text

    fig = go.Figure(spec.figure)
    _slice_trace(fig.data[0], sl)
    for trace in fig.data[1:]:
        _keep_rows(trace, set(fig.data[0].y))
    ticks = list(fig.layout.yaxis.ticktext or fig.data[0].y)
    if fig.layout.yaxis.tickvals is not None:
        fig.update_yaxes(tickvals=list(fig.layout.yaxis.tickvals)[sl], ticktext=list(fig.layout.yaxis.ticktext)[sl])
        ticks = ticks[sl]
    heat = fig.data[0].type == "heatmap"
    fig.update_layout(height=(HEATMAP_PITCH * len(ticks) + 250) if heat else (PART_PITCH * len(ticks) + 150))
    values = [plot_to_text(str(v)) for v in (fig.data[0].text or [""] * len(ticks))]
    header = (f"{t('col_position', lang)} · {t('col_unit', lang)}", t("col_value", lang))
    table = (header, tuple((plot_to_text(str(a)), b) for a, b in zip(ticks, values)))
    title = spec.title if k == 1 else f"{spec.title} · {t('export_part', lang, i=i + 1, n=k)}"
    # A ranking part's table is its own rows; another chart's numbers are printed once, after its last part.
    own = table if spec.key.endswith("ranking") else (spec.table if i == k - 1 else ())
    return replace(spec, figure=fig, title=title, table=own)


def _print_fonts(spec: ChartSpec) -> ChartSpec:
    """The figure with no text under PRINT_FONT px and no taller than the printed page allows."""
    from dataclasses import replace

    fig = go.Figure(spec.figure)
    fig.update_layout(font={"size": max(PRINT_FONT, fig.layout.font.size or 0)},
                      legend={"font": {"size": PRINT_FONT}})
    fig.update_xaxes(tickfont={"size": PRINT_FONT})
    fig.update_yaxes(tickfont={"size": PRINT_FONT})
    for trace in fig.data:
        if "textfont" in trace._valid_props:  # noqa: SLF001 - plotly has no public "has textfont"
            trace.textfont.size = PRINT_FONT
    for ann in fig.layout.annotations or ():
        ann.font.size = max(PRINT_FONT, ann.font.size or 0)
    cap = PRINT_MAX_HEIGHT - 120 if not print_wide(spec) else WIDE_MAX_HEIGHT - 120
    fig.update_layout(height=min(int(fig.layout.height or PRINT_MAX_HEIGHT), cap))
    if fig.layout.xaxis.side == "top":  # labels above the plot would run into the printed header
        fig.update_xaxes(side="bottom")
    for trace in fig.data:  # a colour bar at the side, where export_figure keeps room for it (not on the labels)
        if trace.type == "heatmap" and trace.showscale is not False:
            trace.colorbar.update(orientation="v", x=1.02, xanchor="left", y=0.5, yanchor="middle", len=0.9,
                                  thickness=14, title={"side": "top"})
    if fig.layout.legend.orientation == "h":  # above the plot it would cover the printed header: move it below,
        fig.update_layout(legend={"y": -0.2})  # where export_figure reserves its room above the footer
    return replace(spec, figure=fig)


def print_parts(spec: ChartSpec, lang: str) -> list[ChartSpec]:
    """The chart as printed in a pack: a ranking of more than PART_ROWS rows split into parts of at most that
    many (each legible on its page, each with its rows' numbers as its table), every chart with print fonts."""
    fig = spec.figure
    rows = HEATMAP_PART_ROWS if fig.data and fig.data[0].type == "heatmap" else PART_ROWS
    if not _one_row_per_category(fig) or len(fig.data[0].y) <= rows:
        return [_print_fonts(spec)]
    n = len(fig.data[0].y)
    k = math.ceil(n / rows)
    size = math.ceil(n / k)
    return [_print_fonts(_part(spec, slice(i * size, min(n, (i + 1) * size)), i, k, lang)) for i in range(k)]


def print_wide(spec: ChartSpec) -> bool:
    """Whether the chart needs the page's whole width in print: a colour bar or a legend at its side."""
    fig = spec.figure
    side_legend = _legend_shown(fig) and fig.layout.legend.orientation not in (None, "h")
    return _has_colorbar(fig) or side_legend


def setup_pdf(pdf, title: str, lang: str, *, bottom: float) -> float:
    """A briefing PDF's common set-up (metadata, the DejaVu fonts for Vietnamese, margins); the usable width."""
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("provinces dashboard")
    pdf.add_font("DejaVu", fname=str(FONT_REGULAR))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=bottom)
    return pdf.w - pdf.l_margin - pdf.r_margin
