"""The hosts that are not publishers of record (data/non_publishers.yaml). Split from lib.data.checks,
which re-exports these names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from lib.data.read import ROOT

NON_PUBLISHERS_PATH = ROOT / "data" / "non_publishers.yaml"


@lru_cache(maxsize=4)
def non_publishers(path: Path = NON_PUBLISHERS_PATH) -> dict[str, str]:
    """The hosts that are not publishers of record (data/non_publishers.yaml): {host: why}. A project file,
    not user input; a missing file is an empty list."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    return {str(h["host"]).lower(): str(h.get("why", "")) for h in doc.get("hosts", [])}


def non_publisher_of(url: str | None) -> tuple[str, str] | None:
    """(host, why) when the URL's host (or a domain above it) is on the non-publisher list."""
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return None
    listed = non_publishers()
    parts = host.split(".")
    for n in range(len(parts) - 1):
        name = ".".join(parts[n:])
        if name in listed:
            return name, listed[name]
    return None

