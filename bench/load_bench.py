"""Measure 1: load + validate + frames (lib.data.load_frames) against a raw CSafeLoader parse, and the
cost of the app's cached reload (lib.ui.get_frames on a cache hit)."""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

import lib.data as D

BIG = 10**12  # max_bytes for the synthetic files (the size limit must not stop them)
NODE_LIMIT_PATCH = 50_000_000  # see patched_node_limit()


@contextmanager
def patched_node_limit(enabled: bool):
    """Raise lib.data.MAX_EXPANDED_NODES in this process only, and record what `_expanded_size` found.

    At commune scale the shipped limit (2,000,000 nodes) refuses a plain file with no aliases at all, so the
    benchmark can only measure that size with the limit raised; `seen` tells whether the shipped limit
    would have refused the file.
    """
    seen: dict = {}
    orig_limit, orig_fn = D.MAX_EXPANDED_NODES, D._expanded_size

    def recording(node):
        expanded, distinct = orig_fn(node)
        seen.update(expanded=expanded, distinct=distinct)
        return expanded, distinct

    D._expanded_size = recording
    if enabled:
        D.MAX_EXPANDED_NODES = NODE_LIMIT_PATCH
    try:
        yield seen
    finally:
        D._expanded_size = orig_fn
        D.MAX_EXPANDED_NODES = orig_limit


def refused_by_shipped_limit(seen: dict) -> bool:
    e, d = seen.get("expanded", 0), seen.get("distinct", 1)
    return e > D.MAX_EXPANDED_NODES or (e > 10_000 and e > D.MAX_EXPANSION_RATIO * d)


def measure(path: Path, repeats: int, *, patch_limit: bool) -> tuple[dict, "D.Frames | None"]:
    """(figures, the last Frames) for one file; the raw parse and load_frames alternate, `repeats` each."""
    text = Path(path).read_text(encoding="utf-8")
    raw, full, frames, error = [], [], None, None
    seen: dict = {}
    for _ in range(repeats):
        t = time.perf_counter()
        yaml.load(text, Loader=yaml.CSafeLoader)
        raw.append(time.perf_counter() - t)
        frames = None
        with patched_node_limit(patch_limit) as seen:
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
        "yaml_nodes": seen.get("expanded"),
        "refused_by_shipped_node_limit": refused_by_shipped_limit(seen),
        "node_limit_patched": patch_limit,
        "error": error,
    }
    if frames is not None:
        out.update(units=len(frames.units), observations=len(frames.observations), events=len(frames.events),
                   sources=len(frames.sources), indicators=len(frames.indicators))
    return out, frames


def warm_app_cache(path: Path, frames: "D.Frames") -> None:
    """Put `frames` into lib.ui's st.cache_resource entry for this file, as if the app had loaded it
    (so AppTest in this process does not load a big file again). Uses the real cached function."""
    import lib.ui as U

    os.environ[D.ENV_PATH] = str(path)
    orig = U.load_frames
    U.load_frames = lambda p, *a, **k: frames
    try:
        U.get_frames()
    finally:
        U.load_frames = orig


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
