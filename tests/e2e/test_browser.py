"""Real-browser tests: what a reader sees in Chromium, one user-visible behaviour per test.

Every journey runs on the server started as ``./dev start`` does; a shared link and the quick language
switches also on one started plainly with ``streamlit run app.py`` (``how``; after the first run both serve
the same app.py, and tests/e2e/test_plain_start.py covers the plain start's first run). Conventions (Streamlit's own e2e suite): ``expect`` auto-waits, so there are no sleeps; elements are found by
label, role or test id; each scenario has one "must NOT happen" check. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Page, expect  # noqa: E402

from lib.i18n import t  # noqa: E402
from lib.navigation import PAGES as PAGE_DEFS  # noqa: E402

from .conftest import (  # noqa: E402
    LIB_SERVE,
    SHARED_FILTERS,
    STREAMLIT_RUN,
    open_app,
    save_main_screenshot,
    server_output,
    sidebar,
    wait_for_app,
)

FILTERS = SHARED_FILTERS

PAGES = [
    # (url path, heading, Plotly charts, must show a table). The default page lives at "/": Streamlit ignores the
    # default page's url_path. Every page's link under ./dev start: tests/e2e/test_every_page.py.
    pytest.param("" if p.default else p.url_path, t(p.title_key if not p.default else "app_title", "vi"),
                 {"overview": 3, "compare": 4, "timeline": 2, "profile": 0, "sources": 0}[p.name],
                 p.name == "sources", id=p.name)
    for p in PAGE_DEFS  # the one list of pages (lib.navigation)
]


def test_first_visitor_sees_no_page_not_found(first_visit: dict[str, list[str]]) -> None:
    """The first reader after a (re)start who opens a shared link to a page sees that page and no error dialog."""
    # Must NOT happen: Streamlit's "Page not found" modal over a page that exists.
    assert first_visit["dialogs"] == []


@pytest.mark.parametrize(("how", "path", "heading", "n_charts", "has_table"),
                         [pytest.param(STREAMLIT_RUN, *p.values, id=f"{STREAMLIT_RUN}-{p.id}") for p in PAGES
                          if p.id == "compare"])
def test_shared_link_opens_page(page: Page, served_url: str, how: str, path: str, heading: str, n_charts: int,
                                has_table: bool, request: pytest.FixtureRequest) -> None:
    """A shared link with filters opens the page with its heading, all its charts (or its table) and no error:
    here under a plain `streamlit run app.py` (every page under ./dev start: test_every_page.py)."""
    open_app(page, f"{served_url}/{path}?{FILTERS}")
    main = page.get_by_test_id("stMain")

    expect(main.get_by_role("heading", level=1)).to_have_text(heading)
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(n_charts)
    for chart in main.get_by_test_id("stPlotlyChart").all():
        expect(chart.locator(".main-svg").first).to_be_visible()  # drawn, not just a placeholder
    if has_table:
        expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
    # The filters of the link were taken, not replaced by defaults.
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quảng Bình (trước 7/2025)")

    # Must NOT happen: an error on the page, as a traceback or as Streamlit's "Page not found" dialog.
    expect(page.get_by_test_id("stException").or_(page.get_by_role("dialog"))).to_have_count(0)
    save_main_screenshot(page, request.node.callspec.id)


def test_language_switch_to_english(page: Page, app_url: str) -> None:
    """Choosing English translates the page and puts lang=en into the link, keeping the selection."""
    open_app(page, f"{app_url}/so-sanh?{FILTERS}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text("So sánh")

    sidebar(page).get_by_role("radio", name="English").click()

    expect(main.get_by_role("heading", level=1)).to_have_text("Compare")
    # One provinces box per language (lib.ui._widget_key): the Vietnamese one goes when the run ends.
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_have_count(1)
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Provinces")
    expect(page).to_have_url(re.compile(r"[?&]lang=en(&|$)"))
    # Must NOT happen: switching language drops the provinces of the link.
    expect(page).to_have_url(re.compile(r"units=quang-tri(,|%2C)quang-binh(,|%2C)lang-son(,|%2C)quang-nam"))


def test_clicking_selected_language_again_keeps_page(page: Page, app_url: str) -> None:
    """Clicking the language already chosen (which deselects a segmented control) leaves the page as it was."""
    open_app(page, f"{app_url}/so-sanh?{FILTERS}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text("So sánh")

    vietnamese = sidebar(page).get_by_role("radio", name="Tiếng Việt")
    vietnamese.click()
    wait_for_app(page)

    expect(vietnamese).to_be_checked()
    # Must NOT happen: a traceback instead of the page (it was StreamlitWidgetAlreadyInstantiatedError, from
    # setting st.session_state.f_lang after the widget was drawn). Short timeouts: the rerun is already over.
    expect(page.get_by_test_id("stException")).to_have_count(0, timeout=3_000)
    expect(main.get_by_role("heading", level=1)).to_have_text("So sánh", timeout=3_000)


def test_search_without_diacritics_adds_successor(page: Page, app_url: str) -> None:
    """In the 34-unit view, 'quang nam' (no diacritics) offers Đà Nẵng, which absorbed Quảng Nam, and adds it."""
    open_app(page, f"{app_url}/?lang=vi&view=34&units=lang-son")
    side = sidebar(page)
    units = side.get_by_test_id("stMultiSelect")
    expect(units).not_to_contain_text("Đà Nẵng")

    search = side.get_by_role("textbox", name="Tìm tỉnh (không dấu, tên cũ)", exact=True)
    search.fill("quang nam")
    search.press("Enter")
    offer = side.get_by_test_id("stButton").filter(has_text="Đà Nẵng (từ 7/2025)")  # a button with a "+" icon
    expect(offer).to_be_visible()
    offer.click()

    expect(units).to_contain_text("Đà Nẵng (từ 7/2025)")
    expect(units).to_contain_text("Lạng Sơn")
    expect(page).to_have_url(re.compile(r"units=lang-son(,|%2C)da-nang-2025"))
    # Must NOT happen: the offer stays up after the unit was added (the search box is cleared).
    expect(offer).to_have_count(0)
    expect(search).to_have_value("")


def test_stale_link_warns_and_falls_back(page: Page, app_url: str) -> None:
    """A link with an unknown province and an impossible period warns in the sidebar and still draws the chart."""
    open_app(page, f"{app_url}/?units=atlantis&years=1900-1901")
    warnings = sidebar(page).get_by_test_id("stAlert").filter(has_text="Liên kết có giá trị không hợp lệ")

    expect(warnings.filter(has_text="units=atlantis")).to_be_visible()
    expect(warnings.filter(has_text="years=1900-1901")).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart")).to_have_count(3)
    expect(page).not_to_have_url(re.compile("atlantis|1900"))  # the link now shows the defaults used
    # Must NOT happen: the bad link crashes the page.
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_overviews_own_address_opens_the_overview_with_the_links_filters(page: Page, app_url: str) -> None:
    """/tong-quan (the overview's address, typed after its name in the bar, or in an old link) opens the overview
    with the link's filters, and so does the browser's Back button to it; a link icon beside "Copy link" that
    needs no emoji font."""
    open_app(page, f"{app_url}/tong-quan?lang=en&view=34&units=quang-tri-2025")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text("Provincial digital government")
    expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text("Quang Tri (from 7/2025)")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(3)
    # Must NOT happen (it did): Streamlit's "Page not found" dialog, in English, over the page.
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    # The button's icon is an image: an emoji (it was 🔗) is an empty box where no emoji font is installed.
    button = page.get_by_role("button", name="Copy link")
    expect(button).to_have_text("Copy link")
    assert button.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    page.get_by_role("link", name="Compare").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Compare")
    expect(page).to_have_url(re.compile(r"/so-sanh\?.*years="))  # the page's filters written into its address
    wait_for_app(page)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/tong-quan\?"))
    expect(main.get_by_role("heading", level=1)).to_have_text("Provincial digital government")
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(3)
    # Must NOT happen (it did, when the address switched pages): a traceback after Back, the period lost.
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(sidebar(page).get_by_test_id("stSlider")).to_contain_text("2014")


def test_sources_csv_download(page: Page, app_url: str) -> None:
    """'Tải CSV' on the Sources page downloads a UTF-8 CSV (with BOM, for Excel) of the selected data."""
    open_app(page, f"{app_url}/nguon-du-lieu?{FILTERS}")
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Tải CSV").get_by_role("button")

    with page.expect_download() as info:
        button.click()
    download = info.value
    data = Path(download.path()).read_bytes()

    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    units = {row["Tỉnh/đơn vị"] for row in rows}
    assert "Lạng Sơn" in units
    # Must NOT happen: rows of provinces outside the link's selection.
    assert units <= {"Quảng Trị (trước 7/2025)", "Quảng Bình (trước 7/2025)", "Lạng Sơn",
                     "Quảng Nam (trước 7/2025)"}, units


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return struct.unpack(">II", data[16:24])


def test_chart_png_download(page: Page, app_url: str) -> None:
    """'Tải PNG' under the first Compare chart downloads a real chart image (the first export starts Chromium)."""
    open_app(page, f"{app_url}/so-sanh?{FILTERS}")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    png_buttons = page.get_by_test_id("stDownloadButton").filter(has_text="Tải PNG")
    if png_buttons.count() == 0:
        pytest.skip("no 'Tải PNG' button: image export is unavailable on this server (lib/downloads.py)")

    with page.expect_download(timeout=60_000) as info:
        png_buttons.first.get_by_role("button").click()  # the first is under the first chart
    download = info.value
    data = Path(download.path()).read_bytes()

    assert download.suggested_filename.endswith(".png"), download.suggested_filename
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), data[:8]
    assert _png_size(data) == (2400, 1350)
    # Must NOT happen: the export failed and the server quietly sent its "could not make the image" placeholder.
    assert "Export failed" not in server_output()


@pytest.mark.parametrize(("view", "lang", "n_units", "heading"), [
    ("63", "vi", 63, "Chính quyền số cấp tỉnh"), ("63", "en", 63, "Provincial digital government"),
    ("34", "vi", 34, "Chính quyền số cấp tỉnh"), ("34", "en", 34, "Provincial digital government"),
])
def test_overview_opens_on_a_complete_ranking(page: Page, app_url: str, view: str, lang: str, n_units: int,
                                              heading: str) -> None:
    """A leader opening the dashboard sees every province (63) or every unit (34) ranked by the DTI,
    not a ranking of two bars."""
    open_app(page, f"{app_url}/?lang={lang}&view={view}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text(heading)
    ranking = main.get_by_test_id("stPlotlyChart").first
    expect(ranking.locator(".barlayer .point")).to_have_count(n_units)
    # Its title is page text just above it (bold; it wraps on a phone), with the year ranked.
    expect(main.locator("strong", has_text=re.compile(r"DTI.* · 2024$")).first).to_be_visible()
    # Must NOT happen: the other boundaries' units in the ranking, or an error.
    other = ("from 7/2025" if lang == "en" else "từ 7/2025") if view == "63" else \
        ("before 7/2025" if lang == "en" else "trước 7/2025")
    expect(ranking.locator(".ytick", has_text=other)).to_have_count(0)
    # The map beside it: every unit of the view is a shape on the main map, and both archipelagos are named.
    chart = main.get_by_test_id("stPlotlyChart").nth(1)
    expect(chart.locator("g.geo2 path.choroplethlocation").first).to_be_attached()
    locs = chart.evaluate("""el => [...new Set([...el.querySelectorAll('g.geo:not(.geo2) path.choroplethlocation')]
                                   .map(p => p.__data__ && p.__data__.loc).filter(Boolean))].length""")
    assert locs == n_units
    for name in (("Hoàng Sa", "Trường Sa") if lang == "vi" else ("Hoang Sa", "Truong Sa")):
        expect(chart.get_by_text(re.compile(name)).first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    save_main_screenshot(page, f"overview-ranking-{view}-{lang}")


@pytest.mark.parametrize(("how", "quick"), [(LIB_SERVE, False), (LIB_SERVE, True), (STREAMLIT_RUN, True)],
                         ids=["slow-clicks", "quick-clicks", "streamlit-run-quick-clicks"])
def test_language_switches_keep_the_selection(page: Page, served_url: str, how: str, quick: bool) -> None:
    """vi → en → vi, then the indicator, the boundaries and a page: the provinces chosen stay chosen.
    (Streamlit sends a multiselect's value as its labels; labels of the other language used to be lost.)"""
    open_app(page, f"{served_url}/?{FILTERS}")
    side = sidebar(page)

    def settle() -> None:
        if not quick:
            wait_for_app(page)

    for lang in ("English", "Tiếng Việt"):
        side.get_by_text(lang, exact=True).click()
        settle()
    indicator = side.get_by_test_id("stSelectbox").filter(has_text="Chỉ tiêu").get_by_role("combobox")
    indicator.click()
    indicator.fill("Chỉ số chuyển đổi số cấp tỉnh")
    page.keyboard.press("Enter")
    settle()
    side.get_by_text("34 đơn vị (từ 7/2025)").click()
    wait_for_app(page)
    chips = side.get_by_test_id("stMultiSelect")
    for name in ("Quảng Trị (từ 7/2025)", "Lạng Sơn", "Đà Nẵng (từ 7/2025)"):
        expect(chips).to_contain_text(name)
    page.get_by_role("link", name="So sánh").first.click()
    wait_for_app(page)
    expect(page.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text("So sánh")
    expect(page).to_have_url(re.compile(r"ind=dti_score"))  # the indicator chosen after the switches
    for name in ("Quảng Trị (từ 7/2025)", "Lạng Sơn", "Đà Nẵng (từ 7/2025)"):
        expect(sidebar(page).get_by_test_id("stMultiSelect")).to_contain_text(name)
    # Must NOT happen: "no province selected", or an error.
    expect(page.get_by_text("Chưa chọn tỉnh nào")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
