"""A chart's text alternative: what is drawn, its extremes and the selected units' values, in a few sentences.

A screen reader cannot see a chart; this text is its stand-in on the page (lib.blocks.chart_block, visually
hidden), in the SVG (<title> and <desc>) and in the PNG (an iTXt "Description" chunk). It is generated from
the rows the chart draws, so it never says more than the chart shows.
"""

from __future__ import annotations

import pandas as pd

from lib import charts as C
from lib.filters import FilterState
from lib.i18n import fmt_date, period_label, t

MAX_SELECTED = 8  # the selected units named with their values (the rest counted)


def _when(row: dict, lang: str) -> str:
    return period_label(row.get("period") or "", lang) or fmt_date(row["as_of"], row.get("precision") or "year", lang)


def _value(row: dict, meta: dict, lang: str) -> str:
    text = C.format_obs(row["value"], meta, lang, row.get("qualifier") or None)
    if meta["kind"] == "rank" and pd.notna(row.get("out_of")):
        text += f"/{int(row['out_of'])}"
    return f"{text} ({_when(row, lang)})"


def _one_indicator(rows: pd.DataFrame, meta: dict, labels: dict[str, str], state: FilterState) -> list[str]:
    """Extremes and the selected units' newest values of one indicator."""
    lang = state.lang
    newest = rows.sort_values("as_of", kind="stable").groupby("unit", as_index=False).tail(1)
    out = [t("alt_counts", lang, n=len(rows), units=newest["unit"].nunique(),
             period=C.period_text(C.span_of(rows["year"])))]
    if len(rows) > 1:
        hi = rows.loc[rows["value"].idxmax()].to_dict()
        lo = rows.loc[rows["value"].idxmin()].to_dict()
        out.append(t("alt_extremes", lang, hi_unit=labels.get(hi["unit"], hi["unit"]), hi=_value(hi, meta, lang),
                     lo_unit=labels.get(lo["unit"], lo["unit"]), lo=_value(lo, meta, lang)))
    mine = [r for r in newest.to_dict("records") if r["unit"] in state.units]
    mine.sort(key=lambda r: state.units.index(r["unit"]))
    if mine:
        named = "; ".join(f"{labels.get(r['unit'], r['unit'])} {_value(r, meta, lang)}" for r in mine[:MAX_SELECTED])
        more = len(mine) - MAX_SELECTED
        out.append(t("alt_selected", lang, values=named) + (f" {t('cite_more', lang, n=more)}." if more > 0 else ""))
    missing = [u for u in state.units if u not in set(rows["unit"])]
    if missing and len(missing) <= MAX_SELECTED:
        out.append(t("alt_no_data", lang, units=", ".join(labels.get(u, u) for u in missing)))
    return out


def _many_indicators(rows: pd.DataFrame, labels: dict[str, str], state: FilterState) -> list[str]:
    """A chart of several indicators (heatmap, radar, sub-indices): how many values each selected unit has."""
    lang = state.lang
    per_unit = rows.groupby("unit")["indicator"].nunique()
    out = [t("alt_matrix", lang, indicators=rows["indicator"].nunique(), units=len(per_unit))]
    have = [u for u in state.units if u in per_unit.index]
    if have:
        out.append(t("alt_per_unit", lang, values="; ".join(
            t("alt_unit_count", lang, unit=labels.get(u, u), n=int(per_unit[u])) for u in have[:MAX_SELECTED])))
    return out


def describe(title: str, obs: pd.DataFrame, meta: dict | None, labels: dict[str, str], state: FilterState) -> str:
    """The text alternative of a chart titled `title` that draws `obs` (plain text, the reader's language)."""
    lang = state.lang
    parts = [f"{t('alt_chart', lang)}: {title}."]
    rows = obs[obs["value"].notna()] if "value" in obs and "unit" in obs else obs.iloc[0:0]
    if "value" not in obs:  # events (agreements): how many are drawn
        parts.append(t("alt_events", lang, n=len(obs)))
    elif rows.empty:
        parts.append(t("no_data_filters", lang))
    elif meta is not None and rows["indicator"].nunique() == 1:
        parts += _one_indicator(rows, meta, labels, state)
    else:
        parts += _many_indicators(rows, labels, state)
    return " ".join(parts)
