"""A unit against the state's targets (lib.targets) on hand-made frames: met, not met, not yet due, no data,
a bound that proves "not met", a bound that proves nothing, and a target on a rank (lower is better)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from lib.data import load_frames
from lib.targets import MET, NO_DATA, NOT_DUE, NOT_MET, meets, standing, target_label, targets_table

TODAY = dt.date(2026, 12, 3)
AT_LEAST_80 = {"comparator": ">=", "value": 80.0, "year": 2025}
TOP_5 = {"comparator": "<=", "value": 5.0, "year": 2024}


def obs(*rows: tuple) -> pd.DataFrame:
    """(year, value, qualifier) rows of one unit and indicator."""
    return pd.DataFrame({"year": [r[0] for r in rows], "value": [float(r[1]) for r in rows],
                         "qualifier": [r[2] if len(r) > 2 else "" for r in rows],
                         "as_of": [pd.Timestamp(f"{r[0]}-06-30") for r in rows]})


@pytest.mark.parametrize("rows, target, higher, expect, gap", [
    (obs((2025, 85)), AT_LEAST_80, True, MET, 5.0),
    (obs((2024, 90), (2025, 68.54)), AT_LEAST_80, True, NOT_MET, 68.54 - 80),
    (obs((2024, 68.54)), {**AT_LEAST_80, "year": 2030}, True, NOT_DUE, 68.54 - 80),
    # Due, but nothing of the target year: never judged on another year's value.
    (obs((2024, 68.54), (2026, 90)), AT_LEAST_80, True, NO_DATA, 10.0),
    (obs(), AT_LEAST_80, True, NO_DATA, None),
    # "below 10 %" cannot reach 80 %: the bound proves it.
    (obs((2025, 10, "<")), AT_LEAST_80, True, NOT_MET, None),
    # "above 70 %" may or may not reach 80 %: the bound proves nothing.
    (obs((2025, 70, ">")), AT_LEAST_80, True, NO_DATA, None),
    # A rank: lower is better; 3rd meets "top 5", 12th does not; "=" means reach it.
    (obs((2024, 3)), TOP_5, False, MET, -2.0),
    (obs((2024, 12)), TOP_5, False, NOT_MET, 7.0),
    (obs((2024, 12)), {**TOP_5, "comparator": "="}, False, NOT_MET, 7.0),
], ids=["met", "not-met", "not-yet-due", "no-data-of-the-year", "no-data", "bound-proves-not-met",
        "bound-proves-nothing", "rank-met", "rank-not-met", "rank-reach"])
def test_status_against_a_target(rows, target, higher, expect, gap):
    st = standing(rows, target, higher, TODAY)
    assert st.status == expect
    assert (st.gap is None and gap is None) or st.gap == pytest.approx(gap)


def test_bounds_decide_only_what_they_prove():
    assert meets(10, "<", ">=", 80) is False  # < 10 against ≥ 80
    assert meets(90, "<", ">=", 80) is None  # < 90: could be 85 or 50
    assert meets(85, ">", ">=", 80) is True  # > 85 meets ≥ 80
    assert meets(70, ">", ">=", 80) is None
    assert meets(3, "<", "<=", 5, higher_is_better=False) is True  # a rank better than 3rd is in the top 5
    assert meets(8, ">", "<=", 5, higher_is_better=False) is False


@pytest.fixture
def frames(dataset, write_yaml):
    dataset["observations"] += [
        {"unit": "same-c", "indicator": "dvc_level4_share", "value": 68.54, "date": "2024", "source": "s1",
         "quote": "68,54%"},
        {"unit": "old-b", "indicator": "dvc_level4_share", "value": 10, "qualifier": "<", "date": "2025-03",
         "source": "s1", "quote": "dưới 10%"},
    ]
    doc = {"number": "942/QĐ-TTg", "date": "2021-06-15", "title": {"vi": "Quyết định 942", "en": "Decision 942"},
           "short": {"vi": "QĐ 942", "en": "Decision 942"}}
    base = {"indicator": "dvc_level4_share", "comparator": ">=", "value": 80, "unit": "%", "year": 2025,
            "document": doc, "clause": "Điều 1", "wording": {"vi": "Tỷ lệ", "en": "Share"}, "source": "s1",
            "quote": "tối thiểu 80%", "confidence": "medium"}
    dataset["targets"] = json.loads(json.dumps([{**base, "id": "t-national", "scope": "national"},
                                        {**base, "id": "t-2030", "scope": "province", "year": 2030,
                                         "comparator": "=", "value": 100}]))  # no shared dicts: no YAML aliases
    return load_frames(write_yaml(dataset))


def test_targets_table_in_both_languages(frames):
    vi = targets_table(frames, ["same-c", "old-b"], "vi", today=TODAY)
    assert list(vi.columns) == ["Tỉnh/đơn vị", "Chỉ tiêu", "Mục tiêu", "Năm", "Giá trị gần nhất", "Tình trạng",
                                "Khoảng cách (giá trị − mục tiêu)", "Phạm vi"]
    rows = vi.to_dict("records")
    assert rows[0]["Mục tiêu"] == "≥ 80 % (QĐ 942)" and rows[0]["Năm"] == 2025
    assert rows[0]["Giá trị gần nhất"] == "68,54 % (2024)"
    assert rows[0]["Tình trạng"] == "chưa có số liệu năm 2025" and rows[0]["Khoảng cách (giá trị − mục tiêu)"] == "−11,46 %"
    assert rows[0]["Phạm vi"] == "mục tiêu quốc gia, không phải nghĩa vụ của tỉnh"
    assert rows[1]["Tình trạng"] == "chưa đến hạn" and rows[1]["Phạm vi"] == "áp dụng cho từng tỉnh"
    # The bound: shown as printed, judged "not met" against ≥ 80 %, and no gap computed from it.
    assert rows[2]["Giá trị gần nhất"] == "< 10 % (2025)" and rows[2]["Tình trạng"] == "chưa đạt"
    assert rows[2]["Khoảng cách (giá trị − mục tiêu)"] == "—"
    en = targets_table(frames, ["same-c"], "en", today=TODAY)
    assert en.iloc[0]["Status"] == "no 2025 value" and en.iloc[0]["Scope"] == "national target, not a provincial obligation"


def test_only_indicators_with_data_and_labels(frames):
    assert targets_table(frames, ["new-ab"], "vi", today=TODAY, only_with_data=True).empty
    assert len(targets_table(frames, ["new-ab"], "vi", today=TODAY)) == 2
    meta = frames.indicators.set_index("id").loc["dvc_level4_share"].to_dict()
    tg = frames.targets.set_index("id")
    assert target_label({**tg.loc["t-2030"].to_dict()}, meta, "vi") == "QĐ 942: = 100 % (2030)"
    assert target_label({**tg.loc["t-national"].to_dict()}, meta, "en") == (
        "Decision 942: ≥ 80 % (2025) · national target, not a provincial obligation")


# --- On the charts ------------------------------------------------------------------------------------


def _chart_inputs(frames):
    from lib import charts as C

    meta = C.meta_of(frames.indicators, "dvc_level4_share")
    rows = frames.observations[frames.observations["indicator"] == "dvc_level4_share"]
    labels = {"old-a": "Quảng Ả", "old-b": "Bình Bé", "same-c": "Cẩm Cờ"}
    return C, meta, rows, labels, frames.targets


def test_a_target_is_a_labelled_dashed_line_on_the_timeline(frames):
    C, meta, rows, labels, targets = _chart_inputs(frames)
    evs = frames.events.iloc[0:0]
    fig = C.timeline_figure(rows, evs, meta, labels, ["same-c"], lang="vi", years=(2020, 2025),
                            sources=frames.sources, targets=targets)
    lines = {tr.meta["target"]: tr for tr in fig.data if isinstance(tr.meta, dict) and "target" in tr.meta}
    national, province = lines["t-national"], lines["t-2030"]
    # From the text's date to the end of the target year, at the target's value.
    assert list(national.x) == [pd.Timestamp("2021-06-15"), pd.Timestamp("2025-12-31")]
    assert list(national.y) == [80.0, 80.0] and list(province.y) == [100.0, 100.0]
    assert national.text[-1] == "QĐ 942: ≥ 80 % (2025) · mục tiêu quốc gia, không phải nghĩa vụ của tỉnh"
    assert province.text[-1] == "QĐ 942: = 100 % (2030)"
    assert national.line.dash == "dot" and province.line.dash == "dash"  # a reference looks unlike a duty


def test_a_target_crosses_the_bars_and_the_ranking(frames):
    C, meta, rows, labels, targets = _chart_inputs(frames)
    bars = C.grouped_bar_figure(rows, meta, labels, ["old-a", "same-c"], lang="en", years=(2020, 2025),
                                sources=frames.sources, targets=targets)
    assert sorted(sh.y0 for sh in bars.layout.shapes) == [80.0, 100.0]
    assert {a.text for a in bars.layout.annotations} == {
        "Decision 942: ≥ 80 % (2025) · national target, not a provincial obligation", "Decision 942: = 100 % (2030)"}
    ranking = C.ranking_figure(rows[rows["year"] == 2024], meta, labels, ["same-c"], lang="vi", year=2024,
                               sources=frames.sources, targets=targets)
    median = [sh for sh in ranking.layout.shapes if sh.line.color == "#D55E00"]  # the ranking's median line
    assert [sh.x0 for sh in median] == [68.54]
    assert sorted(sh.x0 for sh in ranking.layout.shapes if sh not in median) == [80.0, 100.0]
    assert ranking.layout.xaxis.range[1] >= 100  # the 100 % line is inside the plot, though no bar reaches it


def test_two_texts_asking_the_same_share_one_labelled_line(frames):
    C, meta, rows, labels, targets = _chart_inputs(frames)
    twin = targets[targets["id"] == "t-national"].assign(id="t-twin", doc_short_vi="NQ 17", doc_date="2019-03-07")
    fig = C.timeline_figure(rows, frames.events.iloc[0:0], meta, labels, ["same-c"], lang="vi", years=(2020, 2025),
                            sources=frames.sources, targets=pd.concat([targets, twin]))
    texts = [tr.text[-1] for tr in fig.data if isinstance(tr.meta, dict) and "target" in tr.meta]
    assert sorted(texts) == ["NQ 17, QĐ 942: ≥ 80 % (2025) · mục tiêu quốc gia, không phải nghĩa vụ của tỉnh",
                             "QĐ 942: = 100 % (2030)"]


def test_the_briefing_packs_carry_the_targets_table(tmp_path):
    """Hà Nam's row of the compare table, as a line of the PDF and of the PowerPoint."""
    import io
    import shutil
    import subprocess

    from pptx import Presentation

    from lib.export import packs
    from lib.filters import FilterState
    from lib.views.targets import pack_lines

    real = load_frames()
    lines = pack_lines(real, FilterState("63", ["ha-nam"], (2016, 2025), "full_process_file_rate", "vi"), TODAY)
    # The 942 target is measured by the closest indicator the dataset has (mapping: partial): the table says so.
    assert lines == ["Hà Nam — Tỷ lệ hồ sơ xử lý trực tuyến toàn trình: ≥ 80 % (QĐ 942; chỉ tiêu gần đúng), 2025 — "
                     "Giá trị gần nhất: "
                     "68,54 % (2024) — chưa có số liệu năm 2025 — Khoảng cách (giá trị − mục tiêu): −11,46 % — mục tiêu quốc "
                     "gia, không phải nghĩa vụ của tỉnh"]
    kw = {"title": "T", "subtitle": "S", "generated": "03/12/2026", "sources": ["x"], "lang": "vi", "targets": lines}
    deck = Presentation(io.BytesIO(packs.build_pptx([], **kw)))
    slide_text = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in deck.slides]
    assert any("Mục tiêu của Nhà nước" in x and "68,54 % (2024)" in x for x in slide_text)
    if shutil.which("pdftotext"):
        pdf = tmp_path / "pack.pdf"
        pdf.write_bytes(packs.build_pdf([], **kw))
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
        assert "Mục tiêu của Nhà nước" in text and "≥ 80 % (QĐ 942; chỉ tiêu gần đúng), 2025" in text and "−11,46 %" in text


def test_a_page_pack_gets_the_targets_lines_when_it_is_built(monkeypatch, real):
    """The compare page's pack: the targets' lines are made when the pack is (not on every run), and they are
    the compare table's (Hà Nam against Decision 942)."""
    from lib import blocks, downloads
    from lib.combine import boundary_observations
    from lib.filters import FilterState
    from lib.views import compare
    from lib.views.targets import pack_lines

    made, built = [], {}
    monkeypatch.setattr(downloads, "download", lambda fmt, data, **kw: built.setdefault(fmt, data))
    monkeypatch.setattr(downloads, "build_pptx", lambda specs, **kw: kw["targets"])
    monkeypatch.setattr(downloads, "build_pdf", lambda specs, **kw: kw["targets"])
    monkeypatch.setattr(downloads, "export_available", lambda start=False: (True, ""))
    monkeypatch.setattr(downloads, "warm_up", lambda: None)
    real_lines = blocks.shared.pack_target_lines
    monkeypatch.setattr(blocks.shared, "pack_target_lines", lambda f, s: made.append(1) or real_lines(f, s))
    state = FilterState("63", ["ha-nam"], (2016, 2025), "full_process_file_rate", "vi")
    specs = compare.compare_specs(boundary_observations(real, "63")[0], real, state)
    blocks.briefing_block(specs, real, state, key="compare")
    assert made == [] and set(built) == {"pack-pptx", "pack-pdf"}  # drawn: nothing made yet
    lines = built["pack-pptx"]()
    assert made == [1] and lines == pack_lines(real, state) and "68,54 % (2024)" in lines[0]
