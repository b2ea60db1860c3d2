"""The replay floor of one page (bench/replay.py): its figures and tables, drawn by a bare script.

    REPLAY_DIR=dir streamlit run bench/replay_app.py   → /?page=overview  (dir/overview.json)

One period slider in the sidebar, like the app's; each period draws the figures and tables the page drew
for it. The figures are parsed once per process (as the app builds them once and replays them), so a rerun
costs what Streamlit costs to serialise and send them and the browser to draw them.
"""

import json
import os
from io import StringIO
from pathlib import Path

import pandas as pd
import plotly.io as pio
import streamlit as st


@st.cache_resource
def load(page: str) -> tuple[dict, dict]:
    raw = json.loads((Path(os.environ["REPLAY_DIR"]) / f"{page}.json").read_text(encoding="utf-8"))
    states = {years: [(e["kind"], pio.from_json(e["spec"], skip_invalid=True) if e["kind"] == "chart"
                       else pd.read_json(StringIO(e["split"]), orient="split"), e.get("config"))
                      for e in elements] for years, elements in raw["states"].items()}
    return raw["slider"], states


st.set_page_config(page_title="Replay floor", layout="wide")
slider, states = load(st.query_params.get("page", "overview"))
with st.sidebar:
    lo, hi = st.slider(slider["label"], int(slider["min"]), int(slider["max"]), tuple(slider["value"]), key="f_years")
elements = states.get(f"{lo}-{hi}") or next(iter(states.values()))
for i, (kind, obj, config) in enumerate(elements):
    if kind == "chart":
        st.plotly_chart(obj, config=json.loads(config) if config else None, key=f"chart_{i}")
    else:
        st.dataframe(obj, hide_index=True, width="stretch")
