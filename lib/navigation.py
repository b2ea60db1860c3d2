"""The dashboard's pages, listed once, and the one place that handles Streamlit's legacy `pages/` mode.

App, tests and benchmark read `PAGES`; nothing parses app.py. app.py calls `navigate` before it draws anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageDef:
    name: str  # what code and tests call the page: overview, compare, timeline, profile, sources
    title_key: str  # lib.i18n key of its title
    icon: str
    url_path: str  # the page's address (the default page lives at "/")
    default: bool = False

    @property
    def file(self) -> str:
        """pages/<url_path>.py, relative to the repository root. The file is named by the page's address, so
        Streamlit's legacy `pages/` wrapper (see `navigate`) finds the page a shared link names."""
        return f"pages/{self.url_path}.py"


PAGES: tuple[PageDef, ...] = (
    PageDef("overview", "page_overview", ":material/dashboard:", "tong-quan", default=True),
    PageDef("compare", "page_compare", ":material/compare_arrows:", "so-sanh"),
    PageDef("timeline", "page_timeline", ":material/timeline:", "dong-thoi-gian"),
    PageDef("profile", "page_profile", ":material/person_pin_circle:", "ho-so-tinh"),
    PageDef("sources", "page_sources", ":material/menu_book:", "nguon-du-lieu"),
)


def page_by_name(name: str) -> PageDef:
    """'overview', 'compare', 'timeline', 'profile' or 'sources'."""
    return next(p for p in PAGES if p.name == name)


def navigate(lang: str):
    """`st.navigation` over PAGES (titles in `lang`, the bar at the top); returns the page to run.

    app.py calls this before it draws any element, and that order is the fix for `streamlit run app.py`.
    Streamlit decides when the first session opens whether the app is a legacy multipage app: a folder
    named `pages/` beside the entry script says it is, until the first `st.navigation` call in the process.
    So the first run of a process started plainly is wrapped: Streamlit builds its own navigation from
    `pages/` (app, compare, overview, …) and runs app.py as the page "app" of it. Streamlit keys every
    element by the hash of the page it is drawn in, and inside that wrapper it is the wrapper's page "app",
    not app.py's own hash (which every later run uses). Widgets drawn before `st.navigation` in that first
    run therefore got other ids than the same widgets in every later run: the browser's first click
    ("English") was sent for an id the next run no longer had, so the click was dropped and the language
    control was drawn anew, neither button selected, the page still in Vietnamese. `st.navigation` puts
    the run back on app.py's own hash, so everything drawn after it has the ids of every later run.

    A shared deep link (/so-sanh?…) opened by that first run is resolved by Streamlit's wrapper before any
    code of the app runs, and the wrapper knows only the file names of `pages/` (a page's address is its
    file's stem). So each file is named by its page's address (`PageDef.file`): the wrapper finds the page
    instead of sending its "Page not found" dialog, and runs that file without app.py; lib/ui.py then
    leaves the legacy mode and reruns. The wrapper's page and ours have the same script hash (Streamlit
    hashes a page by its url path), and `st.rerun` keeps that hash and the link's query string, so the
    rerun draws the link's page through app.py's `st.navigation`."""
    import streamlit as st

    from lib.i18n import t

    # The default page reserves no address of its own (url_path ""): Streamlit serves it at "/" only, and its own
    # address (/tong-quan, typed or in an old link) opened Streamlit's "Page not found" dialog, in English, over
    # the page. A hidden page at that address runs the same file (not st.switch_page to "/": a page switch in the
    # middle of a run lost the period's widget state, and the browser's Back button led there again).
    pages = [st.Page(str(ROOT / p.file), title=t(p.title_key, lang), icon=p.icon,
                     url_path="" if p.default else p.url_path, default=p.default) for p in PAGES]
    home = next(p for p in PAGES if p.default)
    alias = st.Page(str(ROOT / home.file), title=t(home.title_key, lang), icon=home.icon, url_path=home.url_path,
                    visibility="hidden")
    return st.navigation([*pages, alias], position="top")


def leave_legacy_pages_mode() -> None:
    """Tell Streamlit, before its first session opens, that the app navigates with `st.navigation`
    (see `navigate`): then no run is wrapped in the legacy `pages/` navigation, and the first visitor
    who opens a shared deep link after a restart is served by app.py from the start. The launcher
    (lib/serve.py) and the benchmark's server call it before the server starts; lib/ui.py calls it when a
    page of `pages/` ran without app.py (the wrapper's page for a deep link such as /so-sanh). Every
    `st.navigation` call sets the same flag. (`pages/` is the product's specified layout.)"""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def in_legacy_pages_mode() -> bool:
    """True while Streamlit wraps runs in its legacy `pages/` navigation. A page of `pages/` that runs while
    this holds ran without app.py (app.py's `st.navigation` clears it before any page runs)."""
    from streamlit.runtime.pages_manager import PagesManager

    return bool(PagesManager.uses_pages_directory)


_APPTEST_PATCHED = False


def keep_navigation_mode_in_apptest() -> None:
    """AppTest resets that flag before every run; keep it as a running server would (benchmark, tests)."""
    global _APPTEST_PATCHED
    if _APPTEST_PATCHED:
        return
    from streamlit.runtime import pages_manager as pm

    orig = pm.PagesManager.__init__

    def init(self, *a, **k):
        orig(self, *a, **k)
        leave_legacy_pages_mode()

    pm.PagesManager.__init__ = init
    _APPTEST_PATCHED = True
