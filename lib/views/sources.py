"""Nguồn dữ liệu / Sources & data: every value behind the filters with its source, the coverage matrix, the
sources table and what the dataset holds."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib import charts as C
from lib import citations as cite
from lib.data import Frames
from lib.filters import FilterState
from lib.i18n import fmt_date, period_label, t
from lib.views.shared import derived_text, in_period, indicator_titles, labels_for, reads
from lib.views.timeline import numbered_events


def data_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Every observation behind the filters, with its source title and link, as-of date and quote."""
    lang = state.lang
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    labels = labels_for(frames, lang)
    ind = frames.indicators.set_index("id")
    rows = rows.sort_values(["unit", "indicator", "as_of"])
    cited = cite.by_id(frames.sources)

    def src_field(ids: str, f) -> str:
        """One citation part (lib.citations) of each source behind a value, joined."""
        return " | ".join(f(cited[s], lang) for s in C.source_ids([ids]) if s in cited)

    return pd.DataFrame({
        t("col_unit", lang): [labels.get(u, u) for u in rows["unit"]],
        t("col_indicator", lang): [ind.loc[i, f"title_{lang}"] for i in rows["indicator"]],
        t("col_value", lang): [C.format_obs(v, C.meta_of(frames.indicators, i), lang, q)
                                         + (f" / {int(o)}" if pd.notna(o) else "")
                                         for v, i, q, o in zip(rows["value"], rows["indicator"], rows["qualifier"],
                                                               rows["out_of"])],
        t("col_numeric_value", lang): rows["value"].to_numpy(),
        t("col_unit_of_measure", lang): [ind.loc[i, f"unit_{lang}"] for i in rows["indicator"]],
        t("col_as_of", lang): [period_label(p, lang) or fmt_date(a, pr, lang) for p, a, pr in
                                          zip(rows["period"], rows["as_of"], rows["precision"])],
        t("col_derived", lang): [derived_text(d, r, lang) for d, r in
                                 zip(rows.get("derived", [False] * len(rows)), rows.get("rule", [None] * len(rows)))],
        t("col_source", lang): [src_field(s, cite.what) for s in rows["source"]],
        t("col_publisher", lang): [src_field(s, cite.who) for s in rows["source"]],
        t("col_date_published", lang): [src_field(s, cite.when) for s in rows["source"]],
        t("col_link", lang): [src_field(s, cite.link) for s in rows["source"]],
        t("col_quote", lang): rows["quote"].to_numpy(),
        t("col_confidence", lang): [t(f"confidence_{c}", lang) if c in C.UNCERTAIN else "" for c in rows["confidence"]],
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
    titles = indicator_titles(frames, lang)
    m.columns = [titles[i] for i in inds]
    return m.astype("Int64").astype("string").fillna("")


def sources_table(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """Every source behind the filters: of the values and of the events (the timeline names an event's source
    only by publisher and year; its full citation is here and in the downloads' sources sheet)."""
    rows = in_period(vobs[vobs["unit"].isin(state.units)], state)
    ids = set(C.source_ids(rows["source"])) | set(numbered_events(frames, state)["source"])
    return frames.sources[frames.sources["id"].isin(ids)].reset_index(drop=True)


def dataset_counts(frames: Frames, state: FilterState) -> list[tuple[str, int]]:
    """What the dataset holds, for the sources page: units of the current boundaries (63 or 34, not the
    86 records of both), indicators, sources, observations, events."""
    from lib.filters import units_for_boundaries

    return [("summary_units", len(units_for_boundaries(frames.units, state.boundaries))),
            ("summary_indicators", len(frames.indicators)), ("summary_sources", len(frames.sources)),
            ("summary_observations", len(frames.observations)), ("summary_events", len(frames.events))]


def localise_sources(sources: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sources as a reader's table (lib.citations.table): no id, file path or curator note."""
    return cite.table(sources, lang)


def web_links_only(table: pd.DataFrame, col: str) -> tuple[pd.DataFrame, bool]:
    """A table for a page whose `col` is drawn as links: a cell that is not one web address (a stored
    article's words "(bài báo gốc, …)") would become a broken link, so it is left empty there; the
    downloads keep it. Also says whether any cell was emptied (the page then says why, once)."""
    if col not in table.columns or table.empty:
        return table, False
    cells = table[col].fillna("").astype(str)
    keep = cells.str.fullmatch(r"https?://\S+") | (cells == "")
    if keep.all():
        return table, False
    out = table.copy()
    out.loc[~keep, col] = ""
    return out, True


def display_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the page shows of data_table: without the machine-readable number column, and without the
    'derived' column when nothing is derived (the downloads keep everything)."""
    out = table.drop(columns=[t("col_numeric_value", lang)])
    derived_col = t("col_derived", lang)
    if not out[derived_col].astype(bool).any():
        out = out.drop(columns=[derived_col])
    return out


def data_file_stem(state: FilterState) -> str:
    """The CSV's and the Excel's name in the reader's language: 'du-lieu_4-tinh_2016-2025' / 'data_4-units_…'."""
    from lib.export.formats import file_stem

    return file_stem("data", state.lang, t("file_units", state.lang, n=len(state.units)),
                     f"{state.years[0]}-{state.years[1]}")


@dataclass(frozen=True)
class SourcesPage:
    """Everything the sources page shows, computed once per filters (lib.ui.computed): the values behind the
    filters (`table` for the downloads, `shown` for the page, `unlinked`: a link left out), the coverage
    matrix, the sources (as the downloads' sheet and as shown) and what the dataset holds."""

    table: pd.DataFrame
    shown: pd.DataFrame
    unlinked: bool
    sources: pd.DataFrame
    sources_shown: pd.DataFrame
    sources_unlinked: bool
    coverage: pd.DataFrame
    counts: list


@reads("boundaries", "units", "years", "lang")  # not the indicator: the page lists every one
def sources_page(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> SourcesPage:
    lang, link = state.lang, t("link", state.lang)
    table = data_table(vobs, frames, state)
    shown, unlinked = web_links_only(display_table(table, lang), link) if len(table) else (table, False)
    sources = localise_sources(sources_table(vobs, frames, state), lang)
    sources_shown, sources_unlinked = web_links_only(sources, link)
    return SourcesPage(table, shown, unlinked, sources, sources_shown, sources_unlinked,
                       coverage_matrix(vobs, frames, state), dataset_counts(frames, state))


@reads("lang")
def targets_sources(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> tuple[pd.DataFrame, bool]:
    """The targets with their legal texts as the page shows them (links only where one is a web address)."""
    from lib.views.targets import sources_table as target_sources

    return web_links_only(target_sources(frames, state.lang), t("link", state.lang))
