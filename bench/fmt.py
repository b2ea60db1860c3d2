"""How the benchmark prints seconds and bytes."""

from __future__ import annotations


def fmt_s(x) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.2f} ms" if x < 0.01 else f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def fmt_b(x) -> str:
    if x is None:
        return "—"
    for unit in ("B", "KB", "MB", "GB"):
        if x < 1024 or unit == "GB":
            return f"{x:.0f} {unit}" if unit == "B" else f"{x:.1f} {unit}"
        x /= 1024
    return ""
