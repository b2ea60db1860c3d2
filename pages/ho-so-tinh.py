"""Hồ sơ tỉnh / Province profile: one unit — its standing, sub-indices, other indicators, plain sentences,
milestones and (34-unit view) its predecessors and size; and a brief to print (lib/views/profile.py)."""

import streamlit as st

from lib.blocks import profile_brief, profile_picker
from lib.i18n import t
from lib.safe_text import md_escape
from lib.ui import computed, page_start
from lib.views import profile as P

frames, state, vobs, status = page_start("page_profile", need_units=False)
lang = state.lang
unit = profile_picker(frames, state)
prof = computed(P.build_profile, vobs, frames, state, unit)
st.caption(t("profile_region", lang, region=md_escape(P.region_name(frames, unit, lang))))

if prof.facts:
    st.header(t("profile_facts", lang))
    for col, (title, value, where) in zip(st.columns(len(prof.facts)), prof.facts):
        col.metric(md_escape(title), md_escape(value), help=md_escape(where))
        col.caption(md_escape(where))

if prof.headline is not None:
    h = prof.headline
    position_help = t("profile_position_help", lang, pos=h.position, n=h.n, better=h.position - 1)
    st.header(t("profile_headline", lang))
    for col, (label, value, delta) in zip(st.columns(3), prof.metrics):
        col.metric(md_escape(label), md_escape(value), delta=md_escape(delta) if delta else None, delta_color="off",
                   help=position_help)
    st.markdown("  \n".join(md_escape(s) for s in prof.sentences))
    st.caption(position_help)

if prof.sub is not None:
    st.header(t("profile_subindices", lang, year=prof.sub.year))
    st.markdown(md_escape(t("profile_strongest", lang, names=", ".join(prof.sub.strongest))) + "  \n"
                + md_escape(t("profile_weakest", lang, names=", ".join(prof.sub.weakest))))
    st.dataframe(prof.sub.table, hide_index=True, width="stretch")

if prof.targets is not None:
    st.header(t("targets_title", lang))
    st.table(prof.targets.set_index(prof.targets.columns[0]))  # a few rows, read in full: static text that wraps

if not prof.preds.empty:
    st.header(t("profile_preds", lang))
    st.dataframe(prof.preds, hide_index=True, width="stretch")

if not prof.others.empty:
    st.header(t("profile_others", lang))
    st.dataframe(prof.others, hide_index=True, width="stretch")

if not prof.events.empty:
    st.header(t("profile_events", lang))
    st.dataframe(prof.events, hide_index=True, width="stretch")

profile_brief(prof, vobs, frames, state)
