"""The 2025 merger rules on hand-made frames: a combined value is computed only where it is valid."""

from __future__ import annotations

import pytest

from lib.combine import boundary_observations, combine_predecessors
from lib.data import load_frames


@pytest.fixture
def frames(dataset, write_yaml):
    return load_frames(write_yaml(dataset))


def status_of(status, indicator, year):
    row = status[(status.indicator == indicator) & (status.year == year)]
    assert len(row) == 1, row
    return row.iloc[0]


def test_counts_are_summed_when_every_predecessor_has_the_year(frames):
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    row = derived[(derived.indicator == "vc_endpoints") & (derived.year == 2020)].iloc[0]
    assert row.unit == "new-ab" and row.value == 313 and row.derived and row.rule == "sum"
    assert row.inputs == ("old-a", "old-b")
    assert status_of(status, "vc_endpoints", 2020).status == "combined"


def test_shares_are_a_weighted_mean_with_known_weights(frames):
    derived, _ = combine_predecessors(frames.observations, frames.units, frames.indicators)
    row = derived[derived.indicator == "dvc_level4_share"].iloc[0]
    # (30 % × 100 services + 60 % × 300 services) / 400 services = 52.5 %, not the plain mean 45 %.
    assert row.value == pytest.approx(52.5)
    assert row.rule == "weighted_mean"
    assert "s1" in row.source


def test_share_without_weight_is_not_combined(frames):
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "household_internet_share"].empty
    row = status_of(status, "household_internet_share", 2023)
    assert row.status == "no_weight"
    assert {u for u, *_ in row.inputs} == {"old-a", "old-b"}  # their own values are still listed


def test_missing_predecessor_blocks_the_sum(dataset, write_yaml):
    dataset["observations"] = [o for o in dataset["observations"]
                               if not (o["unit"] == "old-b" and o["indicator"] == "vc_endpoints")]
    frames = load_frames(write_yaml(dataset))
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "vc_endpoints"].empty
    row = status_of(status, "vc_endpoints", 2020)
    assert row.status == "missing_predecessor" and row.missing == ("old-b",)


def test_ranks_are_never_combined(frames):
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "dti_rank"].empty
    row = status_of(status, "dti_rank", 2022)
    assert row.status == "not_combinable"
    assert sorted(v for _, v, *_ in row.inputs) == [1.0, 3.0]


def test_qualified_values_are_not_summed(dataset, write_yaml):
    dataset["observations"][0]["qualifier"] = ">"
    frames = load_frames(write_yaml(dataset))
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    assert derived[derived.indicator == "vc_endpoints"].empty
    assert status_of(status, "vc_endpoints", 2020).status == "qualified_value"


def test_views_keep_63_and_34_apart(frames):
    old, _ = boundary_observations(frames, "63")
    new, status = boundary_observations(frames, "34")
    assert set(old.unit) == {"old-a", "old-b", "same-c"}
    assert set(new.unit) == {"new-ab", "same-c"}
    assert not old.derived.any()
    assert new[new.unit == "new-ab"].derived.all()
    # Nothing combined is ever written back into the stored observations.
    assert "new-ab" not in set(frames.observations.unit)
