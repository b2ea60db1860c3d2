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
    st.caption("Biểu đồ radar chỉ vẽ 6 tỉnh đầu tiên." if lang == "vi" else "The radar shows the first six units only.")
briefing_block(specs, frames, state, key="compare")
