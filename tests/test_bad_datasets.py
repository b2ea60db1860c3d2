"""Every class of bad dataset, through the curator command `python -m lib.validate FILE`, each in its own
process (a class that could crash the interpreter — 30,000-deep nesting, a recursive alias, 130,000
aliases — would take the test run down with it otherwise). The corpus's runs are forked from one interpreter
that made the validator's imports once (tests/bad_datasets/forkrun.py); the big inputs each get a fresh one.

For each class: exit status 1, the exact `file:line: field: message` lines, no traceback, and under 2 s
of work (the time of a run minus the interpreter's own start-up with the same imports).
The corpus is tests/bad_datasets/ (one small file per class, see corpus.py); the big inputs are
generated here. data/README.md ("The loader refuses …") names the same classes, one for one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bad_datasets.corpus import BASE, CASES, Case
from tests.conftest import ROOT

# A guard against a hang or a blow-up (a recursion, an alias bomb), not a speed goal: speed is measured by
# the benchmark. Generous, because CI's 2 cores may be shared (4.4 s was seen at a load average of 10).
TIME_LIMIT_S = 30.0


def validate(path: Path, env: dict | None = None) -> tuple[int, str, str, float]:
    """(exit status, stdout, stderr, seconds) of `python -m lib.validate PATH` in a fresh process."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "lib.validate", str(path)], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, **(env or {})}, timeout=120)
    return out.returncode, out.stdout, out.stderr, time.perf_counter() - t


@pytest.fixture(scope="module")
def startup() -> float:
    """Seconds a run costs before it reads anything: the interpreter with lib.validate's imports."""
    runs = []
    for _ in range(2):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lib.validate", "--help"], cwd=ROOT, capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    return min(runs)


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory) -> dict[str, tuple[int, str, str, float]]:
    """Every corpus file through `python -m lib.validate FILE`, each in a process of its own, two at a time (one
    per core): forked from one interpreter that has made the validator's imports once (forkrun.py), not ~50
    fresh interpreters that each make them again."""
    tmp = tmp_path_factory.mktemp("corpus")
    (tmp / "jobs.json").write_text(json.dumps([[str(case.path), case.env] for case in CASES]), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "tests.bad_datasets.forkrun", str(tmp / "jobs.json"),
                    str(tmp / "results.json")], cwd=ROOT, check=True, timeout=600)
    results = json.loads((tmp / "results.json").read_text(encoding="utf-8"))
    return {case.name: tuple(r) for case, r in zip(CASES, results)}


def problem_lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines()[1:]]


def where(path: Path, line: int | None, field: str) -> str:
    """The start of a problem line: `file:line: field: `."""
    at = f"{path}:{line}" if line else f"{path}"
    return f"{at}: {field}: " if field else f"{at}: "


def test_base_dataset_is_valid():
    code, out, err, _ = validate(BASE)
    assert code == 0, err
    assert f"{BASE}: valid" in out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_dataset_is_refused(case: Case, corpus_runs):
    assert case.path.read_bytes() == case.content(), "the corpus is stale: python -m tests.bad_datasets.corpus"
    code, out, err, seconds = corpus_runs[case.name]
    assert "Traceback" not in out + err
    assert code == 1, out + err
    lines = problem_lines(err)
    assert err.splitlines()[0] == f"{case.path}: {len(lines)} problem(s) found"
    for e in case.expect:
        head = where(case.path, e.line, e.field)
        assert any(line.startswith(head) and e.text in line for line in lines), (head + e.text, lines)
    if case.exact:
        assert len(lines) == len(case.expect), lines
    assert seconds < TIME_LIMIT_S  # forked after the imports: no start-up to take off


# --- Big hostile inputs, generated ----------------------------------------------------------------


def run_big(tmp_path: Path, name: str, text: str, startup: float) -> tuple[Path, list[str], str]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err, seconds = validate(path)
    assert code == 1, (code, out[-500:], err[-2000:])  # -11 would be the segfault of the issue
    assert "Traceback" not in out + err
    assert seconds - startup < TIME_LIMIT_S, seconds
    return path, problem_lines(err), err


@pytest.mark.parametrize("depth", [30_000, 20_000])
def test_deep_nesting_is_refused_without_crashing(tmp_path, startup, depth):
    """30,000 nested lists (60 KB) used to segfault the C parser; 20,000 took 8–10 s and 2.5 GB."""
    text = "schema_version: 1\nobservations:\n  - value: " + "[" * depth + "]" * depth + "\n"
    path, lines, _ = run_big(tmp_path, f"deep-{depth}", text, startup)
    assert lines == [f"{path}:3: observations.0.value.0.….0.0: lists and mappings are nested more than 64 "
                     "levels deep here: the dataset needs 4; refused before reading further"]


def test_deep_block_nesting_is_refused(tmp_path, startup):
    text = "a:\n" + "".join("  " * i + "- \n" for i in range(1, 200))
    _, (line,), _ = run_big(tmp_path, "deep-block", text, startup)
    assert re.match(r".*deep-block\.yaml:65: a\.0\.0\.0\.….0\.0: lists and mappings are nested more than 64", line)


def test_recursive_alias_is_refused_without_walking_forever(tmp_path, startup):
    path, lines, _ = run_big(tmp_path, "recursive", "schema_version: 1\nx: &x [a, *x]\n", startup)
    assert lines == [f"{path}:2: x: YAML anchor &x is not allowed: the dataset needs no anchors or aliases; "
                     "write each value out",
                     f"{path}:2: x.1: YAML alias *x is not allowed: the dataset needs no anchors or aliases; "
                     "write the value out"]


def test_alias_flood_is_counted_not_printed(tmp_path, startup):
    """130,000 aliases to one node printed 22 MB of errors: now 200 lines and the count of the rest."""
    text = "schema_version: 1\nx: &x [1]\ny: [" + ", ".join(["*x"] * 130_000) + "]\n"
    path, lines, err = run_big(tmp_path, "alias-flood", text, startup)
    assert err.splitlines()[0] == f"{path}: 130,001 problem(s) found"
    assert len(lines) == 201 and lines[-1] == f"{path}: … and 129,801 more problems"
    assert lines[0].startswith(f"{path}:2: x: YAML anchor &x is not allowed")
    assert lines[1].startswith(f"{path}:3: y.0: YAML alias *x is not allowed")
    assert len(err) < 100_000


@pytest.mark.parametrize("record, n, total, first", [
    ("{}", 60_000, 60_000 * 6, "observations.0.unit: this required field is missing"),
    ("{unit: ghost-{i}, indicator: vc_endpoints, value: 1, date: '2020', source: s1, quote: x}", 40_000, 40_000,
     "observations.0.unit: unknown unit 'ghost-0'"),
])
def test_problem_flood_is_counted_not_printed(tmp_path, startup, record, n, total, first):
    """Tens of thousands of bad records (a few MB): the first 200 problems, then how many more
    (counted, never all converted or looked up)."""
    base = BASE.read_text(encoding="utf-8")
    records = "".join(f"  - {record}\n".replace("{i}", str(i)) for i in range(n))
    text = base.replace("observations:\n", "observations:\n" + records, 1)
    path, lines, err = run_big(tmp_path, "problem-flood", text, startup)
    assert err.splitlines()[0] == f"{path}: {total:,} problem(s) found"
    assert lines[0] == f"{path}:21: {first}"
    assert len(lines) == 201 and lines[-1] == f"{path}: … and {total - 200:,} more problems"


# --- data/README.md names the same classes -------------------------------------------------------

GENERATED = {"problem-flood"}  # classes tested above only (big inputs); the others are CASES


def readme_classes() -> list[str]:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = text.split("The loader refuses (", 1)[1]
    section = section.split("\n\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^- `([a-z0-9-]+)`", section, flags=re.M)


def test_readme_lists_every_tested_class_once():
    listed = readme_classes()
    assert len(listed) == len(set(listed))
    assert set(listed) == {c.name for c in CASES} | GENERATED
