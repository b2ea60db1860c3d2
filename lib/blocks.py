"""What every page draws besides its own content: a chart with its title, source and downloads, the briefing
pack's buttons, the copy-link button, and the profile's unit picker and brief."""

from __future__ import annotations

import html
import urllib.parse

import pandas as pd
import streamlit as st
from plotly.basedatatypes import BaseFigure

from lib import filters as F
from lib.data import Frames
from lib.i18n import t
from lib.safe_text import md_escape
from lib.throttle import give_way
from lib.views import shared

# The usual "visually hidden" rule: out of sight, still read by a screen reader (display:none would hide it
# from both).
_VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
                    "clip:rect(0,0,0,0);white-space:nowrap;border:0")


class _Drawn(BaseFigure):
    """A shared figure as st.plotly_chart reads it: Streamlit asks a Plotly figure for `to_dict()` (a deep copy
    of every trace, the layout and the template: 2–4 ms a figure, on every rerun of every session) and then
    reads only that dict. A figure replayed from lib.ui.computed is never changed (ChartSpec is frozen; the
    print layout copies a figure before it changes it), so its dict is made once and handed over as it is."""

    def __init__(self, figure_dict: dict):  # noqa: D107 - BaseFigure's own __init__ (validation) is skipped
        object.__setattr__(self, "_figure_dict", figure_dict)

    def to_dict(self) -> dict:
        return self._figure_dict


def drawn(figure) -> _Drawn:
    """The figure as st.plotly_chart reads it, its dict made once per figure object and kept on it (they live
    and die together: a figure evicted from lib.ui.computed takes its dict along)."""
    if isinstance(figure, _Drawn):
        return figure
    out = getattr(figure, "_drawn", None)
    if out is None:
        out = _Drawn(figure.to_dict())
        figure._drawn = out  # a private attribute: Plotly lets it through unvalidated
    return out


def chart_block(spec, lang: str) -> None:
    """A chart as a reader meets it: its title, the chart, its source line, the download buttons.

    Title and source are page text, not drawn in the figure: they wrap on a phone and a screen reader reads
    them (the spec's texts are plain; Markdown-escaped here)."""
    from lib.export.spec import screen_config

    give_way()  # a checkpoint: a run of a client over its share waits here while another client's is drawn
    st.markdown(f"**{md_escape(spec.title)}**")
    st.plotly_chart(drawn(spec.figure), config=screen_config(), key=f"chart_{spec.key}")
    if getattr(spec, "alt", ""):  # the chart in words, for a screen reader (visually hidden; lib.views.describe)
        st.markdown(f'<div class="chart-alt" style="{_VISUALLY_HIDDEN}">{html.escape(spec.alt)}</div>',
                    unsafe_allow_html=True)
    for line in (spec.note, spec.source):
        if line:
            st.caption(md_escape(line))
    try:
        from lib.downloads import chart_downloads
    except ImportError:  # the downloads layer is optional for the pages to work
        return
    chart_downloads(spec, lang)


def briefing_block(specs: list, frames: Frames, state: F.FilterState, key: str) -> None:
    """One click: the current view as a PowerPoint and a PDF (built only when clicked)."""
    from lib.downloads import briefing_pack

    if specs:
        st.divider()
        # the targets' lines only when a pack is built: a table per run was a fifth of the server's CPU under load
        briefing_pack(specs, **shared.pack_heading(specs, frames, state),
                      targets=lambda: shared.pack_target_lines(frames, state), lang=state.lang, key=key)


# --- Copy link -------------------------------------------------------------------------------------

# The button's link icon as an image: an emoji (it was 🔗) is an empty box where no emoji font is installed, and
# st.html drops inline <svg>. Material Symbols' "link", in the page's text colour.
_LINK_ICON = "data:image/svg+xml," + urllib.parse.quote(
    "<svg xmlns='http://www.w3.org/2000/svg' width='18' height='18' viewBox='0 0 24 24' fill='#31333f'><path d='"
    "M3.9 12c0-1.71 1.39-3.1 3.1-3.1h4V7H7c-2.76 0-5 2.24-5 5s2.24 5 5 5h4v-1.9H7c-1.71 0-3.1-1.39-3.1-3.1zM8 13h8"
    "v-2H8v2zm9-6h-4v1.9h4c1.71 0 3.1 1.39 3.1 3.1s-1.39 3.1-3.1 3.1h-4V17h4c2.76 0 5-2.24 5-5s-2.24-5-5-5z'/></svg>",
    safe=" =:/.-,'")

_COPY_LINK = """<div class="copy-link"
 style="display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;justify-content:flex-end">
<button id="copy-link-btn" type="button" aria-label="%(label)s"
 style="border:1px solid #bbb;border-radius:.5rem;background:#fff;padding:.25rem .75rem;cursor:pointer;
 display:inline-flex;align-items:center;gap:.35rem">
<img alt="" width="18" height="18" src="%(icon)s">%(label)s</button>
<span id="copy-link-msg" role="status" style="font-size:.85rem;color:#444"></span>
<input id="copy-link-url" readonly hidden aria-label="%(label)s" style="width:100%%;font-size:.8rem"></div>
<script>
(function () {
  const btn = document.getElementById("copy-link-btn");
  if (!btn || btn.dataset.ready) { return; }
  btn.dataset.ready = "1";
  const msg = document.getElementById("copy-link-msg"), box = document.getElementById("copy-link-url");
  function manual(url) {
    box.hidden = false; box.value = url; box.focus(); box.select();
    msg.textContent = "%(manual)s";
  }
  btn.addEventListener("click", function () {
    const url = window.location.href;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () { msg.textContent = "%(done)s"; box.hidden = true; },
                                              function () { manual(url); });
    } else { manual(url); }
  });
})();
</script>"""


def copy_link(lang: str) -> None:
    """A "copy link" button on every page: the page's address (its filters are in it) to the clipboard; where
    the browser refuses the clipboard (plain http, a locked-down browser) the link is shown selected, to copy by
    hand. The address is read in the browser, so it is exactly the one in the address bar."""
    st.html(_COPY_LINK % {"label": t("copy_link", lang), "icon": _LINK_ICON, "done": t("copy_link_done", lang),
                          "manual": t("copy_link_manual", lang)}, unsafe_allow_javascript=True)


# --- Province profile: the unit picker -------------------------------------------------------------


def _pick_unit(code: str) -> None:
    st.session_state.f_unit = code
    st.session_state.profile_search = ""


def profile_picker(frames: Frames, state: F.FilterState) -> str:
    """The profile's one unit: a list of the view's units and, beside it, a search that ignores diacritics
    and finds former names (lib.filters.search_units). The unit goes into the link (`unit=`)."""
    from lib.views.profile import profile_unit

    lang = state.lang
    unit = profile_unit(frames, state)
    st.session_state.f_unit = unit
    labels = shared.labels_for(frames, lang)
    codes = list(F.units_for_boundaries(frames.units, state.boundaries)["code"])
    key = f"profile_pick_{state.boundaries}_{lang}"
    st.session_state[key] = unit
    c1, c2 = st.columns([3, 2])
    c1.selectbox(t("profile_pick", lang), codes, format_func=lambda c: labels.get(c, c), key=key,
                 on_change=lambda: _pick_unit(st.session_state[key]))
    query = c2.text_input(t("profile_search", lang), key="profile_search", placeholder="quang tri, hue…",
                          help=t("search_help", lang))
    if query:
        hits = F.search_units(frames.units, query, state.boundaries, lang)
        for code, label in hits[:6]:
            c2.button(label, key=f"profile_hit_{code}", on_click=_pick_unit, args=(code,), width="stretch")
        if not hits:
            c2.caption(t("no_data", lang))
    st.query_params["unit"] = unit
    return unit


def profile_brief(prof, vobs: pd.DataFrame, frames: Frames, state: F.FilterState) -> None:
    """One click: the profile as an A4 portrait PDF (two pages at most) and a PowerPoint of the same content,
    built only when clicked."""
    from lib.downloads import _today, download
    from lib.export.brief import build_brief_pdf, build_brief_pptx
    from lib.export.formats import file_stem
    from lib.views.profile import neighbour_spec

    lang = state.lang
    stem = file_stem("brief", lang, prof.name, state.boundaries)

    def neighbours():  # the brief's chart, made when a brief is asked for (a fifth of the page's run when cold)
        return neighbour_spec(vobs, frames, state, prof.unit)

    def kwargs() -> dict:
        return dict(title=t("app_title", lang), subtitle=t(f"boundaries_{state.boundaries}", lang),
                    generated=_today(), lang=lang)

    st.divider()
    st.subheader(t("profile_brief", lang))
    with st.container(horizontal=True, gap="small", key="profile-brief"):
        download("brief-pdf", lambda: build_brief_pdf(prof, neighbours(), **kwargs()), stem=stem, lang=lang,
                 key="brief-pdf")
        download("brief-pptx", lambda: build_brief_pptx(prof, neighbours(), **kwargs()), stem=stem, lang=lang,
                 key="brief-pptx")
