"""The floor: a bare Streamlit page that draws one Plotly chart (63 bars) and has one range slider.

Served and driven exactly like the app (AppTest, `streamlit run`, Playwright), it is the cost of
Streamlit + Plotly alone, against which the dashboard's pages are compared.
"""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Floor", layout="wide")
lo, hi = st.slider("Period", 2016, 2026, (2016, 2026), key="f_years")
names = [f"Unit {i:02d}" for i in range(63)]
values = [(i * 37 + lo * 7 + hi) % 100 for i in range(63)]
fig = go.Figure(go.Bar(x=values, y=names, orientation="h"))
fig.update_layout(title=f"Floor · {lo}–{hi}", height=22 * 63 + 150)
st.plotly_chart(fig, key="floor_chart")
