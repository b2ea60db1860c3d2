"""Measure 4: warm PNG export per chart through lib.export.render (to_png(spec, lang))."""

from __future__ import annotations

import statistics
import time
import traceback

from lib import views
from lib.combine import boundary_observations
from lib.filters import FilterState, year_bounds


def chart_specs(frames, units: list[str], lang: str = "vi") -> list:
    state = FilterState(boundaries="63", units=list(units), years=year_bounds(frames),
                        indicator=_first_indicator(frames), lang=lang)
    vobs, _ = boundary_observations(frames, "63")
    specs = [views.ranking_spec(vobs, frames, state)[0]]
    specs += views.compare_specs(vobs, frames, state)
    specs += views.timeline_specs(vobs, frames, state)
    return specs


def _first_indicator(frames) -> str:
    from lib.filters import default_indicator

    return default_indicator(frames)


def measure(frames, units: list[str], repeats: int, lang: str = "vi") -> dict:
    from lib.export.render import to_png

    specs = chart_specs(frames, units, lang)
    out: dict = {"lang": lang, "charts": {}}
    try:
        t = time.perf_counter()
        png = to_png(specs[0], lang)
        out["cold_first_s"] = time.perf_counter() - t  # includes starting kaleido + Chromium
        out["png_bytes_first"] = len(png)
        for spec in specs:
            times, size = [], 0
            for _ in range(repeats):
                t = time.perf_counter()
                size = len(to_png(spec, lang))
                times.append(time.perf_counter() - t)
            out["charts"][spec.key] = {"warm_s": statistics.median(times), "runs": times, "png_bytes": size}
    except Exception as exc:  # noqa: BLE001 - report and skip, as asked
        out["error"] = f"{exc!r}"
        out["traceback"] = traceback.format_exc(limit=4)
    return out
