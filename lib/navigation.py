"""The dashboard's pages, listed once, and the one workaround Streamlit needs because of them.

App, tests and benchmark read `PAGES`; nothing parses app.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageDef:
    file: str  # relative to the repository root
    title_key: str  # lib.i18n key of its title
    icon: str
    url_path: str  # the page's address (the default page lives at "/")
    default: bool = False


PAGES: tuple[PageDef, ...] = (
    PageDef("pages/overview.py", "page_overview", ":material/dashboard:", "tong-quan", default=True),
    PageDef("pages/compare.py", "page_compare", ":material/compare_arrows:", "so-sanh"),
    PageDef("pages/timeline.py", "page_timeline", ":material/timeline:", "dong-thoi-gian"),
    PageDef("pages/profile.py", "page_profile", ":material/person_pin_circle:", "ho-so-tinh"),
    PageDef("pages/sources.py", "page_sources", ":material/menu_book:", "nguon-du-lieu"),
)


def page_by_name(name: str) -> PageDef:
    """'overview', 'compare', 'timeline', 'profile' or 'sources'."""
    return next(p for p in PAGES if Path(p.file).stem == name)


def leave_legacy_pages_mode() -> None:
    """The one workaround. Streamlit treats a folder named `pages/` beside the entry script as its legacy
    multipage folder until the first `st.navigation` call in the process, so the very first visitor who
    opens a shared deep link (/so-sanh?…) after a restart would meet "Page not found". app.py navigates with
    `st.navigation` from the first run, so the launcher (lib/serve.py), the benchmark's server and the page
    fallback in lib/ui.py call this to say so up front. (`pages/` is the product's specified layout.)"""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


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
