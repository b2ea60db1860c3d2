"""Dòng thời gian / Timeline: the indicator's values over time with the events marked and numbered, the
cooperation agreements' periods, and the events table."""

from __future__ import annotations

import pandas as pd

from lib import charts as C
from lib import citations as cite
from lib.data import Frames
from lib.export.spec import ChartSpec
from lib.filters import FilterState
from lib.i18n import fmt_date, t
from lib.views.shared import in_period, labels_for, make_spec, plot_labels, targets_of


def events_of(events: pd.DataFrame, units: set[str] | list[str]) -> pd.DataFrame:
    """The events that name one of `units` (an empty result keeps its columns)."""
    units = set(units)
    return events[pd.Series([any(u in units for u in us) for us in events["units"]], index=events.index, dtype=bool)]


def timeline_units(frames: Frames, state: FilterState) -> list[str]:
    """The units whose events the timeline shows: the selected ones and, in the 34-unit view, their
    predecessors (the Gantt and the events table list the same)."""
    if state.boundaries != "34":
        return list(state.units)
    preds = frames.units.set_index("code")["predecessors"]
    return list(dict.fromkeys([*state.units, *(p for u in state.units if u in preds.index for p in preds[u])]))


def numbered_events(frames: Frames, state: FilterState) -> pd.DataFrame:
    """The events of the timeline's units in the period, by date, each with its `number` (the label of its
    marker on the chart and of its row in the events table)."""
    evs = frames.events[frames.events["as_of"].dt.year.between(*state.years)]
    evs = events_of(evs, timeline_units(frames, state)).sort_values(["as_of", "id"], kind="stable")
    return evs.assign(number=range(1, len(evs) + 1))


def timeline_inputs(vobs: pd.DataFrame, frames: Frames, state: FilterState, history: pd.DataFrame | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame]:
    """What the timeline draws, selected once: the indicator's values of the selected units in the period,
    their predecessors' values in the period (34-unit view: `history`), and the numbered events of either
    in the period."""
    rows = in_period(vobs[(vobs["indicator"] == state.indicator) & vobs["unit"].isin(state.units)], state)
    hist = None if history is None else in_period(history[history["indicator"] == state.indicator], state)
    return rows, hist, numbered_events(frames, state)


def agreements_in(events: pd.DataFrame, units: list[str], years: tuple[int, int]) -> pd.DataFrame:
    """Cooperation agreements with a period that meets `years` and names one of `units`."""
    ag = events[(events["kind"] == "agreement") & events["period_start"].notna()]
    ag = ag[(ag["period_end"] >= years[0]) & (ag["period_start"] <= years[1])]
    return events_of(ag, units)


def timeline_specs(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> list[ChartSpec]:
    from lib.combine import predecessor_history

    lang = state.lang
    labels = plot_labels(frames, lang)
    meta = C.meta_of(frames.indicators, state.indicator)
    history = predecessor_history(frames, state.units) if state.boundaries == "34" else None
    merged = [u for u in state.units if u in set(frames.units.loc[frames.units["era"] == "post", "code"])]
    rows, hist, evs = timeline_inputs(vobs, frames, state, history)
    line = C.timeline_figure(rows, evs, meta, labels, state.units, lang=lang, years=state.years,
                             sources=frames.sources, history=hist, merger_units=merged,
                             targets=targets_of(frames, state.indicator), event_units=timeline_units(frames, state))
    # In the 34-unit view a new unit's agreements include its predecessors' (drawn on their own rows).
    gantt_units = list(state.units) + (sorted(set(history["unit"])) if history is not None and len(history)
                                       else [p for u in state.units for p in
                                             frames.units.set_index("code").loc[u, "predecessors"]]
                                       if state.boundaries == "34" else [])
    ag = agreements_in(frames.events, gantt_units, state.years)
    gantt = C.gantt_figure(ag, labels, gantt_units, lang=lang, years=state.years, sources=frames.sources)
    used = pd.concat([rows, hist if hist is not None else rows.iloc[0:0], evs[["source", "date", "precision"]]],
                     ignore_index=True)
    return [
        make_spec("timeline-lines", line, used, frames, state, meta, C.figure_title(line)),
        make_spec("timeline-gantt", gantt, ag[["source", "date", "precision"]], frames, state, None,
                  C.figure_title(gantt), years=C.span_of(ag["period_start"], ag["period_end"]) if len(ag) else None),
    ]


def events_table_of(vobs: pd.DataFrame, frames: Frames, state: FilterState) -> pd.DataFrame:
    """events_table as a view function, for lib.ui.computed (5–7 ms on every run of the timeline)."""
    return events_table(frames, state)


def events_table(frames: Frames, state: FilterState) -> pd.DataFrame:
    """The events the timeline marks, numbered as on the chart; in the 34-unit view the predecessors'
    events too, each marked with the unit it belongs to now."""
    lang = state.lang
    labels = labels_for(frames, lang)
    ev = numbered_events(frames, state)
    src = cite.by_id(frames.sources)
    successor = frames.units.set_index("code")["successor"]
    chosen = set(state.units)

    def mark(units: tuple) -> str:
        if state.boundaries != "34" or any(u in chosen for u in units):
            return ""
        now = [successor[u] for u in units if isinstance(successor.get(u), str) and successor[u] in chosen]
        return t("event_of_predecessor", lang, unit=", ".join(dict.fromkeys(labels.get(u, u) for u in now)))

    table = pd.DataFrame({
        t("col_number", lang): ev["number"].to_numpy(),
        t("col_date", lang): [fmt_date(a, p, lang) for a, p in zip(ev["as_of"], ev["precision"])],
        t("col_event", lang): ev[f"title_{lang}"].to_numpy(),
        (t("provinces", lang)): [", ".join(labels.get(u, u) for u in us) for us in ev["units"]],
        t("col_predecessor", lang): [mark(us) for us in ev["units"]],
        (t("source", lang)): [cite.short(src[s], lang) if s in src else "" for s in ev["source"]],
        t("col_quote", lang): ev["quote"].to_numpy(),
    })
    if not table[t("col_predecessor", lang)].astype(bool).any():
        table = table.drop(columns=[t("col_predecessor", lang)])
    return table
