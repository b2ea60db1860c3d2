"""The loader's work grows with the file, not faster (issue 24): the worst cases of size, counted in
operations, not seconds (speed is the benchmark's business).

- repeated keys near the 5 MB limit: every duplicate names its first line; that lookup used to scan the
  mapping's keys (a 4.9 MB file ran for over 20 minutes). Counted: comparisons and hashes of keys.
- a valid merger chain of 2,500 units (~0.6 MB): the cycle check walked the chain from each of its units
  (66 s for 0.9 MB). Counted: lookups in the units by code, over every check.
"""

from __future__ import annotations

import pytest

from lib.data import DatasetError, read
from lib.data import checks as C
from tests.hostile_scale import merger_chain_text, repeated_keys_text


class CountingKey(str):
    """A key that counts how often it is compared or hashed (what a scan or a lookup costs)."""

    ops = 0

    def __eq__(self, other):
        CountingKey.ops += 1
        return str.__eq__(self, other)

    def __hash__(self):
        CountingKey.ops += 1
        return str.__hash__(self)


def test_repeated_keys_cost_a_few_operations_each(monkeypatch):
    text = repeated_keys_text(4_900_000)
    assert 4_500_000 < len(text.encode()) < 5_000_000
    n = text.count("\n")  # key lines (each key written twice)
    plain = read._plain_value
    monkeypatch.setattr(read, "_plain_value",
                        lambda raw: CountingKey(v) if isinstance(v := plain(raw), str) else v)
    CountingKey.ops = 0
    with pytest.raises(DatasetError) as exc:
        read.read_document("repeated.yaml", raw=text.encode())
    assert exc.value.total == n // 2 - 1  # every repeat is a problem …
    assert exc.value.problems[0].message.endswith("(first at line 3)")  # … naming its first line
    assert CountingKey.ops <= 10 * n, CountingKey.ops  # … found by lookups, not scans (was ~n²/8)


class CountingDict(dict):
    ops = 0

    def __getitem__(self, key):
        CountingDict.ops += 1
        return super().__getitem__(key)

    def __contains__(self, key):
        CountingDict.ops += 1
        return super().__contains__(key)

    def get(self, key, default=None):
        CountingDict.ops += 1
        return super().get(key, default)


@pytest.mark.parametrize("n", [2_500])
def test_a_long_merger_chain_is_checked_in_linear_work(monkeypatch, n):
    text = merger_chain_text(n)
    assert len(text) > 500_000
    unique = C.Checks.unique

    def counting_unique(self, section, key, items):
        out = unique(self, section, key, items)
        return CountingDict(out) if section == "units" else out

    monkeypatch.setattr(C.Checks, "unique", counting_unique)
    CountingDict.ops = 0
    ds = C.load_dataset("chain.yaml", raw=text.encode())  # valid: no problem raised
    assert len(ds.units) == n + 4
    assert CountingDict.ops <= 20 * len(ds.units), CountingDict.ops  # was ~n²/2 (3 million) in the cycle check


def test_a_merger_cycle_at_the_end_of_a_long_chain_is_still_found():
    text = merger_chain_text(300).replace("{code: c299, admin_code: '50'", "{code: c299, successor: c150, "
                                          "valid_to: '1990-10-27', merged_on: '1990-10-28', admin_code: '50'", 1)
    with pytest.raises(DatasetError) as exc:
        C.load_dataset("chain.yaml", raw=text.encode())
    cycle = [p.message for p in exc.value.problems if "cycle" in p.message]
    assert len(cycle) == 1 and cycle[0].startswith("the mergers form a cycle: c150 → c151 → ")


def test_the_benchmarks_synthetic_dataset_passes_the_checks(tmp_path):
    """`python -m bench` measures synthetic datasets (bench/synth.py): a rule added to the loader must not leave
    them refused (the benchmark then measures nothing: a 63-basis rank dated after the merger did that once)."""
    from bench import synth
    from lib.data import load_frames

    frames = load_frames(synth.write(synth.SIZES[0], tmp_path))
    assert frames.units["era"].eq("post").any() and len(frames.observations) > 5000
