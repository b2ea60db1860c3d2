"""lib/throttle.py: each client address gets its share of script runs; a client over it waits, others do not."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from lib.throttle import Buckets, Slots, _take, client_address, wait_turn


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


def test_runs_beyond_the_slots_wait_and_polite_ones_go_first():
    slots = Slots(n=1, max_wait=5)
    order, started = [], threading.Event()
    hold = threading.Event()

    def run(name, gives_way, ready=None):
        with slots.slot(gives_way):
            if ready:
                ready.set()
                hold.wait(5)
            order.append(name)

    first = threading.Thread(target=run, args=("first", False, started))
    first.start()
    started.wait(5)
    greedy = threading.Thread(target=run, args=("greedy", True))
    greedy.start()
    time.sleep(0.1)  # the greedy run queues first
    polite = threading.Thread(target=run, args=("polite", False))
    polite.start()
    time.sleep(0.1)
    assert order == [] and slots.busy == 1  # one slot: both wait
    hold.set()
    for th in (first, greedy, polite):
        th.join(5)
    assert order == ["first", "polite", "greedy"]  # the polite run jumped the queue
    assert slots.busy == 0


def test_a_run_over_its_share_hands_its_slot_to_a_waiting_polite_run():
    slots = Slots(n=1, max_wait=5, max_give_way=5)
    order = []
    greedy_in, polite_queued = threading.Event(), threading.Event()

    def greedy():
        with slots.slot(gives_way=True):
            greedy_in.set()
            polite_queued.wait(5)
            time.sleep(0.1)
            waited = slots.give_way()  # a checkpoint: the polite run is waiting
            order.append(("greedy went on", waited > 0))

    def polite():
        greedy_in.wait(5)
        polite_queued.set()
        with slots.slot(gives_way=False):
            assert slots.give_way() == 0.0  # a polite run never gives way
            order.append(("polite drawn", True))

    threads = [threading.Thread(target=greedy), threading.Thread(target=polite)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(5)
    assert order == [("polite drawn", True), ("greedy went on", True)]
    assert slots.busy == 0


def test_giving_way_needs_someone_to_give_way_to_and_is_bounded():
    slots = Slots(n=1, max_wait=5, max_give_way=0.2)
    with slots.slot(gives_way=True):
        assert slots.give_way() == 0.0  # nobody waiting
    # a polite run that never gets the slot back to the greedy one: the greedy run goes on after its budget
    slots = Slots(n=1, max_wait=5, max_give_way=0.2)
    release, greedy_in = threading.Event(), threading.Event()
    waits = []

    def polite():
        greedy_in.wait(5)
        with slots.slot(gives_way=False):
            release.wait(5)

    th = threading.Thread(target=polite)
    th.start()
    with slots.slot(gives_way=True):
        greedy_in.set()
        time.sleep(0.1)  # the polite run is queued
        waits.append(slots.give_way())
        waits.append(slots.give_way())
    release.set()
    th.join(5)
    assert 0.15 < waits[0] < 2.0 and waits[1] == 0.0  # its budget, once
    assert slots.busy == 0


def test_a_run_waits_for_a_slot_at_most_its_limit():
    slots = Slots(n=1, max_wait=0.2)
    with slots.slot():
        out, held = [], []

        def late():
            held.append(slots.slot())
            out.append(held[0].__enter__())

        th = threading.Thread(target=late)
        th.start()
        th.join(5)
        assert 0.15 < out[0] < 2.0 and slots.busy == 2  # went on beside the other
        held[0].__exit__(None, None, None)
    assert slots.busy == 0


def test_app_py_draws_inside_a_turn_and_a_slot():
    # app.py's whole run is inside lib.throttle.turn(), its drawing (not the dataset's loading) inside slot();
    # the checkpoints are the view computations and the charts
    import inspect

    from lib import blocks, ui
    app = (Path(__file__).parent.parent / "app.py").read_text(encoding="utf-8")
    assert "with turn():\n    main()" in app
    assert app.index("get_frames()") < app.index("with slot():")
    assert "give_way()" in inspect.getsource(ui.computed) and "give_way()" in inspect.getsource(blocks.chart_block)


def test_a_full_collection_waits_for_no_run_being_drawn_but_not_forever():
    """Python's full garbage collection (126–248 ms with the views' memory full) runs when no run is drawn,
    at most every IDLE_GC_EVERY s; on a server that is never idle, after FORCE_GC_AFTER s anyway."""
    from lib.throttle import IdleCollector, Slots

    now = [0.0]
    slots, collected = Slots(n=1, clock=lambda: now[0]), []
    c = IdleCollector(slots, every=20, force_after=120, clock=lambda: now[0], collect=collected.append)
    now[0] = 10
    assert not c.step()  # idle, but one ran 10 s ago
    now[0] = 21
    with slots.slot():  # a leader's run is being drawn
        assert not c.step() and collected == []
    assert c.step() and collected == [2]  # the run ended: now
    now[0] = 41
    with slots.slot():
        now[0] = 161  # 120 s after the last one, a run still being drawn (a server never idle)
        assert c.step() and collected == [2, 2]


def test_the_app_turns_off_automatic_full_collections_once():
    import gc

    from lib.throttle import NO_AUTOMATIC_FULL, collect_when_idle

    before = gc.get_threshold()
    first = collect_when_idle()  # its thread stays (a daemon), as in the served app
    assert collect_when_idle() is first  # one collector (and one thread) per process
    assert gc.get_threshold()[2] == NO_AUTOMATIC_FULL and gc.get_threshold()[:2] == before[:2]
