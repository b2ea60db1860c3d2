"""The 34-unit view on a realistic dataset where derived values do occur (tests/merger_fixture.py).

The real units, registry and values, with the predecessors' missing values of a year completed synthetically:
values of new units (Quảng Trị, Đà Nẵng, Ninh Bình, Tuyên Quang from 7/2025 among them) can now be combined. The
expected counts are computed here from the statuses, so the tests follow the shipped data as it grows.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations, combine_predecessors
from lib.data import DEFAULT_PATH, load_frames
from tests.conftest import APP
from tests.merger_fixture import QUOTE, completions, realistic_34_dataset


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return realistic_34_dataset(tmp_path_factory.mktemp("realistic"))


@pytest.fixture(scope="module")
def frames(path):
    return load_frames(path)


@pytest.fixture(scope="module")
def combined(frames):
    return combine_predecessors(frames.observations, frames.units, frames.indicators)


def latest_in_year(frames, unit: str, indicator: str, year: int) -> float:
    obs = frames.observations
    rows = obs[(obs.unit == unit) & (obs.indicator == indicator) & (obs.year == year)]
    return float(rows.sort_values("as_of", kind="stable")["value"].iloc[-1])


def test_the_real_data_alone_derives_nothing_and_the_fixture_does(frames, combined):
    real = load_frames(DEFAULT_PATH)
    assert combine_predecessors(real.observations, real.units, real.indicators)[0].empty
    derived, status = combined
    assert len(derived) == (status.status == "combined").sum() > 0
    assert {"quang-tri-2025", "da-nang-2025", "ninh-binh-2025", "tuyen-quang-2025"} <= set(derived.unit)
    assert set(derived.rule) == {"sum", "weighted_mean"}


def test_quang_tri_2025_level4_share_is_the_weighted_mean_of_its_predecessors(frames, combined):
    derived, _ = combined
    row = derived[(derived.unit == "quang-tri-2025") & (derived.indicator == "dvc_level4_share")].iloc[0]
    # 30 % is Quảng Bình's real figure of 2020 (the founding article); Quảng Trị's is the synthetic completion.
    quang_binh = latest_in_year(frames, "quang-binh", "dvc_level4_share", 2020)
    quang_tri = latest_in_year(frames, "quang-tri", "dvc_level4_share", 2020)
    assert quang_binh == 30
    w_b = latest_in_year(frames, "quang-binh", "dvc_total_count", 2020)
    w_t = latest_in_year(frames, "quang-tri", "dvc_total_count", 2020)
    assert row.value == pytest.approx((quang_binh * w_b + quang_tri * w_t) / (w_b + w_t))
    assert row.year == 2020 and row.derived and row.rule == "weighted_mean"
    assert row.inputs == ("quang-binh", "quang-tri")
    assert set(row.source) == {"founding_002_quang_binh_2020", "synthetic_test_completion"}


def test_every_derived_value_follows_its_rule(frames, combined):
    derived, _ = combined
    weight = dict(zip(frames.indicators["id"], frames.indicators["weight"]))
    for r in derived.itertuples():
        values = [latest_in_year(frames, p, r.indicator, r.year) for p in r.inputs]
        if r.rule == "sum":
            assert r.value == pytest.approx(sum(values)), r
        else:
            w = [latest_in_year(frames, p, weight[r.indicator], r.year) for p in r.inputs]
            assert r.value == pytest.approx(sum(v * x for v, x in zip(values, w)) / sum(w)), r
            assert min(values) <= r.value <= max(values)


def test_the_34_view_shows_them_marked_and_the_63_view_never(frames):
    new, _ = boundary_observations(frames, "34")
    old, _ = boundary_observations(frames, "63")
    marked = new[new.derived.astype(bool)]
    assert len(marked) == len(combine_predecessors(frames.observations, frames.units, frames.indicators)[0])
    assert marked.rule.notna().all()
    assert not old.derived.astype(bool).any() and "quang-tri-2025" not in set(old.unit)
    # Nothing derived is written back: the stored observations are the file's, real and synthetic.
    synthetic = (frames.observations.quote == QUOTE).sum()
    assert synthetic == len(completions(load_frames(DEFAULT_PATH))) and len(frames.observations) == len(load_frames(DEFAULT_PATH).observations) + synthetic


def test_a_leader_reads_derived_on_the_profile_and_in_the_table(frames, combined):
    from lib.i18n import fmt_number
    from lib.views import profile as P

    vobs, _ = boundary_observations(frames, "34")
    state = F.FilterState("34", ["quang-tri-2025"], (2016, 2026), "applications_received", "vi")
    mine = combined[0][combined[0].unit == "quang-tri-2025"]
    total = mine[mine.indicator == "applications_received"].iloc[0].value
    others = P.other_indicators(vobs, frames, state, "quang-tri-2025")
    row = others[others["Chỉ tiêu"] == views.indicator_titles(frames, "vi")["applications_received"]].iloc[0]
    assert row["Giá trị"].startswith(fmt_number(total, 0, "vi"))
    assert row["Tính gộp"] == "giá trị tính gộp: tổng của các tỉnh cũ"  # the rule in words, never "sum"
    table = views.data_table(vobs, frames, state)
    derived = table[table["Tính gộp"] != ""]
    assert len(derived) == len(mine)  # every value of Quảng Trị (từ 7/2025) that its predecessors combine into
    assert set(derived["Tính gộp"]) == {"giá trị tính gộp: tổng của các tỉnh cũ",
                                        "giá trị tính gộp: bình quân gia quyền của các tỉnh cũ"}


@pytest.fixture
def overview_34(path, monkeypatch):
    monkeypatch.setenv("PROVINCES_DATA", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"view": "34", "units": "quang-tri-2025", "ind": "applications_received"}.items():
        at.query_params[key] = value
    return at.run()


def test_overview_page_of_the_34_view_marks_the_derived_value(overview_34):
    assert not overview_34.exception, [e.value for e in overview_34.exception]
    # The map names a derived value as such in its legend (the per-indicator cards moved to the profile)
    names = [str(tr.get("name") or "") for c in overview_34.get("plotly_chart")
             for tr in json.loads(c.proto.spec)["data"]]
    assert "giá trị tính gộp" in [n.lower() for n in names], names
    assert not [w.value for w in overview_34.sidebar.warning]  # the link was read as given

