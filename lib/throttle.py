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


class Turns:
    """Which script runs are being drawn, and which of them give way: runs of clients within their share
    (`polite`) go first; a run of a client over it waits at each checkpoint while one of those is on."""

    def __init__(self, max_give_way: float = MAX_GIVE_WAY, clock: Callable[[], float] = time.monotonic):
        self.max_give_way, self.clock = max_give_way, clock
        self._cond = threading.Condition()
        self._polite = 0  # polite runs being drawn now
        self._mine = threading.local()  # this thread's run: (gives way, seconds given so far)

    @contextmanager
    def run(self, gives_way: bool) -> Iterator[None]:
        """Around one script run (app.py), in the thread that draws it."""
        self._mine.state = [gives_way, 0.0]
        if not gives_way:
            with self._cond:
                self._polite += 1
        try:
            yield
        finally:
            self._mine.state = [False, 0.0]
            if not gives_way:
                with self._cond:
                    self._polite -= 1
                    self._cond.notify_all()

    def give_way(self) -> float:
        """A checkpoint: a run that gives way waits here (sleeping, no CPU) while a polite run is drawn, within
        its budget. Returns the seconds waited (0 for a polite run, or with no one else on)."""
        state = getattr(self._mine, "state", None)
        if not state or not state[0] or state[1] >= self.max_give_way:
            return 0.0
        with self._cond:
            if self._polite == 0:  # no one to give way to
                return 0.0
            start = self.clock()
            self._cond.wait_for(lambda: self._polite == 0, timeout=self.max_give_way - state[1])
            waited = self.clock() - start
        state[1] += waited
        return waited


TURNS = Turns()


@contextmanager
def turn(headers=None, buckets: Buckets = BUCKETS, turns: Turns = TURNS,
         sleep: Callable[[float], None] = time.sleep) -> Iterator[float]:
    """app.py's whole run: wait while this client is over its share, then draw (giving way at each checkpoint
    while it stays over it). Yields the wait."""
    wait, gives_way = _take(headers, buckets, sleep)
    with turns.run(gives_way):
        yield wait


def give_way() -> float:
    """A checkpoint of the drawing run (lib.ui.computed, lib.blocks.chart_block): see Turns.give_way."""
    return TURNS.give_way()
