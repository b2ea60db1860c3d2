"""Issue 23: sources a leader can cite, and charts that draw nothing the data does not hold.

- every source of the shipped dataset is audited (publisher kind, confidence with a reason) and none is on
  the non-publisher list (the validator's refusal itself: tests/bad_datasets/non-publisher.yaml);
- a value of low or medium confidence is ringed on every chart, with a legend entry;
- no made-up 0,5 on the heatmap or the radar; one year per radar polygon, named; a rank chart says how
  many ranks were printed or draws only complete years;
- a chart's period (title, file name) is the span of the values drawn, not the filter.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from lib import charts as C
from lib import citations as cite
from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, ROOT, load_frames


def drawn(fig) -> list:
    """The traces that draw data (not the low-confidence rings or their legend entry)."""
    return [tr for tr in fig.data if tr.legendgroup != "uncertain"]


def rings(fig) -> list:
    return [tr for tr in fig.data if tr.legendgroup == "uncertain"]


# --- Sources ------------------------------------------------------------------------------------------


def test_every_shipped_source_is_audited_and_cites_a_publisher_of_record():
    from lib.data.checks import non_publisher_of

    doc = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    unaudited = [s["id"] for s in doc["sources"]
                 if not (s.get("publisher_kind") and s.get("confidence") and s.get("confidence_note"))]
    assert unaudited == []
    listed = [(s["id"], non_publisher_of(s.get("url"))) for s in doc["sources"] if non_publisher_of(s.get("url"))]
    assert listed == []
    assert {s["publisher_kind"] for s in doc["sources"]} <= {"government", "state_media", "press", "company",
                                                              "other"}


def test_the_lottery_and_content_farm_figures_are_gone_and_said_so():
    doc = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    urls = " ".join(s.get("url") or "" for s in doc["sources"])
    assert "xosobinhdinh" not in urls and "biotopologicalcraftsmanship" not in urls
    values = {(o["unit"], o["indicator"], o["value"]) for o in doc["observations"]}
    assert ("quang-tri", "dvc_full_process_count", 959) not in values
    assert ("quang-tri", "digital_enterprises", 737) not in values
    assert ("lang-son", "community_digital_teams", 1658) not in values
    left_out = (ROOT / "data" / "LEFT_OUT.md").read_text(encoding="utf-8")
    for words in ("xosobinhdinh.org", "959", "737", "biotopologicalcraftsmanship.org", "1.658", "vrviet.vn",
                  "hesinhthaidoanhnghiep.com"):
        assert words in left_out


def test_non_publisher_list_matches_subdomains_only_of_listed_hosts():
    from lib.data.checks import non_publisher_of

    assert non_publisher_of("https://www.xosobinhdinh.org/a.htm")[0] == "xosobinhdinh.org"
    assert non_publisher_of("https://xosobinhdinh.org.example.vn/a") is None
    assert non_publisher_of("https://baoquangtri.vn/a") is None


def test_an_author_never_stands_as_the_publisher_under_a_chart():
    src = {"title": "Tổng kết thỏa thuận hợp tác chiến lược về viễn thông", "author": "Khánh Ly",
           "file": "articles/003.txt", "published": ""}
    assert "Khánh Ly" not in cite.short(src, "vi")
    assert cite.short(src, "vi").startswith("Tổng kết thỏa thuận")


# --- Low and medium confidence on every chart ------------------------------------------------------------


@pytest.fixture
def shaky(dataset, write_yaml):
    """The tiny dataset with one value of low confidence (old-b's endpoints) and one source of medium."""
    dataset["observations"][1]["confidence"] = "low"
    dataset["sources"][1]["confidence"] = "medium"  # s2: the ranks, same-c's endpoints, the internet shares
    return load_frames(write_yaml(dataset))


def test_source_confidence_reaches_its_values(shaky):
    obs = shaky.observations.set_index(["unit", "indicator", "date"])["confidence"]
    assert obs[("old-b", "vc_endpoints", "2020-09-24")] == "low"
    assert obs[("same-c", "dti_rank", "2022")] == "medium"
    assert obs[("old-a", "vc_endpoints", "2020-07-01")] == ""


def test_ranking_rings_the_uncertain_values_with_a_legend(shaky):
    obs, _ = boundary_observations(shaky, "63")
    labels = F.unit_labels(shaky.units, "vi")
    meta = C.meta_of(shaky.indicators, "vc_endpoints")
    fig = C.ranking_figure(obs[obs["indicator"] == "vc_endpoints"], meta, labels, [], lang="vi", year=2020,
                           sources=shaky.sources)
    bar = drawn(fig)[0]
    marked = dict(zip(bar.y, bar.text))
    assert marked["Bình Bé (trước 7/2025)"].endswith("○") and marked["Cẩm Cờ"].endswith("○")
    assert not marked["Quảng Ả (trước 7/2025)"].endswith("○")
    assert [tr.name for tr in rings(fig)] == ["độ tin cậy thấp hoặc trung bình"] and fig.layout.showlegend
    rank = C.ranking_figure(obs[obs["indicator"] == "dti_rank"], C.meta_of(shaky.indicators, "dti_rank"), labels,
                            [], lang="en", year=2022, sources=shaky.sources)
    (ring,) = rings(rank)
    assert len(ring.x) == 3 and ring.marker.symbol == "circle-open" and ring.name == "low or medium confidence"


def test_timeline_heatmap_and_bars_ring_uncertain_values(shaky):
    obs, _ = boundary_observations(shaky, "63")
    state = F.FilterState("63", ["old-a", "old-b", "same-c"], (2016, 2026), "vc_endpoints", "vi")
    line, _ = views.timeline_specs(obs, shaky, state)
    (ring,) = rings(line.figure)
    assert sorted(ring.y) == [50, 100]  # old-b (low) and same-c (its source is medium), not old-a
    bars = views.compare_specs(obs, shaky, state)
    assert all(rings(spec.figure) for spec in bars[:2]), [spec.key for spec in bars]
    heat = drawn(bars[1].figure)[0]
    marked = [x for row in heat.text for x in row if x.endswith("○")]
    assert "100 endpoints ○" in marked or "100 điểm cầu ○" in marked, heat.text


def test_the_printed_chart_keeps_the_ring_legend(shaky):
    from lib.export.layout import export_figure

    obs, _ = boundary_observations(shaky, "63")
    state = F.FilterState("63", ["old-a", "old-b"], (2016, 2026), "vc_endpoints", "en")
    spec = views.timeline_specs(obs, shaky, state)[0]
    printed = export_figure(spec, "en")
    assert any(tr.name == "low or medium confidence" and tr.showlegend for tr in printed.data)


def test_data_table_names_medium_confidence_too(shaky):
    obs, _ = boundary_observations(shaky, "63")
    state = F.FilterState("63", ["same-c"], (2016, 2026), "vc_endpoints", "en")
    table = views.data_table(obs, shaky, state)
    assert set(table["Confidence"]) == {"medium (a copy, checked where possible)"}


# --- No number drawn that is not in the data ---------------------------------------------------------------


def test_a_cell_with_nothing_to_compare_is_written_not_coloured(tiny):
    obs, _ = boundary_observations(tiny, "63")
    state = F.FilterState("63", ["old-a"], (2016, 2026), "vc_endpoints", "vi")
    # Only old-a in the view: every value has nothing to compare with.
    latest = views.latest_normalised(obs[obs["unit"] == "old-a"], tiny, state)
    assert latest["score"].isna().all()  # nothing to compare with: no score at all (was 0,5 everywhere)
    fig = C.heatmap_figure(latest, tiny.indicators, F.unit_labels(tiny.units, "vi"), state.units, lang="vi",
                           years=state.years, sources=tiny.sources)
    h = drawn(fig)[0]
    assert all(z is None for row in h.z for z in row)
    assert "213 điểm cầu" in [row[0] for row in h.text]  # the value is written
    assert any("Không có giá trị nào khác để so sánh" in row[0] for row in h.hovertext)


def test_ties_share_their_position_and_all_equal_is_no_comparison():
    ind = pd.DataFrame({"id": ["x"], "higher_is_better": [True], "kind": ["count"]})
    tie = C.normalise(pd.DataFrame({"indicator": ["x"] * 3, "value": [5.0, 5.0, 9.0]}), ind)
    assert list(tie["score"]) == [0.0, 0.0, 1.0]
    equal = C.normalise(pd.DataFrame({"indicator": ["x"] * 2, "value": [5.0, 5.0]}), ind)
    assert equal["score"].isna().all()


def test_positions_are_places_tied_values_share_the_better_one():
    # 1, 2, 2, 4: two tied units share 2nd place and nobody is 3rd; the same places as pandas' rank(method="min")
    values = pd.Series([0.71, 0.83, 0.71, 0.65, 0.83, 0.70], index=list("abcdef"))
    assert C.value_positions(values, best_first=False).to_dict() == {"b": 1, "e": 1, "a": 3, "c": 3, "f": 5, "d": 6}
    assert C.value_positions(values, best_first=True).to_dict() == {"d": 1, "f": 2, "a": 3, "c": 3, "b": 5, "e": 5}
    for best_first in (True, False):
        expected = values.rank(method="min", ascending=best_first).astype(int)
        assert C.value_positions(values, best_first).equals(expected)
    with pytest.raises(ValueError):  # a missing value has no place: the caller leaves it out first
        C.value_positions(pd.Series([1.0, None]), best_first=True)


def test_radar_draws_one_year_named_in_its_legend(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["lang-son", "quang-tri", "da-nang"], (2014, 2026), "dti_score", "vi")
    latest = views.latest_normalised(obs, real, state)
    assert latest["row_year"].nunique() > 1  # the selection's newest values span several years
    fig = C.radar_figure(latest, real.indicators, F.unit_labels(real.units, "vi"), state.units, lang="vi",
                         years=state.years, sources=real.sources)
    year = C.radar_year(latest[latest["unit"].isin(state.units)])
    names = [tr.name for tr in drawn(fig)]
    assert names and all(n.endswith(f"({year})") for n in names)
    assert C.figure_title(fig).endswith(f"· {year}")
    for tr in drawn(fig):
        assert all(r is None or pd.isna(r) or 0 <= r <= 1 for r in tr.r)


def test_rank_ranking_says_how_many_ranks_were_printed(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["lang-son"], (2023, 2023), "dti_rank", "en")
    spec, n, year = views.ranking_spec(obs, real, state)
    assert year == 2023 and n < 63
    assert f"{n} of 63 ranks printed" in spec.title


def test_rank_movement_draws_only_complete_rankings(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["lang-son"], (2016, 2026), "dti_rank", "en")
    spec = views.movement_spec(obs, real, state)
    assert sorted(set(spec.figure.data[0].x)) == ["2022"]
    assert "2023 (" in spec.note and "of 63 ranks printed" in spec.note


# --- Titles from the data -----------------------------------------------------------------------------------


def test_titles_and_file_names_carry_the_span_drawn_not_the_filter(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["lang-son"], (2014, 2026), "vc_endpoints", "vi")  # one value: 2020
    specs = views.compare_specs(obs, real, state)
    bars = specs[0]
    assert bars.title.endswith("· 2020") and "2014" not in bars.title
    assert "2020" in bars.filename_stem and "2014" not in bars.filename_stem
    heat = specs[1]
    assert "2014" not in heat.title and "2014" not in heat.filename_stem
    line, gantt = views.timeline_specs(obs, real, state)
    assert "2014" not in line.title and "2014" not in line.filename_stem
    assert "2014" not in gantt.title


# --- Language ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vi, en", [
    ("9 tháng đầu năm 2024", "first 9 months of 2024"), ("Quý I/2026 (họp)", "Q1 2026 (meeting)"),
    ("Quý IV/2025", "Q4 2025"), ("tháng 9/2024", "Sep 2024"), ("6 tháng đầu năm 2025", "first 6 months of 2025"),
    ("DTI 2022", "DTI 2022"), ("Vietnam ICT Index 2023", "Vietnam ICT Index 2023"),
])
def test_period_labels_have_an_english_form(vi, en):
    from lib.i18n import period_label

    assert period_label(vi, "en") == en and period_label(vi, "vi") == vi


def test_no_period_of_the_dataset_stays_vietnamese_in_english(real):
    from lib.i18n import period_label, strip_marks

    left = {p for p in real.observations["period"].unique() if p and strip_marks(period_label(p, "en")) !=
            period_label(p, "en")}
    assert left == set()


def test_english_hovers_tables_and_descriptions_use_english_periods(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "lang-son", "quang-nam"], (2016, 2026), "online_application_rate", "en")
    table = views.data_table(obs, real, state)
    assert "first 9 months of 2018" in set(table["As of"]) and not any("tháng" in x for x in table["As of"])
    line = views.timeline_specs(obs, real, state)[0]
    hovers = " ".join(h for tr in line.figure.data for h in (tr.hovertext or ()) if isinstance(h, str))
    assert "tháng" not in hovers and "Quý" not in hovers


def test_file_names_follow_the_language(real):
    obs, _ = boundary_observations(real, "63")
    for lang, start, words in (("vi", "xep-hang_chi-so-chuyen-doi-so", "_4-tinh_"),
                               ("en", "ranking_provincial-digital-transformation", "_4-units_")):
        state = F.FilterState("63", ["quang-tri", "quang-binh", "lang-son", "quang-nam"], (2016, 2025),
                              "dti_score", lang)
        stem = views.overview_ranking(obs, real, state)[1].filename_stem
        assert stem.startswith(start) and words in stem, stem


# --- Timeline readable --------------------------------------------------------------------------------------


def test_34_view_events_table_lists_the_predecessors_events_marked(real):
    state = F.FilterState("34", ["da-nang-2025"], (2014, 2026), "dti_score", "en")
    table = views.events_table(real, state)
    quang_nam = table[table["Provinces"].str.contains("Quang Nam") & table["Before the merger"].astype(bool)]
    assert len(quang_nam) >= 2  # the 2014 and 2021 VNPT agreements of the former Quảng Nam
    assert set(quang_nam["Before the merger"]) == {"event of a former province, now part of Da Nang (from 7/2025)"}


def test_milestones_carry_the_numbers_of_the_events_table(real):
    obs, _ = boundary_observations(real, "34")
    state = F.FilterState("34", ["da-nang-2025", "quang-tri-2025"], (2014, 2026), "dti_score", "vi")
    line = views.timeline_specs(obs, real, state)[0]
    table = views.events_table(real, state)
    marks = [tr for tr in line.figure.data if tr.mode == "markers+text" and tr.yaxis == "y2"]
    numbers = {int(n) for tr in marks for label in tr.text for n in label.split(",") if n}
    assert numbers == set(table["Số"])
    assert "Số trên mỗi mốc" in line.note


@pytest.mark.parametrize("boundaries,units", [("63", ["quang-tri", "quang-binh", "lang-son", "quang-nam"]),
                                              ("34", ["da-nang-2025", "quang-tri-2025"])])
def test_milestone_labels_print_over_no_label_and_no_marker(real, boundaries, units):
    """On a time axis as narrow as a printed page's (460 px), no event number runs into another label or into
    another marker of its lane: each event with its own label, alternating sides, the numbers of close events
    ran together ("5 ●13 6■" read as 5136, 2026-12-04). Touching markers share a label ("5,6"), and the time axis
    runs on past the last label."""
    obs, _ = boundary_observations(real, boundaries)
    state = F.FilterState(boundaries, units, (2014, 2026), "dti_score", "vi")
    fig = views.timeline_specs(obs, real, state)[0].figure
    marks = [tr for tr in fig.data if tr.mode == "markers+text" and tr.yaxis == "y2"]
    points = [(lane, pd.Timestamp(x), text, side) for tr in marks
              for lane, x, text, side in zip(tr.y, tr.x, tr.text, tr.textposition)]
    first, last = min(p[1] for p in points), max(p[1] for p in points)
    px = 460 / (last - first).days  # px per day

    for lane in {p[0] for p in points}:
        xs = sorted((when - first).days * px for ln, when, _, _ in points if ln == lane)
        boxes = []
        for _, when, text, side in (p for p in points if p[0] == lane and p[2]):
            x, w = (when - first).days * px, 6.5 * len(text)  # 11–12 px digits and commas
            box = (x + 6, x + 8 + w) if side == "middle right" else (x - 8 - w, x - 6)
            under = (x + 1, box[1] + 6) if side == "middle right" else (box[0] - 6, x - 1)  # not its own markers
            assert not [m for m in xs if under[0] < m < under[1]], (lane, text, side)  # a marker under it
            boxes.append(box)
        boxes.sort()
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), (lane, boxes)  # labels over each other
    texts = [p[2] for p in points if p[2]]
    assert any("," in x for x in texts) and len(texts) < len({(p[0], p[1]) for p in points})
    room = pd.Timestamp(fig.layout.xaxis.range[1]) - last
    assert room.days * px >= 8 + 6.5 * max(len(p[2]) for p in points if p[1] == last)


def test_gantt_gives_each_unit_and_partner_its_own_row(real):
    state = F.FilterState("63", ["da-nang"], (2014, 2030), "dti_score", "vi")
    obs, _ = boundary_observations(real, "63")
    gantt = views.timeline_specs(obs, real, state)[1].figure
    rows = sorted({y for tr in gantt.data for y in tr.y})
    assert len(rows) == 2 and any("FPT" in r for r in rows) and any("Viettel" in r for r in rows)
