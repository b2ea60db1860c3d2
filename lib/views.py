"""What each page shows, as plain functions of (frames, view observations, filter state).

Pages call these and only render the result, so the logic is tested without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib import charts as C
from lib.data import Frames
from lib.export import ChartSpec, safe_filename
from lib.filters import FilterState, unit_labels, unit_names
from lib.i18n import fmt_date, t


def labels_for(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label in `lang`; computed once per dataset (pages ask for it several times a rerun)."""
    return frames.remember(f"labels_{lang}", lambda: unit_labels(frames.units, lang))


def _same_basis(obs: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """Ranks only against rankings of the view's basis: 63 provinces or 34 units, never mixed."""
    basis = 63 if boundaries == "63" else 34
    return obs[obs["basis"].isna() | (obs["basis"] == basis)]


def in_period(obs: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    return obs[obs["year"].between(*state.years)]


def filters_line(frames: Frames, state: FilterState) -> str:
    lang = state.lang
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:6]) + (f" (+{len(names) - 6})" if len(names) > 6 else "")
    return (f"{t('boundaries', lang)}: {t('boundaries_' + state.boundaries, lang)} · "
            f"{t('provinces', lang)}: {shown or '—'} · {t('period', lang)}: {C.period_text(state.years)}")


def as_of_text(obs: pd.DataFrame, lang: str) -> str:
    if obs.empty:
        return ""
    dates = sorted(set(obs["date"]))
    shown = [fmt_date(d, "year" if len(d) == 4 else "month" if len(d) == 7 else "day", lang) for d in dates[:6]]
    more = f" (+{len(dates) - 6})" if len(dates) > 6 else ""
    return f"{', '.join(shown)}{more}"


def notes_text(obs: pd.DataFrame, frames: Frames, lang: str) -> str:
    """Every source behind a chart, with its link and the as-of dates it supports."""
    src = frames.sources.set_index("id")
    lines = []
    ids = list(dict.fromkeys(p for s in obs["source"] for p in str(s).split("; ")))
    for sid in ids:
        if sid not in src.index:
            continue
        s = src.loc[sid]
        dates = sorted(set(obs.loc[obs["source"].str.contains(sid, regex=False), "date"]))
        text = lambda v: v if isinstance(v, str) and v else ""  # noqa: E731 - missing fields are NaN/None
        where = text(s["url"]) or (f"shared/research/{s['file']}" if text(s["file"]) else "")
        lines.append(f"- {s['publisher']}: {s['title']} ({text(s['published']) or '—'}) {where} "
                     f"[{t('as_of', lang)} {', '.join(dates)}]")
    return "\n".join(lines)


def make_spec(key: str, fig, obs: pd.DataFrame, frames: Frames, state: FilterState, meta: dict | None,
              title: str) -> ChartSpec:
    stem_title = C.ind_title(meta, "vi") if meta else key
    stem = safe_filename(stem_title, f"{len(state.units)} tinh", C.period_text(state.years).replace("–", "-"),
                         ext="").rstrip(".")
    return ChartSpec(key=key, figure=fig, title=title, filename_stem=stem, filters=filters_line(frames, state),
                     source=C.source_line(obs["source"], frames.sources, state.lang).replace("<br>", " ") if len(obs) else "",
                     as_of=as_of_text(obs, state.lang), notes=notes_text(obs, frames, state.lang))


# --- Overview --------------------------------------------------------------------------------------


@dataclass
class Card:
    indicator: str
    unit: str
    label: str
    value: str
    delta: str | None
    delta_good: bool | None
    as_of: str
    derived: bool
    low_confidence: bool


def overview_cards(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[Card]:
    """The latest value per (selected unit, indicator) in the period, with the change since the previous."""
    lang = state.lang
    rows = _same_basis(in_period(vobs[vobs["unit"].isin(state.units)], state), state.boundaries)
    labels = labels_for(frames, lang)
    cards = []
    order = {u: i for i, u in enumerate(state.units)}
    ind_order = dict(zip(frames.indicators["id"], frames.indicators["order"]))
    for (ind, unit), g in rows.groupby(["indicator", "unit"]):
        g = g.sort_values("as_of")
        meta = C.meta_of(frames.indicators, ind)
        last = g.iloc[-1]
        value = C.format_obs(last["value"], meta, lang, last["qualifier"])
        if meta["kind"] == "rank" and pd.notna(last["out_of"]):
            value += f" / {int(last['out_of'])}"
        delta = good = None
        if len(g) > 1 and meta["kind"] != "milestone":
            prev = g.iloc[-2]
            diff = last["value"] - prev["value"]
            sign = "+" if diff > 0 else "-" if diff < 0 else "±"  # ASCII "-": Streamlit reads it as a fall
            num = C.format_obs(abs(diff), meta, lang).replace(" %", " " + t("percentage_points", lang))
            delta = f"{sign}{num} {t('change_since', lang, date=fmt_date(prev['as_of'], prev['precision'], lang))}"
            better_high = meta["higher_is_better"] and meta["kind"] != "rank"
            good = None if diff == 0 else (diff > 0) == better_high
        cards.append(Card(ind, unit, labels.get(unit, unit), value, delta, good,
                          last["period"] or fmt_date(last["as_of"], last["precision"], lang),
                          bool(last.get("derived", False)), last["confidence"] == "low"))
    cards.sort(key=lambda c: (ind_order.get(c.indicator, 999), order.get(c.unit, 999)))
    return cards


def merger_notes(frames: Frames, state: FilterState) -> list[str]:
    """'Quảng Trị (từ 7/2025): thành lập 1/7/2025 từ Quảng Bình và Quảng Trị' for each selected new unit."""
    lang = state.lang
    units = frames.units.set_index("code")
    labels = labels_for(frames, lang)
    out = []
    for code in state.units:
        if code not in units.index:
            continue
        preds = units.loc[code, "predecessors"]
        if preds:
            names = unit_names(frames.units, preds, lang)
            joined = f" {t('and', lang)} ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
            out.append(f"{labels[code]}: {t('formed_from', lang, names=joined)}")
        elif isinstance(units.loc[code, "successor"], str):
            out.append(f"{labels[code]}: {t('merged_into', lang, name=labels[units.loc[code, 'successor']])}")
    return out


def not_combinable_notes(status: pd.DataFrame, frames: Frames, state: FilterState) -> list[str]:
    """For the chosen indicator and the selected new units: why a value could not be combined, with
    the predecessors' own values."""
    if status.empty:
        return []
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = status[(status["indicator"] == state.indicator) & status["unit"].isin(state.units)
                  & status["year"].between(*state.years) & (status["status"] != "combined")]
    labels = labels_for(frames, lang)
    reason = {"not_combinable": {"vi": "chỉ tiêu loại này không cộng gộp", "en": "this kind of indicator is never combined"},
              "missing_predecessor": {"vi": "thiếu số liệu của {m}", "en": "no value for {m}"},
              "no_weight": {"vi": "thiếu trọng số", "en": "weight not known for every predecessor"},
              "qualified_value": {"vi": "có giá trị ước (>, <)", "en": "an input is not exact (>, <)"}}
    out = []
    for _, r in rows.iterrows():
        vals = "; ".join(f"{labels.get(u, u)}: {C.format_obs(v, meta, lang)} ({d})"
                         for u, v, d, _ in r["inputs"] if True)
        why = reason[r["status"]][lang].format(m=", ".join(unit_names(frames.units, r["missing"], lang)))
        out.append(f"**{labels.get(r['unit'], r['unit'])} · {r['year']}** — {t('not_combinable', lang)} ({why}). {vals}")
    return out


def ranking_spec(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> tuple[ChartSpec, int, int]:
    """The ranking of all units with the indicator, in the latest year of the period in which a selected
    unit has data (else the latest year with any data)."""
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _same_basis(in_period(vobs[vobs["indicator"] == state.indicator], state), state.boundaries)
    mine = rows[rows["unit"].isin(state.units)]
    year = int((mine if len(mine) else rows)["year"].max()) if len(rows) else state.years[1]
    shown = rows[rows["year"] == year]
    fig = C.ranking_figure(shown, meta, labels_for(frames, lang), state.units, lang=lang, year=year,
                           sources=frames.sources)
    title = C.chart_title(meta, lang, (year, year))
    return make_spec("overview-ranking", fig, shown, frames, state, meta, title), shown["unit"].nunique(), year


# --- Compare ---------------------------------------------------------------------------------------


def latest_normalised(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Latest value per unit and indicator in the period, scored 0–1 against every unit of the view."""
    rows = _same_basis(in_period(vobs, state), state.boundaries)
    rows = rows[rows["indicator"].isin(frames.indicators.loc[frames.indicators["kind"] != "milestone", "id"])]
    return C.normalise(C.latest_per_unit(rows), frames.indicators)


def compare_specs(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[ChartSpec]:
    lang = state.lang
    labels = labels_for(frames, lang)
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = _same_basis(vobs, state.boundaries)
    bar_obs = in_period(rows[(rows["indicator"] == state.indicator) & rows["unit"].isin(state.units)], state)
    bars = C.grouped_bar_figure(rows, meta, labels, state.units, lang=lang, years=state.years, sources=frames.sources)
    latest = latest_normalised(vobs, frames, state)
    sel = latest[latest["unit"].isin(state.units)]
    heat = C.heatmap_figure(latest, frames.indicators, labels, state.units, lang=lang, years=state.years,
                            sources=frames.sources)
    radar = C.radar_figure(latest, frames.indicators, labels, state.units, lang=lang, years=state.years,
                           sources=frames.sources)
    return [
        make_spec("compare-bars", bars, bar_obs, frames, state, meta, C.chart_title(meta, lang, state.years)),
        make_spec("compare-heatmap", heat, sel, frames, state, None, heat.layout.title.text),
        make_spec("compare-radar", radar, sel, frames, state, None, radar.layout.title.text),
    ]


# --- Timeline --------------------------------------------------------------------------------------


def timeline_specs(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[ChartSpec]:
    from lib.combine import predecessor_history

    lang = state.lang
    labels = labels_for(frames, lang)
    meta = C.meta_of(frames.indicators, state.indicator)
    history = predecessor_history(frames, state.units) if state.boundaries == "34" else None
    merged = [u for u in state.units if u in set(frames.units.loc[frames.units["era"] == "post", "code"])]
    rows = in_period(vobs[(vobs["indicator"] == state.indicator) & vobs["unit"].isin(state.units)], state)
    line = C.timeline_figure(vobs, frames.events, meta, labels, state.units, lang=lang, years=state.years,
                             sources=frames.sources, history=history, merger_units=merged)
    evs = frames.events[[any(u in state.units for u in us) for us in frames.events["units"]]]
    # In the 34-unit view a new unit's agreements include its predecessors' (drawn on their own rows).
    gantt_units = list(state.units) + (sorted(set(history["unit"])) if history is not None and len(history)
                                       else [p for u in state.units for p in
                                             frames.units.set_index("code").loc[u, "predecessors"]]
                                       if state.boundaries == "34" else [])
    gantt = C.gantt_figure(frames.events, labels, gantt_units, lang=lang, years=state.years, sources=frames.sources)
    hist_rows = history[history["indicator"] == state.indicator] if history is not None else rows.iloc[0:0]
    used = pd.concat([rows, hist_rows, evs.assign(date=evs["date"])[["source", "date"]]], ignore_index=True)
    ag = evs[evs["kind"] == "agreement"]
    return [
        make_spec("timeline-lines", line, used, frames, state, meta, line.layout.title.text),
        make_spec("timeline-gantt", gantt, ag[["source", "date"]], frames, state, None, gantt.layout.title.text),
    ]


def events_table(frames: Frames, state: FilterState) -> pd.DataFrame:
    lang = state.lang
    labels = labels_for(frames, lang)
    ev = frames.events[[any(u in state.units for u in us) for us in frames.events["units"]]]
    ev = ev[ev["as_of"].dt.year.between(*state.years)].sort_values("as_of")
    src = frames.sources.set_index("id")
    return pd.DataFrame({
        ("Ngày" if lang == "vi" else "Date"): [fmt_date(d, "day" if len(d) == 10 else "month", lang) for d in ev["date"]],
        ("Sự kiện" if lang == "vi" else "Event"): ev[f"title_{lang}"],
        (t("provinces", lang)): [", ".join(labels.get(u, u) for u in us) for us in ev["units"]],
        (t("source", lang)): [src.loc[s, "publisher"] if s in src.index else s for s in ev["source"]],
        ("Trích dẫn" if lang == "vi" else "Quote"): ev["quote"],
    })


# --- Sources & data --------------------------------------------------------------------------------


def data_table(vobs: pd.DataFrame, frames: Frames, state: FilterState, *, all_indicators: bool = True) -> pd.DataFrame:
    """Every observation behind the filters, with its source title and link, as-of date and quote."""
    lang = state.lang
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    if not all_indicators:
        rows = rows[rows["indicator"] == state.indicator]
    labels = labels_for(frames, lang)
    ind = frames.indicators.set_index("id")
    src = frames.sources.set_index("id")
    rows = rows.sort_values(["unit", "indicator", "as_of"])

    def src_field(ids: str, f: str) -> str:
        return " | ".join(str(src.loc[s, f] or "") for s in str(ids).split("; ") if s in src.index)

    vi = lang == "vi"
    return pd.DataFrame({
        ("Tỉnh/đơn vị" if vi else "Unit"): [labels.get(u, u) for u in rows["unit"]],
        ("Chỉ tiêu" if vi else "Indicator"): [ind.loc[i, f"title_{lang}"] for i in rows["indicator"]],
        ("Giá trị" if vi else "Value"): [C.format_obs(v, C.meta_of(frames.indicators, i), lang, q)
                                         + (f" / {int(o)}" if pd.notna(o) else "")
                                         for v, i, q, o in zip(rows["value"], rows["indicator"], rows["qualifier"], rows["out_of"])],
        ("Giá trị số" if vi else "Numeric value"): rows["value"].to_numpy(),
        ("Đơn vị đo" if vi else "Unit of measure"): [ind.loc[i, f"unit_{lang}"] for i in rows["indicator"]],
        ("Thời điểm" if vi else "As of"): [p or fmt_date(a, pr, lang) for p, a, pr in
                                          zip(rows["period"], rows["as_of"], rows["precision"])],
        ("Tính gộp" if vi else "Derived"): [(t("derived", lang) + f" ({r})") if d else "" for d, r in
                                           zip(rows.get("derived", False), rows.get("rule", None))],
        ("Nguồn" if vi else "Source"): [src_field(s, "title") for s in rows["source"]],
        ("Nhà xuất bản" if vi else "Publisher"): [src_field(s, "publisher") for s in rows["source"]],
        ("Liên kết" if vi else "Link"): [src_field(s, "url") for s in rows["source"]],
        ("Trích dẫn" if vi else "Quote"): rows["quote"].to_numpy(),
        ("Độ tin cậy" if vi else "Confidence"): [t("low_confidence", lang) if c == "low" else "" for c in rows["confidence"]],
    })


def coverage_matrix(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Province × indicator: the latest year with data in the period, or empty."""
    lang = state.lang
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    labels = labels_for(frames, lang)
    if rows.empty:
        return pd.DataFrame()
    m = rows.groupby(["unit", "indicator"])["year"].max().unstack()
    inds = [i for i in frames.indicators["id"] if i in m.columns]
    m = m.reindex(index=[u for u in state.units if u in m.index], columns=inds)
    m.index = [labels.get(u, u) for u in m.index]
    m.columns = [frames.indicators.set_index("id").loc[i, f"title_{lang}"] for i in inds]
    return m.astype("Int64").astype("string").fillna("")


def sources_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    ids = list(dict.fromkeys(p for s in rows["source"] for p in str(s).split("; ")))
    return frames.sources[frames.sources["id"].isin(ids)].reset_index(drop=True)


def pack_texts(specs: list[ChartSpec], frames: Frames, state: FilterState) -> dict:
    """Title, subtitle and the full list of sources cited by the charts, for the briefing pack."""
    lang = state.lang
    cited: list[str] = []
    for spec in specs:
        for line in spec.notes.splitlines():
            entry = line.lstrip("- ").split(" [")[0].strip()
            if entry and entry not in cited:
                cited.append(entry)
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:8]) + (f" (+{len(names) - 8})" if len(names) > 8 else "")
    return {"title": t("app_title", lang),
            "subtitle": f"{shown} · {C.period_text(state.years)} · {t('boundaries_' + state.boundaries, lang)}",
            "sources": cited}


SOURCE_COLUMNS = {
    "id": ("Mã", "ID"), "publisher": ("Nhà xuất bản", "Publisher"), "title": ("Tiêu đề", "Title"),
    "author": ("Tác giả", "Author"), "url": ("Liên kết", "Link"), "file": ("Tệp lưu", "Stored file"),
    "published": ("Ngày đăng", "Published"), "published_note": ("Ghi chú ngày đăng", "Date note"),
    "accessed": ("Ngày truy cập", "Accessed"), "language": ("Ngôn ngữ", "Language"),
    "confidence": ("Độ tin cậy", "Confidence"), "confidence_note": ("Ghi chú độ tin cậy", "Confidence note"),
}


def localise_sources(sources: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sources table with column names in the reader's language."""
    k = 0 if lang == "vi" else 1
    return sources.rename(columns={c: v[k] for c, v in SOURCE_COLUMNS.items()})


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the page shows of data_table: without the machine-readable number column, and without the
    'derived' column when nothing is derived (the downloads keep everything)."""
    vi = lang == "vi"
    out = table.drop(columns=["Giá trị số" if vi else "Numeric value"])
    derived_col = "Tính gộp" if vi else "Derived"
    if not out[derived_col].astype(bool).any():
        out = out.drop(columns=[derived_col])
    return out
