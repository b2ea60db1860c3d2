"""Curator command: `python -m lib.validate [PATH]` prints a summary of the dataset, or every error.

Exit status 0 when the file is valid, 1 when it is not.
"""

from __future__ import annotations

import sys

from lib.data import DatasetError, Frames, load_frames, resolve_path
from lib.safe_text import terminal_text


def summary(frames: Frames) -> str:
    """Counts and coverage per indicator, as plain text."""
    obs = frames.observations
    lines = [
        f"{frames.path}: valid",
        f"  units:        {len(frames.units)} "
        f"({(frames.units.era == 'pre').sum()} until 30/06/2025, {(frames.units.era == 'post').sum()} from "
        f"01/07/2025, {(frames.units.era == 'both').sum()} unchanged)",
        f"  indicators:   {len(frames.indicators)}",
        f"  sources:      {len(frames.sources)}",
        f"  observations: {len(obs)}",
        f"  events:       {len(frames.events)}",
        f"  targets:      {len(frames.targets)} ({(frames.targets.scope == 'province').sum()} binding each province, "
        f"{(frames.targets.scope == 'national').sum()} national, shown as references)",
        "",
        "  coverage per indicator (observations, units, years):",
    ]
    for ind in frames.indicators.itertuples():
        rows = obs[obs.indicator == ind.id]
        years = f"{rows.year.min()}–{rows.year.max()}" if len(rows) else "—"
        lines.append(f"    {ind.id:<34} {len(rows):>4} obs  {rows.unit.nunique():>3} units  {years}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    path = resolve_path(argv[0] if argv else None)
    try:
        frames = load_frames(path)
    except DatasetError as exc:
        # Field names and values come from the file: control characters shown escaped, never obeyed
        print(terminal_text(f"{path}: {exc.total:,} problem(s) found"), file=sys.stderr)
        for problem in exc.problems:
            print(terminal_text(f"  {problem}"), file=sys.stderr)
        return 1
    print(terminal_text(summary(frames)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
