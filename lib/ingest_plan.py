"""The import's plan (lib.ingest): the table's units matched by name, each cell checked, and compared with
the dataset (what to add, what is there, what conflicts, what is wrong)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lib.data import Problem, load_dataset
from lib.data.schema import Dataset
from lib.i18n import fold
from lib.ingest_spec import ColumnRule, Spec, SpecError, read_table, selected_rows
from lib.locale_numbers import NumberError, read_number

# What a name may carry around it in an official table: "TP. Huế", "Thành phố Hà Nội", "Tỉnh Lạng Sơn".
PREFIXES = ("thanh pho ", "tp ", "tinh ")


# --- Unit names ---------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """'TP. Hồ Chí Minh' -> 'ho chi minh'; 'Thừa Thiên - Huế' -> 'thua thien hue'; 'Hoà Bình' = 'Hòa Bình'."""
    text = " ".join(re.sub(r"[.\-–,()]", " ", fold(name)).split())
    for p in PREFIXES:
        if text.startswith(p):
            text = text[len(p):]
    return text


def unit_matcher(ds: Dataset, basis: int):
    """A function name -> (unit code | None, error | None) over the units of the basis' view.

    Names are matched without diacritics or prefixes, against each unit's name, full name and aliases.
    In a 34-unit table an old province's name (used after 2025) finds its successor."""
    era = {u.code: ("pre" if u.valid_to else "post" if u.valid_from else "both") for u in ds.units}
    in_view = {c for c, e in era.items() if e in (("pre", "both") if basis == 63 else ("post", "both"))}
    index: dict[str, set[str]] = {}
    old: dict[str, set[str]] = {}
    for u in ds.units:
        keys = {name_key(n) for n in (u.name.vi, u.name.en, u.full_name, *u.aliases)}
        for k in keys:
            if u.code in in_view:
                index.setdefault(k, set()).add(u.code)
            elif basis == 34 and u.successor:
                old.setdefault(k, set()).add(u.successor)

    def match(name: str) -> tuple[str | None, str | None]:
        key = name_key(name)
        if not key:
            return None, "the unit name is empty"
        hits = index.get(key) or old.get(key) or set()
        if len(hits) == 1:
            return next(iter(hits)), None
        if not hits:
            return None, f"unknown unit {name!r} among the {basis} {'provinces' if basis == 63 else 'units'}"
        return None, f"ambiguous unit {name!r}: it could be {', '.join(sorted(hits))}"
    return match


# --- Planning -------------------------------------------------------------------------------------


@dataclass
class Plan:
    spec: Spec
    add: list[dict] = field(default_factory=list)
    same: list[tuple[dict, int]] = field(default_factory=list)  # (new, line of the existing one)
    conflicts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)
    add_source: dict | None = None
    rows: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems and not self.conflicts


def _fill(template: str, row: dict[str, str], spec: Spec) -> str:
    try:
        return template.format(**row).strip()
    except (KeyError, IndexError, ValueError) as exc:
        raise SpecError(f"{spec.path}: quote: the template names a column the table lacks ({exc})") from None


def _key(unit: str, indicator: str, date: str, basis: int | None) -> tuple:
    return unit, indicator, date[:4], basis


class _CellProblem(Exception):
    """One cell cannot be taken: the message goes to the plan's problems with its row and column."""


def _outside(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _checked_cell(cell: str, rule: ColumnRule, ind, spec: Spec):
    """(the number read, its value as it will be written); _CellProblem when the cell cannot be taken."""
    try:
        number = read_number(cell, spec.decimal, bounds=rule.bounds)
    except NumberError as exc:
        raise _CellProblem(str(exc)) from None
    value = number.value
    if not math.isfinite(value):
        raise _CellProblem(f"{cell!r} is not a finite number")
    if rule.decimals is not None and number.decimals > rule.decimals:
        raise _CellProblem(f"{cell} has more than the {rule.decimals} decimals the table prints")
    hi = spec.basis if ind.kind == "rank" else ind.max
    if _outside(value, ind.min, hi):
        raise _CellProblem(f"{cell} is outside the bounds of {rule.indicator!r} ({ind.min:g} – {hi:g})"
                           if ind.min is not None and hi is not None
                           else f"{cell} is outside the bounds of {rule.indicator!r}")
    # A count is whole unless its registry entry gives decimals (an amount such as an area in km²).
    whole = ind.kind == "rank" or (ind.kind == "count" and not ind.decimals)
    if whole and value != int(value):
        raise _CellProblem(f"{cell}: a {ind.kind} is a whole number")
    return number, (str(int(value)) if whole else number.text)


def _observation(spec: Spec, rule: ColumnRule, ind, unit: str, number, printed: str, row: dict[str, str]) -> dict:
    """The new observation, its keys in the order the hand-written ones use."""
    obs = {"unit": unit, "indicator": rule.indicator, "value": printed,
           **({"qualifier": number.qualifier} if number.qualifier else {})}
    if ind.kind == "rank":
        obs["out_of"] = spec.basis
    else:
        obs["basis"] = spec.basis
    obs["date"] = spec.date
    if spec.period:
        obs["period"] = spec.period
    obs["source"] = spec.source
    obs["quote"] = _fill(spec.quote, row, spec)
    if spec.confidence:
        obs["confidence"] = spec.confidence
    if spec.note:
        obs["note"] = spec.note
    return obs


@dataclass
class _Planner:
    """One import's planning: the dataset's side (indicators, units, existing values) and what rows added."""
    plan: Plan
    data_path: Path
    indicators: dict
    match: object
    existing: dict[tuple, tuple[float | bool, int]]
    seen_units: dict[str, int] = field(default_factory=dict)
    ranks: dict[tuple[str, float], list[str]] = field(default_factory=dict)

    @property
    def spec(self) -> Spec:
        return self.plan.spec

    def problem(self, lineno: int, column: str, message: str) -> None:
        self.plan.problems.append(Problem(str(self.spec.table), lineno, column, message))

    def row(self, lineno: int, row: dict[str, str]) -> None:
        spec = self.spec
        name = row.get(spec.unit_column, "")
        unit, err = self.match(name)
        if err:
            self.problem(lineno, spec.unit_column, err)
            return
        if unit in self.seen_units:
            self.problem(lineno, spec.unit_column, f"{name!r} is the same unit ({unit}) as row "
                                                   f"{self.seen_units[unit]}")
            return
        self.seen_units[unit] = lineno
        for rule in spec.columns:
            self.cell(lineno, row, rule, unit, name)

    def cell(self, lineno: int, row: dict[str, str], rule: ColumnRule, unit: str, name: str) -> None:
        cell = row.get(rule.column, "")
        if rule.when and rule.when.get("contains", "") not in row.get(rule.when.get("column", ""), ""):
            return
        if cell == "":
            return  # blank = not printed or not seen: nothing to record, never a zero
        ind = self.indicators[rule.indicator]
        try:
            number, printed = _checked_cell(cell, rule, ind, self.spec)
        except _CellProblem as exc:
            self.problem(lineno, rule.column, str(exc))
            return
        if ind.kind == "rank":
            self.ranks.setdefault((rule.indicator, number.value), []).append(name)
        obs = _observation(self.spec, rule, ind, unit, number, printed, row)
        self.place(obs, lineno, rule, unit, cell, number.value)

    def place(self, obs: dict, lineno: int, rule: ColumnRule, unit: str, cell: str, value: float) -> None:
        """To add, already there, or a conflict with the dataset's value."""
        spec = self.spec
        k = _key(unit, rule.indicator, spec.date, spec.basis)
        # A value recorded earlier without a basis (63-province years) matches too.
        k0 = _key(unit, rule.indicator, spec.date, None)
        hit = self.existing.get(k) or (self.existing.get(k0) if spec.basis == 63 else None)
        if hit is None:
            self.plan.add.append(obs)
        elif float(hit[0]) == value:
            self.plan.same.append((obs, hit[1]))
        else:
            self.plan.conflicts.append(
                f"{spec.table}:{lineno}: {rule.column}: {unit} {rule.indicator} {spec.date}: "
                f"the table says {cell}, {self.data_path.name}:{hit[1]} says {hit[0]:g}")


def _check_spec_against(spec: Spec, ds: Dataset, header: set[str]) -> dict:
    """The spec's columns are in the table and its indicators in the dataset: the indicators by id."""
    for col in [spec.unit_column] + [r.column for r in spec.columns]:
        if col not in header:
            raise SpecError(f"{spec.path}: column {col!r} is not in the table {spec.table} "
                            f"(columns: {', '.join(sorted(header))})")
    indicators = {i.id: i for i in ds.indicators}
    for r in spec.columns:
        if r.indicator not in indicators:
            raise SpecError(f"{spec.path}: columns.{r.column}: unknown indicator {r.indicator!r}")
    return indicators


def _source_to_add(spec: Spec, ds: Dataset) -> dict | None:
    if spec.source in {s.id for s in ds.sources}:
        return None
    if spec.new_source is None:
        raise SpecError(f"{spec.path}: source {spec.source!r} is not in the dataset; give it in full in the spec")
    return spec.new_source


def _existing(ds: Dataset, data_path: Path) -> dict[tuple, tuple[float | bool, int]]:
    """(unit, indicator, year, basis) -> (value, line in the dataset) for every observation there."""
    existing: dict[tuple, tuple[float | bool, int]] = {}
    lines = _observation_lines(data_path)
    for n, o in enumerate(ds.observations):
        basis = o.basis or (o.out_of if o.out_of in (63, 34) else None)
        existing[_key(o.unit, o.indicator, o.date, basis)] = (o.value, lines[n] if n < len(lines) else 0)
    return existing


def plan_import(spec: Spec, data_path: Path) -> Plan:
    """Compare the table with the dataset: what to add, what is there, what conflicts, what is wrong."""
    ds = load_dataset(data_path)
    plan = Plan(spec)
    rows = selected_rows(read_table(spec.table, spec.sheet), spec)
    plan.rows = len(rows)
    indicators = _check_spec_against(spec, ds, set(rows[0][1]) if rows else set())
    plan.add_source = _source_to_add(spec, ds)
    planner = _Planner(plan, data_path, indicators, unit_matcher(ds, spec.basis), _existing(ds, data_path))
    for lineno, row in rows:
        planner.row(lineno, row)
    plan.ties = [f"{ind} {int(v)}: {', '.join(names)}" for (ind, v), names in sorted(planner.ranks.items())
                 if len(names) > 1]
    return plan


def _observation_lines(data_path: Path) -> list[int]:
    """1-based line of each observation, in order (for messages)."""
    node = yaml.compose(data_path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for k, v in node.value:
        if k.value == "observations" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []
