"""The profile's headline: the unit's position by value on the headline indicator (the DTI value on the real
data), its change since the previous and the first year, the published rank, and the sentences and metrics
that say them. A *position* is computed from the values; a *published rank* is what the ministry printed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib import charts as C
from lib.data import Frames
from lib.filters import FilterState, default_indicator
from lib.i18n import t
from lib.views.overview import published_rank_of
from lib.views.shared import _same_basis, in_period

# --- Positions -------------------------------------------------------------------------------------


def positions(values: pd.Series, higher_is_better: bool) -> pd.DataFrame:
    """Each unit's position by value ("competition" ranking: tied units share the better place, the next
    place is skipped), and whether it is shared. `values`: one value per unit (index = unit)."""
    v = values.dropna().astype(float)
    pos = C.value_positions(v, best_first=not higher_is_better)  # the ranking chart's own rule
    _, seen, counts = np.unique(pos.to_numpy(), return_inverse=True, return_counts=True)
    return pd.DataFrame({"value": v, "position": pos, "shared": counts[seen] > 1, "n": len(v)})


def year_values(vobs: pd.DataFrame, state: FilterState, indicator: str) -> pd.DataFrame:
    """unit × year of one indicator on the view's basis, in the period (the newest value of each year)."""
    rows = _same_basis(in_period(vobs[vobs["indicator"] == indicator], state), state.boundaries)
    rows = rows.sort_values("as_of", kind="stable").drop_duplicates(["unit", "year"], keep="last")
    return rows.pivot(index="unit", columns="year", values="value")  # one row per (unit, year) now


def _change_order(diffs: pd.Series, unit: str) -> int | None:
    """Among the units' changes, the unit's place among the rises (or among the falls): 1 = the largest."""
    d = diffs.get(unit)
    if d is None or pd.isna(d) or d == 0:
        return None
    same_way = diffs[diffs > 0] if d > 0 else -diffs[diffs < 0]
    return int((same_way > abs(d)).sum()) + 1


@dataclass
class Headline:
    """The unit's standing on the headline indicator (all numbers raw; texts are built from them)."""

    indicator: str
    unit: str
    year: int
    value: float
    position: int
    n: int
    shared: bool
    prev_year: int | None = None
    prev_value: float | None = None
    prev_position: int | None = None
    prev_n: int | None = None
    change_order: int | None = None  # the unit's place among the rises (or falls) since prev_year
    first_year: int | None = None
    first_value: float | None = None
    first_position: int | None = None
    first_n: int | None = None
    published_rank: int | None = None
    published_out_of: int | None = None
    median: float | None = None


def headline_indicator(frames: Frames, boundaries: str) -> str:
    """The indicator that compares the most units of the view (the DTI value on the real data)."""
    return default_indicator(frames, boundaries)


def headline(vobs: pd.DataFrame, frames: Frames, state: FilterState, unit: str) -> Headline | None:
    """The latest year in which the unit has a value of the headline indicator, its position among the
    units with a value that year, its change since the previous and the first year (value and places),
    and the published rank of that year where the source printed one. None when the unit has no value."""
    ind = headline_indicator(frames, state.boundaries)
    meta = C.meta_of(frames.indicators, ind)
    table = year_values(vobs, state, ind)
    if unit not in table.index or table.loc[unit].dropna().empty:
        return None
    years = [int(y) for y in table.loc[unit].dropna().index]
    year = years[-1]
    hib = bool(meta["higher_is_better"])
    now = positions(table[year], hib)
    h = Headline(ind, unit, year, float(now.at[unit, "value"]), int(now.at[unit, "position"]), int(now.at[unit, "n"]),
                 bool(now.at[unit, "shared"]), median=float(table[year].median()))
    if len(years) > 1:
        prev, first = years[-2], years[0]
        p = positions(table[prev], hib)
        h.prev_year, h.prev_value = prev, float(p.at[unit, "value"])
        h.prev_position, h.prev_n = int(p.at[unit, "position"]), int(p.at[unit, "n"])
        h.change_order = _change_order(table[year] - table[prev], unit)
        f = positions(table[first], hib)
        h.first_year, h.first_value = first, float(f.at[unit, "value"])
        h.first_position, h.first_n = int(f.at[unit, "position"]), int(f.at[unit, "n"])
    h.published_rank, h.published_out_of = _published(vobs, frames, state, ind, unit, year)
    return h


def _published(vobs: pd.DataFrame, frames: Frames, state: FilterState, ind: str, unit: str, year: int):
    rank_ind = published_rank_of(frames, ind)
    if not rank_ind:
        return None, None
    ranks = year_values(vobs, state, rank_ind)
    if unit in ranks.index and year in ranks.columns and pd.notna(ranks.at[unit, year]):
        return int(ranks.at[unit, year]), state.basis
    return None, None


# --- Words -----------------------------------------------------------------------------------------


def ordinal(n: int, lang: str) -> str:
    """'41st' / 'thứ 41'."""
    if lang == "vi":
        return f"thứ {n}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position_text(position: int, n: int, shared: bool, lang: str) -> str:
    """'41/63' with 'đồng hạng' / 'shared' when tied."""
    return f"{position}/{n}" + (f" ({t('profile_shared', lang)})" if shared else "")


def short_title(meta: dict, lang: str) -> str:
    """An indicator's short name for a sentence: the abbreviation its title ends with ('DTI'), else the title."""
    title = meta[f"title_{lang}"]
    m = re.search(r"\(([A-Z][A-Za-z&-]{1,10})\)\s*$", title)
    return m.group(1) if m else title


def _diff_text(diff: float, meta: dict, lang: str) -> str:
    return C.format_obs(abs(diff), meta, lang).replace(" %", " " + t("percentage_points", lang))


def _rank_words(h: Headline, lang: str) -> str:
    key = "profile_pos_shared" if h.shared else "profile_pos"
    return t(key, lang, ord=ordinal(h.position, lang), pos=h.position, n=h.n)


def _change_sentence(h: Headline, meta: dict, lang: str) -> str:
    diff = h.value - h.prev_value
    if diff == 0:
        return t("profile_same", lang, year=h.prev_year)
    way = "up" if diff > 0 else "down"
    text = t(f"profile_{way}", lang, diff=_diff_text(diff, meta, lang), year=h.prev_year)
    if h.change_order == 1:
        text += t(f"profile_{way}_largest", lang)
    elif h.change_order:
        text += t(f"profile_{way}_nth", lang, ord=ordinal(h.change_order, lang))
    return text


def sentences(h: Headline | None, frames: Frames, lang: str, name: str) -> list[str]:
    """Plain sentences from the headline's numbers, each checkable on the page:
    'Quảng Trị: DTI 2024 0,677, thứ 41/63 theo giá trị; tăng 0,1282 so với 2023, mức tăng lớn thứ 3.'"""
    if h is None:
        return []
    meta = C.meta_of(frames.indicators, h.indicator)
    first = (f"{name}: {short_title(meta, lang)} {h.year} {C.format_obs(h.value, meta, lang)}, "
             f"{_rank_words(h, lang)}")
    if h.prev_year is None:
        out = [first + ". " + t("profile_single_year", lang, year=h.year, n=h.n)]
    else:
        out = [f"{first}; {_change_sentence(h, meta, lang)}."]
        if h.first_year != h.prev_year:
            out.append(t("profile_since_first", lang, year=h.first_year, p0=h.first_position, n0=h.first_n,
                         p1=h.position, n1=h.n))
    if h.published_rank is not None:
        out.append(t("profile_published", lang, year=h.year, r=h.published_rank, n=h.published_out_of))
    else:
        out.append(t("profile_not_published", lang, year=h.year))
    return out


def headline_metrics(h: Headline, frames: Frames, lang: str) -> list[tuple[str, str, str | None]]:
    """(label, value, delta) for the headline's metric row: value, computed position, published rank."""
    meta = C.meta_of(frames.indicators, h.indicator)
    delta_v = (f"{'+' if h.value >= h.prev_value else '−'}{_diff_text(h.value - h.prev_value, meta, lang)} "
               f"{t('profile_vs', lang, year=h.prev_year)}") if h.prev_year is not None else None
    places = (h.prev_position - h.position) if h.prev_position is not None else None
    delta_p = (t("profile_places", lang, n=f"{places:+d}", year=h.prev_year) if places is not None else None)
    pub = (f"{h.published_rank}/{h.published_out_of}" if h.published_rank is not None
           else t("not_published", lang))
    return [(t("profile_value", lang, year=h.year), C.format_obs(h.value, meta, lang), delta_v),
            (t("profile_position", lang), position_text(h.position, h.n, h.shared, lang), delta_p),
            (t("profile_published_rank", lang), pub, None)]
