"""Pure functions behind the pages: formats, search, presets, link parsing, figures."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from lib import charts as C
from lib import filters as F
from lib import views
from lib.combine import boundary_observations
from lib.data import load_frames
from lib.i18n import fmt_date, fmt_number, fmt_value, t

# --- Formats ---


@pytest.mark.parametrize("value,decimals,lang,expected", [
    (1529, 0, "vi", "1.529"), (1529, 0, "en", "1,529"), (30.5, 1, "vi", "30,5"), (30.5, 1, "en", "30.5"),
    (239723, 0, "vi", "239.723"), (0.6077, 4, "vi", "0,6077"), (float("nan"), 1, "vi", "—"), (None, 0, "en", "—"),
])
def test_numbers(value, decimals, lang, expected):
    assert fmt_number(value, decimals, lang) == expected


def test_values_with_units():
    assert fmt_value(30.5, "percent", 1, "%", "vi") == "30,5 %"
    assert fmt_value(213, "count", 0, "điểm cầu", "vi") == "213 điểm cầu"
    assert fmt_value(99, "percent", 1, "%", "vi", ">") == "> 99 %"      # as the source says, no "99,0"
    assert fmt_value(65.63, "percent", 1, "%", "vi") == "65,63 %"
    assert fmt_value(0.567, "index", 3, "điểm (0–1)", "vi") == "0,567"
    assert fmt_value(1.0, "milestone", 0, "", "vi") == "Có"
    assert fmt_value(0.0, "milestone", 0, "", "en") == "No"


def test_dates():
    assert fmt_date("2020-09-24", "day", "vi") == "24/09/2020"
    assert fmt_date(pd.Timestamp("2020-09-15"), "month", "vi") == "09/2020"
    assert fmt_date(pd.Timestamp("2022-06-30"), "year", "en") == "2022"
    assert fmt_date("2020-09-24", "day", "en") == "24 Sep 2020"
    assert fmt_date(pd.Timestamp("2020-09-15"), "month", "en") == "Sep 2020"


# --- Filters ---


def test_one_word_wrap_for_labels_and_print():
    """safe_text.wrap_lines is the one word wrap: an axis label keeps a province name whole; printed text
    cuts a link that is longer than a line into pieces that fit, and nothing is lost."""
    from lib.safe_text import wrap_lines

    assert C.wrap("Bà Rịa – Vũng Tàu (trước 7/2025)", 18) == "Bà Rịa – Vũng Tàu<br>(trước 7/2025)"
    assert C.wrap("Thành-phố-Hồ-Chí-Minh-rất-dài", 10) == "Thành-phố-Hồ-Chí-Minh-rất-dài"  # never cut
    url = "https://dti.gov.vn/xep-hang-chuyen-doi-so-2024"
    lines = wrap_lines(f"Nguồn: Bộ TT&TT (2024). {url}", 20)
    assert lines[:3] == ["Nguồn: Bộ TT&TT", "(2024).", url[:20]] and all(len(line) <= 20 for line in lines)
    assert "".join(lines[2:]) == url
    assert wrap_lines("một\n\nhai ba", 20) == ["một", "hai ba"]  # explicit lines kept, empty ones dropped
    wide = wrap_lines("ab ab ab", 10, measure=lambda s: 3 * len(s))  # a font's pixels: 3 per character
    assert wide == ["ab", "ab", "ab"]


def test_one_folding_for_search_file_names_and_codes():
    from lib.i18n import fold, slug, strip_marks

    assert strip_marks("Đắk Lắk – Quảng Trị") == "Dak Lak – Quang Tri"
    assert fold("ĐỒNG THÁP") == "dong thap"
    assert slug("Bà Rịa - Vũng Tàu") == "ba-ria-vung-tau" and slug("Hồ Chí Minh") == "ho-chi-minh"


def test_labels_tell_old_from_new(real):
    labels = F.unit_labels(real.units, "vi")
    assert labels["quang-tri"] == "Quảng Trị (trước 7/2025)"
    assert labels["quang-tri-2025"] == "Quảng Trị (từ 7/2025)"
    assert labels["lang-son"] == "Lạng Sơn"
    assert F.unit_labels(real.units, "en")["quang-tri"] == "Quang Tri (before 7/2025)"


def test_search_ignores_diacritics(real):
    hits = dict(F.search_units(real.units, "quang tri", "63", "vi"))
    assert "quang-tri" in hits
    assert dict(F.search_units(real.units, "QUẢNG TRỊ", "34", "vi")).keys() >= {"quang-tri-2025"}
    assert "hue" in dict(F.search_units(real.units, "thua thien", "63", "vi"))


def test_search_old_name_offers_successor(real):
    hits = dict(F.search_units(real.units, "Quảng Nam", "34", "vi"))
    assert hits == {"da-nang-2025": "Đà Nẵng (từ 7/2025) ← Quảng Nam"}


def test_presets(real):
    assert F.preset_units(real.units, "founding", "63") == ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    assert len(F.preset_units(real.units, "all", "63")) == 63
    assert len(F.preset_units(real.units, "all", "34")) == 34
    north = F.preset_units(real.units, "region:trung-du-mien-nui-phia-bac", "63")
    assert "lang-son" in north and len(north) == 14


def test_units_offered_follow_the_period(real):
    late = set(F.units_offered(real.units, "63", (2026, 2026))["code"])
    assert "quang-tri" not in late and "lang-son" in late
    assert "quang-tri" in set(F.units_offered(real.units, "63", (2020, 2024))["code"])


def test_link_round_trip(real):
    state = F.FilterState("34", ["da-nang-2025", "lang-son"], (2018, 2024), "dti_score", "en")
    parsed, problems = F.parse_query(F.to_query(state), real)
    assert parsed == state and problems == []


def test_stale_link_values_fall_back(real):
    parsed, problems = F.parse_query({"units": "quang-tri-2025,lang-son", "view": "63", "lang": "fr"}, real)
    assert parsed.units == ["lang-son"] and parsed.lang == "vi"
    assert problems == ["lang=fr", "units=quang-tri-2025"]


# --- Figures (pure: frames in, figure out) ---


def pick(obs: pd.DataFrame, indicator: str, units: list[str] | None = None,
         years: tuple[int, int] | None = None) -> pd.DataFrame:
    """What lib.views hands a figure builder (builders draw what they are given): one indicator's rows, of
    some units, in a period."""
    rows = obs[obs["indicator"] == indicator]
    if units is not None:
        rows = rows[rows["unit"].isin(units)]
    return rows if years is None else rows[rows["year"].between(*years)]


def test_ranking_highlights_selection_and_carries_source(real):
    obs, _ = boundary_observations(real, "63")
    before = obs.copy()
    meta = C.meta_of(real.indicators, "dti_rank")
    fig = C.ranking_figure(pick(obs, "dti_rank", years=(2022, 2022)), meta, F.unit_labels(real.units, "vi"),
                           ["lang-son"], lang="vi", year=2022,
                           sources=real.sources)
    bar = fig.data[0]
    assert len(bar.y) == 63
    assert bar.y[0] == "Đà Nẵng (trước 7/2025)" and bar.y[-1] == "Bắc Kạn (trước 7/2025)"  # rank 1 first
    assert [c for y, c in zip(bar.y, bar.marker.color) if y == "Lạng Sơn"] == [C.HIGHLIGHT]
    assert "Xếp hạng DTI cấp tỉnh" in C.figure_title(fig) and "2022" in C.figure_title(fig)
    assert fig.layout.meta["source"].startswith("Nguồn: Bộ Thông tin và Truyền thông")  # shown under the chart
    pd.testing.assert_frame_equal(obs, before)  # the input frame is untouched


def test_heatmap_draws_missing_as_no_data_not_zero(tiny):
    obs, _ = boundary_observations(tiny, "63")
    state = F.FilterState("63", ["old-a", "same-c"], (2016, 2026), "vc_endpoints", "vi")
    latest = views.latest_normalised(obs, tiny, state)
    fig = C.heatmap_figure(latest, tiny.indicators, F.unit_labels(tiny.units, "vi"), state.units,
                           lang="vi", years=state.years, sources=tiny.sources)
    h = fig.data[0]
    rows = list(h.y)
    col_c = 1
    share_row = [r.replace("<br>", " ").startswith("Tỷ lệ DVCTT mức độ 4 (") for r in rows].index(True)  # "(year)": the row's year
    assert h.z[share_row][col_c] is None          # same-c has no share: a gap, not 0
    assert h.text[share_row][col_c] == "—" and "Không có dữ liệu" in h.hovertext[share_row][col_c]
    rank_row = [r.replace("<br>", " ").startswith("Xếp hạng DTI (") for r in rows].index(True)
    # Rank 6 (old-a) is better than 46 (old-b) and 10 (same-c): best score 1 goes to rank 6.
    assert h.z[rank_row][0] == 1.0


def test_grouped_bars_leave_gaps(tiny):
    obs, _ = boundary_observations(tiny, "63")
    meta = C.meta_of(tiny.indicators, "vc_endpoints")
    units = ["old-a", "old-b", "same-c"]
    fig = C.grouped_bar_figure(pick(obs, "vc_endpoints", units, (2019, 2021)), meta, F.unit_labels(tiny.units, "en"),
                               units, lang="en", years=(2019, 2021), sources=tiny.sources)
    assert [tr.name for tr in fig.data] == ["Quang A (before 7/2025)", "Binh Be (before 7/2025)", "Cam Co"]
    # The period of the values drawn (2020), not the filter's 2019–2021 (issue 23).
    assert C.figure_title(fig) == "Endpoints (endpoints) · 2020"


def test_timeline_in_34_view_draws_predecessors_and_derived(tiny):
    obs, _ = boundary_observations(tiny, "34")
    state = F.FilterState("34", ["new-ab"], (2016, 2026), "vc_endpoints", "vi")
    (lines, gantt) = views.timeline_specs(obs, tiny, state)
    names = [tr.name for tr in lines.figure.data]
    assert "Quảng Ả (từ 7/2025) (giá trị tính gộp)" in names   # the derived sum, marked as such
    assert "Quảng Ả (trước 7/2025)" in names and "Bình Bé (trước 7/2025)" in names
    derived = next(tr for tr in lines.figure.data if "tính gộp" in tr.name)
    assert list(derived.y) == [313.0] and derived.mode == "markers"  # never joined by a line
    assert "tính gộp" in derived.hovertext[0] and "sum" in derived.hovertext[0]


def test_timeline_draws_the_merger_line_at_1_july_2025_only_where_a_merger_is_shown(tiny):
    merger_ms = pd.Timestamp("2025-07-01").timestamp() * 1000
    line = {"type": "line", "x0": merger_ms, "x1": merger_ms, "y0": 0, "y1": 1,
            "line": {"color": "#D55E00", "dash": "dot"}}
    obs, _ = boundary_observations(tiny, "34")
    (lines, _) = views.timeline_specs(obs, tiny, F.FilterState("34", ["new-ab"], (2016, 2026), "vc_endpoints", "vi"))
    # One dotted line across each panel (values above, milestones below), at 1/7/2025 exactly.
    assert [s.to_plotly_json() for s in lines.figure.layout.shapes] == [
        {**line, "xref": "x", "yref": "y domain"}, {**line, "xref": "x2", "yref": "y2 domain"}]
    obs, _ = boundary_observations(tiny, "63")
    (lines, _) = views.timeline_specs(obs, tiny, F.FilterState("63", ["same-c"], (2016, 2026), "vc_endpoints", "vi"))
    assert lines.figure.layout.shapes == ()  # an unchanged unit: no merger to mark


def test_profile_lists_latest_values_and_marks_the_combined(tiny):
    from lib.views import profile as P

    obs, _ = boundary_observations(tiny, "34")
    state = F.FilterState("34", ["new-ab"], (2016, 2026), "vc_endpoints", "vi")
    rows = P.other_indicators(obs, tiny, state, "new-ab").set_index("Chỉ tiêu")
    assert rows.loc["Số DVCTT", ["Giá trị", "Tính gộp"]].tolist() == ["400 dịch vụ", "giá trị tính gộp: tổng của các tỉnh cũ"]
    assert rows.loc["Tỷ lệ DVCTT mức độ 4", "Giá trị"] == "52,5 %"  # (30·100 + 60·300) / 400
    assert "Xếp hạng DTI" not in rows.index  # ranks are never combined


def test_not_combinable_note_lists_predecessor_values(tiny):
    obs, status = boundary_observations(tiny, "34")
    state = F.FilterState("34", ["new-ab"], (2016, 2026), "dti_rank", "vi")
    (note,) = views.not_combinable_notes(status, tiny, state)
    assert "không cộng gộp được" in note
    assert r"Quảng Ả \(trước 7\/2025\): 1" in note and r"Bình Bé \(trước 7\/2025\): 3" in note


def test_data_table_and_csv_keep_sources_and_vietnamese(real):
    from lib.tables import csv_bytes

    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["lang-son"], (2020, 2020), "vc_endpoints", "vi")
    table = views.data_table(obs, real, state)
    row = table[table["Chỉ tiêu"] == "Số điểm cầu hội nghị truyền hình"].iloc[0]
    assert row["Giá trị"] == "213 điểm cầu" and "213 điểm cầu" in row["Trích dẫn"]
    data = csv_bytes(table, views.sources_table(obs, real, state))
    assert data.startswith(b"\xef\xbb\xbf") and "Lạng Sơn".encode() in data


def test_derived_values_are_marked_in_ranking_and_bars(tiny):
    obs, _ = boundary_observations(tiny, "34")
    meta = C.meta_of(tiny.indicators, "vc_endpoints")
    labels = F.unit_labels(tiny.units, "vi")
    fig = C.ranking_figure(pick(obs, "vc_endpoints", years=(2020, 2020)), meta, labels, ["new-ab"], lang="vi",
                           year=2020, sources=tiny.sources)
    assert "Quảng Ả (từ 7/2025) (giá trị tính gộp)" in fig.data[0].y
    bars = C.grouped_bar_figure(pick(obs, "vc_endpoints", ["new-ab", "same-c"], (2020, 2020)), meta, labels,
                                ["new-ab", "same-c"], lang="vi", years=(2020, 2020), sources=tiny.sources)
    assert bars.data[0].text[0] == "313 điểm cầu *" and bars.data[1].text[0] == "50 điểm cầu"


def test_briefing_notes_never_say_nan(real):
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "quang-binh", "lang-son", "quang-nam"], (2016, 2025), "dti_rank", "vi")
    specs = [views.ranking_spec(obs, real, state)[0], *views.compare_specs(obs, real, state)]
    texts = views.pack_texts(specs, real, state)
    missing = {"nan", "none", "nat", "null", "<na>"}

    def words(text: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[^\W_]+|<na>", text)}

    assert texts["sources"]
    for text in [*texts["sources"], *(spec.as_of for spec in specs), *(spec.notes for spec in specs)]:
        assert not words(text) & missing, text
    # Nor does any text cell of the data table or the sources table (a missing text is an empty cell; the
    # links of sources stored as a file once read "nan").
    for table in (views.data_table(obs, real, state), views.sources_table(obs, real, state)):
        cells = {v.strip().lower() for v in table.to_numpy().ravel() if isinstance(v, str)}
        assert not cells & missing, cells & missing


def test_ranking_at_district_scale_keeps_ends_and_selection(tiny):
    n = 200
    obs = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "indicator": "vc_endpoints",
                        "value": [float(i) for i in range(n)], "year": 2020, "as_of": pd.Timestamp("2020-06-30"),
                        "precision": "year", "period": "", "qualifier": "", "source": "s1", "out_of": pd.NA,
                        "date": "2020"})
    meta = C.meta_of(tiny.indicators, "vc_endpoints")
    fig = C.ranking_figure(obs, meta, {}, ["u100"], lang="en", year=2020, sources=tiny.sources)
    y = list(fig.data[0].y)
    assert len(y) == 61 and y[0] == "u199" and y[-1] == "u0" and "u100" in y
    assert "of 200" in C.figure_title(fig)


def test_ranks_are_dots_on_a_reversed_axis(tiny):
    obs, _ = boundary_observations(tiny, "63")
    meta = C.meta_of(tiny.indicators, "dti_rank")
    fig = C.grouped_bar_figure(pick(obs, "dti_rank", ["old-a", "old-b"], (2022, 2022)), meta,
                               F.unit_labels(tiny.units, "vi"), ["old-a", "old-b"], lang="vi",
                               years=(2022, 2022), sources=tiny.sources)
    assert {tr.type for tr in fig.data} == {"scatter"}  # no bar whose length would read as "more"
    lo, hi = fig.layout.yaxis.range
    assert lo > 3 and hi == 0.5  # 1st place at the top; no "0" ticked, there is no 0th place
    assert [list(tr.y) for tr in fig.data] == [[1.0], [3.0]]


def test_every_rank_axis_starts_at_first_place_and_reaches_the_last_ranked(real):
    """Bars, timeline, movement and scatter of a rank: 1st at the top (or right), the axis from 0.5 (no "0th
    place" tick) to at least the number of provinces ranked."""
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-tri", "lang-son"], (2016, 2025), "dti_rank", "vi")
    bars = views.compare_specs(obs, real, state)[0].figure
    line = views.timeline_specs(obs, real, state)[0].figure
    movement = views.movement_spec(obs, real, state).figure
    scatter = views.scatter_spec(obs, real, state, "dti_rank", "dti_score", 2022)[0].figure
    for axis in (bars.layout.yaxis, line.layout.yaxis, movement.layout.yaxis, scatter.layout.xaxis):
        lo, hi = axis.range
        assert hi == 0.5 and lo >= 63.5, axis.range


def test_every_ui_string_has_both_languages():
    from lib.i18n import LANGS, STRINGS

    missing = {k: [lang for lang in LANGS if not v.get(lang)] for k, v in STRINGS.items()}
    assert {k: v for k, v in missing.items() if v} == {}


def test_every_indicator_has_titles_units_and_descriptions_in_both_languages(real):
    ind = real.indicators
    for col in ("title_vi", "title_en", "description_vi", "description_en"):
        assert ind[col].str.len().min() > 0, col
    # Units may be empty only for yes/no milestones.
    assert (ind.loc[ind["kind"] != "milestone", ["unit_vi", "unit_en"]].map(len) > 0).all().all()


def test_a_date_keeps_its_precision_from_loader_to_screen(dataset, write_yaml):
    """An event dated "2020" reads "2020" (not "01/2020"); a month stays a month, a day a day."""
    dataset["events"][0]["date"] = "2020"
    frames = load_frames(write_yaml(dataset))
    state = F.FilterState("63", ["old-a"], (2016, 2026), "vc_endpoints", "vi")
    table = views.events_table(frames, state)
    assert list(table["Ngày"]) == ["2020", "01/07/2025"]  # the merger keeps its day
    vobs, _ = boundary_observations(frames, "63")
    line, gantt = views.timeline_specs(vobs, frames, state)
    hovers = [h for tr in line.figure.data for h in (tr.hovertext or ()) if "Ký thỏa thuận" in h]
    assert hovers and all("<br>2020<br>" in h for h in hovers)
    assert "2020" in gantt.as_of and "01/2020" not in gantt.as_of
    assert views.as_of_text(vobs[vobs["unit"] == "old-a"], "vi").startswith("01/07/2020")


def test_a_derived_value_keeps_its_sources_as_a_list(dataset, write_yaml):
    dataset["observations"][1]["source"] = "s2"  # old-b's endpoints now come from the second article
    tiny = load_frames(write_yaml(dataset))
    obs, _ = boundary_observations(tiny, "34")
    derived = obs[obs["derived"].astype(bool)]
    assert all(isinstance(s, tuple) for s in derived["source"])
    row = derived[derived["indicator"] == "vc_endpoints"].iloc[0]
    assert row["source"] == ("s1", "s2")
    state = F.FilterState("34", ["new-ab"], (2016, 2026), "vc_endpoints", "vi")
    assert list(views.sources_table(obs, tiny, state)["id"]) == ["s1", "s2"]
    notes = views.notes_text(derived, tiny, "vi")
    assert "Bài báo một" in notes and "Bài báo hai" in notes


CSV_EXPECTED = (
    "Tỉnh/đơn vị,Chỉ tiêu,Giá trị,Giá trị số,Đơn vị đo,Thời điểm,Tính gộp,Nguồn,Nhà xuất bản,Ngày đăng,Liên kết,"
    "Trích dẫn,"
    "Độ tin cậy\n"
    "Quảng Ả (trước 7/2025),Tỷ lệ DVCTT mức độ 4,30 %,30.0,%,01/07/2020,,Bài báo một,Test publisher,"
    "01/07/2020,https://example.org/1,30% dịch vụ công trực tuyến mức độ 4,\n"
    "Quảng Ả (trước 7/2025),Số DVCTT,100 dịch vụ,100.0,dịch vụ,01/07/2020,,Bài báo một,Test publisher,"
    "01/07/2020,https://example.org/1,100 dịch vụ,\n"
    "Quảng Ả (trước 7/2025),Số điểm cầu,213 điểm cầu,213.0,điểm cầu,01/07/2020,,Bài báo một,Test publisher,"
    "01/07/2020,https://example.org/1,gồm 213 điểm cầu,\n"
    "Cẩm Cờ,Số điểm cầu,50 điểm cầu,50.0,điểm cầu,2020,,Bài báo hai,Test publisher,2022,https://example.org/2,"
    "\"'=HYPERLINK(\"\"http://x\"\",\"\"50 điểm cầu\"\")\",\n"
)


def test_csv_download_is_exactly_this_file(dataset, write_yaml):
    """The whole file, byte for byte: BOM, Vietnamese header row, one row per observation, and a quote that
    looks like a formula written as text (a leading ')."""
    from lib.tables import csv_bytes

    dataset["observations"][11]["quote"] = '=HYPERLINK("http://x","50 điểm cầu")'
    frames = load_frames(write_yaml(dataset))
    obs, _ = boundary_observations(frames, "63")
    state = F.FilterState("63", ["old-a", "same-c"], (2020, 2020), "vc_endpoints", "vi")
    data = csv_bytes(views.data_table(obs, frames, state), views.sources_table(obs, frames, state))
    assert data == b"\xef\xbb\xbf" + CSV_EXPECTED.encode("utf-8")


def test_heatmap_colours_only_values_of_the_rows_year():
    """959 services (2019) beside 1 027 (2023) is not "worst vs best": the row compares 2023, the 2019
    value is written with its year on grey, and 2023 values are scored against every unit's 2023 value."""
    ind = pd.DataFrame([{"id": "services", "kind": "count", "higher_is_better": True, "title_vi": "Dịch vụ",
                         "title_en": "Services", "unit_vi": "dịch vụ", "unit_en": "services", "decimals": 0}])
    rows = pd.DataFrame([
        {"unit": u, "indicator": "services", "value": v, "year": y, "as_of": pd.Timestamp(f"{y}-12-31"),
         "precision": "year", "qualifier": None, "source": "s", "period": None}
        for u, v, y in [("a", 959, 2019), ("a", 900, 2018), ("b", 1027, 2023), ("c", 1000, 2023), ("d", 1100, 2023),
                        ("d", 10, 2019)]])
    scored = C.comparable_scores(rows, ind, ["a", "b", "c"]).set_index("unit")
    assert set(scored["row_year"]) == {2023}
    assert pd.isna(scored.loc["a", "score"]) and scored.loc["a", "value"] == 959  # its newest, not scored
    # 2023: 1 000 (c) is the lowest, 1 100 (d, not selected) the highest of the view.
    assert scored.loc["c", "score"] == 0.0 and scored.loc["b", "score"] == pytest.approx(27 / 100)
    fig = C.heatmap_figure(scored.reset_index(), ind, {"a": "A", "b": "B", "c": "C"}, ["a", "b", "c"], lang="vi",
                           years=(2016, 2024), sources=pd.DataFrame(columns=["id", "publisher", "published"]))
    h = fig.data[0]
    assert list(h.y) == ["Dịch vụ (2023)"]
    assert h.z[0][0] is None and h.text[0][0] == "959 dịch vụ (2019)"
    assert list(h.z[0][1:]) == [pytest.approx(0.27), 0.0]


def test_a_count_axis_never_ticks_in_fractions(tiny):
    """A count whose values span less than six (here one value, 213 endpoints): the axis steps by whole services (no "70,5 dịch vụ"); a share keeps Plotly's steps."""
    obs, _ = boundary_observations(tiny, "63")
    meta = C.meta_of(tiny.indicators, "vc_endpoints")
    assert meta["kind"] == "count"
    fig = C.timeline_figure(pick(obs, "vc_endpoints", ["old-a"]), tiny.events[tiny.events["kind"] == "merger"], meta,
                            F.unit_labels(tiny.units, "vi"), ["old-a"], lang="vi", years=(2016, 2026),
                            sources=tiny.sources)
    values = [v for tr in fig.data if tr.yaxis in (None, "y") for v in (tr.y or ()) if v is not None]
    assert values and max(values) - min(values) < 6
    assert (fig.layout.yaxis.dtick, fig.layout.yaxis.tickformat) == (1, ",d")
    share = C.meta_of(tiny.indicators, "dvc_level4_share")
    fig = C.timeline_figure(pick(obs, "dvc_level4_share", ["old-a"]), tiny.events[tiny.events["kind"] == "merger"],
                            share, F.unit_labels(tiny.units, "vi"), ["old-a"], lang="vi", years=(2016, 2026),
                            sources=tiny.sources)
    assert fig.layout.yaxis.dtick is None


def test_a_page_link_is_a_web_address_or_empty():
    """A stored article's words in a link column would be a broken link on the page: shown empty, and said once;
    the downloads keep the words."""
    table = pd.DataFrame({"Nguồn": ["a", "b", "c"],
                          "Liên kết": ["https://dti.gov.vn/xep-hang-2022", t("stored_article", "vi"), ""]})
    shown, unlinked = views.web_links_only(table, "Liên kết")
    assert list(shown["Liên kết"]) == ["https://dti.gov.vn/xep-hang-2022", "", ""] and unlinked
    assert table["Liên kết"][1].startswith("(bài báo gốc")  # the table itself is unchanged
    assert views.web_links_only(table.iloc[[0, 2]], "Liên kết")[1] is False


def test_a_period_with_values_but_no_milestone_still_draws_its_line(tiny):
    """No event at all in the period (here none is passed): the values are drawn and the source line names
    theirs. (The event filter once selected no *columns* from an empty frame, and the page failed.)"""
    obs, _ = boundary_observations(tiny, "63")
    meta = C.meta_of(tiny.indicators, "vc_endpoints")
    fig = C.timeline_figure(pick(obs, "vc_endpoints", ["old-a"]), tiny.events.iloc[0:0], meta,
                            F.unit_labels(tiny.units, "vi"), ["old-a"], lang="vi", years=(2016, 2026),
                            sources=tiny.sources)
    lines = [tr for tr in fig.data if tr.yaxis in (None, "y")]
    assert [tr.name for tr in lines] == ["Quảng Ả (trước 7/2025)"] and list(lines[0].y) == [213]
    assert C.figure_title(fig).startswith(C.ind_title(meta, "vi"))
    assert fig.layout.meta["source"].startswith("Nguồn: ")


def test_a_draft_draws_the_figure_plotly_draws_call_by_call():
    """lib.draft builds once what a go.Figure builds call by call: the same figure, on a grid too (rows,
    per-row axes, a vertical line across the subplots that have traces, none on an empty one)."""
    import json

    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from lib.draft import Draft

    def draw(fig, events: bool):
        fig.add_trace({"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "a"} if isinstance(fig, Draft)
                      else go.Scatter(x=[1, 2], y=[3, 4], name="a"), row=1, col=1)
        if events:
            fig.add_scatter(x=[1.5], y=["Lạng Sơn"], mode="markers", row=2, col=1)
        fig.update_yaxes(autorange="reversed", row=1, col=1)
        fig.update_yaxes(type="category", row=2, col=1, tickfont={"size": 10})
        fig.update_xaxes(gridcolor="#E6E6E6")
        fig.add_vline(x=1.7, line={"color": "#D55E00", "dash": "dot"})
        fig.update_layout(legend={"orientation": "h"}, margin={"t": 30})
        fig.update_layout(legend={"x": 1.01}, margin={"r": 10})
        fig.add_annotation(text="—", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
        return fig if isinstance(fig, go.Figure) else fig.figure()

    grid = {"rows": 2, "cols": 1, "shared_xaxes": True, "row_heights": [0.62, 0.38], "vertical_spacing": 0.06}
    for events in (True, False):
        plotly_way = draw(make_subplots(**grid), events)
        draft_way = draw(Draft.grid(**grid), events)
        assert json.loads(draft_way.to_json()) == json.loads(plotly_way.to_json())
        assert len(draft_way.layout.shapes) == (2 if events else 1)
    # A later update never reaches back into the dict a builder passed earlier (a shared style stays as it was).
    legend = {"font": {"size": 11}}
    draft = Draft().update_layout(legend=legend).update_layout(legend={"font": {"color": "#000"}})
    assert legend == {"font": {"size": 11}} and draft.layout["legend"]["font"] == {"size": 11, "color": "#000"}


def test_a_timeline_cites_only_what_it_draws(real):
    """The source line and as-of dates under a timeline name what is on it: Quảng Bình's milestones up to 2021
    and its DTI ranks, not the 2025 merger article outside the period (the view selects once; the figure and
    its citations read the same rows)."""
    obs, _ = boundary_observations(real, "63")
    state = F.FilterState("63", ["quang-binh"], (2016, 2021), "dti_rank", "vi")
    lines, gantt = views.timeline_specs(obs, real, state)
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", lines.as_of + " " + gantt.as_of)]
    assert years and max(years) <= 2021, (lines.as_of, gantt.as_of)
    assert "baomoi" not in lines.source + gantt.source
    drawn = [x for tr in lines.figure.data if tr.yaxis == "y2" for x in tr.x]
    assert drawn and all(pd.Timestamp(x).year <= 2021 for x in drawn)


def test_selecting_events_of_no_unit_keeps_the_columns(real):
    """An empty selection is still a table of events (a plain empty list would select no columns)."""
    none = views.events_of(real.events.iloc[0:0], ["quang-tri"])
    assert list(none.columns) == list(real.events.columns) and none.empty
    assert views.events_of(real.events, []).columns.equals(real.events.columns)


def test_boundaries_know_their_basis_eras_and_other():
    from lib.filters import Boundaries

    assert [b.basis for b in Boundaries] == [63, 34] and F.BOUNDARIES == ("63", "34")
    assert Boundaries("63").eras == ("pre", "both") and Boundaries("34").eras == ("post", "both")
    assert Boundaries.OLD.other is Boundaries.NEW and Boundaries.NEW.other is Boundaries.OLD
    assert F.FilterState(boundaries="34").basis == 34 and F.FilterState().basis == 63


def _every_views_figures(real, boundaries: str, lang: str) -> list:
    from lib.views import compare, overview, profile, timeline

    vobs, _ = boundary_observations(real, boundaries)
    codes = F.units_for_boundaries(real.units, boundaries)["code"].tolist()
    figures = []
    for indicator in ("dti_score", "dti_rank", "vc_endpoints", "dvc_level4_share"):
        state = F.default_state(real, lang)
        state.boundaries, state.indicator, state.units = boundaries, indicator, [codes[0], codes[5], codes[9]]
        _, ranking, _, year = overview.overview_ranking(vobs, real, state)
        specs = [ranking, overview.movement_spec(vobs, real, state),
                 overview.map_spec(vobs, real, state, year), overview.map_spec(vobs, real, state, year, by_url=True),
                 *compare.compare_specs(vobs, real, state), compare.subindex_spec(vobs, real, state),
                 compare.scatter_spec(vobs, real, state, "dti_score", "vc_endpoints", 2024, True)[0],
                 *timeline.timeline_specs(vobs, real, state), profile.neighbour_spec(vobs, real, state, codes[0])]
        figures += [s.figure for s in specs if s is not None]
    return figures


@pytest.mark.parametrize("boundaries,lang", [("63", "vi"), ("34", "en")])
def test_every_figure_of_every_view_is_valid_plotly_and_the_same_unchecked(real, boundaries, lang, monkeypatch):
    """lib.draft makes figures without Plotly's property check (5–25 ms a figure). Built with the check, every
    chart of every view is valid (a misspelt property or a value of the wrong type raises), and the browser
    gets the same chart without it: the same JSON, key order aside (an axis title left a plain string, a
    colour scale by name or a pandas column in a trace would differ: plotly.js 3 drops the first and draws
    the second in its own colours)."""
    import plotly.io as pio

    from lib import draft

    monkeypatch.setattr(draft, "VALIDATE", True)
    checked = _every_views_figures(real, boundaries, lang)
    monkeypatch.setattr(draft, "VALIDATE", False)
    served = _every_views_figures(real, boundaries, lang)
    assert len(served) == len(checked) >= 38
    assert [f._validate for f in served].count(False) >= 33  # most come from a Draft, unchecked
    for a, b in zip(checked, served, strict=True):
        assert json.loads(pio.to_json(b, validate=False)) == json.loads(pio.to_json(a, validate=False))


@pytest.mark.parametrize(("value", "expected"), [
    ((2016, 2024), (2016, 2024)),
    ([2016.0, 2024.0], (2016, 2024)),   # as the browser sends it
    (2014, (2014, 2026)),               # one year: what the slider falls back to when Streamlit lost its state
    (None, (2014, 2026)),
    ((2010, 2030), (2014, 2026)),       # years the dataset no longer has: clipped
    ((2030, 2040), (2014, 2026)),       # nothing left inside: every year
    (("a", "b"), (2014, 2026)),
])
def test_the_period_is_always_a_pair_inside_the_datas_years(value, expected):
    assert F.period_within(value, 2014, 2026) == expected
