"""Six behaviours the documents promise, each held by a test.

- data/README.md, `indicator-bounds`: a percent indicator allowed below 0 is refused, at its `min`;
- data/README.md, "Two bases for one year": a unit's own value wins over one derived from its predecessors;
- data/README.md, "Derived values": a weighted mean needs every weight; zero weights do not break the 34 view;
- docs/pages.md, the heatmap: equal values get equal colours (all equal: the middle one), never "no data";
- docs/pages.md, shared links: a reversed period (`years=2024-2016`) falls back to the default, with a notice;
- data/README.md, `sources`: without a publisher, the link's site is named (else "publisher not named").
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import charts as C
from lib import citations as cite
from lib import filters as F
from lib import views
from lib.combine import boundary_observations, combine_predecessors
from lib.data import DEFAULT_PATH, DatasetError, load_dataset, load_frames
from lib.navigation import page_by_name
from tests.conftest import APP

# --- A percent indicator with a negative min ------------------------------------------------------


def test_percent_with_negative_min_is_refused_at_its_min(dataset, write_yaml):
    dataset["indicators"][2]["min"] = -5  # dvc_level4_share, a percent
    path = write_yaml(dataset)
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    problems = [(p.field, p.message) for p in err.value.problems]
    assert problems == [("indicators.2.min", "a percent indicator must stay within 0–100")]
    line = path.read_text(encoding="utf-8").splitlines()[err.value.problems[0].line - 1]
    assert line.strip() == "min: -5"  # the curator is sent to the line to fix


# --- A unit's own value wins over a derived one ---------------------------------------------------


def test_own_value_wins_over_the_derived_one(dataset, write_yaml):
    # new-ab's predecessors have 213 + 100 endpoints in 2020; the ministry also printed new-ab's own 400.
    dataset["observations"].append({"unit": "new-ab", "indicator": "vc_endpoints", "value": 400, "date": "2020",
                                    "basis": 34, "source": "s1", "quote": "400 điểm cầu"})
    frames = load_frames(write_yaml(dataset))
    derived, _ = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived.loc[derived.indicator == "vc_endpoints", "value"].tolist() == [313]  # there is one to beat
    obs, _ = boundary_observations(frames, "34")
    rows = obs[(obs.unit == "new-ab") & (obs.indicator == "vc_endpoints") & (obs.year == 2020)]
    assert rows[["value", "derived"]].values.tolist() == [[400, False]]
    # What a leader reads: the sources page's table for new-ab shows 400, not marked derived.
    state = F.FilterState("34", ["new-ab"], (2020, 2020), "vc_endpoints", "vi")
    table = views.data_table(obs, frames, state)
    row = table[table["Chỉ tiêu"] == "Số điểm cầu"]
    assert row[["Giá trị", "Tính gộp"]].values.tolist() == [["400 điểm cầu", ""]]


# --- Zero weights in a weighted mean --------------------------------------------------------------


def _with_service_counts(dataset, a: int, b: int) -> dict:
    """old-a and old-b with a and b online services in 2020 (the weights of their level-4 shares 30 % and 60 %)."""
    counts = iter((a, b))
    for o in dataset["observations"]:
        if o["indicator"] == "dvc_total_count":
            o["value"] = next(counts)
    return dataset


def test_zero_weights_give_no_mean(dataset, write_yaml):
    frames = load_frames(write_yaml(_with_service_counts(dataset, 0, 0)))
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "dvc_level4_share"].empty
    row = status[status.indicator == "dvc_level4_share"].iloc[0]
    assert row.status == "no_weight"
    assert sorted(v for _, v, *_ in row.inputs) == [30.0, 60.0]  # the predecessors' own values are still listed


def test_one_zero_weight_counts_for_nothing(dataset, write_yaml):
    frames = load_frames(write_yaml(_with_service_counts(dataset, 0, 300)))
    derived, _ = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived.loc[derived.indicator == "dvc_level4_share", "value"].tolist() == [pytest.approx(60.0)]


@pytest.mark.parametrize("page", ["overview", "compare", "timeline", "sources"])
def test_zero_weights_do_not_break_the_34_view(dataset, write_yaml, monkeypatch, page):
    monkeypatch.setenv("PROVINCES_DATA", str(write_yaml(_with_service_counts(dataset, 0, 0))))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"view": "34", "units": "new-ab,same-c", "ind": "dvc_level4_share"}.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(page_by_name(page).file).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and not [w.value for w in at.warning if "ind" in w.value]  # the link was read as given


# --- Ties on the heatmap --------------------------------------------------------------------------


def _heatmap(frames, units: list[str]):
    obs, _ = boundary_observations(frames, "63")
    state = F.FilterState("63", units, (2016, 2026), "vc_endpoints", "vi")
    latest = views.latest_normalised(obs, frames, state)
    fig = C.heatmap_figure(latest, frames.indicators, F.unit_labels(frames.units, "vi"), units, lang="vi",
                           years=state.years, sources=frames.sources)
    h = fig.data[0]
    row = [y.replace("<br>", " ").startswith("Số điểm cầu (") for y in h.y].index(True)
    return h.z[row], h.text[row]


def _endpoints(dataset, a: int, b: int, c: int) -> dict:
    values = {"old-a": a, "old-b": b, "same-c": c}
    for o in dataset["observations"]:
        if o["indicator"] == "vc_endpoints":
            o["value"], o["date"] = values[o["unit"]], "2020"
    return dataset


def test_tied_values_share_one_colour(dataset, write_yaml):
    frames = load_frames(write_yaml(_endpoints(dataset, 100, 100, 50)))
    z, text = _heatmap(frames, ["old-a", "old-b", "same-c"])
    assert list(z) == [1.0, 1.0, 0.0]
    assert list(text) == ["100 điểm cầu", "100 điểm cầu", "50 điểm cầu"]


def test_when_every_unit_ties_the_row_is_written_uncoloured_not_no_data(dataset, write_yaml):
    """Issue 23: a tie of every unit has nothing to compare, so no colour is made up for it (no invented 0,5 =
    "average"); each cell still writes its value, never the "—" of a missing one."""
    frames = load_frames(write_yaml(_endpoints(dataset, 100, 100, 100)))
    z, text = _heatmap(frames, ["old-a", "old-b", "same-c"])
    assert list(z) == [None, None, None]
    assert list(text) == ["100 điểm cầu"] * 3 and "—" not in text


# --- A reversed period in a shared link -----------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    return load_frames(DEFAULT_PATH)


def test_reversed_period_falls_back_to_the_default(real):
    state, problems = F.parse_query({"years": "2024-2016", "ind": "dti_score"}, real)
    assert state.years == F.default_state(real).years
    assert problems == ["years=2024-2016"]
    assert state.indicator == "dti_score"  # the rest of the link still counts


def test_reversed_period_is_named_on_screen():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["years"] = "2024-2016"
    at.run()
    assert not at.exception
    notices = [w.value.replace("\\", "") for w in at.sidebar.warning]
    assert any("years=2024-2016" in n for n in notices), notices


# --- The link's site when a source names no publisher ---------------------------------------------


def test_source_without_publisher_is_cited_by_its_site(dataset, write_yaml):
    del dataset["sources"][0]["publisher"]
    dataset["sources"][0]["url"] = "https://www.thanhnien.vn/bai-viet-1.htm"
    frames = load_frames(write_yaml(dataset))
    obs, _ = boundary_observations(frames, "63")
    state = F.FilterState("63", ["old-a"], (2016, 2026), "vc_endpoints", "en")
    # Under a chart, in the sources table and in a full citation: the site, never an empty name.
    assert C.source_line(obs[obs.source == "s1"]["source"], frames.sources, "en") == "Source: thanhnien.vn (2020)"
    table = views.localise_sources(views.sources_table(obs, frames, state), "en")  # the sources page's table
    assert table["Publisher"].tolist() == ["thanhnien.vn", "Test publisher"]
    src = cite.by_id(frames.sources)["s1"]
    assert cite.citation(src, "vi").startswith("thanhnien.vn: Bài báo một (01/07/2020).")
