"""The shared filters as plain functions: which units a view offers, labels, search, presets, URL state."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from lib.data import Frames
from lib.i18n import fold, t
from lib.safe_text import excerpt


class Boundaries(StrEnum):
    """The two views of the country: the 63 provinces until 30/06/2025, the 34 units from 01/07/2025. A member
    equals its string ("63" == Boundaries.OLD), which is how links, widgets and the frames carry it."""

    OLD = "63"
    NEW = "34"

    @property
    def basis(self) -> int:
        """The basis of a ranking or a value on this view (an observation's `basis`: 63 or 34)."""
        return int(self.value)

    @property
    def eras(self) -> tuple[str, str]:
        """The eras of the units this view shows (lib.data.frames: pre, post, both)."""
        return ("pre", "both") if self is Boundaries.OLD else ("post", "both")

    @property
    def other(self) -> Boundaries:
        return Boundaries.NEW if self is Boundaries.OLD else Boundaries.OLD


BOUNDARIES = tuple(b.value for b in Boundaries)  # plain strings: what widgets and links hold
# The four provinces of the founding articles, as they were, and the units that carry them on.
FOUNDING = {"63": ["quang-tri", "quang-binh", "lang-son", "quang-nam"],
            "34": ["quang-tri-2025", "lang-son", "da-nang-2025"]}
# A shared link's values: `view`, `lang`, `years`, `ind` are short; `units` at most one code per unit of
# the view. Anything longer is refused unread (a 100 KB value costs nothing and is never echoed in full).
MAX_QUERY_VALUE = 100
_YEARS = re.compile(r"([0-9]{4})-([0-9]{4})")  # ASCII digits only (int() would take "٢٠٢٠")


@dataclass
class FilterState:
    boundaries: str = "63"
    units: list[str] = field(default_factory=list)
    years: tuple[int, int] = (2016, 2026)
    indicator: str = ""
    lang: str = "vi"
    unit: str = ""  # the province profile's unit (`unit=` in the link); "" elsewhere

    @property
    def basis(self) -> int:
        """63 or 34: the basis of the values and ranks this view compares (never mixed)."""
        return Boundaries(self.boundaries).basis


def year_bounds(frames: Frames) -> tuple[int, int]:
    """The first and last year of any value or event (the period slider's ends); once per dataset."""
    def compute() -> tuple[int, int]:
        years = pd.concat([frames.observations["year"], frames.events["as_of"].dt.year])
        return (int(years.min()), int(years.max())) if len(years) else (2016, 2026)
    return frames.remember("year_bounds", compute)


def period_within(value, lo: int, hi: int) -> tuple[int, int]:
    """The period slider's value kept to a (start, end) pair inside [lo, hi]: clipped to it, or the whole range
    when nothing of it is inside or it is no pair at all (a single year: the slider's fallback when Streamlit
    lost its state)."""
    try:
        start, end = (int(v) for v in value)
    except (TypeError, ValueError):
        return (lo, hi)
    if start > end or end < lo or start > hi:  # nothing of it inside the data's years: all of them
        return (lo, hi)
    return (max(start, lo), min(end, hi))


def units_for_boundaries(units: pd.DataFrame, boundaries: str) -> pd.DataFrame:
    """The 63 boundaries: the old provinces (and the unchanged ones); the 34 boundaries: the new units."""
    return units[units["era"].isin(Boundaries(boundaries).eras)]


def unit_label(unit: pd.Series | dict, lang: str) -> str:
    """'Quảng Trị (trước 7/2025)' for an old province, 'Quảng Trị (từ 7/2025)' for a new unit."""
    name = unit["name_vi"] if lang == "vi" else unit["name_en"]
    era = unit["era"]
    if era == "pre":
        return f"{name} ({t('before_merger', lang)})"
    if era == "post":
        return f"{name} ({t('after_merger', lang)})"
    return name


def switch_units(units: pd.DataFrame, codes: list[str], to_view: str, memory: tuple | None = None
                 ) -> tuple[list[str], list[tuple[str, list[str]]], tuple]:
    """Carry a selection across the 2025 boundary: old provinces -> their successor (34), a new unit -> its
    predecessors (63). Returns (the new selection, [(unit, the units it became)] where one became several
    — said to the reader —, the memory of this switch).

    `memory` is the previous switch's (from view, selection before, to view, selection after): switching
    straight back (the selection untouched) restores the selection before exactly, so 63 → 34 → 63 gives
    back the four provinces picked, not a fifth one brought in by a merger."""
    from_view = Boundaries(to_view).other.value
    if memory and memory[0] == to_view and memory[2] == from_view and list(memory[3]) == list(codes):
        out, grew = list(memory[1]), []
    else:
        by_code = units.set_index("code")
        out, grew = [], []
        for code in codes:
            if code not in by_code.index:
                continue
            row = by_code.loc[code]
            if to_view == "34":
                nxt = [row["successor"]] if isinstance(row["successor"], str) else [code]
            else:
                nxt = list(row["predecessors"]) or [code]
            new = [c for c in nxt if c not in out]
            if len(nxt) > 1:
                grew.append((code, list(nxt)))
            out += new
    return out, grew, (from_view, list(codes), to_view, list(out))


def unit_labels(units: pd.DataFrame, lang: str) -> dict[str, str]:
    """unit_label for every unit, vectorised."""
    name = units["name_vi"] if lang == "vi" else units["name_en"]
    suffix = units["era"].map({"pre": f" ({t('before_merger', lang)})", "post": f" ({t('after_merger', lang)})"})
    return dict(zip(units["code"], (name + suffix.fillna("")).tolist()))


def unit_names(units: pd.DataFrame, codes, lang: str) -> list[str]:
    col = "name_vi" if lang == "vi" else "name_en"
    names = units.set_index("code")[col]
    return [names.get(c, c) for c in codes]


def search_units(units: pd.DataFrame, query: str, boundaries: str, lang: str) -> list[tuple[str, str]]:
    """Units of the view matching `query`, diacritics ignored; an old name offers its successor.

    Returns (code, label) pairs; a successor found through an old name says so in its label.
    """
    q = " ".join(fold(query).split())
    if not q:
        return []
    view = units_for_boundaries(units, boundaries)
    by_code = units.set_index("code")
    out: dict[str, str] = {}
    for _, row in units.iterrows():
        names = [row["name_vi"], row["name_en"], row["full_name"], *row["aliases"]]
        if not any(q in " ".join(fold(n).replace("-", " ").split()) for n in names):
            continue
        if row["code"] in view["code"].values:
            out.setdefault(row["code"], unit_label(row, lang))
        elif row["successor"] and row["successor"] in view["code"].values:
            succ = by_code.loc[row["successor"]]
            label = unit_label({**succ.to_dict(), "code": row["successor"]}, lang)
            old = row["name_vi"] if lang == "vi" else row["name_en"]
            out.setdefault(row["successor"], f"{label} ← {old}")
        else:  # a new unit searched in the 63 view: offer its predecessors
            for pred in row["predecessors"]:
                if pred in view["code"].values:
                    out.setdefault(pred, unit_label(by_code.loc[pred].to_dict() | {"code": pred}, lang))
    return list(out.items())


def preset_units(units: pd.DataFrame, preset: str, boundaries: str) -> list[str]:
    """'founding', 'all' or 'region:<id>' as a list of unit codes of the view."""
    view = units_for_boundaries(units, boundaries)
    if preset == "founding":
        return [c for c in FOUNDING[boundaries] if c in view["code"].values]
    if preset == "all":
        return view["code"].tolist()
    if preset.startswith("region:"):
        return view.loc[view["region"] == preset.split(":", 1)[1], "code"].tolist()
    return []


def coverage(frames: Frames, boundaries: str) -> dict[str, tuple[int, int, int, int]]:
    """indicator -> (most units of the view with a value in one year, units in the view, first year,
    last year), counting only values on the view's basis; computed once per dataset and view."""
    def compute() -> dict[str, tuple[int, int, int, int]]:
        codes = set(units_for_boundaries(frames.units, boundaries)["code"])
        obs = frames.observations
        rows = obs[obs["unit"].isin(codes) & (obs["basis"].isna() | (obs["basis"] == int(boundaries)))]
        if rows.empty:
            return {}
        best = rows.groupby(["indicator", "year"])["unit"].nunique().groupby(level=0).max()
        years = rows.groupby("indicator")["year"].agg(["min", "max"])
        return {i: (int(best[i]), len(codes), int(years.loc[i, "min"]), int(years.loc[i, "max"])) for i in best.index}
    return frames.remember(f"coverage_{boundaries}", compute)


def coverage_text(cov: tuple[int, int, int, int] | None) -> str:
    """'63/63 · 2022–2024': how many units of the view one year covers, and the years with data."""
    if not cov:
        return "0"
    n, total, y0, y1 = cov
    return f"{n}/{total} · {y0}" + (f"–{y1}" if y1 != y0 else "")


def default_indicator(frames: Frames, boundaries: str = "63") -> str:
    """The indicator that compares the most units of the view in one year (the registry's order breaks
    ties): the DTI value on the real data, not an indicator two provinces have."""
    cov = coverage(frames, boundaries)
    order = list(frames.indicators["id"])
    if cov:
        return max(order, key=lambda i: (cov.get(i, (0,))[0], -order.index(i)))
    return order[0] if order else ""


def default_state(frames: Frames, lang: str = "vi") -> FilterState:
    return FilterState(boundaries="63", units=preset_units(frames.units, "founding", "63"),
                       years=year_bounds(frames), indicator=default_indicator(frames, "63"), lang=lang)


def _query_reader(params: dict[str, str | list[str]], problems: list[str]):
    """(get, bad) over a link's parameters: `get(key, cap)` is the key's last value as text (None when absent,
    empty or over its cap, the last named in `problems`); `bad(key, value)` names a refused value."""

    def bad(key: str, value: str) -> None:
        problems.append(f"{key}={excerpt(value, 40)}")

    def get(key: str, cap: int = MAX_QUERY_VALUE) -> str | None:
        v = params.get(key)
        if isinstance(v, (list, tuple)):
            v = v[-1] if v else None
        if v is None or v == "":
            return None
        if not isinstance(v, str):
            v = str(v)
        if len(v) > cap:
            bad(key, v)
            return None
        return v
    return get, bad


def parse_query(params: dict[str, str | list[str]], frames: Frames) -> tuple[FilterState, list[str]]:
    """Read a shared link; every bad or stale value falls back to its default, named in `problems`
    (as `key=excerpt`, at most 40 characters of the value). Bounded work whatever the link holds:
    a repeated key counts once (the last), a value over its length cap is refused unread, and the units
    are deduplicated and capped at the number of units of the view."""
    problems: list[str] = []
    get, bad = _query_reader(params, problems)
    lang = get("lang")
    if lang not in (None, "vi", "en"):
        bad("lang", lang)
        lang = None
    state = default_state(frames, lang or "vi")
    _parse_view(get("view"), frames, state, bad)
    _parse_years(get("years"), frames, state, bad)
    _parse_indicator(get("ind"), frames, state, bad)
    view_codes = set(units_for_boundaries(frames.units, state.boundaries)["code"])
    longest = max((len(c) for c in view_codes), default=1)
    _parse_units(get("units", cap=max(MAX_QUERY_VALUE, len(view_codes) * (longest + 1))), view_codes, state, bad)
    _parse_unit(get("unit"), view_codes, state, bad)
    return state, problems


def _parse_view(b: str | None, frames: Frames, state: FilterState, bad) -> None:
    """63 or 34 (with that view's founding units), else refused."""
    if b is None:
        return
    if b in BOUNDARIES:
        state.boundaries = b
        state.units = preset_units(frames.units, "founding", b)
    else:
        bad("view", b)


def _parse_years(y: str | None, frames: Frames, state: FilterState, bad) -> None:
    """`from-to` within the data's years, in order, else refused."""
    if y is None:
        return
    lo, hi = year_bounds(frames)
    m = _YEARS.fullmatch(y)
    a, c = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    if m and lo <= a <= c <= hi:
        state.years = (a, c)
    else:
        bad("years", y)


def _parse_indicator(ind: str | None, frames: Frames, state: FilterState, bad) -> None:
    if ind is None:
        return
    if ind in set(frames.indicators["id"]):
        state.indicator = ind
    else:
        bad("ind", ind)


def _parse_units(u: str | None, view_codes: set[str], state: FilterState, bad) -> None:
    """The view's codes among the link's (deduplicated, in order); the others named in the problems.
    Only wrong codes: the view's founding units stay."""
    if u is None:
        return
    codes = list(dict.fromkeys(c for c in u.split(",") if c))  # deduplicated, in order
    good = [c for c in codes if c in view_codes][:len(view_codes)]
    wrong = [c for c in codes if c not in view_codes]
    if wrong:
        bad("units", ",".join(wrong[:10]))
    if good or not codes:
        state.units = good


def _parse_unit(u: str | None, view_codes: set[str], state: FilterState, bad) -> None:
    """The profile's unit: a code of the view, else refused (named in the problems) and left unset."""
    if u is None:
        return
    if u in view_codes:
        state.unit = u
    else:
        bad("unit", u)


def to_query(state: FilterState) -> dict[str, str]:
    query = {"lang": state.lang, "view": state.boundaries, "units": ",".join(state.units),
             "years": f"{state.years[0]}-{state.years[1]}", "ind": state.indicator}
    if state.unit:
        query["unit"] = state.unit
    return query


def units_offered(units: pd.DataFrame, boundaries: str, years: tuple[int, int]) -> pd.DataFrame:
    """The view's units valid at some time in the period. New units are always offered in the 34
    view: their history before 7/2025 is their predecessors'."""
    view = units_for_boundaries(units, boundaries)
    start = pd.Timestamp(f"{years[0]}-01-01")
    end = pd.Timestamp(f"{years[1]}-12-31")
    ok = (view["valid_to"].isna() | (view["valid_to"] >= start)) & \
         (view["valid_from"].isna() | (view["valid_from"] <= end) | (view["era"] == "post"))
    return view[ok]
