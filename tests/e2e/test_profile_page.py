"""The province profile in a real browser: a shared link opens the right unit with its value, its position by
value and (where the ministry printed one) its published rank; screenshots on a laptop and a phone."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, EXPECT_TIMEOUT_MS, expect, open_app

pytestmark = pytest.mark.e2e

CASES = [("ho-so-tinh?view=63&unit=quang-tri&lang=vi", "0,677", "41/63", "không công bố", "63"),
         ("ho-so-tinh?view=34&unit=quang-tri-2025&lang=en", "0.5858", "33/34", "33/34", "34")]


@pytest.mark.parametrize(("path", "value", "position", "published", "view"), CASES)
def test_profile_link_shows_value_position_and_published_rank(browser, app_url, path, value, position, published,
                                                               view):
    for width, height, name in ((1440, 900, "laptop"), (390, 844, "phone")):
        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
        context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_app(page, f"{app_url}/{path}")
        metrics = page.get_by_test_id("stMetric")
        expect(metrics.filter(has_text=value).first).to_be_visible(timeout=EXPECT_TIMEOUT_MS)
        expect(metrics.filter(has_text=position).first).to_be_visible()
        expect(page.get_by_test_id("stMetric").filter(has_text=published).first).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)  # must not happen
        expect(page.get_by_role("button", name="Sao chép liên kết" if "lang=vi" in path else "Copy link")
               ).to_be_visible()
        if width > 500:  # a browser without a clipboard (set up below): the link is shown to copy by hand
            page.get_by_role("button", name="Sao chép liên kết" if "lang=vi" in path else "Copy link").click()
            box = page.locator("#copy-link-url")
            expect(box).to_be_visible()
            assert f"unit={path.split('unit=')[1].split('&')[0]}" in box.input_value()
        main = page.get_by_test_id("stMain")
        h = main.evaluate("el => el.scrollHeight")
        page.set_viewport_size({"width": width, "height": min(h, 12_000)})
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        main.screenshot(path=str(ARTIFACTS / f"profile-quang-tri-{view}-{name}.png"))
        context.close()


def test_the_brief_downloads_as_a_pdf_with_the_units_numbers(browser, app_url):
    """The brief's button builds the PDF when clicked (its chart too: lib.blocks.profile_brief), and the file is
    the unit's: its name, its value."""
    from io import BytesIO
    from pathlib import Path

    from pypdf import PdfReader

    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        open_app(page, f"{app_url}/ho-so-tinh?view=63&unit=quang-tri&lang=vi")
        button = page.get_by_test_id("stDownloadButton").filter(has_text="Tải bản tóm tắt (PDF")
        expect(button).to_be_visible(timeout=EXPECT_TIMEOUT_MS)
        with page.expect_download(timeout=90_000) as info:
            button.get_by_role("button").click()
        download = info.value
        data = Path(download.path()).read_bytes()
        assert download.suggested_filename.endswith(".pdf") and "quang-tri" in download.suggested_filename
        pages = PdfReader(BytesIO(data)).pages
        text = " ".join(p.extract_text() for p in pages)
        assert "Quảng Trị" in text and "0,677" in text, text[:500]
        assert any(p.images for p in pages)  # the ranking around the unit, drawn for the brief
    finally:
        context.close()
