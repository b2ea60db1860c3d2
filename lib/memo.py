"""A bounded memory of computed results, shared by every session of one process (lib.ui.computed).

Each entry has a weight (lib.ui.computed: the dataset's units per hundred, as a view's charts and tables grow
with the units they draw); the least recently used entries go when the weights pass the budget.

Why not `st.cache_resource(max_entries=96)`, as before: 96 entries were one greedy client's minute of clicks
(about five views per run), so its page changes evicted every other leader's views and their next click was
recomputed (bench.fairness, 2026-12-03: a polite click's CPU p90 56 ms alone, 198 ms beside a greedy client).
And a count of entries says nothing of their size: at the shipped dataset's scale one entry holds about
0.1–0.4 MB (the compare page's charts the most), at 3,321 communes tens of times more.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

# Weight units (lib.ui.computed: one per hundred units in the dataset; the shipped dataset's 86 units weigh 1).
# At the shipped scale 640 entries of ~0.1–0.4 MB (measured before a drawn figure kept its dict beside it,
# lib.blocks.drawn, which adds up to as much again): about 130–260 MB at most, beside the process's ~220 MB
# (deploy/k8s/dashboard.yaml: request 512 MiB, limit 1 GiB). At 3,321 communes (weight 33): 19 entries.
BUDGET = 640.0


class Memo:
    """get(key, compute, weight): the value kept for `key`, or compute() kept under `weight`."""

    def __init__(self, budget: float = BUDGET):
        self.budget = budget
        self._items: OrderedDict[Hashable, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.weight = 0.0
        self.hits = self.misses = self.evicted = 0

    def get(self, key: Hashable, compute: Callable[[], Any], weight: float = 1.0) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return item[0]
            self.misses += 1
        value = compute()  # outside the lock: other keys are served meanwhile
        with self._lock:
            item = self._items.get(key)
            if item is not None:  # computed meanwhile by another run: keep the first (replays stay identical)
                self._items.move_to_end(key)
                return item[0]
            self._items[key] = (value, weight)
            self.weight += weight
            while self.weight > self.budget and len(self._items) > 1:
                _, (_, w) = self._items.popitem(last=False)
                self.weight -= w
                self.evicted += 1
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.weight = 0.0

    def __len__(self) -> int:
        return len(self._items)
