"""A realistic dataset for the 34-unit view, in which derived values occur (synthetic completions; tests only).

On the shipped data no new unit can be combined: wherever a predecessor has a count or a share for a year,
another predecessor lacks it (Quảng Bình's digital enterprises of 2023 beside Quảng Trị's 737, say). This
builder takes data/provinces.yaml as it is — its 86 units, its registry, its 954 values and sources — and, for
each such case whose rule allows combining, adds the missing predecessors' values (and, for a weighted
mean, every missing weight) for the same year, from one source marked SYNTHETIC. The real values stay as
they are; only the completions are invented, and only here.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lib.combine import STATUS_MISSING, STATUS_NO_WEIGHT, combine_predecessors
from lib.data import DEFAULT_PATH, load_frames

SOURCE = {"id": "synthetic_test_completion", "publisher": "SYNTHETIC TEST DATA — not real",
          "title": "Synthetic completion of the predecessors' values (tests/merger_fixture.py)",
          "url": "https://example.org/synthetic", "published": None, "accessed": "2026-11-22", "language": "en"}
QUOTE = "SYNTHETIC TEST VALUE — not real"


def _value(kind: str, n: int) -> float | int:
    """A plain synthetic value of the indicator's kind: counts 100, 101, …; percents 40.5, 41.5, … (≤ 100)."""
    return 100 + n if kind == "count" else 40.5 + n % 50


def completions(frames) -> list[dict]:
    """The observations that make every blocked sum or weighted mean of the real data combinable."""
    _, status = combine_predecessors(frames.observations, frames.units, frames.indicators)
    meta = frames.indicators.set_index("id")
    have = set(zip(frames.observations["unit"], frames.observations["indicator"], frames.observations["year"]))
    added: dict[tuple, dict] = {}

    def add(unit: str, indicator: str, year: int) -> None:
        key = (unit, indicator, year)
        if key not in have and key not in added:
            value = _value(meta.loc[indicator, "kind"], len(added))
            added[key] = {"unit": unit, "indicator": indicator, "value": value, "date": str(year),
                          "source": SOURCE["id"], "quote": QUOTE}

    for row in status[status["status"].isin([STATUS_MISSING, STATUS_NO_WEIGHT])].itertuples():
        for pred in row.predecessors:
            add(pred, row.indicator, int(row.year))
            if row.rule == "weighted_mean":
                add(pred, meta.loc[row.indicator, "weight"], int(row.year))
    return list(added.values())


def realistic_34_dataset(folder: Path) -> Path:
    """data/provinces.yaml plus the synthetic completions, written to `folder`; returns its path."""
    data = yaml.load(DEFAULT_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    data["sources"].append(dict(SOURCE))
    data["observations"].extend(completions(load_frames(DEFAULT_PATH)))
    path = folder / "realistic-34.yaml"
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
