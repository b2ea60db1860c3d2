"""Values the press prints only as bounds ("dưới 10 %"): shown as "< 10 %", never drawn as 10, never combined,
sorted after the known values in a ranking (the target status is in tests/test_targets.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lib import charts as C
from lib.combine import combine_predecessors
from lib.data import load_frames
from lib.i18n import fmt_value

SOURCES = pd.DataFrame({"id": ["s1"], "publisher": ["Báo"], "title": [""], "url": ["https://example.org"],
                        "published": ["2024"], "description_vi": [""], "description_en": [""]})
META = {"id": "full_process_file_rate", "title_vi": "Tỷ lệ hồ sơ toàn trình", "title_en": "Full-process files",
        "unit_vi": "%", "unit_en": "%", "kind": "percent", "decimals": 2, "higher_is_better": True}
LABELS = {"ha-nam": "Hà Nam", "da-nang": "Đà Nẵng", "ha-noi": "Hà Nội"}


def rows() -> pd.DataFrame:
    return pd.DataFrame({
        "unit": ["ha-noi", "ha-nam", "da-nang"], "indicator": ["full_process_file_rate"] * 3,
        "value": [10.0, 68.54, 58.89], "qualifier": ["<", "", ""], "year": [2024] * 3,
        "as_of": [pd.Timestamp("2024-06-30")] * 3, "date": ["2024"] * 3, "precision": ["year"] * 3,
        "period": [""] * 3, "source": ["s1"] * 3, "out_of": pd.array([pd.NA] * 3, dtype="Int64"),
    })


def test_a_bound_reads_as_printed():
    assert fmt_value(10, "percent", 2, "%", "vi", "<") == "< 10 %"
    assert fmt_value(99, "percent", 1, "%", "en", ">") == "> 99 %"


def test_ranking_puts_the_bound_last_with_no_bar_at_10():
    fig = C.ranking_figure(rows(), META, LABELS, ["ha-noi"], lang="vi", year=2024, sources=SOURCES)
    bars = fig.data[0]
    assert list(bars.y) == ["Hà Nam", "Đà Nẵng", "Hà Nội"]  # the bound after the known values
    assert bars.x[0] == 68.54 and bars.x[1] == 58.89 and (bars.x[2] is None or math.isnan(bars.x[2]))
    words = fig.data[1]  # the bound's words at the axis, as text only
    assert words.mode == "text" and list(words.text) == ["&lt; 10 %"]  # "<" escaped for Plotly and list(words.x) == [0.0]
    assert "Hà Nội 2024: < 10 %" in C.figure_note(fig)


def test_bars_and_lines_never_draw_the_bound():
    bars = C.grouped_bar_figure(rows(), META, LABELS, ["ha-noi", "ha-nam"], lang="vi", years=(2024, 2024),
                                sources=SOURCES)
    assert 10.0 not in [v for tr in bars.data for v in tr.y if v is not None]
    assert "Hà Nội 2024: < 10 %" in C.figure_note(bars)
    evs = pd.DataFrame(columns=["units", "kind", "as_of", "precision", "source", "title_vi", "title_en"])
    line = C.timeline_figure(rows(), evs, META, LABELS, ["ha-noi", "ha-nam"], lang="vi", years=(2020, 2025),
                             sources=SOURCES)
    assert all(10.0 not in list(tr.y) for tr in line.data if tr.y is not None)
    assert "Hà Nội 2024: < 10 %" in C.figure_note(line)


def test_a_bound_has_no_score_on_the_heatmap_scale():
    indicators = pd.DataFrame({"id": ["full_process_file_rate"], "higher_is_better": [True], "kind": ["percent"]})
    scored = C.normalise(rows(), indicators)
    assert set(scored["unit"]) == {"ha-nam", "da-nang"}


@pytest.mark.parametrize("qualifier", ["<", ">"])
def test_a_bound_is_never_combined(dataset, write_yaml, qualifier):
    dataset["observations"][0]["qualifier"] = qualifier  # old-a's 213 endpoints becomes "< 213" / "> 213"
    frames = load_frames(write_yaml(dataset))
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "vc_endpoints"].empty
    row = status[(status.indicator == "vc_endpoints") & (status.year == 2020)].iloc[0]
    assert row.status == "qualified_value"
