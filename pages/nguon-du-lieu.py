"""Nguồn & dữ liệu / Sources & data: every observation behind the filters, coverage, and downloads."""

import streamlit as st

from lib.i18n import fmt_number, t
from lib.ui import computed, page_start
from lib.views import sources as view

frames, state, vobs, status = page_start("page_sources")
lang = state.lang
link_col = t("link", lang)
links = {link_col: st.column_config.LinkColumn(link_col)}


def targets_section() -> None:
    """The targets and the legal texts that set them: shown whatever the filters (a target is no observation)."""
    st.header(t("targets_sources_title", lang))
    shown, _ = computed(view.targets_sources, vobs, frames, state)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=links)


page = computed(view.sources_page, vobs, frames, state)
if page.table.empty:
    st.info(t("no_data_filters", lang))
    targets_section()
    st.stop()
st.dataframe(page.shown, hide_index=True, width="stretch", column_config=links)
if page.unlinked:
    st.caption(t("no_public_link", lang))

from lib.downloads import download  # noqa: E402
from lib.tables import csv_bytes, xlsx_bytes  # noqa: E402

stem = view.data_file_stem(state)
with st.container(horizontal=True, gap="small", key="dl-data"):
    download("csv", lambda: csv_bytes(page.table, page.sources), stem=stem, lang=lang, key="dl_csv")
    download("xlsx", lambda: xlsx_bytes(page.table, page.sources, lang), stem=stem, lang=lang, key="dl_xlsx")

st.header(t("coverage_title", lang))
st.dataframe(page.coverage, width="stretch")
st.header(t("dataset_counts", lang))
st.caption(t("dataset_counts_note", lang))
c = st.columns(5)
for col, (key, n) in zip(c, page.counts):
    col.metric(t(key, lang), fmt_number(n, 0, lang))
st.header(t("sources", lang))
st.dataframe(page.sources_shown, hide_index=True, width="stretch", column_config=links)
if page.sources_unlinked:
    st.caption(t("no_public_link", lang))
targets_section()
