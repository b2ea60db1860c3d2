"""lib/throttle.py: each client address gets its share of script runs; a client over it waits, others do not."""

from __future__ import annotations

import threading
from pathlib import Path

from lib.throttle import Buckets, Turns, _take, client_address, wait_turn


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


# --- Giving way: a client over its share pauses while another client's run is drawn -------------------------


def test_a_client_over_its_share_gives_way_and_one_within_it_does_not():
    b = Buckets(rate=1.0, burst=8, clock=Clock())
    greedy, polite = {"X-Forwarded-For": "127.0.1.10"}, {"X-Forwarded-For": "127.0.1.50"}
    for _ in range(4):  # four quick runs: half the burst used
        assert _take(greedy, b, lambda s: None) == (0.0, False)
    assert _take(greedy, b, lambda s: None) == (0.0, True)  # the fifth: fewer than half its burst left
    assert _take(polite, b, lambda s: None) == (0.0, False)
    assert _take({}, b, lambda s: None) == (0.0, False)  # behind no proxy: never


def test_a_run_that_gives_way_waits_while_a_polite_run_is_drawn():
    turns = Turns(max_give_way=5.0)
    polite_on, polite_off, greedy_done = threading.Event(), threading.Event(), threading.Event()
    order = []

    def polite():
        with turns.run(gives_way=False):
            polite_on.set()
            assert turns.give_way() == 0.0  # a polite run never waits
            polite_off.wait(5)
            order.append("polite done")

    def greedy():
        polite_on.wait(5)
        with turns.run(gives_way=True):
            turns.give_way()  # blocks until the polite run is over
            order.append("greedy went on")
        greedy_done.set()

    threads = [threading.Thread(target=polite), threading.Thread(target=greedy)]
    for th in threads:
        th.start()
    assert not greedy_done.wait(0.3)  # still giving way: the polite run is on
    polite_off.set()
    for th in threads:
        th.join(5)
    assert order == ["polite done", "greedy went on"]


def test_giving_way_is_bounded_and_needs_someone_to_give_way_to():
    turns = Turns(max_give_way=0.2)
    with turns.run(gives_way=True):
        assert turns.give_way() == 0.0  # no polite run on: nothing to wait for
    held = threading.Event()
    release = threading.Event()

    def polite():
        with turns.run(gives_way=False):
            held.set()
            release.wait(5)

    th = threading.Thread(target=polite)
    th.start()
    held.wait(5)
    with turns.run(gives_way=True):
        first = turns.give_way()
        assert 0.15 < first < 2.0  # waited its budget, then went on
        assert turns.give_way() == 0.0  # the budget is spent: no second wait in the same run
    release.set()
    th.join(5)


def test_app_py_draws_inside_a_turn():
    # app.py's whole run (the wait and every checkpoint) is inside lib.throttle.turn(); the checkpoints are the
    # view computations and the charts
    import inspect

    from lib import blocks, ui
    app = (Path(__file__).parent.parent / "app.py").read_text(encoding="utf-8")
    assert "with turn():\n    main()" in app
    assert "give_way()" in inspect.getsource(ui.computed) and "give_way()" in inspect.getsource(blocks.chart_block)
