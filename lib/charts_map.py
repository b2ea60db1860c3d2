"""The choropleth map of one indicator in one year: a pure figure builder (frames in, a new figure out).

What it draws, and why:

- the shapes of ``lib.geo`` on Plotly geo subplots with no base map: no tile server, no network. Plotly.js
  fetches its world topojson from a CDN for a geo subplot whose *first* trace has a ``locationmode``
  (every choropleth has one), even with every base layer hidden; so each geo subplot here starts with a
  plain lon/lat ``Scattergeo`` (the archipelago labels, or an empty anchor), which it never fetches for;
- a sequential single-hue scale (ColorBrewer Blues, colour-blind safe), darker = better: reversed when
  lower is better (ranks: 1st is darkest), with a colour bar that says so in the chosen language. The
  lightest data colour is a clear blue, never white or grey;
- units without a value in a separate trace: light grey with diagonal hatching and a legend entry
  "Không có dữ liệu" / "No data", so a missing value can never be read as a low one (also in greyscale);
- derived values (computed from predecessors in the 34-unit view) marked on the map by a white dot with
  a dark ring on the unit, with a legend entry; the hover says "giá trị tính gộp" and the rule;
- the selected units outlined by a dark line on a white halo, visible on light and dark fills;
- Hoàng Sa and Trường Sa always drawn (they are parts of Đà Nẵng's and Khánh Hòa's shapes) and labelled;
- an inset of the Red River Delta (a second geo subplot, same data) so that its small provinces (Bắc
  Ninh, Hưng Yên, Hà Nam, ...) can be seen and hovered; a dashed box on the main map shows its extent.

Each trace carries only the shapes it draws, so the figure sends the country's geometry about once.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from lib import geo
from lib.charts import (
    FONT,
    HIGHLIGHT,
    NO_DATA,
    _finish,
    _hover,
    _source_texts,
    chart_title,
    empty_figure,
    ind_unit,
    is_bound,
    latest_per_unit,
    source_line,
)
from lib.draft import Draft
from lib.i18n import t
from lib.safe_text import plot_escape

# ColorBrewer Blues without its two near-white steps: the palest value must not look like "no data".
SCALE = [[0.0, "#c6dbef"], [0.2, "#9ecae1"], [0.4, "#6baed6"], [0.6, "#4292c6"], [0.8, "#2171b5"],
         [1.0, "#08306b"]]
TRANSPARENT = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
BORDER = "#8c8c8c"  # province borders: grey, so that the tiny reefs of the archipelagos stay visible on white
HATCH = "#9a9a9a"
HATCH_SPACING = {"geo": 0.22, "geo2": 0.06}  # degrees: ~8 px apart on the main map, ~10 px in the inset
HALO_MAX = 12  # above this many selected units the outline has no white halo (each halo resends their shapes)
HEIGHT = 680
MAIN_DOMAIN = {"x": [0.0, 0.5], "y": [0.0, 1.0]}
INSET_DOMAIN = {"x": [0.53, 1.0], "y": [0.3, 0.94]}
MAIN_BOX: geo.Box = (101.9, 6.5, 117.5, 23.6)  # the mainland, Hoàng Sa and Trường Sa



def _lower_is_better(meta: dict) -> bool:
    return meta["kind"] == "rank" or not bool(meta["higher_is_better"])


def _colour_range(rows: pd.DataFrame, meta: dict) -> tuple[float, float]:
    """Ranks on their full scale (1 … out of), so that a colour means the same place whoever has data."""
    lo, hi = float(rows["value"].min()), float(rows["value"].max())
    if meta["kind"] == "rank":
        out_of = pd.to_numeric(rows.get("out_of"), errors="coerce").max() if "out_of" in rows else None
        return 1.0, float(out_of) if pd.notna(out_of) and out_of > 1 else max(hi, 2.0)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _colorbar(meta: dict, lang: str, zmax: float) -> dict:
    """Horizontal, under the inset; ranks get a tick at 1 (the best), since that is the one readers look for."""
    unit = plot_escape(ind_unit(meta, lang)) or t("map_value", lang)
    bar = {"title": {"text": f"{unit}<br><sup>{t('map_better', lang)}</sup>", "side": "top"},
           "orientation": "h", "x": sum(INSET_DOMAIN["x"]) / 2, "xanchor": "center", "y": INSET_DOMAIN["y"][0] - 0.1,
           "yanchor": "top", "len": 0.34, "thickness": 12, "outlinewidth": 0, "tickfont": {"size": 10}}
    if meta["kind"] == "rank":
        bar |= {"tickmode": "array", "tickvals": [1, *range(10, int(zmax) + 1, 10)]}
    return bar


def _derived(rows: pd.DataFrame) -> pd.Series:
    return rows["derived"].fillna(False).astype(bool) if "derived" in rows else pd.Series(False, index=rows.index)


def _anchor(subplot: str) -> dict:
    """An empty lon/lat trace that must come first in its geo subplot (see the module docstring)."""
    return dict(type="scattergeo", lon=[], lat=[], mode="markers", geo=subplot, hoverinfo="skip", showlegend=False)


def _labels(lang: str) -> dict:
    """The archipelagos' names at fixed positions next to them; hovering gives the full name."""
    a = geo.ARCHIPELAGOS
    return dict(type="scattergeo",
        lon=[x.lon for x in a], lat=[x.lat for x in a], mode="text", text=[x.label[lang] for x in a],
        textposition="top center", textfont={"size": 10, "color": "#333", "family": FONT},
        hovertext=[x.name[lang] for x in a], hoverinfo="text", showlegend=False, geo="geo",
    )


def _inset_box() -> dict:
    """A dotted frame on the main map around the area the inset enlarges."""
    x0, y0, x1, y1 = geo.DELTA_BOX
    return dict(type="scattergeo", lon=[x0, x1, x1, x0, x0], lat=[y0, y0, y1, y1, y0], mode="lines", geo="geo",
                line={"color": "#555", "width": 1, "dash": "dot"}, hoverinfo="skip", showlegend=False)


def _shapes(boundaries: str, codes: list[str], subplot: str, by_url: bool = False) -> dict | str:
    """The GeoJSON a trace carries: its own units only; in the inset, cut to the inset's box. With `by_url`, the
    address of the view's (or the inset's) static file instead, when it exists (lib.geo.static_url): the
    browser fetches it once, and the trace's locations pick the units it draws."""
    url = geo.static_url(boundaries, subplot != "geo") if by_url else None
    if url:
        return url
    return geo.subset(boundaries, codes) if subplot == "geo" else geo.clipped_subset(boundaries, codes)


def embed_shapes(fig: go.Figure) -> go.Figure:
    """`fig` with every shape named by URL embedded again, as map_figure draws it without `by_url` (a new
    figure; `fig` itself when nothing is named by URL). For kaleido and HTML files, which have no server."""
    named = [i for i, tr in enumerate(fig.data) if isinstance(getattr(tr, "geojson", None), str)]
    if not named:
        return fig
    out = go.Figure(fig)
    for i in named:
        trace = out.data[i]
        key = geo.static_key(trace.geojson)
        if key is None:
            raise ValueError(f"unknown address of map shapes: {trace.geojson!r}")
        boundaries, clipped = key
        codes = list(trace.locations)
        trace.geojson = geo.clipped_subset(boundaries, codes) if clipped else geo.subset(boundaries, codes)
    return out


def _value_trace(rows: pd.DataFrame, meta: dict, lang: str, boundaries: str, subplot: str,
                 zrange: tuple[float, float], by_url: bool) -> dict:
    codes = list(rows["unit"])
    return dict(type="choropleth",
        geojson=_shapes(boundaries, codes, subplot, by_url), featureidkey="properties.code", locations=codes,
        z=list(rows["value"]), zmin=zrange[0], zmax=zrange[1], colorscale=SCALE, reversescale=_lower_is_better(meta),
        showscale=subplot == "geo", colorbar=_colorbar(meta, lang, zrange[1]),
        marker={"line": {"color": BORDER, "width": 0.5}}, hovertext=list(rows["hover"]), hoverinfo="text",
        showlegend=False, geo=subplot, name=t("map_value", lang),
    )


def _no_data_traces(missing: list[str], labels: dict[str, str], lang: str, boundaries: str,
                    subplot: str, by_url: bool) -> list[dict]:
    """Grey shapes plus their hatching (one legend entry for both)."""
    name = t("map_no_data", lang)
    shapes = dict(type="choropleth",
        geojson=_shapes(boundaries, missing, subplot, by_url), featureidkey="properties.code", locations=missing,
        z=[0] * len(missing), colorscale=[[0, NO_DATA], [1, NO_DATA]], showscale=False,
        marker={"line": {"color": BORDER, "width": 0.5}}, name=name, legendgroup="no-data",
        showlegend=subplot == "geo", hovertext=[f"<b>{labels.get(c, c)}</b><br>{name}" for c in missing],
        hoverinfo="text", geo=subplot,
    )
    hatch = geo.hatch_lines(boundaries, HATCH_SPACING[subplot], None if subplot == "geo" else geo.DELTA_BOX)
    lons = [x for c in missing for x in hatch.get(c, ([], []))[0]]
    lats = [y for c in missing for y in hatch.get(c, ([], []))[1]]
    lines = dict(type="scattergeo", lon=lons, lat=lats, mode="lines", line={"color": HATCH, "width": 0.6},
                 hoverinfo="skip", showlegend=False, legendgroup="no-data", geo=subplot)
    return [shapes, lines] if lons else [shapes]


def _derived_marks(rows: pd.DataFrame, lang: str, boundaries: str, subplot: str) -> dict:
    """A white dot with a dark ring on each unit whose value is derived (legend: "Giá trị tính gộp")."""
    points = geo.label_points(boundaries, None if subplot == "geo" else geo.DELTA_BOX)
    return dict(type="scattergeo",
        lon=[points[c][0] for c in rows["unit"]], lat=[points[c][1] for c in rows["unit"]], mode="markers",
        marker={"symbol": "circle", "size": 8, "color": "white", "line": {"color": "#111", "width": 2}},
        name=t("map_derived", lang), legendgroup="derived", showlegend=subplot == "geo",
        hovertext=list(rows["hover"]), hoverinfo="text", geo=subplot,
    )


def _outline_traces(codes: list[str], lang: str, boundaries: str, subplot: str,
                    by_url: bool) -> list[dict]:
    """A white halo under a dark line: readable on the palest and the darkest fill alike."""
    common = dict(geojson=_shapes(boundaries, codes, subplot, by_url), featureidkey="properties.code", locations=codes,
                  z=[0] * len(codes), colorscale=TRANSPARENT, showscale=False, hoverinfo="skip", geo=subplot,
                  legendgroup="selected", showlegend=False)
    traces = [dict(type="choropleth", marker={"line": {"color": HIGHLIGHT, "width": 2}}, **common)]
    if len(codes) <= HALO_MAX:
        traces.insert(0, dict(type="choropleth", marker={"line": {"color": "white", "width": 4.5}}, **common))
    if subplot == "geo":  # a choropleth's own legend symbol would be its (transparent) fill: show a line instead
        traces.append(dict(type="scattergeo", lon=[None], lat=[None], mode="lines",
                           line={"color": HIGHLIGHT, "width": 3}, name=t("map_selected", lang),
                           legendgroup="selected", geo=subplot))
    return traces


def _subplot_traces(subplot: str, rows: pd.DataFrame, missing: list[str], selected: list[str], *, meta: dict,
                    lang: str, boundaries: str, labels: dict[str, str], zrange: tuple[float, float],
                    by_url: bool = False) -> list:
    """Everything one geo subplot draws, bottom to top; its first trace is a plain lon/lat one (no network)."""
    traces: list = [_labels(lang) if subplot == "geo" else _anchor(subplot)]
    if len(rows):
        traces.append(_value_trace(rows, meta, lang, boundaries, subplot, zrange, by_url))
    if missing:
        traces += _no_data_traces(missing, labels, lang, boundaries, subplot, by_url)
    if rows["derived"].any():
        traces.append(_derived_marks(rows[rows["derived"]], lang, boundaries, subplot))
    if selected:
        traces += _outline_traces(selected, lang, boundaries, subplot, by_url)
    return traces


def _geo_layout(domain: dict, box: geo.Box, *, frame: bool) -> dict:
    return {"domain": domain, "visible": False, "showframe": frame, "framecolor": "#999", "framewidth": 1,
            "projection": {"type": "mercator"}, "lonaxis": {"range": [box[0], box[2]]},
            "lataxis": {"range": [box[1], box[3]]}, "bgcolor": "rgba(0,0,0,0)"}


def _latest(rows: pd.DataFrame, meta: dict, view: list[str]) -> pd.DataFrame:
    """The newest value of the indicator per unit of the view."""
    # A bound ("< 10 %") is no colour on a scale: the unit is drawn as one without a value.
    rows = rows[rows["unit"].isin(view) & rows["value"].notna() & ~is_bound(rows)]
    if "indicator" not in rows:
        return rows.sort_values("as_of").drop_duplicates("unit", keep="last")
    return latest_per_unit(rows[rows["indicator"] == meta["id"]])


def map_figure(rows: pd.DataFrame, meta: dict, labels: dict[str, str], highlight: Iterable[str], *,
               lang: str, year: int, boundaries: str, sources: pd.DataFrame, unit_codes: list[str],
               by_url: bool = False) -> go.Figure:
    """Every unit of the view (``unit_codes``) coloured by its value in ``year``, or hatched grey without one.

    ``rows`` are observations of ``meta``'s indicator (columns as for ``lib.charts.ranking_figure``; the newest
    per unit is used); ``boundaries`` is "63" or "34"; ``highlight`` the selected unit codes (not outlined when
    every unit is selected: that would say nothing). ``by_url``: the shapes named by the address of their
    static file (the page), not carried (see ``_shapes``; ``embed_shapes`` makes the carried figure of it)."""
    title = chart_title(meta, lang, (year, year))
    view = [c for c in unit_codes if c in set(geo.codes(boundaries))]
    rows = _latest(rows, meta, view)
    if rows.empty:
        return empty_figure(t("no_data_filters", lang), title, lang)
    src_text = _source_texts(rows, sources, lang)
    rows = rows.assign(hover=[_hover(r, meta, lang, labels.get(r["unit"], r["unit"]), src_text)
                              for r in rows.to_dict("records")], derived=_derived(rows))
    missing = [c for c in view if c not in set(rows["unit"])]
    chosen = set(highlight)
    selected = [c for c in view if c in chosen] if not set(view) <= chosen else []
    zrange = _colour_range(rows, meta)
    fig = Draft()  # the traces as dicts, made one figure unchecked at the end (lib.draft)
    for subplot, shown in (("geo", set(view)), ("geo2", geo.codes_in_box(boundaries))):
        fig.add_traces(_subplot_traces(
            subplot, rows[rows["unit"].isin(shown)], [c for c in missing if c in shown],
            [c for c in selected if c in shown], meta=meta, lang=lang, boundaries=boundaries, labels=labels,
            zrange=zrange, by_url=by_url))
    fig.add_trace(_inset_box())
    fig.update_layout(
        geo=_geo_layout(MAIN_DOMAIN, MAIN_BOX, frame=False),
        geo2=_geo_layout(INSET_DOMAIN, geo.DELTA_BOX, frame=True),
        annotations=[{"text": t("map_inset", lang), "xref": "paper", "yref": "paper",
                      "x": sum(INSET_DOMAIN["x"]) / 2, "y": INSET_DOMAIN["y"][1], "xanchor": "center",
                      "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#444"}}],
        dragmode=False,
    )
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang, height=HEIGHT)
