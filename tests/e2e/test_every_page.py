"""Every page, as a leader opens it from a shared link and then reads it in English (one page load each):

- the link's page with its heading, every chart drawn (or its table), the link's provinces, no error, no dialog;
- the document's language (a screen reader picks its voice by it) in Vietnamese and after each switch;
- axe-core (the engine of the browser extensions and Lighthouse, bundled by the PyPI package
  axe-playwright-python, no download): no WCAG 2.1 A/AA violation and no heading skipped, in both languages.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright", reason="needs axe-playwright-python")
from playwright.sync_api import Page, expect  # noqa: E402

from lib.i18n import t  # noqa: E402
from lib.navigation import PAGES  # noqa: E402

from .conftest import SHARED_FILTERS, open_app, save_main_screenshot, sidebar, wait_for_app  # noqa: E402

AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
             "resultTypes": ["violations"]}
CHARTS = {"overview": 3, "compare": 4, "timeline": 2, "profile": 0, "sources": 0}


def heading(page_def, lang: str) -> str:
    return t("app_title" if page_def.default else page_def.title_key, lang)


def axe_violations(page: Page) -> list:
    results = axe_sync.Axe().run(page, options=AXE_RULES)
    # Heading order is a best-practice rule of axe (not WCAG-tagged): run it too, a skipped level confuses
    # the reader's outline of the page.
    order = axe_sync.Axe().run(page, options={"runOnly": ["heading-order"], "resultTypes": ["violations"]})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in results.response["violations"] + order.response["violations"]]


def read(page: Page, page_def, lang: str) -> None:
    """The page as drawn in `lang`: heading, the document's language, every chart drawn, no error."""
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text(heading(page_def, lang))
    # Set by the page just after it draws (Streamlit's own page says "en"): waited for, never read once.
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(CHARTS[page_def.name])
    for chart in main.get_by_test_id("stPlotlyChart").all():
        expect(chart.locator(".main-svg").first).to_be_visible()  # drawn, not just a placeholder
    if page_def.name == "sources":
        expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
    # Must NOT happen: an error on the page, as a traceback or as Streamlit's "Page not found" dialog.
    expect(page.get_by_test_id("stException").or_(page.get_by_role("dialog"))).to_have_count(0)


@pytest.mark.parametrize("page_def", PAGES, ids=[p.name for p in PAGES])
def test_every_page_from_a_link_then_in_english(page: Page, app_url: str, page_def) -> None:
    path = "" if page_def.default else page_def.url_path
    open_app(page, f"{app_url}/{path}?{SHARED_FILTERS}")
    read(page, page_def, "vi")
    # The filters of the link were taken, not replaced by defaults.
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quảng Bình (trước 7/2025)")
    save_main_screenshot(page, f"page-{page_def.name}-vi")
    assert axe_violations(page) == []

    # On the first page there and back and there again; on the others one switch (app.py sets the language
    # the same way on every page).
    switches = ("English", "Tiếng Việt", "English") if page_def is PAGES[0] else ("English",)
    for label in switches:
        sidebar(page).get_by_role("radio", name=label).click()
        wait_for_app(page)
        # Must NOT happen: English words read with a Vietnamese voice (lang stayed "vi").
        expect(page.locator("html")).to_have_attribute("lang", "en" if label == "English" else "vi")
    read(page, page_def, "en")
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quang Binh")
    assert axe_violations(page) == []
