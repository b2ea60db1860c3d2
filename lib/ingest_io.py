"""The import's contact with files (lib.ingest): reading a table someone sent, and writing the dataset.

Reading (`decode_table`, `csv_rows`, `xlsx_rows`, `table_problems`): a table is UTF-8, with or without a
byte-order mark; UTF-16 and UTF-32 with a byte-order mark are decoded too (Excel's "Unicode text" export);
anything else (UTF-16 without a mark, Windows-1258, TCVN3…) is refused with its likely name and what to do.
Each cell is at most MAX_CELL_CHARS characters and one line; header names are unique; an XLSX formula
cell must carry the value it last computed (a workbook saved by a program that does not compute formulas
has none, and openpyxl would give an empty cell: a value silently missing). Every refusal names the
table, the row (the line of an editor) and the column.

Writing (`dataset_lock`, `write_dataset`): the whole import holds an exclusive lock on a file beside the
dataset (`.NAME-import.lock`, fcntl; kept, and ignored by git), so two imports run one after the other and the
second plans against the first one's result. The new text is validated in memory, then written to an anonymous
file in the same folder (O_TMPFILE: a process killed while writing leaves nothing), given the dataset's mode
and owner, flushed to disk, linked under a temporary name and renamed over the dataset. A temporary file left
by a run killed in the instant between those two calls is removed by the next import (under the lock).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import fcntl
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lib.data import Problem, load_dataset

MAX_CELL_CHARS = 4_000  # the longest cell of the official tables is a name or a number; a quote is built from them
MAX_TABLE_BYTES = 20_000_000
TMP_PREFIX = "."  # temporary files: .NAME.XXXXXXXX.tmp beside the dataset


class TableError(Exception):
    """The table cannot be read at all (encoding, size): nothing was planned."""


# --- Reading -----------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_table(path: Path, raw: bytes) -> tuple[str, str]:
    """(text, the encoding it was read in); TableError naming the encoding when it is not one we read."""
    if len(raw) > MAX_TABLE_BYTES:
        raise TableError(f"{path}: the table is {len(raw):,} bytes, over the limit of {MAX_TABLE_BYTES:,}")
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), {"utf-8-sig": "UTF-8 with BOM"}.get(codec, codec.upper() + " with BOM")
            except UnicodeDecodeError as exc:
                raise TableError(f"{path}: the table starts with a {codec.upper()} byte-order mark but is not "
                                 f"{codec.upper()} text (byte {exc.start})") from None
    if b"\x00" in raw[:4096]:
        raise TableError(f"{path}: the table looks like UTF-16 without a byte-order mark (it has NUL bytes): "
                         "save it as CSV UTF-8")
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: the table is not UTF-8 text (byte {exc.start}, {raw[exc.start:exc.start + 1]!r}); "
                         "it is probably in a legacy encoding such as Windows-1258 or TCVN3: save it as "
                         "CSV UTF-8") from None


def csv_rows(path: Path, text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(line where the record starts, cells) of every CSV record, lines starting with '#' skipped (the
    table's own notes) but counted; a record that spans lines (a quoted line break) is refused with its
    line, never folded into one."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(keepends=True), 1) if not line.startswith("#")]
    at = [0]

    def feed() -> Iterator[str]:
        for k, (_, line) in enumerate(lines):
            at[0] = k
            yield line

    reader = csv.reader(feed())
    rows, problems, start = [], [], 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a cell over csv's own limit (131,072 characters), a NUL byte
            problems.append(Problem(str(path), lines[start][0] if start < len(lines) else None, "",
                                    f"this row cannot be read as CSV: {exc}"))
            break
        first, last = lines[start][0], lines[at[0]][0]
        if last != first:
            problems.append(Problem(str(path), first, "", f"a cell spans lines {first}–{last} (a line break inside "
                                    "quotes): every value and name is one line; join it"))
        rows.append((first, record))
        start = at[0] + 1
    return rows, problems


def xlsx_rows(path: Path, sheet: str | None) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """(row number, cells as text) of a workbook's sheet; a formula cell without its computed value is a
    problem (read twice: the formulas, then the values Excel stored with them)."""
    from openpyxl import load_workbook

    problems = []
    formulas = load_workbook(path, read_only=True, data_only=False)
    values = load_workbook(path, read_only=True, data_only=True)
    try:
        fs = formulas[sheet] if sheet else formulas.worksheets[0]
        vs = values[sheet] if sheet else values.worksheets[0]
        rows = []
        for n, (frow, vrow) in enumerate(zip(fs.iter_rows(values_only=True), vs.iter_rows(values_only=True)), 1):
            cells = ["" if c is None else str(c) for c in vrow]
            for j, (f, v) in enumerate(zip(frow, vrow)):
                if isinstance(f, str) and f.startswith("=") and v is None:
                    problems.append(Problem(str(path), n, _column_letter(j), f"the formula {f[:60]!r} has no "
                                            "stored value (the file was saved without computing it): open it "
                                            "in Excel or LibreOffice and save it again"))
            rows.append((n, cells))
    finally:
        formulas.close()
        values.close()
    return rows, problems


def _column_letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def table_problems(path: Path, rows: list[tuple[int, list[str]]]) -> list[Problem]:
    """Header names unique and not blank; every cell short and on one line."""
    problems = []
    if not rows:
        return problems
    n0, header = rows[0]
    first: dict[str, int] = {}
    for j, name in enumerate(h.strip() for h in header):
        if name and name in first:
            problems.append(Problem(str(path), n0, name, f"the column name {name!r} appears twice (columns "
                                    f"{first[name] + 1} and {j + 1}): every column needs its own name"))
        first.setdefault(name, j)
    for n, cells in rows:
        for j, cell in enumerate(cells):
            col = header[j].strip() if j < len(header) else f"column {j + 1}"
            if len(cell) > MAX_CELL_CHARS:
                problems.append(Problem(str(path), n, col, f"a cell of {len(cell):,} characters (at most "
                                        f"{MAX_CELL_CHARS:,})"))
            elif "\n" in cell or "\r" in cell:
                problems.append(Problem(str(path), n, col, "a cell holds a line break: every value and name is "
                                        "one line; join it"))
    return problems


# --- Writing -----------------------------------------------------------------------------------------


def lock_path(data_path: Path) -> Path:
    return data_path.parent / f".{data_path.name}-import.lock"


@contextlib.contextmanager
def dataset_lock(data_path: Path, say=None) -> Iterator[None]:
    """Hold the dataset's import lock (exclusive, released when the process ends however it ends); says
    so through `say` when another import holds it and this one waits."""
    with open(lock_path(data_path), "a") as fh:  # never replaced, never removed: every import locks this inode
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if say:
                say(f"waiting: another import holds {lock_path(data_path)}")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            remove_stale_temporaries(data_path)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_stale_temporaries(data_path: Path) -> list[Path]:
    """Temporary files of an import that was killed (only ever called under the lock: none is in use)."""
    gone = []
    for p in data_path.parent.glob(f"{TMP_PREFIX}{data_path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            p.unlink()
            gone.append(p)
    return gone


def write_dataset(data_path: Path, text: str) -> None:
    """Validate `text` as the dataset, then replace the dataset with it, keeping its mode and owner.
    DatasetError (and the dataset byte for byte as it was, no file left) when the text is not valid."""
    raw = text.encode("utf-8")
    load_dataset(data_path, raw=raw)  # in memory: nothing is on disk yet
    st = os.stat(data_path)
    folder = data_path.parent
    tmp: str | None = None
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
    except (AttributeError, OSError):  # no O_TMPFILE (another OS, some file systems): a named file
        fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{data_path.name}.", suffix=".tmp", dir=folder)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        _keep_mode_and_owner(fd, st)
        os.fsync(fd)
        if tmp is None:  # the anonymous file gets a name in the same folder only now, for the rename
            name = f"{TMP_PREFIX}{data_path.name}.{secrets.token_hex(6)}.tmp"
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:  # linkat(…, AT_SYMLINK_FOLLOW): Python calls plain link() without a dir_fd
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd, follow_symlinks=True)
            finally:
                os.close(dir_fd)
            tmp = str(folder / name)
        os.replace(tmp, data_path)
        tmp = None
    finally:
        os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _keep_mode_and_owner(fd: int, st: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:  # only root may give a file away: say so rather than change it silently
            print(f"note: the dataset belonged to uid {st.st_uid}, gid {st.st_gid}; it is now this user's "
                  "(only root can keep another owner)", file=sys.stderr)
