"""Nguồn & dữ liệu / Sources & data: every observation behind the filters, coverage, and downloads."""

import streamlit as st

from lib.i18n import fmt_number, t
from lib.ui import page_start
from lib.views import sources as view
from lib.views import targets as views_targets

frames, state, vobs, status = page_start("page_sources")
lang = state.lang
link_col = t("link", lang)


def targets_section() -> None:
    """The targets and the legal texts that set them: shown whatever the filters (a target is no observation)."""
    st.header(t("targets_sources_title", lang))
    shown, _ = view.web_links_only(views_targets.sources_table(frames, lang), link_col)
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={link_col: st.column_config.LinkColumn(link_col)})


table = view.data_table(vobs, frames, state)
if table.empty:
    st.info(t("no_data_filters", lang))
    targets_section()
    st.stop()
shown, unlinked = view.web_links_only(view.display_table(table, lang), link_col)
st.dataframe(shown, hide_index=True, width="stretch", column_config={link_col: st.column_config.LinkColumn(link_col)})
if unlinked:
    st.caption(t("no_public_link", lang))

from lib.downloads import download  # noqa: E402
from lib.tables import csv_bytes, xlsx_bytes  # noqa: E402

sources = view.localise_sources(view.sources_table(vobs, frames, state), lang)
stem = view.data_file_stem(state)
with st.container(horizontal=True, gap="small", key="dl-data"):
    download("csv", lambda: csv_bytes(table, sources), stem=stem, lang=lang, key="dl_csv")
    download("xlsx", lambda: xlsx_bytes(table, sources, lang), stem=stem, lang=lang, key="dl_xlsx")

st.header(t("coverage_title", lang))
st.dataframe(view.coverage_matrix(vobs, frames, state), width="stretch")
st.header(t("dataset_counts", lang))
st.caption(t("dataset_counts_note", lang))
c = st.columns(5)
for col, (key, n) in zip(c, view.dataset_counts(frames, state)):
    col.metric(t(key, lang), fmt_number(n, 0, lang))
st.header(t("sources", lang))
shown, unlinked = view.web_links_only(sources, link_col)
st.dataframe(shown, hide_index=True, width="stretch", column_config={link_col: st.column_config.LinkColumn(link_col)})
if unlinked:
    st.caption(t("no_public_link", lang))
targets_section()
