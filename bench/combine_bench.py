"""The 34-unit view's combining step and the compare page's normalisation, timed on each dataset.

Both were rewritten after the first benchmark run (a pandas pipeline per group, and one filter of the
whole frame per row); bench/results/full-before-fixes.json holds the figures from before."""

from __future__ import annotations

import statistics
import time

from lib import combine


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(frames, repeats: int = 3) -> dict:
    """lib.combine.combine_predecessors over every merged unit (done once per dataset, then cached)."""
    obs, units, inds = frames.observations, frames.units, frames.indicators
    derived, status = combine.combine_predecessors(obs, units, inds)
    return {"successors": int(units["successor"].dropna().nunique()), "groups": len(status),
            "derived_values": len(derived),
            "seconds": _median_time(lambda: combine.combine_predecessors(obs, units, inds), repeats)}


def measure_normalise(frames, repeats: int = 3) -> dict:
    """lib.charts.comparable_scores (compare page: heatmap + radar) for four selected units, scored within
    each indicator's row year against every unit of the view."""
    from lib import charts, views
    from lib.combine import boundary_observations
    from lib.filters import FilterState, year_bounds

    vobs, _ = boundary_observations(frames, "63")
    state = FilterState("63", [], year_bounds(frames), "", "vi")
    rows = views._same_basis(views.in_period(vobs, state), "63")
    rows = rows[rows["indicator"].isin(frames.indicators.loc[frames.indicators["kind"] != "milestone", "id"])]
    units = list(frames.units["code"][:4])
    return {"rows": len(rows),
            "seconds": _median_time(lambda: charts.comparable_scores(rows, frames.indicators, units), repeats)}
