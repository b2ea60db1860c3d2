"""A unit against the state's targets: met, not met, not yet due or no data, and the gap in the indicator's unit.

Pure functions over the frames (lib.data.Frames.targets and the observations); nothing here imports Streamlit.

The rules, in a reader's words:
- a target is judged on the unit's value of the target year (the newest of that year); before the end of the
  target year it is "not yet due", and the newest value so far is shown with its distance to the target;
- after that, no value of the target year means "no data" — never a value carried over from another year;
- a bound ("< 10 %") decides only what it proves: below 10 % cannot meet "at least 80 %" (not met), but
  "above 70 %" says nothing about 80 % (no data);
- "=" asks to reach the value: at least it where higher is better, at most it where lower is better (a rank);
- the gap is the newest exact value minus the target, in the indicator's unit (a bound has no gap);
- a national target (scope `national`) is the country's aggregate: shown beside a province as a reference,
  labelled "national target, not a provincial obligation".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lib.i18n import fmt_value, t

MET, NOT_MET, NOT_DUE, NO_DATA = "met", "not_met", "not_yet_due", "no_data"
STATUSES = (MET, NOT_MET, NOT_DUE, NO_DATA)
SYMBOLS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


@dataclass(frozen=True)
class Standing:
    """Where one unit stands against one target."""

    status: str  # one of STATUSES
    value: float | None  # the newest value (or bound) of the unit, shown beside the target
    qualifier: str  # "<", ">", "≈" or ""
    year: int | None  # the year of that value
    gap: float | None  # value − target in the indicator's unit; None without an exact value


def _direction(comparator: str, higher_is_better: bool) -> str:
    """'=' reads as 'reach': at least the value where higher is better, at most it where lower is (a rank)."""
    if comparator == "=":
        return ">=" if higher_is_better else "<="
    return comparator


def meets(value: float, qualifier: str, comparator: str, target: float, higher_is_better: bool = True
          ) -> bool | None:
    """True when the value meets the target, False when it does not, None when it cannot be told (a bound
    on the wrong side). A value known only as "< b" is some x < b; as "> b", some x > b."""
    op = _direction(comparator, higher_is_better)
    if qualifier == "<":  # x < value
        if value <= target:
            return op in ("<=", "<")
        return None
    if qualifier == ">":  # x > value
        if value >= target:
            return op in (">=", ">")
        return None
    return {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[op]


def standing(rows: pd.DataFrame, target: dict, higher_is_better: bool, today: dt.date) -> Standing:
    """One unit's standing against `target` (a row of Frames.targets), from `rows`: the unit's observations
    of the target's indicator (value, qualifier, year, as_of). The value shown is the one judged (the newest
    of the target year) once the target is due, else the newest."""
    rows = rows.sort_values("as_of", kind="stable")
    due = today > dt.date(int(target["year"]), 12, 31)
    in_year = rows[rows["year"] == int(target["year"])]
    shown = in_year if due and len(in_year) else rows
    if shown.empty:
        return Standing(NOT_DUE if not due else NO_DATA, None, "", None, None)
    last = shown.iloc[-1]
    qualifier = str(last.get("qualifier") or "")
    value = float(last["value"])
    gap = value - float(target["value"]) if qualifier in ("", "≈") else None
    if not due:
        status = NOT_DUE
    elif in_year.empty:
        status = NO_DATA
    else:
        verdict = meets(value, qualifier, target["comparator"], float(target["value"]), higher_is_better)
        status = NO_DATA if verdict is None else (MET if verdict else NOT_MET)
    return Standing(status, value, qualifier, int(last["year"]), gap)


# --- Words --------------------------------------------------------------------------------------------


def target_text(target: dict, meta: dict, lang: str) -> str:
    """'≥ 80 %' in the indicator's own format."""
    return f"{SYMBOLS[target['comparator']]} {_fmt(float(target['value']), meta, lang)}"


def _fmt(value: float, meta: dict, lang: str, qualifier: str | None = None) -> str:
    return fmt_value(value, meta["kind"], int(meta["decimals"]), meta.get(f"unit_{lang}", "") or "", lang, qualifier)


def target_label(target: dict, meta: dict, lang: str) -> str:
    """'QĐ 942: ≥ 80 % (2025)', and for a national target ' · national target, not a provincial obligation'."""
    text = f"{target[f'doc_short_{lang}']}: {target_text(target, meta, lang)} ({int(target['year'])})"
    return text + (f" · {t('target_national', lang)}" if target["scope"] == "national" else "")


def gap_text(gap: float | None, meta: dict, lang: str) -> str:
    """'−11,46 %' / '+3' (the value minus the target, in the indicator's unit); '—' without an exact value."""
    if gap is None:
        return "—"
    unit = meta.get(f"unit_{lang}", "") or ""
    sign = "+" if gap > 0 else ("−" if gap < 0 else "")
    return sign + fmt_value(abs(gap), meta["kind"] if meta["kind"] != "rank" else "count", int(meta["decimals"]),
                            unit if meta["kind"] != "rank" else "", lang)


# --- The table ----------------------------------------------------------------------------------------

COLUMNS = ("col_unit", "target_col_indicator", "target_col_target", "target_col_year", "target_col_latest",
           "target_col_status", "target_col_gap", "target_col_scope")


def targets_table(frames, units: list[str], lang: str, *, obs: pd.DataFrame | None = None,
                  today: dt.date | None = None, indicators: list[str] | None = None,
                  only_with_data: bool = False) -> pd.DataFrame:
    """Each unit against each target: unit, indicator, target, year, latest value, status, gap, scope, with
    headers in `lang`. `obs`: the observations to judge (the view's, default all of the unit's own);
    `indicators`: only these; `only_with_data`: leave out the targets of indicators a unit has no value of
    (the compare page; a profile lists them all)."""
    today = today or dt.date.today()
    obs = frames.observations if obs is None else obs
    targets = frames.targets
    if indicators is not None:
        targets = targets[targets["indicator"].isin(indicators)]
    labels = {r["code"]: r[f"name_{lang}"] for r in frames.units[["code", f"name_{lang}"]].to_dict("records")}
    mine = obs[obs["unit"].isin(units) & obs["indicator"].isin(set(targets["indicator"]))]
    groups = dict(list(mine.groupby(["unit", "indicator"], sort=False)))
    ordered = targets.sort_values(["indicator", "year"], kind="stable").to_dict("records")
    metas = {r["id"]: r for r in frames.indicators[frames.indicators["id"].isin(set(targets["indicator"]))]
             .to_dict("records")}  # each a dict with its id, once (not a row lookup per unit and target)
    out = []
    for unit in units:
        for tg in ordered:
            rows = groups.get((unit, tg["indicator"]), mine.iloc[0:0])
            if only_with_data and rows.empty:
                continue
            meta = metas[tg["indicator"]]
            out.append(_row(labels.get(unit, unit), tg, meta, standing(rows, tg, bool(meta["higher_is_better"]),
                                                                          today), lang))
    return pd.DataFrame(out, columns=[t(c, lang) for c in COLUMNS])


def _status_text(st: Standing, tg: dict, lang: str) -> str:
    """The status in words; "no data" beside a value of another year says which year is missing, so a leader
    does not read "68,54 % (2024) · no data" as a contradiction."""
    if st.status == NO_DATA and st.value is not None:
        return t("target_no_data_year", lang, year=int(tg["year"]))
    return t(f"target_{st.status}", lang)


def _row(unit_label: str, tg: dict, meta: dict, st: Standing, lang: str) -> dict:
    latest = (f"{_fmt(st.value, meta, lang, st.qualifier or None)} ({st.year})" if st.value is not None
              else t("no_data", lang))
    partial = f"; {t('target_partial', lang)}" if tg.get("mapping") == "partial" else ""
    values = [unit_label, meta[f"title_{lang}"], f"{target_text(tg, meta, lang)} ({tg[f'doc_short_{lang}']}{partial})",
              int(tg["year"]), latest, _status_text(st, tg, lang), gap_text(st.gap, meta, lang),
              t("target_national" if tg["scope"] == "national" else "target_province", lang)]
    return dict(zip([t(c, lang) for c in COLUMNS], values))
