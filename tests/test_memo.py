"""lib.memo.Memo: the views' shared memory (lib.ui.computed) is bounded by weight, least recently used out."""

import threading

import pytest

from lib.memo import Memo


def _compute(calls, value):
    def f():
        calls.append(value)
        return object()

    return f


def test_a_value_is_computed_once_and_then_replayed():
    memo, calls = Memo(budget=10), []
    first = memo.get("a", _compute(calls, "a"))
    assert memo.get("a", _compute(calls, "a")) is first
    assert calls == ["a"] and (memo.hits, memo.misses) == (1, 1)


def test_the_least_recently_used_entry_goes_first_when_the_weights_pass_the_budget():
    memo, calls = Memo(budget=3), []
    a = memo.get("a", _compute(calls, "a"))
    memo.get("b", _compute(calls, "b"))
    memo.get("c", _compute(calls, "c"))
    assert memo.get("a", _compute(calls, "a")) is a  # a used again: b is now the oldest
    memo.get("d", _compute(calls, "d"))  # 4 > 3: b goes
    assert len(memo) == 3 and memo.weight == 3
    memo.get("a", _compute(calls, "a"))
    memo.get("c", _compute(calls, "c"))
    assert calls == ["a", "b", "c", "d"]  # a and c replayed
    memo.get("b", _compute(calls, "b"))
    assert calls[-1] == "b" and memo.evicted == 2  # b recomputed, and d went for it


def test_a_heavy_entry_takes_the_room_of_several_light_ones():
    memo, calls = Memo(budget=10), []
    for k in range(8):
        memo.get(k, _compute(calls, k))
    memo.get("big", _compute(calls, "big"), weight=6)
    assert memo.weight <= 10 and "big" in memo._items
    assert sorted(k for k in memo._items if k != "big") == [4, 5, 6, 7]


def test_an_entry_heavier_than_the_budget_is_still_kept_alone():
    memo, calls = Memo(budget=2), []
    v = memo.get("huge", _compute(calls, "huge"), weight=5)
    assert memo.get("huge", _compute(calls, "huge")) is v and len(memo) == 1


def test_a_failed_computation_is_not_kept():
    memo, calls = Memo(budget=5), []

    def broken():
        calls.append("x")
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            memo.get("x", broken)
    assert calls == ["x", "x"] and len(memo) == 0


def test_two_runs_computing_one_key_at_once_replay_the_same_value():
    memo, out, started = Memo(budget=5), [], threading.Barrier(2)

    def slow():
        started.wait(5)
        return object()

    threads = [threading.Thread(target=lambda: out.append(memo.get("k", slow))) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert len(out) == 2 and out[0] is out[1] and len(memo) == 1


def test_a_shared_figure_reaches_the_browser_unchanged_and_is_converted_once():
    """lib.blocks.drawn: st.plotly_chart gets a replayed figure's dict made once (not Plotly's deep copy on
    every rerun); the chart the browser receives is the figure's own JSON, byte for byte."""
    from streamlit.testing.v1 import AppTest

    def script():
        import plotly.graph_objects as go
        import streamlit as st

        from lib.blocks import drawn

        fig = go.Figure(go.Bar(x=["Quảng Trị", "Hà Nội"], y=[0.4866, 0.6821], hovertext=["a", "b"]))
        fig.update_layout(title="DTI 2024", separators=",.")
        st.plotly_chart(fig, key="plain")
        d = drawn(fig)
        st.plotly_chart(d, key="drawn")
        st.session_state["once"] = drawn(fig) is d and d.to_dict() is d.to_dict()

    at = AppTest.from_function(script).run()
    plain, kept = (c.proto.spec for c in at.get("plotly_chart"))
    assert plain == kept and ("Quảng Trị" in plain or "Qu\\u1ea3ng Tr\\u1ecb" in plain)
    assert at.session_state["once"]
