"""The import's spec and table (lib.ingest): what the spec says, and the rows of the table it names."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from lib import ingest_io
from lib.data import Problem
from lib.data.schema import Source
from lib.locale_numbers import DECIMAL_MARKS

# --- The spec ---------------------------------------------------------------------------------------

KNOWN_KEYS = {"table", "sheet", "source", "date", "period", "basis", "unit_column", "columns", "quote",
              "confidence", "note", "decimal", "rows"}
REQUIRED_KEYS = ("table", "source", "date", "basis", "unit_column", "columns", "quote")


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


def _load_spec(path: Path) -> dict:
    """The spec file as a mapping whose `columns` is a mapping (or absent)."""
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
    return raw


def _check_keys(path: Path, raw: dict) -> None:
    """No unknown key, every required key, a known basis and decimal mark."""
    unknown = sorted(set(raw) - KNOWN_KEYS)
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if unknown or missing:
        raise SpecError(f"{path}: " + "; ".join(
            ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"missing key(s) {', '.join(missing)}"] if missing else [])))
    if raw["basis"] not in (63, 34):
        raise SpecError(f"{path}: basis must be 63 (provinces before 1/7/2025) or 34 (units after it)")
    if raw.get("decimal") not in (None, *DECIMAL_MARKS):
        raise SpecError(f"{path}: decimal must be \",\" (1.529,5 = one thousand five hundred and twenty-nine and a "
                        "half) or \".\" (1,529.5)")


def _source_of(path: Path, src: object) -> tuple[str, dict | None]:
    """(source id, the source in full when the spec gives it so)."""
    if not isinstance(src, dict):
        return str(src), None
    try:
        Source.model_validate(src)
    except Exception as exc:  # pydantic's message names the field
        raise SpecError(f"{path}: source: {exc}") from None
    return src["id"], src


def _column_rules(path: Path, columns: dict | None) -> list[ColumnRule]:
    rules = []
    for col, rule in (columns or {}).items():
        rule = {"indicator": rule} if isinstance(rule, str) else dict(rule)
        if "indicator" not in rule:
            raise SpecError(f"{path}: columns.{col}: needs `indicator`")
        extra = set(rule) - {"indicator", "decimals", "when", "bounds"}
        if extra:
            raise SpecError(f"{path}: columns.{col}: unknown key(s) {', '.join(sorted(extra))}")
        rules.append(ColumnRule(str(col), rule["indicator"], rule.get("decimals"), rule.get("when"),
                                rule.get("bounds") is True))
    return rules


def read_spec(path: str | os.PathLike, table: str | os.PathLike | None = None) -> Spec:
    path = Path(path)
    raw = _load_spec(path)
    _check_keys(path, raw)
    rows_filter = _rows_filter(path, raw.get("rows"))
    source_id, new_source = _source_of(path, raw["source"])
    rules = _column_rules(path, raw["columns"])
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
