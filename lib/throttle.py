"""A fair share of one server for each client: script runs per client address, as a token bucket.

nginx (lib/replicas_nginx.py) limits what it can see: connections, websockets (8) and HTTP requests per client
address. It cannot see the script runs a browser asks for over an open websocket, and those are the cost: one
replica runs scripts on about one core. Eight tabs of one client clicking every second kept a replica busy and
another client's clicks waited behind theirs (bench/fairness.py: p95 3.5× its figure alone). Here each client
address may start RATE runs a second, BURST at once; a run beyond that waits its turn (at most MAX_WAIT s)
before it draws anything. A waiting run costs no CPU (the script's thread sleeps), so other clients go first.

The address is the last one in X-Forwarded-For, the one our own nginx added (a client can write the header's
first entries itself, never its last). Without the header (a server started directly, the tests, a laptop)
nothing waits: the limit belongs to the served deployment, behind nginx.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

RATE = 1.0  # script runs per second per client address, sustained: eight leaders clicking every 10 s use 0.8
BURST = 8.0  # runs at once: a page with its reruns, a leader's quick clicks, an office's leaders arriving together
MAX_WAIT = 10.0  # seconds a run waits at most (the debt of a client is capped at this)
IDLE_FORGET = 300.0  # a client silent this long is forgotten (its bucket would be full again anyway)


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
    """Called by app.py before it draws: wait while this client is over its share. Returns the wait."""
    if headers is None:
        import streamlit as st

        headers = st.context.headers
    key = client_address(headers)
    if key is None:
        return 0.0
    wait = buckets.reserve(key)
    if wait > 0:
        sleep(wait)
    return wait
