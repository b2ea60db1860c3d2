"""So sánh / Compare: grouped bars, a normalised heatmap and a radar of the selected units."""

import streamlit as st

from lib import views
from lib.i18n import t
from lib.ui import briefing_block, chart_block, current, get_view

frames, state = current()
lang = state.lang
vobs, _ = get_view(frames, state.boundaries)

st.title(t("page_compare", lang))
if not state.units:
    st.warning(t("no_provinces", lang))
    st.stop()
specs = views.compare_specs(vobs, frames, state)
for spec in specs:
    chart_block(spec, lang)
if len(state.units) > 6:
    st.caption("Biểu đồ radar chỉ vẽ 6 tỉnh đầu tiên." if lang == "vi" else "The radar shows the first six units only.")
briefing_block(specs, frames, state, key="compare")
