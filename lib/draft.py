"""A figure being drawn, kept as plain dicts and made into one ``go.Figure(data, layout)`` at the end.

A ``go.Figure`` validates every ``add_trace`` / ``update_layout`` / ``update_xaxes`` call on its own, through
its property tree: a chart of four bar series cost 5 ms built call by call and 1.2 ms built at once (Plotly
7.1), the same JSON. The figure builders of ``lib.charts`` draw on a ``Draft`` with the calls they used on a
``go.Figure``; ``lib.charts._finish`` turns it into the figure. Only what those builders use is here.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import plotly.graph_objects as go
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array, is_homogeneous_array


def merge(into: dict, new: dict) -> dict:
    """Plotly's update semantics on plain dicts: nested dicts are updated key by key, anything else replaced.
    A dict is copied in at every depth, so a later update never changes the caller's own dict."""
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = merge({}, v) if isinstance(v, dict) else v
    return into


# Plotly's property check on every figure (True) or not (False, served): tests/test_ui_logic.py builds every
# view's figures both ways and compares the JSON the browser would get.
VALIDATE = False


def _plain(d: dict) -> None:
    """pandas columns and numpy arrays in a trace (at any depth of dicts) made the read-only numpy arrays
    Plotly's check makes of them (in place): the same JSON (numbers as typed arrays), no pandas object kept."""
    for k, v in d.items():
        if isinstance(v, dict):
            _plain(v)
        elif is_homogeneous_array(v):
            d[k] = copy_to_readonly_numpy_array(v)


@lru_cache(maxsize=8)
def _grid_layout(rows: int, cols: int, shared_xaxes: bool, row_heights: tuple, vertical_spacing: float) -> dict:
    """The axes and domains ``make_subplots`` lays out for this grid, computed once per shape."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=cols, shared_xaxes=shared_xaxes, row_heights=list(row_heights),
                        vertical_spacing=vertical_spacing)
    layout = fig.layout.to_plotly_json()
    # Without the default template make_subplots wrote in: go.Figure puts that same template back unchecked,
    # while as a dict it was validated again in every figure (~25 ms of a timeline's 85, Plotly 7.1)
    layout.pop("template", None)
    return layout


class Draft:
    """Traces and layout of a figure to be; ``figure()`` makes the ``go.Figure``.

    ``Draft(trace, …)`` with traces as dicts (``{"type": "bar", …}``); ``Draft.grid(rows=2, …)`` for
    subplots in one column, whose traces and axis updates take ``row=`` (and ``col=1``) as on a go.Figure."""

    def __init__(self, *traces: dict):
        self.data: list[dict] = [dict(tr) for tr in traces]
        self.layout: dict = {}
        self._rows = 1

    @classmethod
    def grid(cls, *, rows: int, cols: int = 1, shared_xaxes: bool = False, row_heights: list[float] | None = None,
             vertical_spacing: float = 0.06) -> Draft:
        if cols != 1:
            raise ValueError("Draft.grid lays out one column of subplots")
        draft = cls()
        draft._rows = rows
        draft.layout = copy.deepcopy(_grid_layout(rows, cols, shared_xaxes,
                                                  tuple(row_heights or [1 / rows] * rows), vertical_spacing))
        return draft

    # --- traces -------------------------------------------------------------------------------------
    def _axes_of(self, row: int | None) -> dict:
        if row is None or self._rows == 1:
            return {}
        suffix = "" if row == 1 else str(row)
        return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}

    def add_trace(self, trace: dict, row: int | None = None, col: int | None = None) -> Draft:
        self.data.append({**trace, **self._axes_of(row)})
        return self

    def add_traces(self, traces: list[dict]) -> Draft:
        for trace in traces:
            self.add_trace(trace)
        return self

    def add_bar(self, **kw) -> Draft:
        return self.add_trace({"type": "bar", **kw})

    def add_scatter(self, row: int | None = None, col: int | None = None, **kw) -> Draft:
        return self.add_trace({"type": "scatter", **kw}, row, col)

    # --- layout -------------------------------------------------------------------------------------
    def update_layout(self, **kw) -> Draft:
        merge(self.layout, kw)
        return self

    def _update_axes(self, letter: str, row: int | None, kw: dict) -> Draft:
        names = [f"{letter}axis"] if self._rows == 1 else (
            [f"{letter}axis{'' if r == 1 else r}" for r in range(1, self._rows + 1)] if row is None
            else [f"{letter}axis{'' if row == 1 else row}"])
        for name in names:
            merge(self.layout.setdefault(name, {}), kw)
        return self

    def update_xaxes(self, row: int | None = None, col: int | None = None, **kw) -> Draft:
        return self._update_axes("x", row, kw)

    def update_yaxes(self, row: int | None = None, col: int | None = None, **kw) -> Draft:
        return self._update_axes("y", row, kw)

    def add_annotation(self, **kw) -> Draft:
        self.layout.setdefault("annotations", []).append(kw)
        return self

    def add_vline(self, x: float, line: dict) -> Draft:
        """A vertical line at `x` across every subplot that has a trace, as Plotly's add_vline draws it on a
        grid (it leaves empty subplots out)."""
        for r in range(1, self._rows + 1):
            sfx = "" if r == 1 else str(r)
            if self._rows > 1 and not any(tr.get("yaxis") == f"y{sfx}" for tr in self.data):
                continue
            self.layout.setdefault("shapes", []).append(
                {"type": "line", "x0": x, "x1": x, "xref": f"x{sfx}", "y0": 0, "y1": 1, "yref": f"y{sfx} domain",
                 "line": dict(line)})
        return self

    def figure(self) -> go.Figure:
        """The figure, not validated: Plotly's check of every property cost 5–25 ms a figure (40 % of the
        compare page's charts when computed) and changes nothing the browser gets once axis titles are
        written {"text": …} and pandas columns made numpy arrays, as the check does (the same JSON but for the
        order of keys). tests/test_ui_logic.py builds every view's figures checked and unchecked and compares
        them; a copy made with go.Figure(figure) (the print layout, the exports) is checked as usual."""
        if VALIDATE:
            return go.Figure(data=self.data, layout=self.layout)
        for key, axis in self.layout.items():  # the one shorthand the builders use that Plotly's check expands
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict) and isinstance(axis.get("title"), str):
                axis["title"] = {"text": axis["title"]}  # plotly.js 3 reads an axis title only as {"text": …}
        for trace in self.data:  # arrays as lists, as the check leaves no pandas object in a figure
            _plain(trace)
        return go.Figure(data=self.data, layout=self.layout, _validate=False)
