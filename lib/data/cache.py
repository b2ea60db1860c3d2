"""A compiled copy of the frames, so a cold start does not parse and check the YAML again.

The YAML stays the one source of truth. The copy is keyed by the SHA-256 of the YAML's exact bytes and by
the loader's own version (a hash of the source of every module of lib/data, and the pandas, pyarrow and
Python versions that write the copy): it is used only when both match, and rebuilt from the YAML, validated,
otherwise. A copy is never written for a file that fails validation, so a broken dataset always shows its
problems. A copy whose header or payload hash does not match (truncated, corrupted, another key's) is
ignored and rebuilt.

Format (nothing in it can run code when read): the line `PROVINCES-FRAMES-2`, the key and a newline, the
SHA-256 of the rest, then a JSON header (its length first, 8 bytes big-endian): the path, the meta and, per
frame, the byte range of its Arrow table and how to give each column back its pandas type (`object`:
Python strings and None; `tuple`: tuples of strings), then the tables in Arrow's IPC stream format, one
after the other. Arrow and JSON are data only; the pickle of earlier versions ran code when loaded (issue 24).
At commune scale (37 MB of YAML) a copy was read in 0.5-0.8 s, the pickle in 0.2-0.55 s (a loaded machine).

Where: `.cache/frames/` beside the project, or $PROVINCES_CACHE_DIR. The folder is created private (0700)
and used only while it is a folder owned by the server's user that no other user can write (neither group
nor others), and a copy only while it is a regular file of the same owner, not writable by others: another
user who could write there could otherwise show forged numbers under a valid YAML's key. A refused folder
means no cache (the YAML is loaded; a warning is logged once), never an error.

Writes go to a temporary file in the same folder (from a thread, after the frames are returned), then
os.replace: never a half-written copy. Any failure to read or write (read-only folder, full disk) falls back
to the YAML.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lib.data.frames import Frames, load_frames
from lib.data.read import ROOT, resolve_path

ENV_CACHE_DIR = "PROVINCES_CACHE_DIR"
MAGIC = b"PROVINCES-FRAMES-2\n"
TABLES = ("units", "indicators", "observations", "events", "sources", "regions", "targets")
_log = logging.getLogger(__name__)
_WRITERS: list[threading.Thread] = []
_WARNED: set[str] = set()


def cache_dir() -> Path:
    return Path(os.environ.get(ENV_CACHE_DIR) or ROOT / ".cache" / "frames")


@lru_cache(maxsize=1)
def loader_version() -> str:
    """A hash of everything that decides what the frames look like: the loader's code and the writers' versions."""
    h = hashlib.sha256()
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.name.encode() + b"\0" + src.read_bytes())
    h.update(f"pandas {pd.__version__} pyarrow {pa.__version__} python {sys.version_info[:2]}".encode())
    return h.hexdigest()[:16]


def cache_key(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()}-{loader_version()}"


def _file(key: str) -> Path:
    return cache_dir() / f"{key}.frames"


# --- Who may have written it ---------------------------------------------------------------------


def _private(st: os.stat_result) -> bool:
    """Owned by this process's user and writable by nobody else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def trusted_folder(folder: Path) -> bool:
    """Whether copies may be read from and written to `folder` (followed if a link): a folder of ours that
    no other user can write. Says why in the log, once per folder, when not."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    if stat.S_ISDIR(st.st_mode) and _private(st):
        return True
    if str(folder) not in _WARNED:
        _WARNED.add(str(folder))
        _log.warning("frames cache folder %s not used: it must be a folder owned by uid %d that no other user "
                     "can write (found uid %d, mode %o); loading from the YAML", folder, os.geteuid(), st.st_uid,
                     stat.S_IMODE(st.st_mode))
    return False


# --- The format ------------------------------------------------------------------------------------


def _column_kind(s: pd.Series) -> str:
    """How to give a column back its type after Arrow: '' (as read), 'object' or 'tuple'."""
    if s.dtype != object:
        return ""
    first = next((v for v in s if v is not None), None)
    return "tuple" if isinstance(first, tuple) else "object"


def _encode(frames: Frames) -> bytes:
    header: dict = {"path": frames.path, "meta": frames.meta, "tables": {}}
    blobs, offset = [], 0
    for name in TABLES:
        df = getattr(frames, name)
        table = pa.Table.from_pandas(df, preserve_index=True)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as out:
            out.write_table(table)
        blob = sink.getvalue().to_pybytes()
        header["tables"][name] = {"start": offset, "size": len(blob), "columns": list(df.columns),
                                  "kinds": {c: k for c in df.columns if (k := _column_kind(df[c]))}}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return len(head).to_bytes(8, "big") + head + b"".join(blobs)


def _restore(column: pa.ChunkedArray, kind: str):
    """A column of Python objects as the frames hold it: strings and None, or tuples of strings."""
    if kind == "tuple":
        return [tuple(v) if v is not None else None for v in column.to_pylist()]
    return column.to_numpy(zero_copy_only=False)  # an object array of str and None, built in C


def _decode(payload: bytes) -> Frames:
    n = int.from_bytes(payload[:8], "big")
    header = json.loads(payload[8:8 + n].decode("utf-8"))
    body = memoryview(payload)[8 + n:]
    tables = {}
    for name in TABLES:
        spec = header["tables"][name]
        blob = body[spec["start"]:spec["start"] + spec["size"]]
        table = pa.ipc.open_stream(pa.BufferReader(blob)).read_all()
        kinds = spec["kinds"]
        df = table.drop_columns(list(kinds)).to_pandas() if kinds else table.to_pandas()
        # Python objects straight from Arrow (no pandas string column between), the frame built in one go
        objects = {col: pd.Series(_restore(table.column(col), kind), index=df.index, dtype=object)
                   for col, kind in kinds.items()}
        tables[name] = pd.DataFrame({c: objects[c] if c in objects else df[c] for c in spec["columns"]},
                                    index=df.index)
    return Frames(**tables, path=str(header["path"]), meta=dict(header["meta"]))


def read(key: str) -> Frames | None:
    """The frames stored under `key`, or None when there is no valid copy (or none we may trust)."""
    path = _file(key)
    if not trusted_folder(path.parent):
        return None
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                _log.warning("frames cache copy %s not used: not a private file of uid %d", path, os.geteuid())
                return None
            data = f.read()
    except OSError:
        return None
    head = MAGIC + key.encode() + b"\n"
    if not data.startswith(head) or len(data) < len(head) + 32 + 8:
        return None
    digest, payload = data[len(head):len(head) + 32], data[len(head) + 32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return _decode(payload)
    except Exception:  # noqa: BLE001 - any undecodable copy is simply not used
        return None


def write(key: str, frames: Frames) -> bool:
    """Store `frames` under `key` atomically; False (and nothing written) on any failure or untrusted folder."""
    try:
        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not trusted_folder(folder):
            return False
        payload = _encode(frames)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".frames")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, _file(key))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return True
    except (OSError, ValueError, TypeError, pa.ArrowException) as exc:
        _log.info("frames cache not written: %s", exc)
        return False


def load_frames_cached(path: str | os.PathLike | None = None, *, raw: bytes | None = None,
                       max_bytes: int | None = None) -> Frames:
    """`load_frames`, through the compiled copy when it matches the file's bytes and the loader.
    A file that fails validation raises DatasetError exactly as `load_frames` does (and is never stored)."""
    resolved = resolve_path(path)
    if raw is None:  # the caller did not read the file (too big, unreadable): the loader says why
        return load_frames(resolved, max_bytes=max_bytes)
    key = cache_key(raw)
    frames = read(key)
    if frames is not None:
        frames.path = str(resolved)
        return frames
    frames = load_frames(resolved, raw=raw, max_bytes=max_bytes)
    # Stored by a thread of its own, so a cache miss costs what a plain load costs (the frames are read-only);
    # not a daemon, so a process that exits right away still finishes the copy.
    writer = threading.Thread(target=write, args=(key, frames), name="frames-cache-write")
    _WRITERS.append(writer)
    writer.start()
    return frames


def flush() -> None:
    """Wait until every copy started by this process is written (tests, benchmarks)."""
    while _WRITERS:
        _WRITERS.pop().join()
