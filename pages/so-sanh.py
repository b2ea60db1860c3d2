"""So sánh / Compare: grouped bars, a normalised heatmap, a radar, the sub-indices against the median,
and any two indicators of one year side by side."""

import streamlit as st

from lib.blocks import briefing_block, chart_block
from lib.charts import RADAR_MAX, SUBINDEX_MAX
from lib.i18n import t
from lib.ui import computed, page_start
from lib.views import compare as view
from lib.views import shared
from lib.views import targets as views_targets

frames, state, vobs, status = page_start("page_compare")
lang = state.lang
specs = list(computed(view.compare_specs, vobs, frames, state))  # a copy: this page adds to it
note = computed(shared.coverage_note, vobs, frames, state)
for spec in specs:
    if note and spec.key == "compare-bars":
        st.caption(note)
    chart_block(spec, lang)
if len(state.units) > RADAR_MAX:
    st.caption(t("radar_first_n", lang, n=RADAR_MAX))

sub = computed(view.subindex_spec, vobs, frames, state)
if sub is not None:
    chart_block(sub, lang)
    if len(state.units) > SUBINDEX_MAX:
        st.caption(t("subindex_first_eight", lang, n=SUBINDEX_MAX))
    specs.append(sub)

# --- The state's targets ---
with st.container(key="compare_targets"):
    st.header(t("targets_title", lang))
    targets = computed(views_targets.compare_table, vobs, frames, state)
    if targets.empty:
        st.info(t("targets_none", lang))
    else:
        st.caption(t("targets_caption", lang))
        st.table(targets.set_index(targets.columns[0]))  # a few rows, read in full: static text that wraps
    n_out = views_targets.left_out_count(vobs, frames, state)
    if n_out:
        st.caption(t("targets_left_out", lang, n=n_out))


@st.fragment
def side_by_side(specs: list) -> None:
    """Two indicators of one year side by side, and the briefing pack with it. Its own controls rerun only
    this part (st.fragment): the charts above are not sent again. The pack is here too, so it always holds
    the scatter on screen."""
    ids = list(frames.indicators["id"])
    titles = shared.indicator_titles(frames, lang)
    kids = view.child_indicators(frames, state.indicator)
    c1, c2, c3 = st.columns([2, 2, 1])
    x = c1.selectbox(t("scatter_x", lang), ids, index=ids.index(state.indicator), format_func=titles.get,
                     key="cmp_x")
    y_default = kids[5] if len(kids) > 5 else view.widest_other(frames, state, x)
    y = c2.selectbox(t("scatter_y", lang), ids, index=ids.index(y_default), format_func=titles.get, key="cmp_y")
    years = computed(view.scatter_years_of, vobs, frames, state, x, y)
    if years:
        year = c3.selectbox(t("scatter_year", lang), years[::-1], key="cmp_year")
        fit = st.checkbox(t("scatter_fit", lang), value=False, key="cmp_fit")
        scatter, n_both = computed(view.scatter_spec, vobs, frames, state, x, y, year, fit)
        st.caption(t("units_with_both", lang, n=n_both))
        chart_block(scatter, lang)
        specs = [*specs, scatter]
    else:
        st.info(t("scatter_empty", lang))
    briefing_block(specs, frames, state, key="compare")


side_by_side(specs)
