"""The compare page's figures: scores within a year, heatmap, radar, sub-indices, scatter."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sequential

from lib.charts.common import (
    DASHES,
    HEATMAP_TEXT_MAX,
    HIGHLIGHT,
    MUTED,
    NO_DATA,
    PALETTE,
    PATTERNS,
    RADAR_MAX,
    SUBINDEX_MAX,
    SYMBOLS,
    UNCERTAIN,
    _finish,
    _hover,
    _ring,
    _source_texts,
    _unit,
    _val,
    empty_figure,
    ind_title,
    is_bound,
    period_text,
    rank_axis,
    source_line,
    span_of,
    whole_ticks,
    wrap,
)
from lib.data import rows_by_id
from lib.draft import Draft
from lib.i18n import fmt_value, t
from lib.safe_text import plot_escape

# Plotly's Cividis as the stops its property check writes for colorscale="Cividis" (figures from lib.draft are
# not checked; plotly.js has a "Cividis" of its own, in other colours)
CIVIDIS = [[i / (len(sequential.Cividis) - 1), c] for i, c in enumerate(sequential.Cividis)]


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


def _heat_cell(c: dict | None, m: dict, u: str, labels: dict[str, str], lang: str,
               sources: pd.DataFrame) -> tuple[float | None, str, str]:
    """One cell's (score, text, hover): missing is grey "—"; a value not scored is written, not coloured."""
    if c is None:
        # the words would not fit a narrow cell; the hover and the note below say them
        return None, "—", f"<b>{labels.get(u, u)}</b><br>{ind_title(m, lang)}<br>{t('no_data', lang)}"
    text_hover = f"{_hover(c, m, lang, labels.get(u, u), sources)}<br>{ind_title(m, lang)}"
    if pd.isna(c["score"]):  # another year than the row's, or nothing to compare: shown, not coloured
        other = int(c["year"]) != int(c["row_year"])
        why = "heatmap_other_year" if other else "heatmap_no_comparison"
        return (None, _val(c["value"], m, lang, c["qualifier"]) + (f" ({int(c['year'])})" if other else ""),
                f"{text_hover}<br><i>{t(why, lang, year=int(c['row_year']))}</i>")
    return float(c["score"]), _val(c["value"], m, lang, c["qualifier"]), text_hover


def _heat_grid(cells: dict, inds: list[str], units: list[str], metas: dict, labels: dict[str, str], lang: str,
               sources: pd.DataFrame) -> tuple[list, list, list]:
    """(z, text, hover), a row per indicator and a column per unit."""
    z, text, hover = [], [], []
    for i in inds:
        row = [_heat_cell(cells.get((i, u)), metas[i], u, labels, lang, sources) for u in units]
        z.append([c[0] for c in row])
        text.append([c[1] for c in row])
        hover.append([c[2] for c in row])
    return z, text, hover


def _heat_rings(fig: Draft, cells: dict, inds: list[str], units: list[str], text: list, xcat: list,
                ylabels: list, lang: str) -> None:
    """Uncertain values: "○" after the value written in the cell, or a ring over a cell of colour only."""
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
    z, text, hover = _heat_grid(cells, inds, units, metas, labels, lang, sources)
    row_year = dict(zip(rows["indicator"], rows["row_year"]))
    ylabels = [wrap(f"{ind_title(metas[i], lang)} ({int(row_year[i])})", 26) for i in inds]
    fig = Draft(dict(type="heatmap",
        # Above a region's size the cells are too narrow for words: colour and hover only (grey = no data).
        z=z, x=[wrap(labels.get(u, u), 18) for u in units], y=ylabels, text=text,
        texttemplate="%{text}" if len(units) <= HEATMAP_TEXT_MAX else None,
        textfont={"size": 10}, hovertext=hover, hoverinfo="text", colorscale=CIVIDIS, zmin=0, zmax=1,
        xgap=2, ygap=2,  # the colour bar lies under the grid: on a phone every pixel of width goes to the cells
        colorbar={"title": {"text": "0–1", "side": "right"}, "thickness": 10, "orientation": "h", "len": 0.6,
                  "x": 0.5, "xanchor": "center", "y": -0.02, "yanchor": "top"},
    ))
    fig.update_layout(plot_bgcolor=NO_DATA)
    xcat = [wrap(labels.get(u, u), 18) for u in units]
    _heat_rings(fig, cells, inds, units, text, xcat, ylabels, lang)
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


def _radar_polygon(fig: Draft, k: int, r: pd.DataFrame, inds: list[str], theta: list[str], metas: dict, name: str,
                   lang: str, ringed: bool) -> bool:
    """One unit's polygon (gaps stay gaps) and rings on its uncertain points; returns whether any ring is drawn."""
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
    return ringed


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
        ringed = _radar_polygon(fig, k, r, inds, theta, metas, t("radar_year_name", lang, name=labels.get(u, u),
                                                                   year=year), lang, ringed)
    fig.update_layout(polar={"radialaxis": {"range": [0, 1], "tickvals": [0, 0.5, 1]},
                             "angularaxis": {"tickfont": {"size": 9}}})
    return _finish(fig, title, source_line(rows["source"], sources, lang), lang=lang, height=540, bottom=110,
                   legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "xanchor": "left"})



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
