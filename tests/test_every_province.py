"""Every province, every year: the shipped DTI tables, the two 2024 bases, and what the pages build on them."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from lib import charts as C
from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.export.layout import export_figure
from lib.export.layout import notes_text as export_notes_text


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


def _state(real, boundaries="63", units=None, ind="dti_score", lang="vi", years=(2016, 2026)):
    units = units if units is not None else F.preset_units(real.units, "founding", boundaries)
    return F.FilterState(boundaries=boundaries, units=units, years=years, indicator=ind, lang=lang)


def dti(real, year, basis):
    o = real.observations
    return o[(o["indicator"] == "dti_score") & (o["year"] == year) & (o["basis"] == basis)]


@pytest.mark.parametrize("year, basis, n", [(2022, 63, 63), (2023, 63, 63), (2024, 63, 63), (2024, 34, 34)])
def test_the_dataset_holds_the_dti_of_every_unit(real, year, basis, n):
    rows = dti(real, year, basis)
    assert rows["unit"].nunique() == n == len(rows)
    view = set(F.units_for_boundaries(real.units, str(basis))["code"])
    assert set(rows["unit"]) == view
    assert (rows["quote"].str.len() > 0).all() and rows["source"].notna().all()


def test_2024_has_two_bases_and_an_unchanged_unit_carries_both(real):
    o = real.observations
    hn = o[(o["unit"] == "ha-noi") & (o["indicator"] == "dti_score") & (o["year"] == 2024)]
    assert sorted(hn["basis"].tolist()) == [34, 63] and hn["value"].nunique() == 1
    kh63 = dti(real, 2024, 63).set_index("unit").loc["khanh-hoa", "value"]
    kh34 = dti(real, 2024, 34).set_index("unit").loc["khanh-hoa-2025", "value"]
    assert (kh63, kh34) == (0.7079, 0.7071)


@pytest.mark.parametrize("boundaries, n", [("63", 63), ("34", 34)])
def test_a_ranking_never_mixes_the_bases(real, boundaries, n):
    vobs, _ = boundary_observations(real, boundaries)
    state = _state(real, boundaries)
    spec, count, year = views.ranking_spec(vobs, real, state)
    assert (count, year) == (n, 2024)
    names = list(spec.figure.data[0].y)
    assert len(names) == n
    other = "từ 7/2025" if boundaries == "63" else "trước 7/2025"
    assert not any(other in name for name in names)


def test_the_default_view_opens_on_the_widest_indicator(real):
    assert F.default_indicator(real, "63") == "dti_score"
    assert F.default_indicator(real, "34") == "dti_score"
    assert F.coverage_text(F.coverage(real, "63")["dti_score"]) == "63/63 · 2020–2024"
    assert F.coverage_text(F.coverage(real, "34")["dti_score"]) == "34/34 · 2024"
    # An indicator two provinces have says so.
    assert F.coverage_text(F.coverage(real, "63")["vc_endpoints"]).startswith("1/63")


@pytest.mark.parametrize("prev, now, lang, text", [
    (58, 32, "vi", "▲ tăng 26 bậc"), (5, 6, "vi", "▼ giảm 1 bậc"), (4, 4, "en", "= unchanged"),
    (58, 32, "en", "▲ up 26 places"), (None, 3, "vi", ""),
])
def test_a_better_rank_reads_as_an_improvement(prev, now, lang, text):
    assert views.rank_change_text(prev, now, lang) == text


def test_standing_shows_value_change_and_printed_ranks(real):
    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63", ["lang-son", "quang-binh"], years=(2016, 2023))
    table, extra, prev = views.standing(vobs, real, state)
    assert prev == 2022
    ls = table.set_index("Tỉnh/đơn vị").loc["Lạng Sơn"]
    assert ls["Giá trị 2023"] == "0,7601"
    assert ls["Thay đổi so với 2022"] == "▲ +0,0764"   # 0,7601 − 0,6837
    assert ls["Hạng công bố 2023"] == "4/63" and ls["Hạng công bố 2022"] == "6/63"
    assert ls["Thay đổi hạng"] == "▲ tăng 2 bậc"
    qt = table.set_index("Tỉnh/đơn vị").loc["Quảng Bình (trước 7/2025)"]
    assert qt["Hạng công bố 2023"] == "không công bố"  # blank in the table: never computed
    assert "Thay đổi so với 2022: ▲ +0,0764" in extra["lang-son"]


def test_movement_draws_every_unit_for_the_well_covered_years_only(real):
    vobs, _ = boundary_observations(real, "63")
    spec = views.movement_spec(vobs, real, _state(real, "63"))
    spread = spec.figure.data[0]
    assert sorted(set(spread.x)) == ["2022", "2023", "2024"]  # 2020/2021: a few press values, left out
    assert len(spread.y) == 3 * 63
    drawn = [tr for tr in spec.figure.data[1:] if tr.legendgroup != "uncertain"]
    assert [tr.name for tr in drawn] == ["Quảng Trị (trước 7/2025)", "Quảng Bình (trước 7/2025)",
                                         "Lạng Sơn", "Quảng Nam (trước 7/2025)", "Trung vị"]
    median = drawn[-1]  # the median of every unit each year (issue 22)
    med = vobs[(vobs.indicator == "dti_score") & (vobs.year == 2024) & (vobs.basis.isna() | (vobs.basis == 63))]
    assert median.y[-1] == pytest.approx(med.sort_values("as_of").groupby("unit").tail(1)["value"].median())
    assert spec.note.startswith("Phương pháp tính thay đổi giữa các năm")  # shown under the chart
    assert export_notes_text(spec, "vi").startswith(spec.note)  # and first in the slide's and the PDF's notes
    assert spec.note.split()[0] in export_figure(spec, "vi").layout.annotations[-1].text  # and printed


def test_subindices_against_the_median_of_all_34(real):
    vobs, _ = boundary_observations(real, "34")
    spec = views.subindex_spec(vobs, real, _state(real, "34", ["quang-tri-2025"]))
    bars, median = [tr for tr in spec.figure.data if tr.legendgroup != "uncertain"]
    assert bars.name == "Quảng Trị (từ 7/2025)" and len(bars.y) == 8
    assert median.name == "Trung vị (34 tỉnh/đơn vị có số liệu)"
    o = real.observations
    aw = o[(o["indicator"] == "dti_digital_awareness") & (o["basis"] == 34)]["value"]
    assert median.y[0] == pytest.approx(aw.median())


def test_scatter_pairs_two_indicators_of_one_year_and_basis(real):
    vobs, _ = boundary_observations(real, "34")
    state = _state(real, "34", ["lang-son"])
    spec, n = views.scatter_spec(vobs, real, state, "dti_score", "dti_digital_government_activity", 2024)
    assert n == 34
    rest, mine = spec.figure.data[:2]
    assert list(mine.text) == ["Lạng Sơn"] and len(rest.x) == 33
    assert len(spec.figure.data) == 2  # no fitted line unless asked
    fitted, _ = views.scatter_spec(vobs, real, state, "dti_score", "dti_digital_government_activity", 2024, fit=True)
    assert fitted.figure.data[-1].name == "Đường xu hướng"
    assert views.scatter_years(vobs, state, "dti_score", "dti_digital_government_activity") == [2024]
    # Its two-line title reads as one plain line on the page, on a slide and in print: no "<br>" or "<sup>".
    assert spec.title == ("Tương quan hai chỉ tiêu · 2024 — DTI – Hoạt động chính quyền số ↔ "
                          "Chỉ số chuyển đổi số cấp tỉnh (DTI)")
    assert "&lt;" not in export_figure(spec, "vi").layout.title.text


def test_the_34_unit_value_beside_its_predecessors(real):
    vobs, _ = boundary_observations(real, "34")
    table = views.official_34_table(vobs, real, _state(real, "34", ["quang-tri-2025", "lang-son"]))
    assert len(table) == 1  # Lạng Sơn was not merged
    row = table.iloc[0]
    assert row["Tỉnh/đơn vị"] == "Quảng Trị (từ 7/2025) · 2024"
    assert row["Giá trị chính thức (34 đơn vị)"] == "0,5858"
    assert row["Các tỉnh trước sáp nhập (63 tỉnh)"] == "Quảng Bình: 0,4946; Quảng Trị: 0,677"


def test_no_ranks_are_computed_into_the_dataset(real):
    """Printed ranks only: DTI 2023 prints ranks 1–5 and 59–63 (and a few in the press), so most
    provinces have a 2023 value but no 2023 rank."""
    o = real.observations
    r23 = o[(o["indicator"] == "dti_rank") & (o["year"] == 2023) & (o["basis"] == 63)]
    assert 10 <= len(r23) < 63
    assert sorted(r23.loc[r23["value"] == 59, "unit"]) == ["an-giang", "phu-yen"]  # a tie, as printed
    assert pd.isna(C.meta_of(real.indicators, "dti_score").get("parent"))


def test_rank_changes_point_the_right_way(real):
    """58th → 32nd is an improvement: "▲ tăng … bậc"; 55th → 61st is a fall; a higher DTI value is ▲ +."""
    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63", ["lang-son", "quang-tri"], ind="dti_rank", years=(2016, 2023))
    table, _, prev = views.standing(vobs, real, state)
    assert prev == 2022
    rows = table.set_index("Tỉnh/đơn vị")
    ls, qt = rows.loc[views.labels_for(real, "vi")["lang-son"]], rows.loc[views.labels_for(real, "vi")["quang-tri"]]
    assert ls["Giá trị 2023"] == "4" and ls["Thay đổi so với 2022"] == "▲ tăng 2 bậc"
    assert qt["Giá trị 2023"] == "61" and qt["Thay đổi so với 2022"] == "▼ giảm 6 bậc"
    score, _, _ = views.standing(vobs, real, replace(state, indicator="dti_score"))
    assert score.iloc[0]["Thay đổi so với 2022"].startswith("▲ +0,0764")


def test_a_rank_ranking_is_dots_with_first_place_on_top(real):
    vobs, _ = boundary_observations(real, "63")
    spec, n, year = views.ranking_spec(vobs, real, _state(real, "63", ind="dti_rank", years=(2016, 2022)))
    trace = spec.figure.data[0]
    assert trace.type == "scatter" and (n, year) == (63, 2022)
    assert trace.y[0] == "Đà Nẵng (trước 7/2025)" and list(trace.x[:2]) == [1, 2]
    lo, hi = spec.figure.layout.xaxis.range
    assert lo > hi == 0.5  # reversed: 1st place at the right end, 63rd at the left
    assert spec.figure.layout.yaxis.autorange == "reversed"


def test_each_chart_has_its_own_file_name(real):
    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63")
    ranking, _, _ = views.ranking_spec(vobs, real, state)
    bars = views.compare_specs(vobs, real, state)[0]
    assert ranking.filename_stem.startswith("xep-hang_") and bars.filename_stem.startswith("so-sanh-cot_")
    from lib.export.layout import export_size
    assert export_size(ranking) == (2400, 2 * (ranking.figure.layout.height + 120))


def test_thin_coverage_is_said_where_the_chart_is(real):
    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63", ["lang-son", "quang-tri", "ha-giang"], ind="vc_endpoints")
    assert views.coverage_note(vobs, real, state) == \
        r"1/3 tỉnh có số liệu · không có số liệu: Quảng Trị \(trước 7\/2025\), Hà Giang \(trước 7\/2025\)"
    assert views.coverage_note(vobs, real, _state(real, "63", ind="dti_score")) == ""
    bars = views.compare_specs(vobs, real, state)[0]
    assert bars.figure.layout.showlegend is True and [tr.name for tr in bars.figure.data
                                                          if tr.legendgroup != "uncertain"] == ["Lạng Sơn"]


def test_briefing_notes_carry_no_file_path(real):
    vobs, _ = boundary_observations(real, "63")
    state = _state(real, "63", ind="dvc_level4_share")
    specs = views.compare_specs(vobs, real, state) + views.timeline_specs(vobs, real, state)
    notes = "\n".join(s.notes for s in specs)
    assert "Báo Quảng Bình" in notes
    assert ".txt" not in notes and "articles/" not in notes and "shared/" not in notes
