"""The curator import (lib.ingest) against hostile tables and hostile timing (issue 24): encodings, cell
bounds, duplicate headers, formulas without values, multi-line cells, a deeply nested spec, terminal
escapes; the dataset's mode and owner, a killed run, two imports at once.

Every case goes through the command as a curator runs it (`python -m lib.ingest`, in its own process):
exit status 1 and a message naming the file, row and column, never a traceback, the dataset unchanged.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from lib.ingest_io import MAX_CELL_CHARS, lock_path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "provinces.yaml"
IMPORTS = ROOT / "data" / "imports"
TABLE = IMPORTS / "tables" / "dti_2024_63provinces_premerger.csv"
SPEC = IMPORTS / "dti_2024_63.yaml"


def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "lib.ingest", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)


@pytest.fixture
def data(tmp_path) -> Path:
    """A copy of the dataset without the 2024 (63) import, so the import has 63 lines to add."""
    from tests.test_ingest import _without_import

    out = tmp_path / "provinces.yaml"
    out.write_text(_without_import(DATA.read_text(encoding="utf-8"), "dti_2024_63_table"), encoding="utf-8")
    return out


def refused(res: subprocess.CompletedProcess, *texts: str) -> None:
    out = res.stdout + res.stderr
    assert res.returncode == 1, out[-2000:]
    assert "Traceback" not in out, out[-3000:]
    for text in texts:
        assert text in out, (text, out[-2000:])


def table_line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# --- Encodings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read(tmp_path, data, encoding):
    """The same table saved as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") and UTF-16 with a BOM (Excel's
    "Unicode text") gives the same 63 additions."""
    table = tmp_path / "t.csv"
    table.write_bytes(TABLE.read_text(encoding="utf-8").encode(encoding))
    res = run(str(SPEC), "--table", str(table), "--data", str(data))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "to add: 63 observation(s)" in res.stdout


@pytest.mark.parametrize("encoding, says", [
    ("utf-16-le", "looks like UTF-16 without a byte-order mark"),
    ("cp1258", "is not UTF-8 text"),
])
def test_other_encodings_are_refused_by_name(tmp_path, data, encoding, says):
    table = tmp_path / "t.csv"
    text = TABLE.read_text(encoding="utf-8")
    if encoding == "cp1258":  # Windows-1258: precomposed â, ơ…, tone marks combining (what it lacks: '?')
        raw = unicodedata.normalize("NFD", text).encode("cp1258", errors="replace")
        assert b"Ha\xcc N" in raw  # Hà Nội: a + the combining grave accent of Windows-1258
    else:
        raw = text.encode(encoding)
    table.write_bytes(raw)
    before = data.read_bytes()
    res = run(str(SPEC), "--table", str(table), "--data", str(data), "--write")
    refused(res, f"{table}: the table {says}", "save it as CSV UTF-8")
    assert data.read_bytes() == before


# --- Cells and headers ------------------------------------------------------------------------------


def _edit(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = TABLE.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    table = tmp_path / "t.csv"
    edited = text.replace(old, new, 1)
    table.write_text(edited, encoding="utf-8")
    return table, edited


@pytest.mark.parametrize("size", [MAX_CELL_CHARS + 1, 200_000])
def test_an_over_long_cell_is_refused_with_its_row(tmp_path, data, size):
    """Over MAX_CELL_CHARS: refused with row and column; over csv's own limit (131,072): refused with the
    row too (it was a traceback)."""
    table, text = _edit(tmp_path, ",Hải Phòng,", ",Hải Phòng" + "x" * size + ",")
    row = table_line(text, "Hải Phòngxxx")
    res = run(str(SPEC), "--table", str(table), "--data", str(data))
    refused(res, f"{table}:{row}: province_as_printed: a cell of {size + len('Hải Phòng'):,} characters"
            if size < 131_072 else f"{table}:{row}: this row cannot be read as CSV: field larger than field limit")


def test_duplicate_column_names_are_refused(tmp_path, data):
    text = TABLE.read_text(encoding="utf-8")
    head = next(line for line in text.splitlines() if line.startswith("year,"))
    first = head.split(",")[1]
    table, edited = _edit(tmp_path, head, head + "," + first)
    res = run(str(SPEC), "--table", str(table), "--data", str(data))
    refused(res, f"{table}:{table_line(edited, 'year,')}: {first}: the column name {first!r} appears twice")


def test_a_multi_line_cell_is_refused_with_its_row(tmp_path, data):
    table, edited = _edit(tmp_path, ",Hải Phòng,", ',"Hải\nPhòng",')
    row = table_line(edited, '"Hải')
    res = run(str(SPEC), "--table", str(table), "--data", str(data))
    refused(res, f"{table}:{row}: a cell spans lines {row}–{row + 1}")


def test_an_xlsx_formula_without_a_stored_value_is_refused(tmp_path, data):
    """openpyxl writes formulas without computing them: such a cell reads as empty, and its value would be
    silently missing. Refused with its row and column letter."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Tỉnh", "DTI"])
    ws.append(["TP. Hà Nội", "=0.8241*1"])
    xlsx = tmp_path / "t.xlsx"
    wb.save(xlsx)
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "table: t.xlsx\nsource: dti_2024_63_table\ndate: '2024'\nperiod: DTI 2024\nbasis: 63\nunit_column: Tỉnh\n"
        "columns:\n  DTI: {indicator: dti_score, decimals: 4}\nquote: '{Tỉnh} {DTI}'\n", encoding="utf-8")
    res = run(str(spec), "--data", str(DATA))
    refused(res, f"{xlsx}:2: B: the formula '=0.8241*1' has no stored value")


def test_a_deeply_nested_spec_is_refused(tmp_path, data):
    spec = tmp_path / "deep.yaml"
    spec.write_text("columns: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    refused(run(str(spec), "--data", str(data)), "nested too deeply")


def test_terminal_escapes_in_a_table_are_shown_not_obeyed(tmp_path, data):
    """A unit name carrying an ANSI escape (clear screen) and a right-to-left override is printed as
    \\x1b… and \\u202e, never sent raw to the curator's terminal."""
    table, _ = _edit(tmp_path, ",Hải Phòng,", ",Hải Phòng\x1b[2J\u202e,")
    res = run(str(SPEC), "--table", str(table), "--data", str(data))
    out = res.stdout + res.stderr
    assert res.returncode == 1
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J\\u202e" in out


# --- Writing ----------------------------------------------------------------------------------------


def test_write_keeps_the_datasets_mode_and_owner(data):
    data.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(data, 65534, 65534)
    before = data.stat()
    res = run(str(SPEC), "--data", str(data), "--write")
    assert res.returncode == 0, res.stdout + res.stderr
    after = data.stat()
    assert after.st_ino != before.st_ino  # replaced, not edited in place
    assert after.st_mode & 0o777 == 0o644
    if os.geteuid() == 0:
        assert (after.st_uid, after.st_gid) == (65534, 65534)


KILL = """
import os, signal, sys
sys.argv[0] = "lib.ingest"
import lib.data.checks as checks
import lib.ingest as ingest
point = os.environ["KILL_AT"]
calls = []
if point == "validating":  # the second validation is the result's (the first: the dataset, when planning)
    real = checks.cross_check
    def cross_check(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    checks.cross_check = cross_check
else:  # the new text is fully written, not yet in place
    real_fsync = os.fsync
    def fsync(fd):
        os.kill(os.getpid(), signal.SIGKILL)
    os.fsync = fsync
sys.exit(ingest.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("point", ["validating", "writing"])
def test_a_killed_import_leaves_no_temporary_file(data, point):
    before = data.read_bytes()
    env = {**os.environ, "KILL_AT": point}
    res = subprocess.run([sys.executable, "-c", KILL, str(SPEC), "--data", str(data), "--write"], cwd=ROOT,
                         capture_output=True, text=True, timeout=180, env=env)
    assert res.returncode == -signal.SIGKILL, res.stdout + res.stderr
    assert data.read_bytes() == before
    assert sorted(p.name for p in data.parent.iterdir()) == sorted(
        ["provinces.yaml", lock_path(data).name]), list(data.parent.iterdir())


def test_a_stale_temporary_file_is_removed_by_the_next_import(data):
    stale = data.parent / f".{data.name}.abcdef.tmp"
    stale.write_text("left by a run killed between link and rename")
    assert run(str(SPEC), "--data", str(data), "--write").returncode == 0
    assert not stale.exists()


def test_two_imports_run_one_after_the_other(data):
    """While one import holds the dataset's lock (here: the test, which meanwhile writes what another
    import would), a second waits, then plans against the new file: both changes are kept."""
    marker = "# written by the other import\n"
    with open(lock_path(data), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "lib.ingest", str(SPEC), "--data", str(data), "--write"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        waited = ""
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if line.startswith("waiting: another import holds"):
                waited = line
                break
        # the other import writes its result (a replaced file) while this one waits
        text = data.read_text(encoding="utf-8")
        tmp = data.with_suffix(".other")
        tmp.write_text(marker + text, encoding="utf-8")
        os.replace(tmp, data)
        fcntl.flock(fh, fcntl.LOCK_UN)
    out, err = proc.communicate(timeout=120)
    assert waited, (out, err)
    assert proc.returncode == 0, out + err
    final = data.read_text(encoding="utf-8")
    assert final.startswith(marker)  # the other import's change is kept …
    assert final.count('source: "dti_2024_63_table"') == 63  # … and this one's is added


def test_an_unreadable_table_is_refused(tmp_path, data):
    folder = tmp_path / "t.csv"
    folder.mkdir()  # a path that cannot be read as a file (chmod 000 is read anyway by root)
    refused(run(str(SPEC), "--table", str(folder), "--data", str(data)), f"{folder}: cannot read the table")

