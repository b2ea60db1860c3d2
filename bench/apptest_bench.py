"""Page script times and figure bytes through streamlit.testing.v1.AppTest (in this process).

AppTest runs app.py in this process, so st.cache_resource is shared with the rest of the benchmark: the
dataset is loaded (or injected, see bench.load_bench.warm_app_cache) before the pages are timed, and every
figure here is a *rerun after a filter change* with warm caches, which is what a user waits for.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.navigation import PAGES as NAV_PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
FLOOR = str(Path(__file__).resolve().parent / "floor_app.py")
PAGES = [p.file for p in NAV_PAGES]  # lib.navigation: the one list of pages


def steady_state_navigation() -> None:
    """Make AppTest behave like a running server after its first st.navigation call (lib.navigation)."""
    from lib.navigation import keep_navigation_mode_in_apptest

    keep_navigation_mode_in_apptest()


def widget(at, kind: str, name: str):
    """The sidebar filter `name` (one widget per language, lib.ui._widget_key)."""
    return next(e for e in getattr(at, kind) if e.key and e.key.startswith(name + "__"))


def _timed_run(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    return time.perf_counter() - t


def _fig_bytes(at: AppTest) -> tuple[int, int]:
    charts = at.get("plotly_chart")
    return sum(len(c.proto.spec) for c in charts), len(charts)


def _errors(at: AppTest) -> list[str]:
    return [str(e.value)[:200] for e in at.exception]


def floor(repeats: int) -> dict:
    at = AppTest.from_file(FLOOR, default_timeout=120)
    first = _timed_run(at)
    times = []
    for k in range(repeats):
        at.slider(key="f_years").set_value((2016 + (k + 1) % 2, 2026))
        times.append(_timed_run(at))
    nbytes, n = _fig_bytes(at)
    return {"first_run_s": first, "filter_change_s": statistics.median(times), "runs": times,
            "fig_bytes": nbytes, "charts": n, "errors": _errors(at)}


def pages(data_path: str, units: list[str], repeats: int, *, view: str = "63", timeout: float = 600) -> dict:
    """Every page: switch to it, then `repeats` filter changes (period slider), each timed."""
    os.environ["PROVINCES_DATA"] = str(data_path)
    steady_state_navigation()
    at = AppTest.from_file(APP, default_timeout=timeout)
    out: dict = {"view": view, "units": units}
    out["first_run_s"] = _timed_run(at)
    if _errors(at) or not at.slider:
        out["errors"] = _errors(at) or ["the app drew no sidebar (dataset refused?)"]
        out["error_text"] = [e.value for e in at.error][:3]
        return out
    lo, hi = at.slider(key="f_years").value
    if view != "63":
        widget(at, "radio", "f_view").set_value(view)
        out["switch_view_s"] = _timed_run(at)  # the first 34-unit view computes the combined values
    widget(at, "multiselect", "f_units").set_value(units)
    out["select_units_s"] = _timed_run(at)
    out["years"] = [lo, hi]
    from lib.filters import coverage

    cov = coverage(at.session_state["_frames"], view)
    best = sorted(cov, key=lambda i: cov[i][0], reverse=True)[:6]
    res = {}
    for page in PAGES:
        at.switch_page(page)
        switch = _timed_run(at)
        if not at.slider:
            res[page] = {"errors": ["after switch_page the sidebar is missing (page ran without app.py)"]}
            continue
        # A filter change to a period no session has seen yet (so nothing is replayed), then the delivery floor:
        # the same page rerun with nothing changed, every chart and table replayed from lib.ui.computed, so
        # what remains is what Streamlit costs to send those elements (and the sidebar, and the light notes).
        times, floors = [], []
        for k in range(repeats):
            at.slider(key="f_years").set_value((lo + 1 + k % max(1, hi - lo - 1), hi))  # a new period each time
            times.append(_timed_run(at))
            floors.append(_timed_run(at))
        # The indicator box, which every chart reads (the period's start leaves the overview's map as it was):
        # each time another of the six best-covered indicators, then the floor again.
        ind_times, ind_floors = [], []
        others = [i for i in best if i != at.session_state["f_ind"]]
        for k in range(repeats):
            widget(at, "selectbox", "f_ind").set_value(others[k % len(others)])
            ind_times.append(_timed_run(at))
            ind_floors.append(_timed_run(at))
        widget(at, "selectbox", "f_ind").set_value(best[0])  # every page starts from the same indicator
        at.run()
        nbytes, n = _fig_bytes(at)
        res[page] = {"switch_s": switch, "filter_change_s": statistics.median(times), "runs": times,
                     "delivery_floor_s": statistics.median(floors), "floor_runs": floors,
                     "floor_ratio": statistics.median(times) / statistics.median(floors),
                     "indicator_change_s": statistics.median(ind_times), "indicator_runs": ind_times,
                     "indicator_floor_s": statistics.median(ind_floors),
                     "indicator_ratio": statistics.median(ind_times) / statistics.median(ind_floors),
                     "fig_bytes": nbytes, "charts": n, "errors": _errors(at),
                     "warnings": [w.value for w in at.warning][:3]}
    out["pages"] = res
    out["errors"] = [e for p in res.values() for e in p["errors"]]
    out["pages"] = {k: v for k, v in res.items() if "filter_change_s" in v}
    return out
