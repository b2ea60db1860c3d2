"""So sánh / Compare: grouped bars, a normalised heatmap and a radar of the selected units."""

import streamlit as st

from lib import views
from lib.i18n import t
from lib.ui import briefing_block, chart_block, page_start

frames, state, vobs, status = page_start("page_compare")
lang = state.lang
specs = views.compare_specs(vobs, frames, state)
for spec in specs:
    chart_block(spec, lang)
if len(state.units) > 6:
    st.caption(t("radar_first_six", lang))
briefing_block(specs, frames, state, key="compare")
