"""Issue 23 in a real browser: switching boundaries 63 → 34 → 63 gives back the provinces chosen. (The document's
language after every switch, on every page: tests/e2e/test_every_page.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Page, expect  # noqa: E402

from lib.navigation import PAGES as PAGE_DEFS  # noqa: E402

from .conftest import APP_TIMEOUT_MS, SHARED_FILTERS, open_app, sidebar, wait_for_app  # noqa: E402

PATHS = [pytest.param("" if p.default else p.url_path, id=Path(p.file).stem) for p in PAGE_DEFS]


def document_lang(page: Page, want: str) -> str:
    """The page's <html lang>, once it reads `want` (or what it reads after the wait)."""
    page.wait_for_function(f"document.documentElement.lang === {want!r}", timeout=APP_TIMEOUT_MS)
    return page.evaluate("document.documentElement.lang")


def chips(page: Page) -> list[str]:
    """The provinces chosen, as the multiselect's chips show them, in order."""
    tags = sidebar(page).get_by_test_id("stMultiSelect").get_by_test_id("stMultiSelectTagsContainer").first
    return [line.strip() for line in tags.inner_text().splitlines() if line.strip()]


def test_boundaries_there_and_back_keep_the_chips(page: Page, app_url: str) -> None:
    open_app(page, f"{app_url}/?{SHARED_FILTERS}")
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quảng Nam (trước 7/2025)")
    before = chips(page)
    assert len(before) == 4, before
    sidebar(page).get_by_text("34 đơn vị (từ 7/2025)").click()
    wait_for_app(page)
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Đà Nẵng (từ 7/2025)")
    sidebar(page).get_by_text("63 tỉnh (trước 7/2025)").click()
    wait_for_app(page)
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quảng Bình (trước 7/2025)")
    # Must NOT happen: a fifth province (Đà Nẵng, brought in by Quảng Nam's merger) or a changed order.
    assert chips(page) == before
