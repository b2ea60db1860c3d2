"""The state's targets in a real browser: the target line and its label on the timeline of the full-process
rate, and Hà Nam's row of the compare page's targets table (63 provinces): 68,54 % against ≥ 80 % (2025)."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
from playwright.sync_api import Page, expect  # noqa: E402

from .conftest import open_app, save_main_screenshot  # noqa: E402

HA_NAM = "lang=vi&view=63&units=ha-nam&years=2020-2025&ind=full_process_file_rate"
LABEL = "QĐ 942: ≥ 80 % (2025) · mục tiêu quốc gia, không phải nghĩa vụ của tỉnh"
NATIONAL_GREY = "rgb(97, 97, 97)"  # lib.charts.NATIONAL_COLOR, as the browser writes it


def test_target_line_and_label_on_the_timeline(page: Page, app_url: str) -> None:
    """The full-process rate's timeline draws Decision 942's 80 % as a dotted reference line with its label."""
    open_app(page, f"{app_url}/dong-thoi-gian?{HA_NAM}")
    chart = page.get_by_test_id("stMain").get_by_test_id("stPlotlyChart").first
    expect(chart.locator("text", has_text=LABEL)).to_have_count(1)
    line = chart.locator(f"g.scatterlayer path.js-line[style*='{NATIONAL_GREY}']")
    expect(line).to_have_count(1)
    assert "stroke-dasharray" in (line.get_attribute("style") or "")  # dotted: a reference, not a value
    # Must NOT happen: an error on the page.
    expect(page.get_by_test_id("stException")).to_have_count(0)
    chart.screenshot(path=str(save_main_screenshot(page, "targets-timeline").with_name("targets-timeline-chart.png")))


def test_targets_table_for_ha_nam_on_the_compare_page(page: Page, app_url: str) -> None:
    """Hà Nam (63 view): 68,54 % (2024) against ≥ 80 % (2025), its status and gap, the scope in words, and that
    the indicator only comes closest to what Decision 942 asks."""
    open_app(page, f"{app_url}/so-sanh?{HA_NAM}")
    box = page.locator(".st-key-compare_targets")
    expect(box.get_by_role("heading", name="Mục tiêu của Nhà nước")).to_be_visible()
    row = box.get_by_role("row").filter(has_text="Hà Nam").filter(has_text="≥ 80 % (QĐ 942; chỉ tiêu gần đúng)")
    expect(row).to_have_count(1)
    for cell in ("2025", "68,54 % (2024)", "chưa có số liệu năm 2025", "−11,46 %",
                 "mục tiêu quốc gia, không phải nghĩa vụ của tỉnh"):
        expect(row).to_contain_text(cell)
    # Must NOT happen: the 2024 value judged as if it were 2025's ("chưa đạt" / "đạt" from another year).
    expect(row).not_to_contain_text("chưa đạt")
    box.screenshot(path=str(save_main_screenshot(page, "targets-compare").with_name("targets-compare-table.png")))
