"""Print: legible charts for the packs and the brief — a ranking or heatmap split into parts that print at
≥ 9 pt, the print fonts, which charts take the whole width, and the PDF's set-up (metadata, fonts, margins)."""

from __future__ import annotations

import math
import re

import plotly.graph_objects as go

from lib.charts.common import NO_DATA
from lib.export.layout import FONT_BOLD, FONT_REGULAR, has_colorbar, legend_shown
from lib.export.spec import ChartSpec
from lib.i18n import t

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
HEATMAP_LABEL_CHARS = 44  # a printed heatmap's row name: at most two lines of this many characters
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


def _rewrap_rows(fig: go.Figure, width: int) -> None:
    """The row names on fewer, longer lines (the screen's wrap is for a phone): at print size three lines of
    12 px ran into the next row's."""
    from lib.charts.common import wrap

    names = {y: wrap(re.sub(r"<br\s*/?>", " ", y), width) for y in fig.data[0].y if isinstance(y, str)}
    for trace in fig.data:
        if trace.y is not None:
            trace.y = [names.get(y, y) if isinstance(y, str) else y for y in trace.y]


def _grey_cells_drawn(fig: go.Figure) -> None:
    """A heatmap part without one coloured cell (values of another year, or nothing to compare): Plotly draws
    no cell and no word of a heatmap without a number, and the part printed as an empty box. Its grey cells
    and their words drawn by a grey layer under it; the heatmap keeps its settings, so the part is printed as wide
    as the others (Plotly draws no colour bar for it, having no colour to show)."""
    heat = fig.data[0]
    if heat.type != "heatmap" or not all(v is None or v != v for r in heat.z for v in r):
        return
    fig.add_trace(go.Heatmap(z=[[0] * len(r) for r in heat.z], x=heat.x, y=heat.y, text=heat.text,
                             texttemplate=heat.texttemplate, textfont=heat.textfont, xgap=heat.xgap,
                             ygap=heat.ygap, colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
                             hoverinfo="skip", showlegend=False))


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
    own = table if spec.key.endswith("ranking") else (spec.numbers if i == k - 1 else ())
    return replace(spec, figure=fig, title=title, table=own)


def _print_fonts(spec: ChartSpec) -> ChartSpec:
    """The figure with no text under PRINT_FONT px and no taller than the printed page allows."""
    from dataclasses import replace

    fig = go.Figure(spec.figure)
    if fig.data and fig.data[0].type == "heatmap":  # a whole heatmap or one part of it
        _grey_cells_drawn(fig)
        _rewrap_rows(fig, HEATMAP_LABEL_CHARS)
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
    if _event_lanes(fig):  # the timeline: its dozen entries beside the plot, which keeps the page's height
        fig.update_layout(legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top",
                                  "entrywidth": None, "entrywidthmode": None},
                          margin={"b": 0})  # the screen's room for the legend below: export_figure sets its own
    elif fig.layout.legend.orientation == "h":  # above the plot it would cover the printed header: move it below,
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
    """Whether the chart needs the page's whole width in print: a colour bar or a legend at its side, or the
    timeline's milestone lanes (a second row of categories), whose numbered labels need the room."""
    fig = spec.figure
    side_legend = legend_shown(fig) and fig.layout.legend.orientation not in (None, "h")
    return has_colorbar(fig) or side_legend or _event_lanes(fig)


def _event_lanes(fig: go.Figure) -> bool:
    """The timeline's second row: its milestones in one lane of categories per unit."""
    return "yaxis2" in fig.layout and fig.layout.yaxis2.type == "category"


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
