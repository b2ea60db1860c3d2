"""Tổng quan / Overview: the full ranking, the map, the selected units' standing and movement (each unit's
latest value of every indicator is on the province profile page)."""

import streamlit as st

from lib.blocks import briefing_block, chart_block
from lib.i18n import t
from lib.navigation import page_by_name
from lib.safe_text import md_escape
from lib.ui import computed, current, get_boundary_observations, shapes_by_url
from lib.views import overview as view
from lib.views import shared

frames, state = current()
lang = state.lang
vobs, _ = get_boundary_observations(frames, state.boundaries)

# --- Header ---
st.title(t("app_title", lang))
notes = computed(shared.merger_notes_of, vobs, frames, state)
if notes:
    st.info("  \n".join(notes), icon=":material/merge_type:")

if not state.units:
    st.warning(t("no_provinces", lang))
    st.stop()

# --- Ranking ---
st.header(t("ranking", lang))
table, spec, n_units, year = computed(view.overview_ranking, vobs, frames, state)
for note in computed(shared.not_combinable_of, vobs, frames, state, year):
    st.markdown(note)
ind_name = shared.indicator_titles(frames, lang)[state.indicator]
st.caption(t("provinces_with_data", lang, n=n_units, indicator=md_escape(f"{ind_name} ({year})")))
chart_block(spec, lang)
map_chart = computed(view.map_spec, vobs, frames, state, year, by_url=shapes_by_url())
chart_block(map_chart, lang)
if not table.empty:
    st.header(t("standing_title", lang))
    st.dataframe(table, hide_index=True, width="stretch")
official = computed(view.official_34_table, vobs, frames, state)
if not official.empty:
    st.header(t("official_34_title", lang))
    st.caption(t("official_34_note", lang))
    st.dataframe(official, hide_index=True, width="stretch")
movement = computed(view.movement_spec, vobs, frames, state)
chart_block(movement, lang)
# The per-indicator cards moved to the province profile (pages/ho-so-tinh.py): each unit's latest value of every
# indicator is there; on a phone the overview was 21 screens of cards.
st.caption(t("profile_cards_moved", lang))
st.page_link(page_by_name("profile").file, label=t("page_profile", lang), icon=":material/person_pin_circle:")

briefing_block([spec, map_chart, movement], frames, state, key="overview")
