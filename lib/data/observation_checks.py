"""The observation checks: references, duplicates, the basis (63 or 34), the unit's validity, and the
value against its indicator. Split from lib.data.checks, which runs them and re-exports BASES."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lib.data.dates import DateSpan
from lib.data.read import quoted
from lib.data.schema import Indicator, Observation, Unit
from lib.data.validation import _REF

if TYPE_CHECKING:
    from lib.data.checks import Checks

# The two sets of units a value can measure: the provinces before 1/7/2025 and the units after it.
BASES = (63, 34)


def _num(x: float) -> str:
    """A number as written, without float noise: 100.0001 stays 100.0001 (`:g` would print 100)."""
    return f"{x:.15g}"


def check_observations(c: Checks) -> None:
    """References, duplicates, the basis (63 or 34), the unit's validity, and the value against its indicator."""
    # The unit counts a rank can be out of: the view before 1/7/2025 (units with no valid_from: 63 in the
    # real data) and after it (no valid_to: 34). Counted, not assumed, so other unit sets validate too.
    n_before = sum(1 for u in c.ds.units if u.valid_from is None)
    n_after = sum(1 for u in c.ds.units if u.valid_to is None)
    seen: dict[tuple, int] = {}
    for i, obs in enumerate(c.ds.observations):
        _check_observation(c, i, obs, seen, n_before, n_after)


def _check_observation(c: Checks, i: int, obs: Observation, seen: dict[tuple, int], n_before: int,
                       n_after: int) -> None:
    loc = ("observations", i)
    ind = c.indicators.get(obs.indicator)
    unit = c.units.get(obs.unit)
    if unit is None:
        c.add(loc + ("unit",), f"unknown unit {quoted(obs.unit)}")
    if ind is None:
        c.add(loc + ("indicator",), f"unknown indicator {quoted(obs.indicator)}")
    if obs.source not in c.sources:
        c.add(loc + ("source",), f"unknown source {quoted(obs.source)}")
    span = c.date(loc + ("date",), obs.date)
    if obs.out_of is not None and obs.out_of != n_before and obs.out_of != n_after:
        c.add(loc + ("out_of",), f"out_of {obs.out_of} is not a number of units of this dataset: "
              f"{n_before} (the units before 1/7/2025) or {n_after} (after)")
    basis = _check_basis(c, loc, obs, unit)
    key = (obs.unit, obs.indicator, obs.date, basis)
    if key in seen:
        c.add(loc, f"duplicate observation of {quoted(obs.indicator)} for {quoted(obs.unit)} on {obs.date}"
              f"{f' (basis {basis})' if basis else ''} (also at line {_REF.format(0)})",
              (("observations", seen[key]),))
    else:
        seen[key] = i
    _check_validity(c, loc, obs, unit, span, basis)
    if ind is not None:
        _check_value(c, loc, obs, ind, n_before, n_after)


def _check_validity(c: Checks, loc: tuple, obs: Observation, unit: Unit | None, span: DateSpan | None,
                    basis: int | None) -> None:
    # A value measured on the 34 units' territory for a year before they existed (DTI 2024, published
    # after the merger) is the one exception to the validity rule, and only with `basis: 34`.
    retro = basis == 34 and unit is not None and unit.valid_from is not None and not unit.valid_to
    if span and unit is not None and not c.within(obs.unit, span) \
            and not (retro and span.end < c.spans[obs.unit][0]):
        c.add(loc + ("date",), f"{obs.date} is outside the validity of unit {quoted(obs.unit)} "
              f"({c.validity_text(obs.unit)}); after a merger, record the value on the successor"
              " (a value the source measured on the 34 new units for an earlier year needs `basis: 34`)")


def _check_basis(c: Checks, loc: tuple, obs: Observation, unit: Unit | None) -> int | None:
    """The observation's basis (its own, or the one its `out_of` implies); problems if it disagrees with
    `out_of` or with the unit (an old province never carries basis 34, nor a new unit basis 63)."""
    basis = obs.basis or (obs.out_of if obs.out_of in BASES else None)
    if obs.basis and obs.out_of and obs.basis != obs.out_of:
        c.add(loc + ("basis",), f"basis {obs.basis} disagrees with out_of {obs.out_of}")
    if unit is not None and basis:
        era = "pre" if unit.valid_to else ("post" if unit.valid_from else "both")
        if (era, basis) in (("pre", 34), ("post", 63)):
            c.add(loc + ("basis",), f"unit {quoted(obs.unit)} is one of the "
                  f"{'63 provinces before' if era == 'pre' else '34 units after'} "
                  f"1/7/2025: it cannot carry a value on the {basis}-unit basis")
    return basis


def _check_value(c: Checks, loc: tuple, obs: Observation, ind: Indicator, n_before: int, n_after: int) -> None:
    """A milestone is true/false; anything else a number within bounds, whole for counts and ranks; a rank
    says out of how many."""
    if ind.kind == "milestone":
        if not isinstance(obs.value, bool):
            c.add(loc + ("value",), f"{quoted(obs.indicator)} is a yes/no milestone: use true or false "
                  f"(got {quoted(obs.value)})")
        return
    if isinstance(obs.value, bool):
        c.add(loc + ("value",), f"{quoted(obs.indicator)} takes a number, not {str(obs.value).lower()}")
        return
    lo = ind.min
    hi = obs.out_of if ind.kind == "rank" and obs.out_of else ind.max
    if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
        unit_txt = " %" if ind.kind == "percent" else ""
        c.add(loc + ("value",), f"{_num(obs.value)}{unit_txt} is outside the bounds of {quoted(obs.indicator)} "
              f"({_num(lo) if lo is not None else '−∞'} – {_num(hi) if hi is not None else '∞'})")
    # A count is whole unless the registry gives it decimals (an amount such as an area in km²).
    if (ind.kind == "rank" or (ind.kind == "count" and not ind.decimals)) and float(obs.value) != int(obs.value):
        c.add(loc + ("value",), f"{quoted(obs.indicator)} is a {ind.kind}: a whole number is expected "
              f"(got {_num(obs.value)})")
    if ind.kind == "rank" and obs.out_of is None:
        c.add(loc + ("out_of",), f"a rank needs `out_of`: {n_before} (the units before 1/7/2025) or "
              f"{n_after} (after)")

