"""Dòng thời gian / Timeline: the indicator over time, milestones on the same axis, agreement periods."""

import streamlit as st

from lib.blocks import briefing_block, chart_block
from lib.i18n import t
from lib.ui import computed, page_start
from lib.views import shared
from lib.views import timeline as view

frames, state, vobs, status = page_start("page_timeline")
lang = state.lang
notes = computed(shared.merger_notes_of, vobs, frames, state)
if notes:
    st.info("  \n".join(notes), icon=":material/merge_type:")
tl_specs = computed(view.timeline_specs, vobs, frames, state)
note = computed(shared.coverage_note, vobs, frames, state)
if note:
    st.caption(note)
for spec in tl_specs:
    chart_block(spec, lang)
table = computed(view.events_table_of, vobs, frames, state)
if table.empty:
    st.info(t("no_data_filters", lang))
else:
    st.dataframe(table, hide_index=True, width="stretch")
briefing_block(tl_specs, frames, state, key="timeline")
