"""Measure 1: load + validate + frames (lib.data.load_frames) against a raw CSafeLoader parse, and the
cost of the app's cached reload (lib.ui.get_frames on a cache hit)."""

from __future__ import annotations

import gc
import os
import statistics
import time
from pathlib import Path

import yaml

import lib.data as D

BIG = 10**12  # max_bytes for the synthetic files (the size limit must not stop them)


def measure(path: Path, repeats: int) -> tuple[dict, D.Frames | None]:
    """(figures, the last Frames) for one file; the raw parse and load_frames alternate, `repeats` each."""
    text = Path(path).read_text(encoding="utf-8")
    raw, full, frames, error = [], [], None, None
    for _ in range(repeats):
        # The baseline runs with the garbage collector off too, as lib.data's parse does: otherwise the
        # ratio would credit the loader with the GC time the raw parse pays (and that varies with the heap).
        gc.disable()
        try:
            t = time.perf_counter()
            yaml.load(text, Loader=yaml.CSafeLoader)
            raw.append(time.perf_counter() - t)
        finally:
            gc.enable()
        frames = None
        t = time.perf_counter()
        try:
            frames = D.load_frames(path, max_bytes=BIG)
        except D.DatasetError as exc:
            error = str(exc)[:400]
        full.append(time.perf_counter() - t)
        if error:
            break
    out = {
        "bytes": Path(path).stat().st_size,
        "raw_parse_s": statistics.median(raw), "raw_runs": raw,
        "load_frames_s": statistics.median(full), "load_runs": full,
        "ratio_vs_raw": statistics.median(full) / statistics.median(raw),
        "error": error,
    }
    if frames is not None:
        out.update(units=len(frames.units), observations=len(frames.observations), events=len(frames.events),
                   sources=len(frames.sources), indicators=len(frames.indicators))
    return out, frames


def warm_app_cache(path: Path, frames: D.Frames) -> None:
    """Put `frames` into lib.ui's st.cache_resource entry for this file, as if the app had loaded it
    (so AppTest in this process does not load a big file again). Uses the real cached function."""
    import lib.ui as U

    os.environ[D.ENV_PATH] = str(path)
    orig = U.load_frames_cached
    U.load_frames_cached = lambda p, *a, **k: frames
    try:
        U.get_frames()
    finally:
        U.load_frames_cached = orig


def cached_reload(path: Path, n: int = 300) -> dict:
    """What a rerun pays for the dataset: lib.ui.get_frames() (argv parse + stat + st.cache_resource hit),
    called outside a script run, through Streamlit's real cache. The cache must already hold the file."""
    import lib.ui as U

    os.environ[D.ENV_PATH] = str(path)
    f0, _ = U.get_frames()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f, _ = U.get_frames()
        times.append(time.perf_counter() - t)
    assert f is f0 and f is not None, "cache miss"
    return {"method": "lib.ui.get_frames() through st.cache_resource, outside a script run",
            "hit_s": statistics.median(times), "calls": n}
