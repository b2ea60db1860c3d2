"""lib/throttle.py: each client address gets its share of script runs; a client over it waits, others do not."""

from __future__ import annotations

from lib.throttle import Buckets, client_address, wait_turn


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_each_run_waits_its_turn():
    clock = Clock()
    b = Buckets(rate=1.0, burst=3, max_wait=10, clock=clock)
    assert [b.reserve("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert [b.reserve("a") for _ in range(3)] == [1.0, 2.0, 3.0]  # one run a second after the burst
    clock.now = 3.0  # the waits are over: the bucket is empty, not in debt
    assert b.reserve("a") == 1.0


def test_one_greedy_client_does_not_make_another_wait():
    b = Buckets(rate=1.0, burst=2, max_wait=10, clock=Clock())
    for _ in range(50):
        b.reserve("127.0.1.10")
    assert b.reserve("127.0.1.10") == 10.0  # capped: the debt is at most max_wait
    assert b.reserve("127.0.1.50") == 0.0


def test_a_quiet_client_gets_its_burst_back():
    clock = Clock()
    b = Buckets(rate=0.5, burst=2, max_wait=10, clock=clock)
    b.reserve("a"), b.reserve("a")
    assert b.reserve("a") == 2.0
    clock.now = 100.0
    assert b.reserve("a") == 0.0 and b.reserve("a") == 0.0


def test_the_address_is_the_one_our_nginx_added():
    # A client may write X-Forwarded-For itself; nginx appends the address it saw, last.
    assert client_address({"X-Forwarded-For": "1.2.3.4, 127.0.1.10"}) == "127.0.1.10"
    assert client_address({"X-Forwarded-For": "127.0.1.10"}) == "127.0.1.10"
    assert client_address({}) is None and client_address(None) is None


def test_without_a_proxy_nothing_waits():
    slept = []
    b = Buckets(rate=1.0, burst=1, clock=Clock())
    assert [wait_turn({}, b, slept.append) for _ in range(5)] == [0.0] * 5 and slept == []
    behind = {"X-Forwarded-For": "10.0.0.7"}
    assert [wait_turn(behind, b, slept.append) for _ in range(3)] == [0.0, 1.0, 2.0] and slept == [1.0, 2.0]
