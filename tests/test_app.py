"""Pages through Streamlit's AppTest: default view, a filter change, a URL round trip, the language
switch, the 63/34 boundaries switch, and a broken dataset shown as a list of errors."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.navigation import PAGES as PAGE_DEFS  # noqa: E402  (the one list of pages)
from lib.safe_text import md_escape, plot_to_text
from tests.conftest import APP, widget

PAGES = {p.name: p.file for p in PAGE_DEFS}
CHARTS = {"overview": 3, "compare": 5, "timeline": 2, "profile": 0, "sources": 0}
TITLES = {"overview": ("Chính quyền số cấp tỉnh", "Provincial digital government"),
          "compare": ("So sánh", "Compare"), "timeline": ("Dòng thời gian", "Timeline"),
          "profile": ("Hồ sơ tỉnh", "Province profile"), "sources": ("Nguồn & dữ liệu", "Sources & data")}


def app(query: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page and page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_each_page_file_is_named_by_its_address():
    """Streamlit's legacy pages/ wrapper (the first run of a plainly started process) knows a page by its file's
    name only: a shared link to /so-sanh finds pages/so-sanh.py, with no "Page not found" dialog."""
    for p in PAGE_DEFS:
        assert (Path(APP).parent / p.file).is_file(), p.file
        assert p.file == f"pages/{p.url_path}.py"


@pytest.mark.parametrize("page", PAGES)
def test_default_view(page):
    at = app(page=page)
    assert at.title[0].value == TITLES[page][0]
    assert len(charts(at)) == CHARTS[page]
    assert widget(at, "multiselect", "f_units").value == ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    if page == "sources":
        assert len(at.dataframe) >= 2


@pytest.mark.parametrize("page", PAGES)
def test_language_switch(page):
    at = app(page=page)
    at.session_state["f_lang"] = "English"
    at.run()
    assert not at.exception
    assert at.title[0].value == TITLES[page][1]
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"
    assert widget(at, "multiselect", "f_units").label == "Provinces"


@pytest.mark.parametrize("page", ["overview", "compare", "timeline"])
def test_url_round_trip(page):
    query = {"lang": "en", "view": "63", "units": "lang-son,ha-noi", "years": "2017-2022", "ind": "dti_rank"}
    at = app(query, page)
    assert widget(at, "multiselect", "f_units").value == ["lang-son", "ha-noi"]
    assert at.slider(key="f_years").value == (2017, 2022)
    assert widget(at, "selectbox", "f_ind").value == "dti_rank"
    assert not at.warning
    back = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert back == query
    titles = [c["layout"]["meta"]["title"] for c in charts(at)]
    assert any("DTI" in t for t in titles)


def test_filter_change_updates_the_ranking_highlight():
    at = app({"ind": "dti_rank", "years": "2022-2022"})
    bars = charts(at)[0]["data"][0]
    assert len(bars["y"]) == 63  # DTI 2022 ranks all 63 provinces
    highlighted = {y for y, c in zip(bars["y"], bars["marker"]["color"]) if c != "#BDBDBD"}
    assert highlighted == {"Quảng Trị (trước 7/2025)", "Quảng Bình (trước 7/2025)", "Lạng Sơn",
                           "Quảng Nam (trước 7/2025)"}
    widget(at, "multiselect", "f_units").set_value(["ha-noi"]).run()
    bars = charts(at)[0]["data"][0]
    assert {y for y, c in zip(bars["y"], bars["marker"]["color"]) if c != "#BDBDBD"} == {"Hà Nội"}
    assert "units=ha-noi" in "&".join(f"{k}={v}" for k, v in at.query_params.items()) or \
        at.query_params["units"] in ("ha-noi", ["ha-noi"])


def test_bad_link_falls_back_with_a_notice():
    at = app({"units": "atlantis", "years": "1900-1901", "ind": "nope", "view": "99"})
    warnings = " ".join(w.value for w in at.warning)
    # Each bad value is named, as plain text (Markdown-escaped: `units\\=atlantis` renders as units=atlantis).
    for bad in ("units=atlantis", "years=1900-1901", "ind=nope", "view=99"):
        assert md_escape(bad) in warnings
    assert widget(at, "multiselect", "f_units").value == ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    assert len(charts(at)) == CHARTS["overview"]


def test_no_province_selected_says_so():
    at = app(page="compare")
    widget(at, "multiselect", "f_units").set_value([]).run()
    assert not at.exception
    assert "Chưa chọn tỉnh nào" in at.warning[0].value
    assert charts(at) == []


def test_empty_selection_of_data_says_so():
    at = app({"ind": "vc_endpoints", "units": "ha-giang", "years": "2016-2017"}, "compare")
    text = json.dumps(charts(at)[0], ensure_ascii=False)
    assert "Không có dữ liệu cho bộ lọc đang chọn" in text


# --- The 2025 boundaries (issue: before and after 1 July 2025) ---


def test_boundaries_switch_carries_the_selection_to_successors():
    at = app()
    widget(at, "radio", "f_view").set_value("34").run()
    assert not at.exception
    assert widget(at, "multiselect", "f_units").value == ["quang-tri-2025", "lang-son", "da-nang-2025"]
    assert at.query_params["view"] in ("34", ["34"])
    info = " ".join(i.value for i in at.info)
    assert "Từ 1/7/2025, Quảng Bình và Quảng Trị hợp nhất thành Quảng Trị" in info
    assert "Từ 1/7/2025, Đà Nẵng và Quảng Nam hợp nhất thành Đà Nẵng" in info
    assert info.count("hợp nhất") == 2  # each merger said once


def test_boundaries_switch_and_back_restores_the_selection_exactly():
    """Issue 23: 63 → 34 → 63 turned four selected provinces into five (Đà Nẵng brought in by its merger)."""
    at = app()
    before = widget(at, "multiselect", "f_units").value
    assert len(before) == 4
    widget(at, "radio", "f_view").set_value("34").run()
    widget(at, "radio", "f_view").set_value("63").run()
    assert not at.exception
    assert widget(at, "multiselect", "f_units").value == before
    assert not [i for i in at.info if "gồm nhiều tỉnh" in i.value]


def test_a_unit_that_becomes_several_provinces_is_said():
    at = app({"view": "34", "units": "da-nang-2025"})
    widget(at, "radio", "f_view").set_value("63").run()
    assert not at.exception
    assert widget(at, "multiselect", "f_units").value == ["da-nang", "quang-nam"]
    notice = [i.value.replace("\\", "") for i in at.info if "gồm nhiều tỉnh" in i.value]
    assert notice == ["Đà Nẵng (từ 7/2025) gồm nhiều tỉnh trước 7/2025: đã chọn Đà Nẵng (trước 7/2025), "
                      "Quảng Nam (trước 7/2025)."]
    at.run()  # said once, not on every rerun
    assert not [i for i in at.info if "gồm nhiều tỉnh" in i.value]


def test_34_view_url_round_trip_and_not_combinable_ranks():
    query = {"view": "34", "units": "quang-tri-2025,lang-son", "years": "2016-2025", "ind": "dti_rank",
             "lang": "vi"}
    at = app(query)
    back = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert back == query
    # DTI 2024 has the ministry's own 34-unit rank: no "not combinable" note for that year.
    assert "không cộng gộp được" not in " ".join(m.value for m in at.markdown)
    # A year without a 34-unit value says why, with the predecessors' own values.
    at2 = app({**query, "years": "2016-2022"})
    text = " ".join(m.value for m in at2.markdown)
    assert "không cộng gộp được" in text
    # Names are Markdown-escaped (dataset text never becomes markup); they render as written.
    assert r"Quảng Bình \(trước 7\/2025\): 46" in text and r"Quảng Trị \(trước 7\/2025\): 55" in text
    # A ranking never mixes the 63-province and the 34-unit bases: DTI 2024 of all 34 units, none of the
    # 63 old provinces (their labels say "trước 7/2025").
    ranking = charts(at)[0]
    assert "2024" in ranking["layout"]["meta"]["title"]
    assert len(ranking["data"][0]["y"]) == 34
    assert not any("trước 7/2025" in y for y in ranking["data"][0]["y"])


def test_34_view_timeline_shows_predecessors_and_merger():
    at = app({"view": "34", "units": "quang-tri-2025", "ind": "dti_rank", "years": "2016-2026"}, "timeline")
    names = [tr.get("name") for tr in charts(at)[0]["data"]]
    assert "Quảng Bình (trước 7/2025)" in names and "Quảng Trị (trước 7/2025)" in names
    # The merger is one line at 1 July 2025 across each panel (values, milestones), and nothing else is drawn.
    merger_ms = pd.Timestamp("2025-07-01").timestamp() * 1000
    shapes = charts(at)[0]["layout"].get("shapes", [])
    assert [(s["type"], s["x0"], s["x1"], s["yref"], s["y0"], s["y1"]) for s in shapes] == \
        [("line", merger_ms, merger_ms, "y domain", 0, 1), ("line", merger_ms, merger_ms, "y2 domain", 0, 1)]


def test_every_chart_shows_its_title_and_source_as_page_text():
    """The title above each chart and the source line under it are page text (they wrap on a phone and a
    screen reader reads them), the same text the printed chart carries."""
    at = app({"units": "quang-tri,lang-son", "ind": "dti_score"}, "compare")
    bold = [m.value for m in at.markdown if m.value.startswith("**")]
    captions = [c.value for c in at.caption]
    titles = [c["layout"]["meta"]["title"] for c in charts(at)]
    assert titles and len(bold) >= len(titles)
    for title in titles:
        assert f"**{md_escape(plot_to_text(title))}**" in bold, title
    assert sum(c.startswith(md_escape("Nguồn: ")) for c in captions) == len(titles)  # one source line per chart
    assert all(not c["layout"].get("title", {}).get("text") for c in charts(at)), "no title drawn in the figure"


def test_broken_dataset_lists_errors_not_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "broken.yaml"
    bad.write_text("schema_version: 1\nobservations:\n  - {unit: x, value: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("PROVINCES_DATA", str(bad))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Tệp dữ liệu có lỗi" in at.error[0].value
    assert f"{bad}:" in at.code[0].value and "not valid YAML" in at.code[0].value


def test_without_chromium_the_download_area_says_so(monkeypatch):
    """No browser on the server: PNG/SVG buttons give way to a plain message; HTML and the page stay."""
    import lib.downloads

    monkeypatch.setattr(lib.downloads, "export_available", lambda start=True: (False, "no chromium"))
    monkeypatch.setattr(lib.downloads, "warm_up", lambda: None)
    at = app(page="compare")
    assert len(charts(at)) == CHARTS["compare"]
    assert any(i.value.startswith("Máy chủ chưa có trình duyệt Chromium") for i in at.info)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tải PNG" not in labels and "Tải SVG" not in labels
    assert labels.count("Tải HTML") == CHARTS["compare"]


def test_language_switches_keep_the_selection_indicator_and_boundaries():
    """vi → en → vi, then an indicator, the boundaries and a page: nothing the reader chose is lost."""
    at = app()
    for lang in ("English", "Tiếng Việt", "English"):
        at.segmented_control(key="f_lang").set_value(lang).run()
        assert widget(at, "multiselect", "f_units").value == ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    widget(at, "selectbox", "f_ind").set_value("dti_rank").run()
    assert widget(at, "multiselect", "f_units").value == ["quang-tri", "quang-binh", "lang-son", "quang-nam"]
    at.segmented_control(key="f_lang").set_value("Tiếng Việt").run()
    assert widget(at, "selectbox", "f_ind").value == "dti_rank"
    widget(at, "radio", "f_view").set_value("34").run()
    assert widget(at, "multiselect", "f_units").value == ["quang-tri-2025", "lang-son", "da-nang-2025"]
    at.switch_page(PAGES["compare"]).run()
    assert not at.exception
    assert at.session_state["f_units"] == ["quang-tri-2025", "lang-son", "da-nang-2025"]


def test_a_chart_is_computed_once_per_dataset_and_filters():
    """lib.ui.computed replays a view's result for the same dataset and filters, recomputes when a filter it
    reads changes, and never replays another dataset's result."""
    import lib.filters as F
    from lib.ui import computed

    calls = []

    def view(vobs, frames, state, extra=0):
        calls.append((id(frames), state.years, extra))
        return object()

    frames_a, frames_b = type("Frames", (), {})(), type("Frames", (), {})()
    s1 = F.FilterState("63", ["quang-tri"], (2016, 2025), "dti_score", "vi")
    s2 = F.FilterState("63", ["quang-tri"], (2017, 2025), "dti_score", "vi")
    first = computed(view, None, frames_a, s1)
    assert computed(view, None, frames_a, s1) is first and len(calls) == 1  # replayed
    assert computed(view, None, frames_a, s2) is not first and len(calls) == 2  # the period moved
    assert computed(view, None, frames_a, s1, 5) is not first and len(calls) == 3  # another argument
    assert computed(view, None, frames_b, s1) is not first and len(calls) == 4  # another dataset
    assert computed(view, None, frames_a, s1) is first and len(calls) == 4


def test_another_clients_minute_of_clicks_does_not_evict_a_leaders_views():
    """The views' memory is shared by every session. A client clicking through 150 filter states (a greedy
    client's minute, five views a run) once evicted every other leader's views (96 entries): their next click
    was recomputed, 4× slower (bench.fairness). Now a leader's view survives it and is replayed."""
    import lib.filters as F
    from lib import ui

    calls = []

    def view(vobs, frames, state):
        calls.append(state.years)
        return object()

    frames = type("Frames", (), {})()
    mine = F.FilterState("63", ["quang-tri"], (2016, 2025), "dti_score", "vi")
    first = ui.computed(view, None, frames, mine)
    for start in range(150):
        ui.computed(view, None, frames, F.FilterState("63", ["ha-noi"], (1800 + start, 2025), "dti_score", "vi"))
    assert len(calls) == 151
    assert ui.computed(view, None, frames, mine) is first and len(calls) == 151  # replayed, not recomputed
    assert ui.COMPUTED.weight <= ui.COMPUTED.budget  # and the memory stays bounded


def test_a_view_that_reads_some_filters_is_kept_when_another_moves():
    """A view marked with lib.views.reads is keyed by those filters only: the map is not redrawn when the
    start of the period moves, and a filter it does not declare reaches it as None (never a stale replay)."""
    import lib.filters as F
    from lib.ui import computed
    from lib.views import reads

    seen = []

    @reads("units", "indicator")
    def view(vobs, frames, state):
        seen.append(state)
        return object()

    frames = type("Frames", (), {})()
    s1 = F.FilterState("63", ["quang-tri"], (2016, 2025), "dti_score", "vi")
    first = computed(view, None, frames, s1)
    assert computed(view, None, frames, F.FilterState("63", ["quang-tri"], (2019, 2025), "dti_score", "vi")) is first
    assert computed(view, None, frames, F.FilterState("63", ["lang-son"], (2016, 2025), "dti_score", "vi")) \
        is not first
    assert len(seen) == 2 and seen[0].years is None and seen[0].lang is None and seen[0].units == ["quang-tri"]


def test_the_overview_map_is_kept_and_named_by_the_year_it_draws():
    """Moving the start of the period keeps the overview's map figure (its year is the ranking's), and its
    download names the year drawn, not the filter's period (issue 23: "2018–2024" on a map of 2024 claimed
    more than it showed)."""
    at = app({"units": "lang-son", "years": "2016-2024", "ind": "dti_score"})
    before = charts(at)[1]
    at.slider(key="f_years").set_value((2018, 2024)).run()
    assert not at.exception
    after = charts(at)[1]
    assert after["layout"]["meta"]["title"] == before["layout"]["meta"]["title"]
    assert after["data"] == before["data"]
    from lib import views
    from lib.combine import boundary_observations
    from lib.ui import STATE_KEY

    frames, state = at.session_state["_frames"], at.session_state[STATE_KEY]
    vobs, _ = boundary_observations(frames, "63")
    year = int(before["layout"]["meta"]["title"][-4:])
    spec = views.map_spec(vobs, frames, state, year, views.map_figure_of(vobs, frames, state, year))
    assert spec.filename_stem.endswith(f"_{year}") and "2018" not in spec.filename_stem, spec.filename_stem


def _bound_units_script():  # runs inside AppTest: a province box bound to the URL the way Streamlit 1.67 does it
    import streamlit as st

    lang = st.query_params.get("lang", "vi")
    names = {"vi": {"quang-tri": "Quảng Trị (trước 7/2025)"}, "en": {"quang-tri": "Quang Tri (before 7/2025)"}}
    st.multiselect("units", ["quang-tri"], key="units", format_func=names[lang].get, bind="query-params")


@pytest.mark.parametrize("lang, param, selected", [
    ("vi", "quang-tri", []),  # our links carry codes: a bound widget drops them
    ("vi", "Quảng Trị (trước 7/2025)", ["quang-tri"]),  # it reads the label shown in one language …
    ("en", "Quảng Trị (trước 7/2025)", []),  # … which the other language's page does not know
])
def test_streamlit_bind_carries_labels_not_codes(lang, param, selected):
    """Why the filters are not bound with `bind="query-params"` (issue 10, docs/decisions.md): Streamlit
    puts a widget's displayed labels in the URL. Our labels depend on the language (and the indicator's on the
    boundaries), so a bound link would break on a language switch or a renamed label. If Streamlit ever binds
    the options themselves, this test fails: then switch to it and drop lib.filters.parse_query/to_query."""
    at = AppTest.from_function(_bound_units_script)
    at.query_params["lang"] = lang
    at.query_params["units"] = param
    at.run()
    assert at.session_state["units"] == selected


def test_the_profile_is_not_rebuilt_when_only_the_indicator_changes(monkeypatch):
    """The profile reads its own indicators, never the sidebar's: a leader who changes the indicator on the
    profile page (or comes back to it after changing it elsewhere) waits for no rebuild (lib.views.reads). The
    brief's chart is made when a brief is asked for, not on every run (a fifth of a cold profile run)."""
    import lib.views.profile as VP
    from lib import ui
    from lib.memo import Memo

    calls: list[str] = []
    for name in ("build_profile", "neighbour_spec"):
        fn = getattr(VP, name)

        def wrapped(*a, _fn=fn, _name=name, **k):
            calls.append(_name)
            return _fn(*a, **k)

        wrapped.__qualname__ = f"{fn.__qualname__}.counted"
        wrapped.reads = getattr(fn, "reads", None)
        monkeypatch.setattr(VP, name, wrapped)
    monkeypatch.setattr(ui, "COMPUTED", Memo())
    at = app({"unit": "quang-tri"}, page="profile")
    assert calls == ["build_profile"]
    before = [m.value for m in at.markdown]
    widget(at, "selectbox", "f_ind").set_value("vc_endpoints").run()
    assert not at.exception and calls == ["build_profile"]
    assert [m.value for m in at.markdown] == before  # the same profile on screen
    next(s for s in at.slider if s.key == "f_years").set_value((2020, 2024)).run()
    assert not at.exception and calls == ["build_profile"] * 2  # the period is read: rebuilt


@pytest.mark.parametrize("page", ["overview", "compare", "timeline"])
def test_every_chart_has_a_text_alternative_on_the_page(page):
    """Issue 23: a screen reader gets each chart in words (visually hidden, after the chart)."""
    at = app({"lang": "en"}, page)
    alts = [m.value for m in at.markdown if 'class="chart-alt"' in m.value]
    assert len(alts) == len(at.get("plotly_chart")) > 0
    assert all("Chart: " in a for a in alts)


@pytest.mark.parametrize("boundaries", ["63", "34"])
@pytest.mark.parametrize("page", ["overview", "compare", "timeline"])
def test_a_rerun_that_changes_nothing_builds_nothing_again(page, boundaries, monkeypatch):
    """A rerun with the same filters (a download click, another session's identical link) replays every
    chart, note and table of the page (lib.ui.computed): no chart spec is built, no note or events table
    computed again. The map's spec, the merger and coverage notes and the events table were built on every
    run (13–15, 2–3, 1–2 and 5–7 ms), a third of a warm overview run."""
    import lib.views.compare as VC
    import lib.views.overview as VO
    import lib.views.shared as VS
    import lib.views.timeline as VT
    from lib import ui
    from lib.memo import Memo

    calls: list[str] = []

    def counting(name, fn):
        @functools.wraps(fn)  # its `reads` too
        def wrapped(*a, **k):
            calls.append(name)
            return fn(*a, **k)

        wrapped.__qualname__ = f"{fn.__qualname__}.counted"  # its own key in lib.ui.computed
        return wrapped

    for mod in (VS, VO, VC, VT):
        monkeypatch.setattr(mod, "make_spec", counting("make_spec", VS.make_spec))
    for mod, name in ((VS, "merger_notes"), (VS, "coverage_note"), (VS, "not_combinable_notes"),
                      (VT, "events_table"), (VC, "scatter_years"), (VO, "official_34_table")):
        monkeypatch.setattr(mod, name, counting(name, getattr(mod, name)))
    monkeypatch.setattr(ui, "COMPUTED", Memo())  # nothing kept from earlier tests: the first run builds
    at = app({"view": boundaries}, page=page)
    assert not at.exception
    assert "make_spec" in calls  # the first run built the charts (through the counting functions)
    calls.clear()
    at.run()
    assert not at.exception and calls == []


def test_a_dataset_edited_to_fewer_years_keeps_the_open_page_working(dataset, write_yaml, monkeypatch):
    """A curator removes the first year's values while a leader has the page open: the leader's next click draws
    the period inside the years the data now has, never a traceback."""
    path = write_yaml(dataset)
    monkeypatch.setenv("PROVINCES_DATA", str(path))
    at = app({"units": "old-a"})
    first, last = at.slider(key="f_years").value
    assert first == 2020
    for part in ("observations", "events"):
        dataset[part] = [o for o in dataset[part] if not str(o["date"]).startswith("2020")]
    write_yaml(dataset)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="f_years").value == (2022, last)
