"""The replay floor: what a page drew, saved as JSON, and drawn again by a bare Streamlit script.

`capture` runs the app in this process (AppTest) on one page with the benchmark's filters, for each of the
periods the browser benchmark moves between, and saves every figure (the JSON Streamlit sent, with its
config) and every table the page drew, in page order. bench/replay_app.py reads that file and draws the
very same figures and tables under one period slider of the same range: it is what Streamlit and Plotly
cost for this page's content alone, without the dashboard's code, captions, cards, buttons or sidebar.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.apptest_bench import APP, steady_state_navigation, widget

ROOT = Path(__file__).resolve().parents[1]


def _elements(at: AppTest) -> list[dict]:
    """Every chart and table in the main area, in page order."""
    out = []
    for node in at.main:
        kind = getattr(node, "type", None)
        if kind == "plotly_chart":
            out.append({"kind": "chart", "spec": node.proto.spec, "config": node.proto.config})
        elif kind == "dataframe":
            out.append({"kind": "table", "split": node.value.to_json(orient="split", force_ascii=False)})
    return out


def _key(years: tuple[int, int]) -> str:
    return f"{years[0]}-{years[1]}"


def capture(data_path: str, page: str, units: list[str], periods: list[tuple[int, int]], out: Path) -> dict:
    """Run `page` (a lib.navigation file) with `units` for each period; write the replay file `out`."""
    os.environ["PROVINCES_DATA"] = str(data_path)
    steady_state_navigation()
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    widget(at, "multiselect", "f_units").set_value(units)
    at.run()
    at.switch_page(page)
    at.run()
    slider = at.slider(key="f_years")
    states = {}
    for years in periods:
        at.slider(key="f_years").set_value(years)
        at.run()
        states[_key(years)] = _elements(at)
    res = {"page": page, "slider": {"label": slider.label, "min": int(slider.min), "max": int(slider.max),
                                     "value": list(periods[0])}, "states": states}
    out.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
    return {"charts": sum(e["kind"] == "chart" for e in states[_key(periods[0])]),
            "tables": sum(e["kind"] == "table" for e in states[_key(periods[0])]),
            "errors": [str(e.value)[:200] for e in at.exception]}
