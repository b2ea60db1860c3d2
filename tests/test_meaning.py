"""What the values mean (lib/data/meaning.py, issue 24), beyond the corpus of tests/bad_datasets/: every
derived value of the 34-unit view stays within its indicator's bounds, and the curator commands never
send a control character of the file (or of its name) to the terminal."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from lib.combine import boundary_observations
from lib.data import DEFAULT_PATH, load_frames
from lib.data.meaning import kind_bounds
from tests.bad_datasets.corpus import BASE
from tests.conftest import ROOT


@pytest.mark.parametrize("path", [DEFAULT_PATH, BASE], ids=["real", "base"])
def test_every_value_of_both_views_is_within_its_kind_and_declared_bounds(path):
    frames = load_frames(path)
    bounds = {r.id: (r.kind, *kind_bounds(r.kind, None if pd.isna(r.min) else r.min, None if pd.isna(r.max)
                                         else r.max)) for r in frames.indicators.itertuples()}
    for view in ("63", "34"):
        vobs, _ = boundary_observations(frames, view)
        if view == "34" and path == BASE:
            assert vobs["derived"].any()  # the combined values are part of what is checked
        for ind, value, out_of in zip(vobs["indicator"], vobs["value"], vobs["out_of"]):
            kind, lo, hi = bounds[ind]
            if kind == "milestone":
                continue
            hi = out_of if kind == "rank" and not pd.isna(out_of) else hi
            assert (lo is None or value >= lo) and (hi is None or value <= hi), (view, ind, value)


def test_validate_escapes_control_characters_it_prints(tmp_path):
    """A file named with an escape sequence and a right-to-left override: the problems are printed with
    the name escaped (\\x1b, \\u202e), never obeyed by the terminal."""
    bad = tmp_path / "bad\x1b[2J\u202e.yaml"
    bad.write_text("schema_version: 1\nx: [\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "lib.validate", str(bad)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1
    assert "\x1b" not in out.stderr and "\u202e" not in out.stderr
    assert "bad\\x1b[2J\\u202e.yaml" in out.stderr


def test_a_derived_value_outside_its_bounds_is_never_produced():
    """Defence in depth behind the `summed-share` refusal: frames built past validation from a dataset
    whose percent is summed (30 % + 60 % = 90 %, here with a max of 50) give a status, never the value."""
    from lib.combine import STATUS_BOUNDS, combine_predecessors
    from lib.data import to_frames
    from lib.data.checks import validate
    from lib.data.read import read_document

    text = BASE.read_text(encoding="utf-8").replace(
        "combine: {rule: weighted_mean, weight: dvc_total_count}, decimals: 1, min: 0, max: 100",
        "combine: {rule: sum}, decimals: 1, min: 0, max: 50", 1)
    frames = to_frames(validate(read_document("x.yaml", raw=text.encode())))  # no cross-check: as if it passed
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    share = derived[derived["indicator"] == "dvc_level4_share"]
    assert share.empty
    assert STATUS_BOUNDS in set(status[status["indicator"] == "dvc_level4_share"]["status"])
