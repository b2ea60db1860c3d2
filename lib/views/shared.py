"""What every page's view shares: labels, the view's basis and period, a chart's notes, sources and file
name (make_spec), merger notes, and the `reads` mark of what a view function reads."""

from __future__ import annotations

import pandas as pd

from lib import charts as C
from lib import citations as cite
from lib.data import Frames
from lib.export.spec import ChartSpec, safe_filename
from lib.filters import Boundaries, FilterState, unit_labels, unit_names
from lib.i18n import STRINGS, fmt_date, t
from lib.safe_text import md_escape, plot_escape, plot_to_text
from lib.views.describe import describe

# Display limits of a chart's filter and as-of lines (the rest is counted: "(+3)").
NAMES_SHOWN = 6


DATES_SHOWN = 6


def indicator_titles(frames: Frames, lang: str) -> dict[str, str]:
    """Every indicator's title in `lang` by id (plain text); once per dataset (sidebar, pages and tables)."""
    ind = frames.indicators
    return frames.remember(f"indicator_titles_{lang}", lambda: dict(zip(ind["id"], ind[f"title_{lang}"])))


def labels_for(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label in `lang`; computed once per dataset (pages ask for it several times a rerun)."""
    return frames.remember(f"labels_{lang}", lambda: unit_labels(frames.units, lang))


def plot_labels(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label escaped for Plotly (its labels read HTML-like tags): what figures get, while
    tables and captions get `labels_for`."""
    return frames.remember(f"plot_labels_{lang}",
                           lambda: {k: plot_escape(v) for k, v in labels_for(frames, lang).items()})


def md_labels(frames: Frames, lang: str) -> dict[str, str]:
    """Every unit's label escaped for Streamlit's Markdown (notes, captions)."""
    return frames.remember(f"md_labels_{lang}", lambda: {k: md_escape(v) for k, v in labels_for(frames, lang).items()})


def targets_of(frames: Frames, indicator: str) -> pd.DataFrame:
    """The targets legal texts set on one indicator (drawn on its charts)."""
    return frames.targets[frames.targets["indicator"] == indicator]


def _same_basis(obs: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """Ranks only against rankings of the view's basis: 63 provinces or 34 units, never mixed."""
    basis = Boundaries(boundaries).basis
    return obs[obs["basis"].isna() | (obs["basis"] == basis)]


def in_period(obs: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    return obs[obs["year"].between(*state.years)]


def filters_line(frames: Frames, state: FilterState) -> str:
    lang = state.lang
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" (+{len(names) - NAMES_SHOWN})" if len(names) > NAMES_SHOWN else "")
    return (f"{t('boundaries', lang)}: {t('boundaries_' + state.boundaries, lang)} · "
            f"{t('provinces', lang)}: {shown or '—'} · {t('period', lang)}: {C.period_text(state.years)}")


def as_of_text(obs: pd.DataFrame, lang: str) -> str:
    if obs.empty:
        return ""
    # The precision (year, month, day) comes from the loader with each date; nothing re-guesses it.
    firsts = dict(sorted(dict(zip(obs["date"], obs["precision"])).items()))
    dates = list(firsts)
    shown = [fmt_date(d, p, lang) for d, p in list(firsts.items())[:DATES_SHOWN]]
    more = f" (+{len(dates) - DATES_SHOWN})" if len(dates) > DATES_SHOWN else ""
    return f"{', '.join(shown)}{more}"


def cited_sources(obs: pd.DataFrame, frames: Frames, lang: str) -> list[tuple[str, list[str]]]:
    """Every source behind a chart as a reader cites it (lib.citations.citation), with the as-of dates it
    supports in `lang`'s format, in the order the chart first uses them."""
    src = cite.by_id(frames.sources)
    dates: dict[str, set[str]] = {}
    pairs = obs[["source", "date"]].drop_duplicates()  # each (source, date) once, in order of first use
    for value, date in zip(pairs["source"], pairs["date"]):
        for sid in C.source_ids([value]):
            dates.setdefault(sid, set()).add(date)
    return [(cite.citation(src[sid], lang), [cite.date_text(d, lang) for d in sorted(dates[sid])])
            for sid in dates if sid in src]


def _notes(cited: list[tuple[str, list[str]]], lang: str) -> str:
    return "\n".join(f"- {c} ({t('as_of', lang)} {', '.join(d)})" for c, d in cited)


def notes_text(obs: pd.DataFrame, frames: Frames, lang: str) -> str:
    """The sources of a chart for its notes: one citation a line, with the as-of dates it supports."""
    return _notes(cited_sources(obs, frames, lang), lang)


PRINT_TABLE_ROWS = 8  # the numbers printed beside a chart in the packs: the selected units' newest values


def numbers_table(obs: pd.DataFrame, frames: Frames, state: FilterState) -> tuple:
    """A chart's numbers for print, as plain text: the selected units' newest value of each indicator and
    year the chart draws, at most PRINT_TABLE_ROWS rows and then one saying how many more the chart draws
    ((header, rows); () when the rows lack values)."""
    need = {"unit", "indicator", "value", "year", "as_of"}
    if obs.empty or not need <= set(obs.columns):
        return ()
    lang = state.lang
    rows = obs[obs["unit"].isin(state.units)].sort_values("as_of", kind="stable")
    rows = rows.groupby(["unit", "indicator", "year"], as_index=False).tail(1)
    if rows.empty:
        return ()
    order = {u: i for i, u in enumerate(state.units)}
    rows = rows.assign(_u=rows["unit"].map(order)).sort_values(["indicator", "_u", "year"])
    rows = rows[rows["value"].notna()]
    left_out = len(rows) - PRINT_TABLE_ROWS
    rows = rows.head(PRINT_TABLE_ROWS)
    labels, titles = labels_for(frames, lang), indicator_titles(frames, lang)
    many = rows["indicator"].nunique() > 1
    body = tuple((labels.get(u, u) + (f" · {titles[i]}" if many else ""), str(int(y)),
                  C.format_obs(v, C.meta_of(frames.indicators, i), lang))
                 for u, i, y, v in zip(rows["unit"], rows["indicator"], rows["year"], rows["value"]))
    if body and left_out > 0:  # a reader must not take the last unit's absence for no data
        body += ((t("print_rows_more", lang, n=int(left_out)), "", ""),)
    return ((t("col_unit", lang), t("col_year", lang), t("col_value", lang)), body) if body else ()


def chart_file_name(key: str, lang: str) -> str:
    """The start of a chart's file name in `lang` (lib.export.formats.FILE_STARTS)."""
    from lib.export.formats import file_start

    return file_start(key, lang)


def _drawn_years(obs: pd.DataFrame, state: FilterState) -> tuple[int, int]:
    """The span of the years of the values (or events) a chart draws; the filter's only when it draws none."""
    cols = [obs[c] for c in ("year",) if c in obs]
    if "date" in obs:
        cols.append([int(d[:4]) for d in obs["date"] if isinstance(d, str) and d[:4].isdigit()])
    span = C.span_of(*cols)
    return span if span != (0, 0) else state.years


def make_spec(key: str, fig, obs: pd.DataFrame, frames: Frames, state: FilterState, meta: dict | None,
              title: str, years: tuple[int, int] | None = None) -> ChartSpec:
    lang = state.lang
    stem_title = meta[f"title_{lang}"] if meta else ""
    # The chart's own name first: the ranking and the compare bars of one indicator never share a file name.
    # The period in the file name is the span of the values drawn, as in the title (never the filter's).
    drawn = years or _drawn_years(obs, state)
    stem = safe_filename(chart_file_name(key, lang), stem_title, t("file_units", lang, n=len(state.units)),
                         C.period_text(drawn).replace("–", "-"), ext="").rstrip(".")
    cited = cited_sources(obs, frames, state.lang)
    message = t(f"msg_{key}", state.lang, n=obs["unit"].nunique() if "unit" in obs else 0,
                period=C.period_text(drawn)) if f"msg_{key}" in STRINGS else ""
    # The spec's texts are plain (page text, print title, slides); the figure's labels are Plotly markup.
    return ChartSpec(key=key, figure=fig, title=plot_to_text(title), filename_stem=stem,
                     filters=filters_line(frames, state),
                     source=plot_to_text(C.source_line(obs["source"], frames.sources, state.lang), sep=" ")
                     if len(obs) else "",
                     as_of=as_of_text(obs, state.lang), notes=_notes(cited, state.lang),
                     note=plot_to_text(C.figure_note(fig), sep=" ") if hasattr(fig, "layout") else "",
                     cited=tuple(c for c, _ in cited), message=message,
                     table=lambda: numbers_table(obs, frames, state),  # only a pack prints them: made then
                     alt=describe(plot_to_text(title), obs, meta, labels_for(frames, state.lang), state))


def merger_notes(frames: Frames, state: FilterState) -> list[str]:
    """Each merger behind the selection, said once in plain words (Markdown-escaped):
    'Từ 1/7/2025, Quảng Bình và Quảng Trị hợp nhất thành Quảng Trị (từ 7/2025).'"""
    lang = state.lang
    units = frames.units.set_index("code")
    labels = labels_for(frames, lang)
    out, said = [], set()
    for code in state.units:
        if code not in units.index:
            continue
        succ = code if units.loc[code, "predecessors"] else units.loc[code, "successor"]
        if not isinstance(succ, str) or succ in said or succ not in units.index:
            continue
        said.add(succ)
        names = [md_escape(n) for n in unit_names(frames.units, units.loc[succ, "predecessors"], lang)]
        joined = f" {t('and', lang)} ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
        out.append(t("merger_sentence", lang, names=joined, name=md_escape(labels[succ])))
    return out


def not_combinable_notes(status: pd.DataFrame, frames: Frames, state: FilterState, *, year: int | None = None,
                         vobs: pd.DataFrame | None = None) -> list[str]:
    """For the chosen indicator and the selected new units: why a value could not be combined, with
    the predecessors' own values. With `year`, only that year; with `vobs`, not where the new unit has a
    value of its own (e.g. the ministry's DTI 2024 on the 34 units)."""
    if status.empty:
        return []
    lang = state.lang
    meta = C.meta_of(frames.indicators, state.indicator)
    rows = status[(status["indicator"] == state.indicator) & status["unit"].isin(state.units)
                  & status["year"].between(*state.years) & (status["status"] != "combined")]
    if year is not None:
        rows = rows[rows["year"] == year]
    if vobs is not None and len(rows):
        own = vobs[(vobs["indicator"] == state.indicator) & ~vobs["derived"].fillna(False).astype(bool)]
        have = set(zip(own["unit"], own["year"]))
        rows = rows[[(u, y) not in have for u, y in zip(rows["unit"], rows["year"])]]
    labels = md_labels(frames, lang)
    out = []
    for _, r in rows.iterrows():
        vals = "; ".join(f"{labels.get(u, u)}: {md_escape(C.format_obs(v, meta, lang))} ({md_escape(d)})"
                         for u, v, d, _ in r["inputs"] if True)
        missing = ", ".join(md_escape(n) for n in unit_names(frames.units, r["missing"], lang))
        why = t(f"reason_{r['status']}", lang).format(m=missing)
        head = f"**{labels.get(r['unit'], r['unit'])} · {r['year']}**"
        out.append(f"{head} — {t('not_combinable', lang)} ({why}). {vals}")
    return out


def reads(*fields: str):
    """Declares the only filters a view function reads (lib.ui.computed then keys its result by those: the
    map is not redrawn when the start of the period moves). The others reach it as None, so reading one
    fails loudly instead of replaying a stale result."""
    def mark(fn):
        fn.reads = fields
        return fn
    return mark


def coverage_note(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> str:
    """'2/4 tỉnh có số liệu · không có số liệu: A, B' when some selected units have no value of the chosen
    indicator in the period (Markdown-escaped); '' when all have one."""
    rows = _same_basis(in_period(vobs[(vobs["indicator"] == state.indicator) & vobs["unit"].isin(state.units)], state),
                       state.boundaries)
    have = set(rows["unit"])
    missing = [u for u in state.units if u not in have]
    if not missing or not state.units:
        return ""
    labels = md_labels(frames, state.lang)
    return t("thin_coverage", state.lang, k=len(state.units) - len(missing), n=len(state.units),
             names=", ".join(labels.get(u, u) for u in missing))


def pack_texts(specs: list[ChartSpec], frames: Frames, state: FilterState) -> dict:
    """Title, subtitle, the full list of sources cited by the charts and the targets' lines, for the briefing
    pack."""
    return {**pack_heading(specs, frames, state), "targets": pack_target_lines(frames, state)}


def pack_heading(specs: list[ChartSpec], frames: Frames, state: FilterState) -> dict:
    """Title, subtitle and the full list of sources cited by the charts (cheap: drawn with every run's buttons;
    the targets' lines are built only when a pack is, `pack_target_lines`)."""
    lang = state.lang
    cited = list(dict.fromkeys(c for spec in specs for c in spec.cited))
    names = unit_names(frames.units, state.units, lang)
    shown = ", ".join(names[:8]) + (f" (+{len(names) - 8})" if len(names) > 8 else "")
    return {"title": t("app_title", lang),
            "subtitle": f"{shown} · {C.period_text(state.years)} · {t('boundaries_' + state.boundaries, lang)}",
            "sources": cited}


def pack_target_lines(frames: Frames, state: FilterState) -> list[str]:
    from lib.views.targets import pack_lines

    return pack_lines(frames, state)


def derived_text(derived, rule, lang: str) -> str:
    """How a value combined from the predecessors' says so, with its rule in words ("giá trị tính gộp: tổng
    của các tỉnh cũ"); "" for a value of the unit's own."""
    if derived is None or pd.isna(derived) or not bool(derived):  # NaN or False: the unit's own value
        return ""
    key = f"derived_{rule}"
    return t(key, lang) if key in STRINGS else t("derived", lang)


@reads("boundaries", "units", "lang")
def merger_notes_of(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[str]:
    """merger_notes as a view function, for lib.ui.computed (2–3 ms a run on the overview and the timeline)."""
    return merger_notes(frames, state)


def not_combinable_of(vobs: pd.DataFrame, frames: Frames, state: FilterState, year: int | None) -> list[str]:
    """not_combinable_notes of the view's combining status, for lib.ui.computed (6 ms a run in the 34 view)."""
    from lib.combine import view_observations

    return not_combinable_notes(view_observations(frames, state.boundaries)[1], frames, state, year=year, vobs=vobs)
