"""`streamlit run app.py`, plainly (no launcher, no environment variable, no flag but the address): the first
visitor of a freshly started server switches the language, and the first visitor after a restart opens a
shared deep link. Both are the very first session of their process, the one run Streamlit wraps in its
legacy `pages/` mode (lib/navigation.py), so this test starts its own servers instead of the session's.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402

from .conftest import (  # noqa: E402
    APP_TIMEOUT_MS,
    ARTIFACTS,
    COLD_TIMEOUT_MS,
    STREAMLIT_RUN,
    VIEWPORT,
    open_app,
    serve_app,
    sidebar,
)

DEEP_LINK = "so-sanh?lang=en&view=34&units=quang-tri-2025"
LOG = ARTIFACTS / "plain-start-server.log"


def _fresh_page(browser: Browser) -> tuple[BrowserContext, Page]:
    """A new browser context (no cache, no cookies): a visitor who has never seen the app."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(APP_TIMEOUT_MS)
    return context, page


def test_plain_streamlit_run_switches_language_and_opens_a_deep_link_after_a_restart(browser: Browser) -> None:
    """The first visitor clicks "English" and gets the English page; after a restart the first visitor's
    shared link opens the Compare page in English, 34-unit view, with the link's unit, and no "Page not
    found" dialog."""
    with serve_app(log_path=LOG, how=STREAMLIT_RUN) as url:
        context, page = _fresh_page(browser)
        open_app(page, f"{url}/", COLD_TIMEOUT_MS)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", level=1)).to_have_text("Chính quyền số cấp tỉnh")

        english = sidebar(page).get_by_role("radio", name="English")
        english.click()

        # Must NOT happen (it did: the first click of a plainly started server was dropped): the page stays in
        # Vietnamese, the link keeps lang=vi and neither language button is selected.
        expect(main.get_by_role("heading", level=1)).to_have_text("Provincial digital government")
        expect(english).to_be_checked()
        expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "plain-start-english.png"))
        context.close()

    with serve_app(log_path=LOG, how=STREAMLIT_RUN) as url:  # a restart: a new process, nobody has visited yet
        context, page = _fresh_page(browser)
        open_app(page, f"{url}/{DEEP_LINK}", COLD_TIMEOUT_MS)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", level=1)).to_have_text("Compare")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(sidebar(page).get_by_role("radio", name="34 units (from 7/2025)")).to_be_checked()
        expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quang Tri (from 7/2025)")
        expect(page).to_have_url(re.compile(r"/so-sanh\?lang=en&view=34&units=quang-tri-2025(&|$)"))
        expect(main.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible()
        # Must NOT happen: a traceback, or the link's view replaced by the defaults (the overview, Vietnamese).
        expect(page.get_by_test_id("stException")).to_have_count(0)
        # Must NOT happen (it did): Streamlit's "Page not found" dialog over the right page, sent when its legacy
        # pages/ wrapper could not find the link's address among the file names of pages/.
        expect(page.get_by_test_id("stDialog")).to_have_count(0)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "plain-start-deep-link.png"))
        context.close()
