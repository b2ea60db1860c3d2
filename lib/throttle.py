"""A fair share of one server for each client: script runs per client address, as a token bucket.

nginx (lib/replicas_nginx.py) limits what it can see: connections, websockets (8) and HTTP requests per client
address. It cannot see the script runs a browser asks for over an open websocket, and those are the cost: one
replica runs scripts on about one core. Eight tabs of one client clicking every second kept a replica busy and
another client's clicks waited behind theirs (bench/fairness.py: p95 3.5× its figure alone). Here each client
address may start RATE runs a second, BURST at once; a run beyond that waits its turn (at most MAX_WAIT s)
before it draws anything. A waiting run costs no CPU (the script's thread sleeps), so other clients go first.

A run of a client over its share also gives way: while any other client's run is being drawn, it pauses at
its next checkpoint (`give_way`: the start of the run and of the page, each sidebar control, each view
computation, each chart) until that run ends, at most MAX_GIVE_WAY s per run. A rate alone left the greedy
client's one run a second beside every polite click (a Python process runs one thread at a time: two runs at
once each go at half speed); now a polite click runs alone but for the rest of the step the greedy run was in.

The address is the last one in X-Forwarded-For, the one our own nginx added (a client can write the header's
first entries itself, never its last). Without the header (a server started directly, the tests, a laptop)
nothing waits: the limit belongs to the served deployment, behind nginx.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RATE = 1.0  # script runs per second per client address, sustained: eight leaders clicking every 10 s use 0.8
BURST = 8.0  # runs at once: a page with its reruns, a leader's quick clicks, an office's leaders arriving together
MAX_WAIT = 10.0  # seconds a run waits at most (the debt of a client is capped at this)
IDLE_FORGET = 300.0  # a client silent this long is forgotten (its bucket would be full again anyway)
OVER_SHARE = BURST / 2  # a client with fewer runs left in its bucket than this gives way to the others' runs
MAX_GIVE_WAY = 3.0  # seconds one run gives way at most, in all (others' runs never starve it)
# Script runs drawn at once in one process; the others wait their turn (see Slots). 50 sessions on one process
# (bench.loadgen, 2026-12-03): p95 1.62 s with 1, 2.07 s with 2, 2.39 s with 3, 7.8–9.3 s with no limit.
RUNS_AT_ONCE = 1
MAX_SLOT_WAIT = 30.0  # a run waits at most this long for a slot, then goes on anyway


class Buckets:
    """One token bucket per key; `reserve(key)` takes a token and says how long to wait for it."""

    def __init__(self, rate: float = RATE, burst: float = BURST, max_wait: float = MAX_WAIT,
                 clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.max_wait, self.clock = rate, burst, max_wait, clock
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def reserve(self, key: str) -> float:
        """Seconds the caller must wait before its run (0 while the client is within its share)."""
        with self._lock:
            now = self.clock()
            tokens, at = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate) - 1.0
            tokens = max(tokens, -self.max_wait * self.rate)  # a debt of at most max_wait
            self._state[key] = (tokens, now)
            if len(self._state) > 10_000:
                self._forget(now)
            return max(0.0, -tokens / self.rate)

    def left(self, key: str) -> float:
        """Runs left in the client's bucket now (negative: its debt)."""
        with self._lock:
            tokens, at = self._state.get(key, (self.burst, self.clock()))
            return min(self.burst, tokens + (self.clock() - at) * self.rate)

    def _forget(self, now: float) -> None:
        for k in [k for k, (_, at) in self._state.items() if now - at > IDLE_FORGET]:
            del self._state[k]


BUCKETS = Buckets()


def client_address(headers) -> str | None:
    """The client's address as our nginx saw it (the last entry of X-Forwarded-For), or None without one."""
    forwarded = (headers or {}).get("X-Forwarded-For") or ""
    last = forwarded.split(",")[-1].strip()
    return last or None


def wait_turn(headers=None, buckets: Buckets = BUCKETS, sleep: Callable[[float], None] = time.sleep) -> float:
    """Wait while this client is over its share (before anything is drawn). Returns the wait."""
    return _take(headers, buckets, sleep)[0]


def _take(headers, buckets: Buckets, sleep: Callable[[float], None]) -> tuple[float, bool]:
    """(the wait, whether the run gives way to others): a client behind no proxy never does either."""
    if headers is None:
        import streamlit as st

        headers = st.context.headers
    key = client_address(headers)
    if key is None:
        return 0.0, False
    wait = buckets.reserve(key)
    if wait > 0:
        sleep(wait)
    return wait, wait > 0 or buckets.left(key) < OVER_SHARE


class Slots:
    """At most `n` script runs drawn at once in one process; the others wait (sleeping) for a slot, runs of
    clients within their share first, then in order of arrival; and a run of a client over its share hands its
    slot to a waiting polite run at its next checkpoint (`give_way`), then waits for the next free one.

    One process runs Python one thread at a time. With 50 leaders' runs in flight at once (measured: 36
    script threads) every lock a run takes on its way — Streamlit's store of download buttons, the renderer's —
    became a convoy: each hand-over waited for the interpreter, and the process sat 20–50 % idle while runs
    took 6–9 s (py-spy dumps; bench/README.md). One at a time keeps the core busy without the convoy (the
    event loop still sends one run's messages while the next is drawn). And a greedy client's run no longer
    shares the interpreter with a polite click for longer than one step."""

    def __init__(self, n: int = RUNS_AT_ONCE, max_wait: float = MAX_SLOT_WAIT,
                 max_give_way: float = MAX_GIVE_WAY, clock: Callable[[], float] = time.monotonic):
        self.n, self.max_wait, self.max_give_way, self.clock = n, max_wait, max_give_way, clock
        self._lock = threading.Lock()
        self._busy = 0  # slots held
        self._queue: list[tuple[int, int, threading.Event]] = []  # a heap of (0 polite / 1 over share, arrival)
        self._arrival = itertools.count()
        self._mine = threading.local()  # this thread's run: [gives way, seconds given so far] while it holds one

    def _wait(self, priority: int, limit: float) -> float:
        """Take a free slot, or queue for one (at most `limit` s, then go on beside the others)."""
        with self._lock:
            if self._busy < self.n and not self._queue:
                self._busy += 1
                return 0.0
            entry = (priority, next(self._arrival), threading.Event())
            heapq.heappush(self._queue, entry)
        start = self.clock()
        if not entry[2].wait(limit):
            with self._lock:
                if entry in self._queue:  # not handed one meanwhile
                    self._queue.remove(entry)
                    heapq.heapify(self._queue)
                    self._busy += 1
        return self.clock() - start

    def _hand_on(self) -> None:
        """(under the lock) Give a held slot to the first in the queue, or free it."""
        if self._queue:
            heapq.heappop(self._queue)[2].set()
        else:
            self._busy -= 1

    @contextmanager
    def slot(self, gives_way: bool = False) -> Iterator[float]:
        """Around the drawing of one run; yields the seconds it waited for its slot."""
        waited = self._wait(int(gives_way), self.max_wait)
        self._mine.state = [gives_way, 0.0]
        try:
            yield waited
        finally:
            self._mine.state = None
            with self._lock:
                self._hand_on()

    def give_way(self) -> float:
        """A checkpoint: a run that gives way hands its slot to a waiting polite run, then waits for a slot
        again (within its budget). Returns the seconds waited (0 for a polite run, or with no one waiting)."""
        state = getattr(self._mine, "state", None)
        if not state or not state[0] or state[1] >= self.max_give_way:
            return 0.0
        with self._lock:
            if not self._queue or self._queue[0][0] != 0:  # no polite run waiting
                return 0.0
            heapq.heappop(self._queue)[2].set()  # our slot moves to the polite run (`busy` unchanged)
        waited = self._wait(1, self.max_give_way - state[1])
        state[1] += waited
        return waited

    @property
    def busy(self) -> int:
        return self._busy


SLOTS = Slots()
_GIVES_WAY = threading.local()  # what turn() decided for this thread's run, read by slot()


@contextmanager
def turn(headers=None, buckets: Buckets = BUCKETS, sleep: Callable[[float], None] = time.sleep) -> Iterator[float]:
    """app.py's whole run: wait while this client is over its share (before anything is drawn); whether its
    run then gives way is kept for `slot`. Yields the wait."""
    wait, gives_way = _take(headers, buckets, sleep)
    _GIVES_WAY.value = gives_way
    try:
        yield wait
    finally:
        _GIVES_WAY.value = False


def slot(slots: Slots | None = None) -> contextlib.AbstractContextManager:
    """app.py's drawing, once the dataset is read (a first visitor's "loading" message is never queued): one of
    the process's RUNS_AT_ONCE slots (see Slots)."""
    return (slots or SLOTS).slot(getattr(_GIVES_WAY, "value", False))


def give_way() -> float:
    """A checkpoint of the drawing run (the page and sidebar starts, lib.ui.computed, lib.blocks.chart_block)."""
    return SLOTS.give_way()


# --- Python's full collection, when no run is drawn ----------------------------------------------------------

# Python's full (generation 2) garbage collection walks every object the process holds. With the views' memory
# full (lib/memo.py) one took 126–248 ms (gc.callbacks in the server under bench.fairness, 2026-12-03: six in
# four minutes), started by whichever run allocated at that moment; a click drawn then waited for it (the
# fairness run of 23:48 UTC: polite p95 225 ms against 117 alone, 100 ms in a run the pauses missed). Automatic
# full collections are turned off (their threshold out of reach; the young generations are collected as
# before) and a thread runs one when no run is being drawn and IDLE_GC_EVERY s have passed — or after
# FORCE_GC_AFTER s whatever the load, so cyclic garbage never piles up on a server that is never idle.
IDLE_GC_EVERY = 30.0
FORCE_GC_AFTER = 120.0
NO_AUTOMATIC_FULL = 1_000_000_000  # gc threshold 2: full collections after this many middle ones (never)


class IdleCollector:
    """`step()` runs a full collection when it is due (see above); `start()` calls it every `poll` s."""

    def __init__(self, slots: Slots, every: float = IDLE_GC_EVERY, force_after: float = FORCE_GC_AFTER,
                 clock: Callable[[], float] = time.monotonic, collect: Callable[[int], int] = gc.collect,
                 poll: float = 0.25):
        self.slots, self.every, self.force_after, self.clock, self.collect = slots, every, force_after, clock, collect
        self.poll = poll
        self.last = clock()
        self.runs = 0

    def due(self) -> bool:
        since = self.clock() - self.last
        idle = self.slots.busy == 0 and not self.slots._queue
        return since >= self.force_after or (idle and since >= self.every)

    def step(self) -> bool:
        if not self.due():
            return False
        self.collect(2)
        self.last = self.clock()
        self.runs += 1
        return True

    def start(self) -> threading.Thread:
        def loop() -> None:
            while True:
                time.sleep(self.poll)
                self.step()

        th = threading.Thread(target=loop, name="full-gc-when-idle", daemon=True)
        th.start()
        return th


_COLLECTOR: list[IdleCollector] = []
_COLLECTOR_LOCK = threading.Lock()


def collect_when_idle() -> IdleCollector:
    """Once per process (app.py, at every run: only the first does anything): automatic full collections off,
    one when no run is drawn instead (IdleCollector)."""
    with _COLLECTOR_LOCK:
        if not _COLLECTOR:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, NO_AUTOMATIC_FULL)
            _COLLECTOR.append(IdleCollector(SLOTS))
            _COLLECTOR[0].start()
        return _COLLECTOR[0]
