"""A valid dataset full of HTML/JS/Markdown payloads (tests/payloads.py), served and visited in Chromium:
every page and the CSV and SVG downloads. Fails if a dialog opens, a script runs, a payload becomes an
element or a link, or the browser asks for any payload address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Browser, Page, Route, expect  # noqa: E402

from lib.navigation import PAGES as PAGE_DEFS  # noqa: E402
from tests.payloads import MARKERS, write_hostile  # noqa: E402

from .conftest import APP_TIMEOUT_MS, ARTIFACTS, save_main_screenshot, serve_app, wait_for_app  # noqa: E402

PAGES = ["" if p.default else p.url_path for p in PAGE_DEFS]
QUERY = "units=quang-tri,quang-binh&ind=dti_score"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory) -> Iterator[str]:
    data = write_hostile(tmp_path_factory.mktemp("hostile") / "provinces.yaml")
    with serve_app({"PROVINCES_DATA": str(data)}, ARTIFACTS / "hostile-server.log") as url:
        yield url


def _guard(page: Page, base: str) -> tuple[list[str], list[str]]:
    """Record (and abort) every request that is not to our own server, and every dialog."""
    outside, dialogs = [], []

    def route(r: Route) -> None:
        if any(m in r.request.url for m in MARKERS):
            outside.append(r.request.url)  # a payload got the browser to ask for its address
        if r.request.url.startswith(base) and r.request.url not in outside:
            r.continue_()
        else:
            r.abort()  # nothing leaves this machine (Streamlit's favicon font is not needed either)

    # Only what may not pass goes through Python: a request to another address, or one naming a payload. (A
    # route for every request, "**/*", sent the app's own ~50 files of each page through this process too.)
    elsewhere = "^(?!" + re.escape(base + "/") + ")|" + "|".join(re.escape(m) for m in MARKERS)
    page.route(re.compile(elsewhere), route)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return outside, dialogs


def _no_live_payload(page: Page) -> None:
    for marker in MARKERS:
        expect(page.locator(f"img[src*='{marker}'], a[href*='{marker}'], iframe[src*='{marker}']")).to_have_count(0)
    assert page.evaluate("() => window.__pwned") is None
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGE_DEFS])
def test_payloads_stay_text_on_every_page(browser: Browser, hostile_url: str, path: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    outside, dialogs = _guard(page, hostile_url)
    try:
        page.goto(f"{hostile_url}/{path}?{QUERY}")
        wait_for_app(page)
        if path not in ("nguon-du-lieu", "ho-so-tinh"):  # the pages without a chart on screen
            # Drawn, as a reader scrolling to it sees it (the payloads' long titles push it down the page; twice
            # on a busy machine its SVG was not there within 20 s).
            chart = page.get_by_test_id("stPlotlyChart").first
            chart.scroll_into_view_if_needed()
            expect(chart.locator(".main-svg").first).to_be_visible(timeout=APP_TIMEOUT_MS)
        # The payload is on the page as characters: a unit's name, in the sidebar's selection.
        expect(page.get_by_test_id("stSidebar").get_by_text("<img src=", exact=False).first).to_be_visible()
        _no_live_payload(page)
        save_main_screenshot(page, f"hostile-{path or 'overview'}")
        assert dialogs == [] and outside == [], (dialogs, outside)
    finally:
        page.close()


def test_downloads_carry_payloads_as_text(browser: Browser, hostile_url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    outside, dialogs = _guard(page, hostile_url)
    try:
        page.goto(f"{hostile_url}/nguon-du-lieu?{QUERY}&years=2022-2022")
        wait_for_app(page)
        with page.expect_download() as info:
            page.get_by_test_id("stDownloadButton").filter(has_text="Tải CSV").get_by_role("button").click()
        text = Path(info.value.path()).read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK(" in text and ",=HYPERLINK(" not in text and '"=HYPERLINK(' not in text

        page.goto(f"{hostile_url}/?{QUERY}")
        wait_for_app(page)
        svg_buttons = page.get_by_test_id("stDownloadButton").filter(has_text="Tải SVG")
        if svg_buttons.count():
            with page.expect_download(timeout=60_000) as info:
                svg_buttons.first.get_by_role("button").click()
            svg = Path(info.value.path()).read_text(encoding="utf-8")
            assert "&#60;img src=" in svg or "&lt;img src=" in svg  # the name, drawn as characters
            assert "<img" not in svg and "<a " not in svg and "<script" not in svg
        _no_live_payload(page)
        assert dialogs == [] and outside == [], (dialogs, outside)
    finally:
        page.close()
