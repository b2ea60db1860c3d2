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

The spec and the table are read in lib.ingest_spec, the plan is made in lib.ingest_plan, files are read
and written in lib.ingest_io; this module writes the additions and runs the command.
"""

from __future__ import annotations

import argparse
import builtins
import json
import re
import sys
from pathlib import Path

from lib import ingest_io
from lib.data import DatasetError, resolve_path
from lib.ingest_plan import PREFIXES, Plan, name_key, plan_import, unit_matcher  # noqa: F401 - re-exported
from lib.ingest_spec import (  # noqa: F401 - re-exported: the spec and the table live in lib.ingest_spec
    ColumnRule,
    Spec,
    SpecError,
    TableRefused,
    checked_rows,
    read_spec,
    read_table,
    selected_rows,
)
from lib.safe_text import terminal_text

NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


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
