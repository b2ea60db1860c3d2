"""Curator import: put an official table (CSV or XLSX) into data/provinces.yaml with one command.

    python -m lib.ingest SPEC [--table FILE] [--data PATH] [--write]

SPEC is a small YAML file (see data/imports/) naming the table, the source and its date, the column with
the unit name, which columns go to which indicator (with the decimals as printed), the rank column, the
basis (63 provinces or 34 units) and how each observation's quote is built from its row.

Without --write it is a dry run: it prints what would be added, what is already there and what
conflicts, and exits 0 only when the table applies cleanly. With --write it adds the new observations
(and the spec's source, if new) as text at the end of their sections, so every comment and line it does
not touch stays as it was; it writes a temporary file, validates the whole result, then replaces the
dataset. A failed or conflicting import leaves the file byte for byte as it was. Importing the same
table twice adds nothing. Nothing here imports Streamlit.
"""

from __future__ import annotations

import argparse
import builtins
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lib import ingest_io
from lib.data import DatasetError, Problem, load_dataset, resolve_path
from lib.data.schema import Dataset, Source
from lib.i18n import fold
from lib.locale_numbers import DECIMAL_MARKS, NumberError, read_number
from lib.safe_text import terminal_text

NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
# What a name may carry around it in an official table: "TP. Huế", "Thành phố Hà Nội", "Tỉnh Lạng Sơn".
PREFIXES = ("thanh pho ", "tp ", "tinh ")


# --- The spec ---------------------------------------------------------------------------------------


@dataclass
class ColumnRule:
    column: str
    indicator: str
    decimals: int | None = None
    when: dict | None = None  # {column: X, contains: Y}: take the cell only in rows where X contains Y
    bounds: bool = False  # a cell may print a bound ('<10': below 10), stored as qualifier + number


@dataclass
class Spec:
    path: Path
    table: Path
    source: str
    new_source: dict | None
    date: str
    period: str | None
    basis: int
    unit_column: str
    columns: list[ColumnRule]
    quote: str
    confidence: str | None = None
    note: str | None = None
    sheet: str | None = None
    decimal: str | None = None  # the table's decimal mark: "," (Vietnamese: 1.529 = 1529) or "."; None: unstated
    rows: list[dict] | None = None  # [{column: X, equals: Y}, …]: only the rows where each X is Y (a mixed table)


class SpecError(Exception):
    """The spec itself is wrong: nothing was read."""


def _rows_filter(path: Path, rows: object) -> list[dict] | None:
    """The spec's `rows:` as a list of {column, equals} (one mapping alone is a list of one)."""
    rows = [rows] if isinstance(rows, dict) else rows
    if rows is not None and (not isinstance(rows, list) or not rows or any(
            not isinstance(f, dict) or set(f) != {"column", "equals"} for f in rows)):
        raise SpecError(f"{path}: rows must be a list of {{column: NAME, equals: TEXT}}")
    return rows


def selected_rows(rows: list[tuple[int, dict[str, str]]], spec: Spec) -> list[tuple[int, dict[str, str]]]:
    """The table's rows the spec reads: those where every `rows:` condition holds."""
    return [(n, r) for n, r in rows if all(r.get(str(c["column"]), "") == str(c["equals"]) for c in spec.rows or ())]


def read_spec(path: str | os.PathLike, table: str | os.PathLike | None = None) -> Spec:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read the spec: {exc}") from None
    except RecursionError:  # thousands of nested brackets: the spec needs three levels
        raise SpecError(f"{path}: the spec is nested too deeply (it needs three levels)") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: the spec must be a mapping")
    if not isinstance(raw.get("columns"), (dict, type(None))):
        raise SpecError(f"{path}: columns must be a mapping of table column -> indicator")
    known = {"table", "sheet", "source", "date", "period", "basis", "unit_column", "columns", "quote",
             "confidence", "note", "decimal", "rows"}
    unknown = sorted(set(raw) - known)
    missing = [k for k in ("table", "source", "date", "basis", "unit_column", "columns", "quote") if k not in raw]
    if unknown or missing:
        raise SpecError(f"{path}: " + "; ".join(
            ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"missing key(s) {', '.join(missing)}"] if missing else [])))
    if raw["basis"] not in (63, 34):
        raise SpecError(f"{path}: basis must be 63 (provinces before 1/7/2025) or 34 (units after it)")
    if raw.get("decimal") not in (None, *DECIMAL_MARKS):
        raise SpecError(f"{path}: decimal must be \",\" (1.529,5 = one thousand five hundred and twenty-nine and a "
                        "half) or \".\" (1,529.5)")
    rows_filter = _rows_filter(path, raw.get("rows"))
    src = raw["source"]
    if isinstance(src, dict):
        try:
            Source.model_validate(src)
        except Exception as exc:  # pydantic's message names the field
            raise SpecError(f"{path}: source: {exc}") from None
        source_id, new_source = src["id"], src
    else:
        source_id, new_source = str(src), None
    rules = []
    for col, rule in (raw["columns"] or {}).items():
        rule = {"indicator": rule} if isinstance(rule, str) else dict(rule)
        if "indicator" not in rule:
            raise SpecError(f"{path}: columns.{col}: needs `indicator`")
        extra = set(rule) - {"indicator", "decimals", "when", "bounds"}
        if extra:
            raise SpecError(f"{path}: columns.{col}: unknown key(s) {', '.join(sorted(extra))}")
        rules.append(ColumnRule(str(col), rule["indicator"], rule.get("decimals"), rule.get("when"),
                                rule.get("bounds") is True))
    table_path = Path(table) if table else (path.parent / raw["table"])
    return Spec(path=path, table=table_path, source=source_id, new_source=new_source, date=str(raw["date"]),
                period=raw.get("period"), basis=int(raw["basis"]), unit_column=raw["unit_column"],
                columns=rules, quote=raw["quote"], confidence=raw.get("confidence"), note=raw.get("note"),
                sheet=raw.get("sheet"), decimal=raw.get("decimal"), rows=rows_filter)


# --- The table --------------------------------------------------------------------------------------


def read_table(path: Path, sheet: str | None = None) -> list[tuple[int, dict[str, str]]]:
    """(row number in the file, {column: cell text}) for every data row. CSV lines starting with '#' are
    the table's own provenance notes and are skipped (but counted, so row numbers match an editor's)."""
    if not path.exists():
        raise SpecError(f"{path}: the table does not exist")
    rows = checked_rows(path, sheet)
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SpecError(f"{path}: the table is empty")
    header = [h.strip() for h in rows[0][1]]
    _check_widths(path, len(header), rows[1:])
    return [(n, dict(zip(header, [c.strip() for c in r]))) for n, r in rows[1:]]


class TableRefused(SpecError):
    """The table has problems that refuse it as a whole (encoding, duplicate column names, multi-line or
    over-long cells, formulas without values): each one with its row and column."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("the table is refused:\n" + "\n".join(f"    {p}" for p in problems))


def checked_rows(path: Path, sheet: str | None) -> list[tuple[int, list[str]]]:
    """The table's rows as read by lib.ingest_io (any encoding it reads, cell bounds, unique headers,
    formulas with values); TableRefused listing every problem otherwise."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            rows, problems = ingest_io.xlsx_rows(path, sheet)
        else:
            text, _ = ingest_io.decode_table(path, path.read_bytes())
            rows, problems = ingest_io.csv_rows(path, text)
    except ingest_io.TableError as exc:
        raise SpecError(str(exc)) from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read the table: {exc.strerror or exc}") from None
    problems += ingest_io.table_problems(path, [(n, r) for n, r in rows if any(c.strip() for c in r)])
    if problems:
        raise TableRefused(problems)
    return rows
def _check_widths(path: Path, width: int, rows: list[tuple[int, list[str]]]) -> None:
    """Every data row has as many fields as the header: a missing or extra comma shifts every cell after it,
    and zip() would silently drop or misplace them. Refused with the table, each bad row and the counts."""
    bad = [f"row {n}: {len(r)} fields, the header has {width}" for n, r in rows if len(r) != width]
    if bad:
        more = f" … and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise SpecError(f"{path}: {'; '.join(bad[:10])}{more} (a missing or extra comma, or a comma inside a "
                        "cell that is not in double quotes)")


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


def plan_import(spec: Spec, data_path: Path) -> Plan:
    """Compare the table with the dataset: what to add, what is there, what conflicts, what is wrong."""
    ds = load_dataset(data_path)
    plan = Plan(spec)
    table_name = str(spec.table)
    rows = selected_rows(read_table(spec.table, spec.sheet), spec)
    plan.rows = len(rows)
    header = set(rows[0][1]) if rows else set()
    for col in [spec.unit_column] + [r.column for r in spec.columns]:
        if col not in header:
            raise SpecError(f"{spec.path}: column {col!r} is not in the table {table_name} "
                            f"(columns: {', '.join(sorted(header))})")
    indicators = {i.id: i for i in ds.indicators}
    for r in spec.columns:
        if r.indicator not in indicators:
            raise SpecError(f"{spec.path}: columns.{r.column}: unknown indicator {r.indicator!r}")
    sources = {s.id for s in ds.sources}
    if spec.source not in sources:
        if spec.new_source is None:
            raise SpecError(f"{spec.path}: source {spec.source!r} is not in the dataset; give it in full in the spec")
        plan.add_source = spec.new_source
    match = unit_matcher(ds, spec.basis)

    def key_of(unit: str, indicator: str, date: str, basis: int | None) -> tuple:
        return unit, indicator, date[:4], basis

    existing: dict[tuple, tuple[float | bool, int]] = {}
    lines = _observation_lines(data_path)
    for n, o in enumerate(ds.observations):
        basis = o.basis or (o.out_of if o.out_of in (63, 34) else None)
        existing[key_of(o.unit, o.indicator, o.date, basis)] = (o.value, lines[n] if n < len(lines) else 0)

    seen_units: dict[str, int] = {}
    ranks: dict[tuple[str, float], list[str]] = {}
    for lineno, row in rows:
        where = lambda col, lineno=lineno: (table_name, lineno, col)  # noqa: E731
        name = row.get(spec.unit_column, "")
        unit, err = match(name)
        if err:
            plan.problems.append(Problem(*where(spec.unit_column), err))
            continue
        if unit in seen_units:
            plan.problems.append(Problem(*where(spec.unit_column), f"{name!r} is the same unit ({unit}) as row "
                                         f"{seen_units[unit]}"))
            continue
        seen_units[unit] = lineno
        for rule in spec.columns:
            cell = row.get(rule.column, "")
            if rule.when and rule.when.get("contains", "") not in row.get(rule.when.get("column", ""), ""):
                continue
            if cell == "":
                continue  # blank = not printed or not seen: nothing to record, never a zero
            ind = indicators[rule.indicator]
            try:
                number = read_number(cell, spec.decimal, bounds=rule.bounds)
            except NumberError as exc:
                plan.problems.append(Problem(*where(rule.column), str(exc)))
                continue
            value = number.value
            if not math.isfinite(value):
                plan.problems.append(Problem(*where(rule.column), f"{cell!r} is not a finite number"))
                continue
            if rule.decimals is not None and number.decimals > rule.decimals:
                plan.problems.append(Problem(*where(rule.column), f"{cell} has more than the {rule.decimals} "
                                             "decimals the table prints"))
                continue
            hi = spec.basis if ind.kind == "rank" else ind.max
            if (ind.min is not None and value < ind.min) or (hi is not None and value > hi):
                plan.problems.append(Problem(*where(rule.column), f"{cell} is outside the bounds of "
                                             f"{rule.indicator!r} ({ind.min:g} – {hi:g})"
                                             if ind.min is not None and hi is not None
                                             else f"{cell} is outside the bounds of {rule.indicator!r}"))
                continue
            # A count is whole unless its registry entry gives decimals (an amount such as an area in km²).
            whole = ind.kind == "rank" or (ind.kind == "count" and not ind.decimals)
            if whole and value != int(value):
                plan.problems.append(Problem(*where(rule.column), f"{cell}: a {ind.kind} is a whole number"))
                continue
            printed = str(int(value)) if whole else number.text
            obs = {"unit": unit, "indicator": rule.indicator, "value": printed,
                   **({"qualifier": number.qualifier} if number.qualifier else {})}
            if ind.kind == "rank":
                obs["out_of"] = spec.basis
                ranks.setdefault((rule.indicator, value), []).append(name)
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
            k = key_of(unit, rule.indicator, spec.date, spec.basis)
            # A value recorded earlier without a basis (63-province years) matches too.
            k0 = key_of(unit, rule.indicator, spec.date, None)
            hit = existing.get(k) or (existing.get(k0) if spec.basis == 63 else None)
            if hit is None:
                plan.add.append(obs)
            elif float(hit[0]) == value:
                plan.same.append((obs, hit[1]))
            else:
                plan.conflicts.append(f"{table_name}:{lineno}: {rule.column}: {unit} {rule.indicator} {spec.date}: "
                                      f"the table says {cell}, {data_path.name}:{hit[1]} says {hit[0]:g}")
    plan.ties = [f"{ind} {int(v)}: {', '.join(names)}" for (ind, v), names in sorted(ranks.items()) if len(names) > 1]
    return plan


def _observation_lines(data_path: Path) -> list[int]:
    """1-based line of each observation, in order (for messages)."""
    node = yaml.compose(data_path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for k, v in node.value:
        if k.value == "observations" and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


# --- Writing --------------------------------------------------------------------------------------


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str) and NUMBER.match(v) and "," not in v:
        return v  # a number as printed (0.6350 keeps its four decimals)
    return json.dumps(str(v), ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def observation_line(obs: dict) -> str:
    """One observation as a flow mapping on one line, like the hand-written ones."""
    numeric = {"value", "out_of", "basis"}
    parts = [f"{k}: {_scalar(v) if k in numeric else json.dumps(str(v), ensure_ascii=False)}" for k, v in obs.items()]
    return "  - {" + ", ".join(parts) + "}"


def source_block(src: dict) -> list[str]:
    lines = []
    for n, (k, v) in enumerate(src.items()):
        if isinstance(v, dict):  # a {vi, en} text such as a description: one flow mapping
            text = "{" + ", ".join(f"{k2}: {json.dumps(str(v2), ensure_ascii=False)}" for k2, v2 in v.items()) + "}"
        else:
            text = "null" if v is None else json.dumps(str(v), ensure_ascii=False)
        lines.append(f"  {'- ' if n == 0 else '  '}{k}: {text}")
    return lines


def _section_end(lines: list[str], section: str) -> int:
    """Index after the last item of a top-level section (before the blank and comment lines that lead
    into the next section)."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{section}:"), None)
    if start is None:
        raise SpecError(f"the dataset has no top-level `{section}:` section")
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()
                and not lines[i].startswith("#") and not lines[i].startswith("-")), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def apply_plan(plan: Plan, data_path: Path) -> str:
    """The dataset's text with the plan's additions appended to their sections."""
    text = data_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if plan.add_source:
        at = _section_end(lines, "sources")
        lines[at:at] = source_block(plan.add_source)
    if plan.add:
        at = _section_end(lines, "observations")
        lines[at:at] = [observation_line(o) for o in plan.add]
    return "\n".join(lines)


def write_atomically(data_path: Path, text: str) -> None:
    """Validate the whole result, then replace the dataset with it (its mode and owner kept; no file left
    behind, even by a killed run: lib.ingest_io.write_dataset); on any problem the dataset stays byte for
    byte as it was and DatasetError lists the problems."""
    ingest_io.write_dataset(data_path, text)


# --- Command ----------------------------------------------------------------------------------------


def report(plan: Plan, data_path: Path) -> str:
    spec = plan.spec
    out = [f"{spec.path} → {data_path} (table {spec.table}, basis {spec.basis}, date {spec.date}, "
           f"source {spec.source})",
           f"  rows read: {plan.rows}"]
    by_ind: dict[str, int] = {}
    for o in plan.add:
        by_ind[o["indicator"]] = by_ind.get(o["indicator"], 0) + 1
    out.append(f"  to add: {len(plan.add)} observation(s)" + (f" ({', '.join(f'{k} {v}' for k, v in by_ind.items())})"
                                                               if by_ind else ""))
    if plan.add_source:
        out.append(f"  to add: source {plan.add_source['id']}")
    out.append(f"  already there (same value): {len(plan.same)}")
    if plan.ties:
        out.append("  ties as printed: " + "; ".join(plan.ties))
    out.append(f"  conflicts: {len(plan.conflicts)}")
    out += [f"    {c}" for c in plan.conflicts]
    if plan.problems:
        out.append(f"  problems: {len(plan.problems)}")
        out += [f"    {p}" for p in plan.problems]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lib.ingest", description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", help="import spec (YAML), e.g. data/imports/dti_2024_34.yaml")
    ap.add_argument("--table", help="apply the spec to another copy of the table")
    ap.add_argument("--data", help="the dataset (default: $PROVINCES_DATA or data/provinces.yaml)")
    ap.add_argument("--write", action="store_true", help="write the additions (default: dry run)")
    args = ap.parse_args(argv)
    data_path = resolve_path(args.data)
    if not args.write:
        return run_import(args, data_path)
    try:
        with ingest_io.dataset_lock(data_path, say=lambda m: print(m, file=sys.stderr, flush=True)):
            return run_import(args, data_path)  # planned and written under the lock: imports run one by one
    except OSError as exc:
        print(f"refused: cannot lock or write {terminal_text(str(data_path))}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1


def run_import(args: argparse.Namespace, data_path: Path) -> int:
    print = _terminal_print  # noqa: A001 - everything this command prints comes from files: escaped
    try:
        spec = read_spec(args.spec, args.table)
        plan = plan_import(spec, data_path)
    except SpecError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    except DatasetError as exc:
        print(f"refused: the dataset itself is not valid:\n{exc}", file=sys.stderr)
        return 1
    print(report(plan, data_path))
    if not plan.clean:
        print("refused: nothing written (fix the problems or conflicts above)" if args.write
              else "dry run: the table does not apply cleanly")
        return 1
    nothing = not plan.add and not plan.add_source
    if nothing:
        print("nothing to add")
        return 0
    if not args.write:
        print("dry run: run again with --write to add these")
        return 0
    try:
        write_atomically(data_path, apply_plan(plan, data_path))
    except DatasetError as exc:
        print(f"refused: the result would not be valid, nothing written:\n{exc}", file=sys.stderr)
        return 1
    print(f"written: {data_path}")
    return 0


def _terminal_print(*values, **kwargs) -> None:
    """print, with control characters and terminal escapes of the table or the dataset made visible."""
    builtins.print(*(terminal_text(str(v)) for v in values), **kwargs)


if __name__ == "__main__":
    sys.exit(main())
