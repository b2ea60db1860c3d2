"""Tổng quan / Overview: latest values per indicator for the selected units, and the full ranking."""

import streamlit as st

from lib import views
from lib.i18n import t
from lib.safe_text import md_escape
from lib.ui import briefing_block, chart_block, computed, current, get_boundary_observations, shapes_by_url

frames, state = current()
lang = state.lang
vobs, status = get_boundary_observations(frames, state.boundaries)

# --- Header ---
st.title(t("app_title", lang))
notes = views.merger_notes(frames, state)
if notes:
    st.info("  \n".join(notes), icon=":material/merge_type:")

if not state.units:
    st.warning(t("no_provinces", lang))
    st.stop()

# --- Ranking ---
st.header(t("ranking", lang))
table, spec, n_units, year = computed(views.overview_ranking, vobs, frames, state)
for note in views.not_combinable_notes(status, frames, state, year=year, vobs=vobs):
    st.markdown(note)
ind_name = views.indicator_titles(frames, lang)[state.indicator]
st.caption(t("provinces_with_data", lang, n=n_units, indicator=md_escape(f"{ind_name} ({year})")))
chart_block(spec, lang)
map_chart = views.map_spec(vobs, frames, state, year,
                           computed(views.map_figure_of, vobs, frames, state, year, by_url=shapes_by_url()))
chart_block(map_chart, lang)
if not table.empty:
    st.header(t("standing_title", lang))
    st.dataframe(table, hide_index=True, width="stretch")
official = views.official_34_table(vobs, frames, state)
if not official.empty:
    st.header(t("official_34_title", lang))
    st.caption(t("official_34_note", lang))
    st.dataframe(official, hide_index=True, width="stretch")
movement = computed(views.movement_spec, vobs, frames, state)
chart_block(movement, lang)
# --- Cards ---
st.header(t("latest_value", lang))
cards = computed(views.overview_cards, vobs, frames, state)
if not cards:
    st.info(t("no_data_filters", lang))
else:
    by_ind: dict[str, list] = {}
    for card in cards:
        by_ind.setdefault(card.indicator, []).append(card)
    titles = views.indicator_titles(frames, lang)
    grid = st.columns(2)
    for n, (indicator, group) in enumerate(by_ind.items()):
        with grid[n % 2].container(border=True):
            st.markdown(f"**{md_escape(titles[indicator])}**")
            if len({card.year for card in group}) > 1:
                st.caption(t("cards_mixed_periods", lang))
            cols = st.columns(min(len(group), 2))
            for i, card in enumerate(group):
                extra = (f" · {t('derived', lang)}" if card.derived else "") + \
                        (f" · {t('low_confidence', lang)}" if card.low_confidence else "")
                cols[i % len(cols)].metric(
                    md_escape(card.label), md_escape(card.value), delta=md_escape(card.delta) if card.delta else None,
                    delta_color=card.delta_color,
                    delta_arrow=card.delta_arrow,
                    help=f"{t('as_of', lang)}: {md_escape(card.as_of)}{extra}")
                cols[i % len(cols)].caption(f"{t('as_of', lang)} {md_escape(card.as_of)}{extra}")

briefing_block([spec, map_chart, movement], frames, state, key="overview")
