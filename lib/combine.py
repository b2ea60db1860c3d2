"""The 2025 merger in the open: combine predecessors' values into a new unit's, only where valid.

Rules come from the registry (`combine.rule`): counts are summed when every predecessor has a value
for the same year; shares are a weighted mean when every predecessor also has its weight for that
year; ranks, indices and milestones are never combined. A combined value is computed here, never
stored, and carries `derived=True`, the rule and its predecessors wherever it goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.data import Frames
from lib.data.meaning import kind_bounds

# The 63 provinces became 34 units (Nghị quyết 202/2025/QH15): the first day of the new units, and the last
# day of the old. Charts, the units generator and the benchmark's synthetic data read these.
MERGER_DATE = "2025-07-01"
LAST_DAY_BEFORE = "2025-06-30"

STATUS_COMBINED = "combined"
STATUS_RULE = "not_combinable"  # the indicator's rule forbids it (rank, index, milestone, plain share)
STATUS_MISSING = "missing_predecessor"
STATUS_NO_WEIGHT = "no_weight"
STATUS_QUALIFIED = "qualified_value"  # an input is "> 99 %"-style: no exact arithmetic possible
STATUS_BOUNDS = "out_of_bounds"  # the result would leave the indicator's bounds (validation makes this unreachable)

STATUS_COLUMNS = ["unit", "indicator", "year", "status", "rule", "predecessors", "missing", "inputs"]


def combine_predecessors(obs: pd.DataFrame, units: pd.DataFrame,
                         indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(derived observations for merged units, one status row per successor × indicator × year).

    "The same period" is the calendar year of the as-of date; a predecessor with several values in
    that year contributes its latest one. `inputs` lists (unit, value, date, source) of what was used
    or, where nothing could be combined, the predecessors' own values.

    The latest value per (unit, indicator, year) is picked once, vectorised; the groups are then walked
    with plain tuples (a pandas pipeline per group cost 10–30 ms each: seconds at 63 provinces).
    """
    merged = units.dropna(subset=["successor"]).groupby("successor")["code"].apply(tuple)
    succ_of = {c: s for s, preds in merged.items() for c in preds}
    rec, groups = _latest_records(obs, succ_of)
    merger = _Merger(
        rule=dict(zip(indicators["id"], indicators["rule"])),
        bounds={r.id: kind_bounds(r.kind, None if pd.isna(r.min) else r.min, None if pd.isna(r.max) else r.max)
                for r in indicators.itertuples()},
        weight_of=dict(zip(indicators["id"], indicators["weight"])), rec=rec, groups=groups)

    keys_of: dict[str, list] = {}
    for s, i, y in groups:
        keys_of.setdefault(s, []).append((i, y))

    derived, status = [], []
    for succ, preds in merged.items():
        for indicator, year in sorted(keys_of.get(succ, [])):
            if indicator not in merger.rule:
                continue
            row, value = merger.combine(succ, preds, indicator, year)
            status.append(row)
            if value is not None:
                derived.append(value)
    out_cols = list(obs.columns) + [c for c in ("derived", "rule", "inputs") if c not in obs.columns]
    return pd.DataFrame(derived, columns=out_cols), pd.DataFrame(status, columns=STATUS_COLUMNS)


_RECORD_COLUMNS = ["unit", "indicator", "year", "value", "date", "source", "as_of", "quote", "qualifier",
                   "confidence"]


def _latest_records(obs: pd.DataFrame, succ_of: dict[str, str]) -> tuple[dict[tuple, tuple], dict[tuple, list]]:
    """({(predecessor, indicator, year): record}, {(successor, indicator, year): [records]}), a record being
    the latest observation's `_RECORD_COLUMNS` as a tuple, the groups in (as_of, original position) order."""
    # Latest observation per (predecessor, indicator, year): stable sort by as_of, keep the last.
    pred = obs[obs["unit"].isin(succ_of.keys())]
    pred = pred.assign(_pos=range(len(pred))).sort_values("as_of", kind="stable")
    latest = pred.groupby(["unit", "indicator", "year"], sort=False).tail(1)
    rec: dict[tuple, tuple] = {}
    groups: dict[tuple, list] = {}
    # Walk in (as_of, original position) order, which is the order `_latest_per_unit` returns rows in.
    for r in latest.sort_values(["as_of", "_pos"], kind="stable")[_RECORD_COLUMNS].itertuples(index=False,
                                                                                                 name=None):
        u, i, y = r[0], r[1], int(r[2])
        rec[(u, i, y)] = r
        groups.setdefault((succ_of[u], i, y), []).append(r)
    return rec, groups


def _inputs(rows) -> tuple:
    return tuple((r[0], float(r[3]), r[4], r[5]) for r in rows)


@dataclass(frozen=True)
class _Merger:
    """The registry's rules, bounds and weights, and the predecessors' latest records."""
    rule: dict
    bounds: dict
    weight_of: dict
    rec: dict[tuple, tuple]
    groups: dict[tuple, list]

    def combine(self, succ: str, preds: tuple, indicator: str, year: int) -> tuple[dict, dict | None]:
        """(the status row, the derived observation or None) of one successor × indicator × year."""
        rows = self.groups[(succ, indicator, year)]
        present = {r[0] for r in rows}
        missing = tuple(p for p in preds if p not in present)
        base = {"unit": succ, "indicator": indicator, "year": year, "rule": self.rule[indicator],
                "predecessors": preds, "missing": missing, "inputs": _inputs(rows)}
        if self.rule[indicator] == "none":
            return {**base, "status": STATUS_RULE}, None
        if missing:
            return {**base, "status": STATUS_MISSING}, None
        if any(r[8] != "" for r in rows):
            return {**base, "status": STATUS_QUALIFIED}, None
        if self.rule[indicator] == "sum":
            value = float(sum(r[3] for r in rows))
            used = rows
        else:  # weighted_mean
            weighted = self.weighted_mean(succ, preds, indicator, year, rows)
            if weighted is None:
                return {**base, "status": STATUS_NO_WEIGHT}, None
            value, w_sorted = weighted
            used = list(rows) + w_sorted
            base["inputs"] = base["inputs"] + _inputs(w_sorted)
        lo, hi = self.bounds[indicator]
        if (lo is not None and value < lo) or (hi is not None and value > hi):  # never shown: 110 %, DTI 2,28
            return {**base, "status": STATUS_BOUNDS}, None
        return {**base, "status": STATUS_COMBINED}, self.derived(succ, preds, indicator, year, value, used)

    def weighted_mean(self, succ: str, preds: tuple, indicator: str, year: int,
                      rows: list) -> tuple[float, list] | None:
        """(the mean weighted by each predecessor's weight that year, the weights' records in as_of order);
        None when a weight is missing, qualified or they sum to 0."""
        w = [self.rec.get((p, self.weight_of[indicator], year)) for p in preds]
        if any(x is None for x in w) or any(x[8] != "" for x in w) or float(sum(x[3] for x in w)) == 0:
            return None
        by_unit = {r[0]: r for r in rows}
        # Weights in as_of order, as the original's `weights.iterrows()`.
        w_sorted = [x for x in self.groups.get((succ, self.weight_of[indicator], year), []) if x[0] in preds]
        total = sum(x[3] for x in w)
        return float(sum(by_unit[p][3] * x[3] for p, x in zip(preds, w)) / total), w_sorted

    def derived(self, succ: str, preds: tuple, indicator: str, year: int, value: float, used: list) -> dict:
        return {
            "unit": succ, "indicator": indicator, "value": value, "date": str(year),
            "as_of": max(r[6] for r in used), "year": year, "precision": "year", "period": str(year),
            "out_of": pd.NA, "basis": pd.NA, "source": tuple(dict.fromkeys(r[5] for r in used)),
            "quote": " | ".join(dict.fromkeys(r[7] for r in used)), "qualifier": "",
            "confidence": "low" if any(r[9] == "low" for r in used) else "",
            "note": "", "derived": True, "rule": self.rule[indicator], "inputs": preds,
        }


def boundary_observations(frames: Frames, boundaries: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations shown within the boundaries: their units' own values, plus (34) derived ones; and statuses."""
    from lib.filters import units_for_boundaries

    codes = set(units_for_boundaries(frames.units, boundaries)["code"])
    obs = frames.observations
    own = obs[obs["unit"].isin(codes)]
    # An unchanged unit (Hà Nội) may carry one year on both bases: the view shows its own basis, and
    # the other basis only for (unit, indicator, year) it has nothing of its own basis for.
    mine = own["basis"].isna() | (own["basis"] == int(boundaries))
    other = own["basis"].notna() & (own["basis"] != int(boundaries))
    if other.any():
        have = set(zip(own.loc[mine, "unit"], own.loc[mine, "indicator"], own.loc[mine, "year"]))
        keys = zip(own.loc[other, "unit"], own.loc[other, "indicator"], own.loc[other, "year"])
        keep_other = [k not in have for k in keys]
        own = pd.concat([own[mine], own[other][keep_other]]).sort_index()
    own = own.assign(derived=False, rule=None, inputs=None)
    if boundaries == "63":
        return own.reset_index(drop=True), pd.DataFrame(columns=STATUS_COLUMNS)
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    # A unit's own observation for a year wins over a derived one.
    if len(derived):
        have = set(zip(own["unit"], own["indicator"], own["year"]))
        derived = derived[[k not in have for k in zip(derived["unit"], derived["indicator"], derived["year"])]]
    out = pd.concat([own, derived], ignore_index=True) if len(derived) else own.reset_index(drop=True)
    return out, status


def view_observations(frames: Frames, boundaries: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`boundary_observations`, computed once per dataset (kept on the frames object; lib.ui guards it with a
    lock so sessions arriving together compute it once)."""
    return frames.remember(f"boundary_observations:{boundaries}", lambda: boundary_observations(frames, boundaries))


def predecessor_history(frames: Frames, codes: list[str]) -> pd.DataFrame:
    """Observations of the predecessors of the given new units (for their lines up to the merger)."""
    units = frames.units.set_index("code")
    rows = []
    for code in codes:
        if code in units.index:
            for pred in units.loc[code, "predecessors"]:
                rows.append((pred, code))
    if not rows:
        return frames.observations.iloc[0:0].assign(successor=None)
    link = pd.DataFrame(rows, columns=["unit", "successor"])
    return frames.observations.merge(link, on="unit")
