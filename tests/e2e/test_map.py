"""The map in a real browser (Chromium): it draws with no network at all, and the Red River Delta's small
provinces can be hovered in the inset. The figure is loaded as a standalone page (plotly.js inlined); then the
app's overview: its map names its shapes by the URL of the app's own static files, fetched once per tab, and
draws and hovers the same with nothing fetched from elsewhere.

Values are synthetic, made by code for this test.
"""

from __future__ import annotations

import pandas as pd
import plotly.io as pio
import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Browser, Route, expect  # noqa: E402

from lib.charts_map import map_figure  # noqa: E402
from lib.data import DEFAULT_PATH, load_frames  # noqa: E402

from .conftest import ARTIFACTS, wait_for_app  # noqa: E402

META = {"id": "share", "kind": "percent", "higher_is_better": True, "decimals": 1, "title_vi": "Tỷ lệ hộ có Internet",
        "title_en": "Households online", "unit_vi": "%", "unit_en": "%"}
SOURCES = pd.DataFrame({"id": ["s1"], "publisher": ["Bộ Thông tin và Truyền thông"], "published": ["2023-05-01"]})


def _page_html() -> str:
    units = load_frames(DEFAULT_PATH).units
    codes = list(units.loc[units["era"].isin(("pre", "both")), "code"])
    rows = pd.DataFrame({"unit": codes, "indicator": "share", "value": [20 + (37 * i) % 76 for i in range(len(codes))],
                         "as_of": pd.Timestamp("2024-12-31"), "precision": "year", "period": "", "qualifier": "",
                         "source": "s1", "out_of": pd.NA, "derived": False, "rule": None})
    fig = map_figure(rows, META, dict(zip(units["code"], units["name_vi"])), ["ha-nam"], lang="vi", year=2024,
                     boundaries="63", sources=SOURCES, unit_codes=codes)
    return pio.to_html(fig, include_plotlyjs=True, full_html=True)


def test_map_draws_offline_and_small_provinces_hover_in_the_inset(browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    outside: list[str] = []

    def refuse(route: Route) -> None:  # no request may leave the page (plotly.js would fetch a world map)
        outside.append(route.request.url)
        route.abort()

    page.route("**/*", refuse)
    try:
        page.set_content(_page_html())
        page.wait_for_selector(".js-plotly-plot g.geo2 path.choroplethlocation", timeout=20_000)
        for code, name in (("bac-ninh", "Bắc Ninh"), ("hung-yen", "Hưng Yên"), ("ha-nam", "Hà Nam")):
            main, inset = (page.evaluate(
                """([code, sub]) => { for (const p of document.querySelectorAll(`g.${sub} path.choroplethlocation`)) {
                       if (p.__data__ && p.__data__.loc === code) { const r = p.getBoundingClientRect();
                         return [r.x + r.width / 2, r.y + r.height / 2, r.width]; } } return null; }""", [code, sub])
                for sub in ("geo:not(.geo2)", "geo2"))
            assert inset[2] > 4 * main[2], (code, main, inset)  # the inset enlarges it
            page.mouse.move(inset[0], inset[1])
            expect(page.locator(".hoverlayer .hovertext").first).to_contain_text(name, timeout=5_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map_browser_hover.png"))
        # Must NOT happen: any request to the network (cdn.plot.ly's world_110m.json in particular).
        assert outside == []
    finally:
        page.close()


# Every unit of the 63 view on the main map; the inset's units; a small delta province to hover there.
MAP_MAIN = ".js-plotly-plot g.geo:not(.geo2) path.choroplethlocation"
LOCS = """sel => [...new Set([...document.querySelectorAll(sel)].map(p => p.__data__ && p.__data__.loc))]
                .filter(Boolean).length"""


def test_app_map_fetches_its_shapes_once_from_the_app_and_hovers(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="vi-VN")  # its own cache
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        _app_map(page, app_url)
    finally:
        context.close()


def _app_map(page, app_url: str) -> None:
    outside: list[str] = []
    shapes: list[str] = []

    def only_the_app(route: Route) -> None:
        url = route.request.url
        if not url.startswith(app_url):
            outside.append(url)
            route.abort()
            return
        if "/app/static/geo/" in url:
            shapes.append(url.split("?")[0])
        route.continue_()

    page.route("**/*", only_the_app)
    page.goto(f"{app_url}/?lang=vi&view=63&units=ha-nam,bac-ninh&years=2016-2024&ind=dti_score")
    wait_for_app(page, 120_000)
    page.wait_for_selector(".js-plotly-plot g.geo2 path.choroplethlocation", timeout=60_000)
    assert page.evaluate(LOCS, MAP_MAIN) == 63  # every province drawn, each from the shared file
    thumb = page.get_by_test_id("stSlider").get_by_role("slider").last
    thumb.focus()
    page.keyboard.press("ArrowLeft")  # another year on the map: new values, the same shapes
    wait_for_app(page, 120_000)
    expect(page.get_by_text("DTI 2023").first).to_be_attached(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot g.geo2 path.choroplethlocation", timeout=60_000)
    assert page.evaluate(LOCS, MAP_MAIN) == 63
    inset = page.locator(".js-plotly-plot g.geo2").first
    inset.scroll_into_view_if_needed()
    x, y, _ = page.evaluate("""() => { for (const p of document.querySelectorAll('g.geo2 path.choroplethlocation')) {
        if (p.__data__ && p.__data__.loc === 'hung-yen') { const r = p.getBoundingClientRect();
          return [r.x + r.width / 2, r.y + r.height / 2, r.width]; } } return null; }""")
    page.mouse.move(x, y)
    expect(page.locator(".hoverlayer .hovertext").first).to_contain_text("Hưng Yên", timeout=20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map_app_hover.png"))
    assert outside == []
    assert sorted(shapes) == sorted({*shapes}) and len(shapes) == 2, shapes  # vn63.json and the inset's, once
