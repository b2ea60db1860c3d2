"""The 34-unit view's combining step (lib.combine.combine_predecessors), original vs bench/proposed.py.

The original costs ~10–30 ms per (successor, indicator, year) group, so at 63 units × 12 indicators ×
10 years it takes tens of seconds and at commune scale hours. It is therefore timed on the first k
successors only (k grown until it takes >= `budget_s`), checked for equality with the proposal on the same
subset, and extrapolated by the number of groups (clearly labelled)."""

from __future__ import annotations

import time

import pandas as pd

from bench import proposed
from lib import combine


def _subset(units: pd.DataFrame, k: int | None) -> pd.DataFrame:
    if k is None:
        return units
    succ = sorted(units["successor"].dropna().unique())[:k]
    return units[units["successor"].isna() | units["successor"].isin(succ)]


def _equal(a, b) -> bool:
    try:
        for x, y in zip(a, b):
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), check_dtype=False)
        return True
    except AssertionError:
        return False


def measure(frames, budget_s: float = 4.0) -> dict:
    obs, units, inds = frames.observations, frames.units, frames.indicators
    t = time.perf_counter()
    new_full = proposed.combine_predecessors(obs, units, inds)
    proposed_s = time.perf_counter() - t
    groups_total = len(new_full[1])
    n_succ = units["successor"].dropna().nunique()
    k, orig_s, groups_k, equal = 1, 0.0, 0, None
    while True:
        sub = _subset(units, None if k >= n_succ else k)
        t = time.perf_counter()
        orig = combine.combine_predecessors(obs, sub, inds)
        orig_s = time.perf_counter() - t
        groups_k = len(orig[1])
        equal = _equal(orig, proposed.combine_predecessors(obs, sub, inds))
        if k >= n_succ or orig_s >= budget_s:
            break
        k = min(n_succ, max(k * 2, int(k * budget_s / max(orig_s, 1e-3))))
    full = k >= n_succ
    orig_est = orig_s if full else orig_s / max(groups_k, 1) * groups_total
    return {
        "successors": int(n_succ), "groups": groups_total, "derived_values": len(new_full[0]),
        "original_s": orig_est, "original_extrapolated": not full,
        "original_timed_on": {"successors": k if not full else int(n_succ), "groups": groups_k, "s": orig_s},
        "proposed_s": proposed_s, "identical_output": equal,
        "speedup": orig_est / proposed_s if proposed_s else None,
    }


def measure_normalise(frames, repeats: int = 3) -> dict:
    """lib.charts.normalise (compare page: heatmap + radar) vs bench/proposed.normalise, same input."""
    import statistics

    from lib import charts, views
    from lib.combine import view_observations
    from lib.filters import FilterState, year_bounds

    vobs, _ = view_observations(frames, "63")
    state = FilterState("63", [], year_bounds(frames), "", "vi")
    rows = views._same_basis(views.in_period(vobs, state), "63")
    rows = rows[rows["indicator"].isin(frames.indicators.loc[frames.indicators["kind"] != "milestone", "id"])]
    latest = charts.latest_per_unit(rows)
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        a = charts.normalise(latest, frames.indicators)
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = proposed.normalise(latest, frames.indicators)
        tb.append(time.perf_counter() - t)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
        same = True
    except AssertionError:
        same = False
    return {"rows": len(latest), "original_s": statistics.median(ta), "proposed_s": statistics.median(tb),
            "identical_output": same}
