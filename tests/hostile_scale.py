"""Worst cases of size for the loader's checks (issue 24), generated: a file of repeated keys near the 5 MB
limit, and a valid file whose units form one merger chain of thousands of links. Used by
tests/test_scale.py and by hand (`python -m tests.hostile_scale DIR` writes both)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from tests.bad_datasets.corpus import BASE


def repeated_keys_text(target_bytes: int) -> str:
    """One mapping of n distinct keys, then the same n keys again: n duplicates, each naming its first line."""
    n = target_bytes // 26  # ~12.5 bytes a key line, each written twice
    keys = "".join(f"  k{i}: 1\n" for i in range(n))
    return "schema_version: 1\nx:\n" + keys + keys


def merger_chain_text(n: int) -> str:
    """base.yaml with `n` more units, each merged into the next one day later (c0 → c1 → … → c(n-1)), and
    one observation on the last: valid, ~330 bytes a link."""
    base = BASE.read_text(encoding="utf-8")
    day0 = dt.date(1990, 1, 1)
    units = []
    for i in range(n):
        start = day0 + dt.timedelta(days=i)
        fields = [f"code: c{i}", "admin_code: '50'", f"name: {{vi: Chuỗi {i}, en: Chain {i}}}",
                  f"full_name: Tỉnh Chuỗi {i}", "type: province", "region: r1",
                  f"valid_from: '{start}'" if i else "valid_from: null"]
        if i < n - 1:
            fields += [f"valid_to: '{start}'", f"successor: c{i + 1}", f"merged_on: '{start + dt.timedelta(days=1)}'",
                       "merger_source: s1"]
        units.append("  - {" + ", ".join(fields) + "}\n")
    obs = (f"  - {{unit: c{n - 1}, indicator: vc_endpoints, value: 1, date: '{day0 + dt.timedelta(days=n)}', "
           "source: s1, quote: 1 điểm cầu}\n")
    text = base.replace("observations:\n", "observations:\n" + obs, 1)
    return text.rstrip("\n") + "\n" + "".join(units)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    (out / "repeated-keys-4.9MB.yaml").write_text(repeated_keys_text(4_900_000), encoding="utf-8")
    (out / "merger-chain-1000.yaml").write_text(merger_chain_text(1_000), encoding="utf-8")
    (out / "merger-chain-3000.yaml").write_text(merger_chain_text(3_000), encoding="utf-8")
    for p in sorted(out.glob("*.yaml")):
        print(p, f"{p.stat().st_size:,} bytes")
