"""Measure: the overview map's build time on a rerun and the bytes its figure sends to the browser.

Run alone: python -m bench.map_bench (prints the figures); `python -m bench` includes them."""

from __future__ import annotations

import statistics
import time

from lib import views
from lib.combine import boundary_observations
from lib.filters import FilterState, preset_units, year_bounds


def measure(frames, repeats: int = 5) -> dict:
    out: dict = {}
    for boundaries in ("63", "34"):
        state = FilterState(boundaries=boundaries, units=preset_units(frames.units, "founding", boundaries),
                            years=year_bounds(frames), indicator="dti_score", lang="vi")
        vobs, _ = boundary_observations(frames, boundaries)
        _, _, year = views.ranking_spec(vobs, frames, state)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            spec = views.map_spec(vobs, frames, state, year)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        payload = spec.figure.to_json()
        to_json_s = time.perf_counter() - t
        screen = views.map_figure_of(vobs, frames, state, year, by_url=True).to_json()  # as the page sends it
        out[boundaries] = {"build_s": statistics.median(times), "runs": times, "json_bytes": len(payload.encode()),
                           "to_json_s": to_json_s, "year": year, "screen_json_bytes": len(screen.encode())}
    return out


if __name__ == "__main__":
    from lib.data import load_frames

    res = measure(load_frames(), 7)
    for view, r in res.items():
        print(f"map {view} view (DTI {r['year']}): build {r['build_s'] * 1000:.0f} ms (median of 7), "
              f"figure JSON {r['json_bytes'] / 1024:.0f} KB (on the page, shapes by URL: "
              f"{r['screen_json_bytes'] / 1024:.0f} KB), to_json {r['to_json_s'] * 1000:.0f} ms")
