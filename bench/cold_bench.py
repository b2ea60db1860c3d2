"""Cold start: a fresh Python process that loads a dataset to its first Frames, as a restarted server does,
without the compiled copy (cache miss: parse, check, build, then store the copy) and with it (cache hit).
Each run is its own process; the figure is the wall time of the load inside it, and the process's peak
RSS (VmHWM of /proc/self/status: the high-water mark of this process's own memory; ru_maxrss would carry the
parent's peak across fork and exec, which is the benchmark's own 1.5 GB after the commune-scale file).
`python -m bench.cold_bench [FILE ...]` measures files alone."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from lib.data import load_frames_cached
t1 = time.perf_counter()
raw = Path(sys.argv[1]).read_bytes()
frames = load_frames_cached(sys.argv[1], raw=raw, max_bytes=10**12)
t2 = time.perf_counter()
from lib.data.cache import flush
flush()  # the copy is written by a thread after the load: not part of the load's time
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "units": len(frames.units),
                  "observations": len(frames.observations),
                  "peak_rss_mb": next(int(line.split()[1]) for line in open("/proc/self/status")
                                      if line.startswith("VmHWM:")) / 1024}))
"""


def _child(path: Path, cache: str) -> dict:
    env = {**os.environ, "PROVINCES_CACHE_DIR": cache, "PROVINCES_MAX_BYTES": str(10**12)}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(path: Path, repeats: int = 3) -> dict:
    """Median cold load without the copy (each run in an empty cache folder) and with it (warm folder)."""
    misses, hits, plain = [], [], []
    with tempfile.TemporaryDirectory(prefix="cold-") as tmp:
        Path(tmp, "blocked").write_text("a file where a folder should be: no copy can be read or written")
        for _ in range(repeats):  # what a cold start cost before the copy existed: the YAML only
            plain.append(_child(path, f"{tmp}/blocked/frames"))
        for k in range(repeats):
            misses.append(_child(path, f"{tmp}/miss{k}"))
        for _ in range(repeats):
            hits.append(_child(path, f"{tmp}/miss0"))  # the copy the first miss wrote
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    return {"units": hits[0]["units"], "observations": hits[0]["observations"],
            "yaml_only_load_s": med(plain, "load_s"), "yaml_only_peak_rss_mb": max(r["peak_rss_mb"] for r in plain),
            "miss_load_s": med(misses, "load_s"), "hit_load_s": med(hits, "load_s"),
            "import_s": med(hits, "import_s"),
            "miss_peak_rss_mb": max(r["peak_rss_mb"] for r in misses),
            "hit_peak_rss_mb": max(r["peak_rss_mb"] for r in hits)}


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or [ROOT / "data" / "provinces.yaml"]
    for p in paths:
        r = measure(p)
        print(f"{p.name}: {r['units']} units, {r['observations']} observations; YAML only (no copy possible) "
              f"{r['yaml_only_load_s']:.3f} s (peak RSS {r['yaml_only_peak_rss_mb']:.0f} MB); cache miss "
              f"{r['miss_load_s']:.3f} s (peak RSS {r['miss_peak_rss_mb']:.0f} MB), cache hit {r['hit_load_s']:.3f} s "
              f"(peak RSS {r['hit_peak_rss_mb']:.0f} MB); imports {r['import_s']:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
