"""The 2025 merger in the open: combine predecessors' values into a new unit's, only where valid.

Rules come from the registry (`combine.rule`): counts are summed when every predecessor has a value
for the same year; shares are a weighted mean when every predecessor also has its weight for that
year; ranks, indices and milestones are never combined. A combined value is computed here, never
stored, and carries `derived=True`, the rule and its predecessors wherever it goes.
"""

from __future__ import annotations

import pandas as pd

from lib.data import Frames

STATUS_COMBINED = "combined"
STATUS_RULE = "not_combinable"  # the indicator's rule forbids it (rank, index, milestone, plain share)
STATUS_MISSING = "missing_predecessor"
STATUS_NO_WEIGHT = "no_weight"
STATUS_QUALIFIED = "qualified_value"  # an input is "> 99 %"-style: no exact arithmetic possible

STATUS_COLUMNS = ["unit", "indicator", "year", "status", "rule", "predecessors", "missing", "inputs"]


def _latest_per_unit(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values("as_of").groupby("unit").tail(1).set_index("unit")


def combine_predecessors(obs: pd.DataFrame, units: pd.DataFrame,
                         indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(derived observations for merged units, one status row per successor × indicator × year).

    "The same period" is the calendar year of the as-of date; a predecessor with several values in
    that year contributes its latest one. `inputs` lists (unit, value, date, source) of what was used
    or, where nothing could be combined, the predecessors' own values.
    """
    ind = indicators.set_index("id")
    merged = units.dropna(subset=["successor"]).groupby("successor")["code"].apply(tuple)
    derived, status = [], []
    pred_codes = {c for preds in merged for c in preds}
    pred_obs = obs[obs["unit"].isin(pred_codes)]
    for succ, preds in merged.items():
        sub = pred_obs[pred_obs["unit"].isin(preds)]
        for (indicator, year), g in sub.groupby(["indicator", "year"], sort=True):
            if indicator not in ind.index:
                continue
            meta = ind.loc[indicator]
            latest = _latest_per_unit(g)
            inputs = tuple((u, float(r.value), r.date, r.source) for u, r in latest.iterrows())
            missing = tuple(p for p in preds if p not in latest.index)
            base = {"unit": succ, "indicator": indicator, "year": int(year), "rule": meta["rule"],
                    "predecessors": preds, "missing": missing, "inputs": inputs}
            if meta["rule"] == "none":
                status.append({**base, "status": STATUS_RULE})
                continue
            if missing:
                status.append({**base, "status": STATUS_MISSING})
                continue
            if (latest["qualifier"] != "").any():
                status.append({**base, "status": STATUS_QUALIFIED})
                continue
            if meta["rule"] == "sum":
                value = float(latest["value"].sum())
                used = latest
            else:  # weighted_mean
                w = obs[(obs["indicator"] == meta["weight"]) & (obs["year"] == year) & obs["unit"].isin(preds)]
                weights = _latest_per_unit(w) if len(w) else w
                if any(p not in weights.index for p in preds) or (weights["qualifier"] != "").any() \
                        or float(weights["value"].sum()) == 0:
                    status.append({**base, "status": STATUS_NO_WEIGHT})
                    continue
                wv = weights.loc[list(preds), "value"]
                value = float((latest.loc[list(preds), "value"] * wv).sum() / wv.sum())
                used = pd.concat([latest, weights])
                base["inputs"] = inputs + tuple((u, float(r.value), r.date, r.source) for u, r in weights.iterrows())
            status.append({**base, "status": STATUS_COMBINED})
            derived.append({
                "unit": succ, "indicator": indicator, "value": value, "date": str(year),
                "as_of": used["as_of"].max(), "year": int(year), "precision": "year", "period": str(year),
                "out_of": pd.NA, "source": "; ".join(dict.fromkeys(used["source"])),
                "quote": " | ".join(dict.fromkeys(used["quote"])), "qualifier": "",
                "confidence": "low" if (used["confidence"] == "low").any() else "",
                "note": "", "derived": True, "rule": meta["rule"], "inputs": preds,
            })
    cols = list(obs.columns) + [c for c in ("derived", "rule", "inputs") if c not in obs.columns]
    return pd.DataFrame(derived, columns=cols), pd.DataFrame(status, columns=STATUS_COLUMNS)


def view_observations(frames: Frames, boundaries: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations a view shows: its units' own values, plus (34 view) derived ones; and statuses."""
    from lib.filters import units_for_view

    codes = set(units_for_view(frames.units, boundaries)["code"])
    own = frames.observations[frames.observations["unit"].isin(codes)].assign(
        derived=False, rule=None, inputs=None)
    if boundaries == "63":
        return own.reset_index(drop=True), pd.DataFrame(columns=STATUS_COLUMNS)
    derived, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    # A unit's own observation for a year wins over a derived one.
    if len(derived):
        have = set(zip(own["unit"], own["indicator"], own["year"]))
        derived = derived[[k not in have for k in zip(derived["unit"], derived["indicator"], derived["year"])]]
    out = pd.concat([own, derived], ignore_index=True) if len(derived) else own.reset_index(drop=True)
    return out, status


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
