"""The only lib module (with lib.downloads) that imports Streamlit: cached data, the shared sidebar,
URL state, and the chart block every page uses."""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
import threading
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import filters as F
from lib.combine import view_observations
from lib.data import DatasetError, Frames, Problem, load_frames_cached, max_bytes_limit, resolve_path
from lib.i18n import fmt_date, t
from lib.memo import Memo
from lib.navigation import in_legacy_pages_mode
from lib.safe_text import excerpt, md_escape
from lib.throttle import give_way
from lib.views import shared

STATE_KEY = "filters"


# --- Data ------------------------------------------------------------------------------------------


def dataset_path() -> Path:
    """`streamlit run app.py -- --data FILE`, else $PROVINCES_DATA, else data/provinces.yaml."""
    return resolve_path(_data_argument(tuple(sys.argv[1:])))


@functools.lru_cache(maxsize=4)
def _data_argument(argv: tuple[str, ...]) -> str | None:
    """`--data` of these arguments, parsed once per process (argparse on every run was 3 % of a run's CPU)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    return parser.parse_known_args(list(argv))[0].data


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(path: str, version: str, _raw: bytes | None) -> tuple[Frames | None, list[Problem]]:
    try:
        return load_frames_cached(path, raw=_raw), []  # the compiled copy when it matches these bytes
    except DatasetError as exc:
        return None, exc.problems


_HASHED: dict[str, tuple[tuple, str]] = {}  # path -> (the stat it was hashed at, its version)


def _stat_key(stat) -> tuple:
    # ctime is set by the kernel on every write, rename or metadata change and cannot be restored by a tool
    # that restores mtime (cp -p, touch -r, os.utime); inode and device change when a file is replaced.
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _version(path: Path) -> tuple[str, bytes | None]:
    """(a key for the file's content, its bytes, or None when the key was known). The key is a hash of the
    bytes, not the mtime and size: a same-size replacement with its timestamp restored is still a new
    version. A rerun whose stat (inode, size, mtime and the kernel's ctime) is the one last hashed reuses
    that hash instead of reading and hashing the file again (47 ms per rerun for a 35 MB commune-scale
    file). The frames are built from exactly the bytes hashed. A file over the size limit is not read."""
    try:
        stat = path.stat()
        if not path.is_file() or stat.st_size > max_bytes_limit():
            return f"unread:{stat.st_mtime_ns}:{stat.st_size}", None
        seen = _HASHED.get(str(path))
        if seen and seen[0] == _stat_key(stat):
            return seen[1], None
        raw = path.read_bytes()  # read only: nothing in the app ever writes the dataset
        after = path.stat()
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}", None
    # SHA-256 (hardware-accelerated): 0.2 ms for the real file, ~1 ms per MB read and hashed.
    version = "sha256:" + hashlib.sha256(raw).hexdigest()
    if _stat_key(after) == _stat_key(stat):  # not written while it was read: this stat names these bytes
        _HASHED[str(path)] = (_stat_key(stat), version)
    return version, raw


def get_frames() -> tuple[Frames | None, list[Problem]]:
    """Frames built once per file content (path + a hash of the bytes); a broken file gives its problems."""
    path = dataset_path()
    version, raw = _version(path)
    return _load(str(path), version, raw)


_BOUNDARY_LOCK = threading.Lock()  # sessions arriving together compute a view's observations once


def get_boundary_observations(frames: Frames, boundaries: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations of the 63- or 34-unit view (34: with derived values), computed once per dataset.

    Kept on the frames object itself (one per version of the file's content, see get_frames): they live and
    die together, so no other dataset can ever be handed them. (A cache keyed by id(frames) could: once the
    frames of an old version are freed, a new version's frames may be given the same address.)"""
    with _BOUNDARY_LOCK:
        return view_observations(frames, boundaries)


COMPUTED = Memo()  # every session's view results, least recently used out first (lib/memo.py: why not st.cache_*)


def _weight(frames: Frames) -> float:
    """An entry's weight in COMPUTED: the dataset's units per hundred (a view's charts grow with its units)."""
    units = getattr(frames, "units", None)
    return max(1.0, len(units) / 100) if units is not None else 1.0


def computed(fn, vobs: pd.DataFrame, frames: Frames, state: F.FilterState, *args, **kwargs):
    """`fn(vobs, frames, state, *args, **kwargs)` (a lib.views function), computed once per dataset and
    filters and then replayed: a rerun that changes nothing this chart reads (a download click, another
    chart's control, going back to a page, a filter set back) does not rebuild it. The key is the function,
    the frames object (built once per dataset version, see get_frames), the filters it reads (all of them,
    or those named by lib.views.reads; the others are passed as None) and the extra arguments, which must be
    hashable. Shared by every session; the results are never mutated (the print layout copies a figure
    before it changes it)."""
    give_way()  # a checkpoint: a run of a client over its share waits here while another client's is drawn
    fields = getattr(fn, "reads", None)
    if fields is not None:
        state = replace(state, **{f.name: None for f in dataclass_fields(state) if f.name not in fields})
    key = (id(frames), state.boundaries, tuple(state.units or ()), tuple(state.years or ()), state.indicator,
           state.lang, args, tuple(sorted(kwargs.items())))
    kept, value = COMPUTED.get((f"{fn.__module__}.{fn.__qualname__}", key),
                               lambda: (frames, fn(vobs, frames, state, *args, **kwargs)), _weight(frames))
    if kept is not frames:  # another dataset's frames at a reused address: never replay its result
        return fn(vobs, frames, state, *args, **kwargs)
    return value


def shapes_by_url() -> bool:
    """Whether the map names its shapes by the URL of their static file (lib.geo.static_url): only when this
    server serves static/ (server.enableStaticServing in .streamlit/config.toml); else they travel in the figure."""
    return bool(st.get_option("server.enableStaticServing"))


def show_problems(problems: list[Problem], lang: str) -> None:
    st.error(t("dataset_broken", lang))
    st.code("\n".join(str(p) for p in problems), language=None)


# --- Sidebar and URL state -------------------------------------------------------------------------


def _init_from_url(frames: Frames) -> None:
    """First run of a session: take the filters from the link, noting bad values."""
    if "f_view" in st.session_state:
        return
    state, problems = F.parse_query(dict(st.query_params.to_dict()), frames)
    st.session_state.f_lang = "Tiếng Việt" if state.lang == "vi" else "English"
    st.session_state.f_view = state.boundaries
    st.session_state.f_units = state.units
    st.session_state.f_years = state.years
    st.session_state.f_ind = state.indicator
    st.session_state.f_unit = state.unit
    st.session_state.f_link_problems = problems


def _on_view_change() -> None:
    """Carry the selection across the 2025 boundary (lib.filters.switch_units): straight back restores the
    previous selection exactly; a unit that became several is said in a notice on the next run."""
    frames = st.session_state.get("_frames")
    if frames is None:
        return
    out, grew, memory = F.switch_units(frames.units, list(st.session_state.get("f_units", [])),
                                       st.session_state.f_view, st.session_state.get("_switch_memory"))
    st.session_state["_switch_memory"] = memory
    st.session_state["_switch_notice"] = grew
    st.session_state.f_units = out
    st.session_state.f_unit = _across_boundary(frames.units.set_index("code"), st.session_state.get("f_unit", ""),
                                               st.session_state.f_view)


def _across_boundary(units: pd.DataFrame, code: str, view: str) -> str:
    """The profile's unit in the other view: an old province's successor, a new unit's first predecessor."""
    if code not in units.index:
        return ""
    row = units.loc[code]
    if view == "34":
        return row["successor"] if isinstance(row["successor"], str) else code
    return (list(row["predecessors"]) or [code])[0]


def _switch_notice(frames: Frames, lang: str) -> None:
    """Once, after a switch to 63 provinces: which selected unit became which provinces."""
    grew = st.session_state.pop("_switch_notice", [])
    if not grew:
        return
    labels = shared.labels_for(frames, lang)
    for code, parts in grew:
        st.info(t("switch_expanded", lang, unit=md_escape(labels.get(code, code)),
                  parts=md_escape(", ".join(labels.get(p, p) for p in parts))), icon=":material/call_split:")


def _on_preset() -> None:
    frames = st.session_state.get("_frames")
    preset = st.session_state.get("f_preset", "custom")
    if frames is not None and preset != "custom":
        st.session_state.f_units = F.preset_units(frames.units, preset, st.session_state.f_view)
    st.session_state.f_preset = "custom"


def _add_unit(code: str) -> None:
    cur = list(st.session_state.get("f_units", []))
    if code not in cur:
        st.session_state.f_units = cur + [code]
    st.session_state.f_search = ""
    _picked()


def _picked() -> None:
    """A filter was picked: count it, so the page script below closes the sidebar on a phone once."""
    st.session_state["_picks"] = st.session_state.get("_picks", 0) + 1


# Runs in the page (st.html with JavaScript). It sets the document's language, so a screen reader reads
# Vietnamese as Vietnamese, and, on a phone only (narrow screen) after a pick, closes the sidebar, which
# otherwise covers the chart the pick changed. The pick count in the text makes each pick a new element,
# so the script runs once per pick and never on a plain rerun.
_PAGE_SCRIPT = """<script>
document.documentElement.lang = "%(lang)s";
if (%(picked)s && window.matchMedia("(max-width: 640px)").matches) {
  const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (close) { close.click(); }
}
// pick %(picks)d
</script>"""


def page_script(lang: str, page: str) -> None:
    """The script above, in the sidebar, after every run; `page` is the page shown (a change is a pick)."""
    if st.session_state.get("_page_seen", page) != page:
        _picked()
    st.session_state["_page_seen"] = page
    picks = st.session_state.get("_picks", 0)
    picked = picks != st.session_state.get("_picks_seen", 0)
    st.session_state["_picks_seen"] = picks
    with st.sidebar:
        st.html(_PAGE_SCRIPT % {"lang": "vi" if lang == "vi" else "en", "picked": "true" if picked else "false",
                                "picks": picks}, unsafe_allow_javascript=True)


def _widget_key(name: str, lang: str) -> str:
    """A filter whose option labels depend on the language is a different widget in each language.

    Streamlit sends a multiselect's, radio's or selectbox's value back as its option *labels*. After a
    language switch the browser still holds the old language's labels, which the new run's labels do not
    match, so the value was lost on the next click: the province selection emptied (issue: "Language
    switch loses the selection"). The filter's value lives under `name` (the canonical state the URL and
    the pages read); the widget of each language copies it in before it is drawn and back when it changes."""
    return f"{name}__{lang}"


def _filter_widget(widget, name: str, lang: str, *args, then=None, **kwargs):
    """Draw `widget` for the filter `name` in `lang`, seeded from and copied back to the canonical state."""
    give_way()  # a checkpoint between the sidebar's controls (lib/throttle.py)
    key = _widget_key(name, lang)
    st.session_state[key] = st.session_state[name]

    def copy_back() -> None:
        st.session_state[name] = st.session_state[key]
        _picked()
        if then is not None:
            then()

    return widget(*args, key=key, on_change=copy_back, **kwargs)


def lang_now() -> str:
    return "en" if st.session_state.get("f_lang") == "English" else "vi"


def session_lang(frames: Frames) -> str:
    """The language of this run, before anything is drawn: the link's on a session's first run (all its
    filters are taken then), else the language control's value, which this run's click has already set
    (Streamlit applies the browser's widget values before the script runs). app.py needs it for the page
    titles of `st.navigation`, which must come before the sidebar (lib.navigation.navigate)."""
    st.session_state["_frames"] = frames
    _init_from_url(frames)
    return lang_now()


def sidebar(frames: Frames) -> F.FilterState:
    """Draw the shared filters, keep them in the URL, and return the state every page reads."""
    session_lang(frames)
    with st.sidebar:
        # required=True: clicking the chosen language again keeps it (Streamlit's own guard).
        st.segmented_control(t("language", lang_now()), ["Tiếng Việt", "English"], key="f_lang",
                             selection_mode="single", label_visibility="collapsed", required=True)
        lang = lang_now()
        for bad in st.session_state.get("f_link_problems", []):
            # The link's value as a short plain-text excerpt: never Markdown (a link, an image), never 100 KB.
            st.warning(t("bad_link", lang, what=md_escape(excerpt(bad, 60))), icon=":material/link_off:")
        st.header(t("filters", lang))
        _filter_widget(st.radio, "f_view", lang, t("boundaries", lang), F.BOUNDARIES, then=_on_view_change,
                       format_func=lambda b: t(f"boundaries_{b}", lang))
        view = st.session_state.f_view
        _switch_notice(frames, lang)
        lo, hi = F.year_bounds(frames)
        period = F.period_within(st.session_state.get("f_years"), lo, hi)
        if st.session_state.get("f_years") != period:  # lost or outside a new dataset's years: never a traceback
            st.session_state.f_years = period
        st.slider(t("period", lang), lo, hi, key="f_years", on_change=_picked)
        years = tuple(st.session_state.f_years)

        regions = frames.regions
        presets = ["custom", "founding", "all"] + [f"region:{r}" for r in regions["id"]]
        region_names = dict(zip(regions["id"], regions[f"name_{lang}"]))

        def preset_label(p: str) -> str:
            if p.startswith("region:"):
                return t("preset_region", lang, region=region_names[p.split(":", 1)[1]])
            return t(f"preset_{p}", lang)

        if "f_preset" not in st.session_state:
            st.session_state.f_preset = "custom"
        _filter_widget(st.selectbox, "f_preset", lang, t("preset", lang), presets, format_func=preset_label,
                       then=_on_preset)

        # The units of the view valid in the period, labelled: once per dataset, boundaries, period and language.
        labels = frames.remember(f"offered_{view}_{years}_{lang}",
                                 lambda: F.unit_labels(F.units_offered(frames.units, view, years), lang))
        st.session_state.f_units = [c for c in st.session_state.get("f_units", []) if c in labels]
        st.text_input(t("search_old_name", lang), key="f_search", placeholder="quang tri, hue…",
                      help=t("search_help", lang))
        query = st.session_state.get("f_search", "")
        if query:
            hits = [(c, lab) for c, lab in F.search_units(frames.units, query, view, lang) if c in labels]
            for code, label in hits[:8]:
                st.button(label, key=f"f_add_{code}", on_click=_add_unit, args=(code,), icon=":material/add:",
                          width="stretch")
            if not hits:
                st.caption(t("no_data", lang))
        _filter_widget(st.multiselect, "f_units", lang, t("provinces", lang), list(labels), format_func=labels.get,
                       help=t("provinces_help", lang), placeholder=t("provinces_placeholder", lang))

        ind_ids = list(frames.indicators["id"])
        if st.session_state.get("f_ind") not in ind_ids:
            st.session_state.f_ind = F.default_indicator(frames, view)
        cov = F.coverage(frames, view)
        titles = shared.indicator_titles(frames, lang)
        _filter_widget(st.selectbox, "f_ind", lang, t("indicator", lang), ind_ids,
                       help=t("indicator_coverage_help", lang),
                       format_func=lambda i: f"{titles[i]} · {F.coverage_text(cov.get(i))}")
        # The date only: a file name means nothing to a reader (curators see it in python -m lib.validate).
        st.caption(t("dataset_updated", lang, date=fmt_date(frames.meta.get("updated"), "day", lang)))
    state = F.FilterState(boundaries=view, units=list(st.session_state.f_units), years=years,
                          indicator=st.session_state.f_ind, lang=lang, unit=st.session_state.get("f_unit", ""))
    st.query_params.from_dict(F.to_query(state))
    st.session_state[STATE_KEY] = state
    return state


def current() -> tuple[Frames, F.FilterState]:
    """What a page needs: the frames and the filter state drawn by app.py."""
    if in_legacy_pages_mode() or STATE_KEY not in st.session_state or "_frames" not in st.session_state:
        _leave_legacy_pages_mode()
    return st.session_state["_frames"], st.session_state[STATE_KEY]


def _leave_legacy_pages_mode() -> None:
    """A page ran without app.py: Streamlit's legacy `pages/` mode (see lib.navigation), in the first run
    of a plainly started process opened at a page's address (/so-sanh?…: the files of `pages/` are named
    by the addresses). Switch the process to st.navigation and rerun: the rerun keeps the page's script
    hash and the link's query string, so app.py draws the same page with the link's filters."""
    from lib.navigation import leave_legacy_pages_mode

    leave_legacy_pages_mode()
    st.rerun()


def page_start(title_key: str, *, need_units: bool = True) -> tuple[Frames, F.FilterState, pd.DataFrame, pd.DataFrame]:
    """Every page's opening: its title, the view's observations, and a clear stop when nothing is selected
    (`need_units=False`: the profile page, which picks its own unit)."""
    frames, state = current()
    give_way()
    vobs, status = get_boundary_observations(frames, state.boundaries)
    st.title(t(title_key, state.lang))
    if need_units and not state.units:
        st.warning(t("no_provinces", state.lang))
        st.stop()
    return frames, state, vobs, status
