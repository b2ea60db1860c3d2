"""The 34-unit view on a realistic dataset where derived values do occur (tests/merger_fixture.py).

The real units, registry and values, with the predecessors' missing values of a year completed synthetically:
22 values of four new units (Quảng Trị, Đà Nẵng, Ninh Bình, Tuyên Quang from 7/2025) can now be combined.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import filters as F
from lib import views
from lib.combine import boundary_observations, combine_predecessors
from lib.data import DEFAULT_PATH, load_frames
from tests.conftest import APP
from tests.merger_fixture import QUOTE, realistic_34_dataset


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
    assert len(derived) == 22 and set(derived.unit) == {"quang-tri-2025", "da-nang-2025", "ninh-binh-2025",
                                                         "tuyen-quang-2025"}
    assert set(derived.rule) == {"sum", "weighted_mean"}
    assert (status.status == "combined").sum() == 22


def test_quang_tri_2025_digital_enterprises_are_the_sum_of_its_predecessors(frames, combined):
    derived, status = combined
    row = derived[(derived.unit == "quang-tri-2025") & (derived.indicator == "digital_enterprises")].iloc[0]
    # 737 is Quảng Trị's real figure (xosobinhdinh_qt_2023); Quảng Bình's is the synthetic completion.
    assert latest_in_year(frames, "quang-tri", "digital_enterprises", 2023) == 737
    quang_binh = latest_in_year(frames, "quang-binh", "digital_enterprises", 2023)
    assert row.value == 737 + quang_binh and row.year == 2023 and row.derived
    assert row.inputs == ("quang-binh", "quang-tri")
    assert set(row.source) == {"xosobinhdinh_qt_2023", "synthetic_test_completion"}
    assert row.confidence == "low"  # one input is of low confidence: so is the sum


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
    assert len(marked) == 22 and marked.rule.notna().all()
    assert not old.derived.astype(bool).any() and "quang-tri-2025" not in set(old.unit)
    # Nothing derived is written back: the stored observations are the file's, real and synthetic.
    synthetic = (frames.observations.quote == QUOTE).sum()
    assert synthetic == 30 and len(frames.observations) == len(load_frames(DEFAULT_PATH).observations) + synthetic


def test_a_leader_reads_derived_on_the_card_and_in_the_table(frames):
    vobs, _ = boundary_observations(frames, "34")
    state = F.FilterState("34", ["quang-tri-2025"], (2016, 2026), "digital_enterprises", "vi")
    card = next(c for c in views.overview_cards(vobs, frames, state) if c.indicator == "digital_enterprises")
    assert card.derived and card.value.startswith("855")
    table = views.data_table(vobs, frames, state)
    derived = table[table["Tính gộp"] != ""]
    assert len(derived) == 7  # the seven values of Quảng Trị (từ 7/2025) that its predecessors combine into
    assert set(derived["Tính gộp"]) == {"giá trị tính gộp (sum)", "giá trị tính gộp (weighted_mean)"}


@pytest.fixture
def overview_34(path, monkeypatch):
    monkeypatch.setenv("PROVINCES_DATA", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"view": "34", "units": "quang-tri-2025", "ind": "digital_enterprises"}.items():
        at.query_params[key] = value
    return at.run()


def test_overview_page_of_the_34_view_marks_the_derived_card(overview_34):
    assert not overview_34.exception, [e.value for e in overview_34.exception]
    captions = [c.value for c in overview_34.caption]
    assert any("giá trị tính gộp" in c for c in captions), captions
    assert not [w.value for w in overview_34.sidebar.warning]  # the link was read as given

