"""The overview on a 390 × 844 phone with the default selection: at most six screens (the per-indicator cards
moved to the province profile)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, EXPECT_TIMEOUT_MS, expect, open_app

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def test_overview_is_at_most_six_phone_screens(browser, app_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    open_app(page, app_url)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=EXPECT_TIMEOUT_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    height = page.get_by_test_id("stMain").evaluate("el => el.scrollHeight")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "overview-phone-height.txt").write_text(f"{height} px = {height / PHONE['height']:.1f} screens\n")
    context.close()
    assert height <= 6 * PHONE["height"], f"{height} px = {height / PHONE['height']:.1f} screens"
