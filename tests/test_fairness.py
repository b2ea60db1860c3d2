"""bench.fairness's verdicts, without a server: the issue's target (a polite client's p95 beside a greedy one
≤ 1.5× alone, no error), the greedy client's limit, and how the printed table and the targets report them."""

from __future__ import annotations

from bench import fairness
from bench.fairness import Client, client_summary, limited, overlap, summarise, verdict


def test_the_ratio_decides_and_an_error_of_the_polite_client_fails_it():
    assert verdict(0.2, 0.29, 0)["status"] == "MET"
    assert verdict(0.25, 0.375, 0)["status"] == "MET"  # exactly 1.5×
    missed = verdict(0.2, 0.32, 0)
    assert missed["status"] == "MISSED" and round(missed["ratio"], 6) == 1.6
    assert verdict(0.2, 0.2, 1)["status"] == "MISSED"
    assert verdict(None, 0.2, 0)["status"] == verdict(0.2, None, 0)["status"] == "n/a"


def test_the_greedy_client_is_limited_only_when_the_rest_was_refused():
    assert limited({"tried": 25, "opened": 8, "refused": 17}, 8)["status"] == "MET"
    assert limited({"tried": 25, "opened": 9, "refused": 16}, 8)["status"] == "MISSED"  # one too many
    assert limited({"tried": 25, "opened": 8, "refused": 10}, 8)["status"] == "MISSED"  # 7 lost to other errors
    assert limited({"tried": 25, "opened": 25, "refused": 0}, 8)["status"] == "MISSED"


def test_overlap_counts_the_runs_beside_each_click():
    mine = [(0.0, 1.0, "click"), (5.0, 6.0, "click")]
    theirs = [(0.5, 2.0, "first"), (0.9, 1.1, "click"), (1.0, 3.0, "click"), (7.0, 8.0, "click")]
    assert overlap(mine, theirs) == {"clicks": 2, "mean_in_flight": 1.0, "share_overlapped": 0.5}
    assert overlap([], theirs)["mean_in_flight"] is None


def _phase(clicks: list[float], greedy: Client | None = None) -> dict:
    polite = Client("polite", fairness.POLITE_SOURCE, tried=2, opened=2, clicks=clicks)
    out = {"polite": client_summary(polite), "server_cpu_pct_of_one_core": {"replica 1": 90.0, "nginx": 1.0},
           "server_cpu_pct_series": [80, 99], "loadgen_cpu_pct": 5.0, "machine_cpu_busy_pct": 100.0,
           "load_before": (4.0, 4.0, 4.0), "load_after": (5.0, 4.0, 4.0)}
    if greedy:
        out["greedy"] = client_summary(greedy)
        out["overlap"] = overlap([(0, 1, "click")], [(0.5, 2, "click")])
    return out


def test_a_missed_target_is_printed_as_missed_and_reported_in_the_targets():
    from bench.targets import targets

    greedy = Client("greedy", fairness.GREEDY_SOURCE, tried=25, opened=8, refused=17, refused_at={"websocket": 17},
                    clicks=[0.5, 1.0])
    solo, contended = _phase([0.1] * 17 + [0.2] * 3), _phase([0.1] * 17 + [0.4] * 3, greedy)  # p95: the 19th of 20
    r = {"cores": 2, "load_at_start": (4.0, 4.0, 4.0), "load_at_end": (5.0, 4.0, 4.0), "seconds": 45, "head_s": 5,
         "polite": {"source": fairness.POLITE_SOURCE, "sessions": 2, "think_s": [2, 5]},
         "greedy": {"source": fairness.GREEDY_SOURCE, "sessions": 25, "think_s": [1, 3]},
         "solo": solo, "contended": contended, **summarise(solo, contended, 8)}
    assert r["verdict"]["status"] == "MISSED" and r["verdict"]["ratio"] == 2.0
    text = "\n".join(fairness.lines(r))
    assert "ratio 2.00×: target ≤ 1.5× (and no polite error) missed" in text
    assert "tried 25, opened 8 (allowed 8), refused 17 (429 at websocket 17)" in text
    rows = {t["target"]: t for t in targets({"datasets": {}, "fairness": r}) if t["target"].startswith("fairness")}
    assert [t["status"] for t in rows.values()] == ["MISSED", "MET"], rows
    assert [t["status"] for t in targets({"datasets": {}}) if t["target"].startswith("fairness")] == ["n/a"]
