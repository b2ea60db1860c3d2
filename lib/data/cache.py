"""A compiled copy of the frames, so a cold start does not parse and check the YAML again.

The YAML stays the one source of truth. The copy is keyed by the SHA-256 of the YAML's exact bytes and by
the loader's own version (a hash of the source of every module of lib/data, and the pandas and Python
versions that write the copy): it is used only when both match, and rebuilt from the YAML, validated,
otherwise. A copy is never written for a file that fails validation, so a broken dataset always shows its
problems. The file holds a header (magic, key, SHA-256 of the payload) and the pickled frames; a copy whose
header or payload hash does not match (truncated, corrupted, another key's) is ignored and rebuilt.

Format: pickle (protocol 5), the standard library's own serialisation, because it gives back exactly the
frames the loader built (dtypes, tuples of source ids, lists of predecessors, dates with precision) in a
tenth of the time of the YAML; Parquet would need a conversion of every object column both ways. A pickle
runs code when loaded, so the cache is only ever read from the app's own folder (`.cache/` beside the
project, or $PROVINCES_CACHE_DIR), written by the app itself: whoever can write there can change the code.

Writes go to a temporary file in the same folder (from a thread, after the frames are returned), then
os.replace: never a half-written copy. Any failure
to read or write (read-only folder, full disk) falls back to the YAML, silently.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lib.data.frames import Frames, load_frames
from lib.data.read import ROOT, resolve_path

ENV_CACHE_DIR = "PROVINCES_CACHE_DIR"
MAGIC = b"PROVINCES-FRAMES\n"
_log = logging.getLogger(__name__)
_WRITERS: list[threading.Thread] = []


def cache_dir() -> Path:
    return Path(os.environ.get(ENV_CACHE_DIR) or ROOT / ".cache" / "frames")


@lru_cache(maxsize=1)
def loader_version() -> str:
    """A hash of everything that decides what the frames look like: the loader's code and the writers' versions."""
    h = hashlib.sha256()
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.name.encode() + b"\0" + src.read_bytes())
    h.update(f"pandas {pd.__version__} python {sys.version_info[:2]} pickle 5".encode())
    return h.hexdigest()[:16]


def cache_key(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()}-{loader_version()}"


def _file(key: str) -> Path:
    return cache_dir() / f"{key}.frames"


def read(key: str) -> Frames | None:
    """The frames stored under `key`, or None when there is no valid copy."""
    try:
        data = _file(key).read_bytes()
    except OSError:
        return None
    head = MAGIC + key.encode() + b"\n"
    if not data.startswith(head) or len(data) < len(head) + 32:
        return None
    digest, payload = data[len(head):len(head) + 32], data[len(head) + 32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        frames = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any undecodable copy is simply not used
        return None
    return frames if isinstance(frames, Frames) else None


def write(key: str, frames: Frames) -> bool:
    """Store `frames` under `key` atomically; False (and nothing written) on any failure."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        payload = pickle.dumps(Frames(frames.units, frames.indicators, frames.observations, frames.events,
                                      frames.sources, frames.regions, frames.targets, path=frames.path,
                                      meta=frames.meta),
                               protocol=5)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".frames")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, _file(key))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return True
    except (OSError, pickle.PicklingError) as exc:
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
