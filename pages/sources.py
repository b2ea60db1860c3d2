"""Nguồn & dữ liệu / Sources & data: every observation behind the filters, coverage, and downloads."""

import streamlit as st

from lib import views
from lib.i18n import t
from lib.ui import page_start

frames, state, vobs, status = page_start("page_sources")
lang = state.lang
table = views.data_table(vobs, frames, state)
if table.empty:
    st.info(t("no_data_filters", lang))
    st.stop()
link_col = "Liên kết" if lang == "vi" else "Link"
st.dataframe(views.display_table(table, lang), hide_index=True, width="stretch",
             column_config={link_col: st.column_config.LinkColumn(link_col)})

from lib.tables import csv_bytes, xlsx_bytes  # noqa: E402

sources = views.localise_sources(views.sources_table(vobs, frames, state), lang)
stem = f"du-lieu_{len(state.units)}-tinh_{state.years[0]}-{state.years[1]}"
c1, c2 = st.columns(2)
c1.download_button("Tải CSV" if lang == "vi" else "Download CSV", data=lambda: csv_bytes(table, sources),
                   file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", key="dl_csv")
c2.download_button("Tải Excel" if lang == "vi" else "Download Excel", data=lambda: xlsx_bytes(table, sources, lang),
                   file_name=f"{stem}.xlsx", on_click="ignore", key="dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader("Độ phủ dữ liệu (năm mới nhất)" if lang == "vi" else "Coverage (latest year)")
st.dataframe(views.coverage_matrix(vobs, frames, state), width="stretch")
st.subheader(t("sources", lang))
st.dataframe(sources, hide_index=True, width="stretch", column_config={link_col: st.column_config.LinkColumn(link_col)})
