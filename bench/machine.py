"""Machine and package information stored with every result."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata

PACKAGES = ["streamlit", "plotly", "pandas", "numpy", "PyYAML", "pydantic", "kaleido", "playwright", "pyarrow"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_bytes() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _chromium() -> str | None:
    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20)
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else None
    except Exception:  # noqa: BLE001
        return None


def info() -> dict:
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_bytes": _ram_bytes(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "chromium": _chromium(),
        "load_average_at_start": os.getloadavg(),
    }
