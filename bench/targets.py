"""The benchmark's targets: each a figure of this run, its limit, and MET / MISSED / n/a."""

from __future__ import annotations

from collections.abc import Callable

from bench.fmt import fmt_b, fmt_s

Add = Callable[..., None]


def _adder(out: list[dict]) -> Add:
    def add(name, value, limit, met, note="", unit="s"):
        out.append({"target": name, "value": value, "limit": limit, "unit": unit,
                    "status": "n/a" if met is None else ("MET" if met else "MISSED"), "note": note})
    return add


def _delivery(add: Add, r: dict) -> None:
    for ds, limit in (("real", 1.25), ("synth-63", 1.25), ("synth-3321", 2.0)):
        at = r["datasets"].get(ds, {}).get("apptest", {})
        for page, p in at.get("pages", {}).items():
            name = page.split("/")[-1]
            for what, ratio, value, floor in (("period", "floor_ratio", "filter_change_s", "delivery_floor_s"),
                                              ("indicator", "indicator_ratio", "indicator_change_s",
                                               "indicator_floor_s")):
                if ratio in p:
                    add(f"{what} change ≤ {limit}× delivery floor ({ds}, {name})", p[ratio], limit,
                        p[ratio] <= limit and not p["errors"],
                        f"{fmt_s(p[value])} vs floor {fmt_s(p[floor])}", unit="×")


def _script(add: Add, r: dict) -> None:
    floor = r.get("floor_apptest", {}).get("filter_change_s")
    for ds in ("real", "synth-63"):
        at = r["datasets"].get(ds, {}).get("apptest", {})
        for page, p in at.get("pages", {}).items():
            v = p["filter_change_s"]
            add(f"page script ≤ 2× floor ({ds}, {page.split('/')[-1]})", v, 2 * floor if floor else None,
                (v <= 2 * floor and not p["errors"]) if floor else None, f"{v / floor:.1f}× floor" if floor else "")


def _commune(add: Add, r: dict) -> None:
    name = "page script ≤ 0.5 s at commune scale"
    at = r["datasets"].get("synth-3321", {}).get("apptest")
    if at is None:
        add(f"{name} (synth-3321)", None, 0.5, None, "size not run (--quick)")
    elif "pages" not in at:
        add(f"{name} (synth-3321)", None, 0.5, False, "; ".join(at.get("errors", [])))
    else:
        for page, p in at["pages"].items():
            v = p["filter_change_s"]
            add(f"{name} ({page.split('/')[-1]})", v, 0.5, v <= 0.5 and not p["errors"])


def _cold(add: Add, r: dict) -> None:
    big = r["datasets"].get("synth-3321", {}).get("cold")
    if big:
        v = big["hit_load_s"] + big["import_s"]
        add("cold start at commune scale with the compiled copy ≤ 1.5 s (load + imports)", v, 1.5, v <= 1.5)
    for name, d in r["datasets"].items():
        c = d.get("cold")
        if c:
            add(f"cache miss no slower than the YAML alone ({name}, ±10 %)", c["miss_load_s"],
                1.1 * c["yaml_only_load_s"], c["miss_load_s"] <= 1.1 * c["yaml_only_load_s"])


def _export(add: Add, r: dict) -> None:
    ex = r.get("export", {})
    if "error" in ex and not ex.get("charts"):
        add("warm PNG export ≤ 0.5 s per chart", None, 0.5, None, ex["error"])
    for key, c in ex.get("charts", {}).items():
        add(f"warm PNG export ≤ 0.5 s ({key})", c["warm_s"], 0.5, c["warm_s"] <= 0.5)


def _browser(add: Add, r: dict) -> None:
    br = r.get("browser")
    if not br:
        add("browser first chart ≤ 1.5× bare app", None, None, None, "browser skipped")
        return
    f = br.get("floor", {}).get("nav_warm_s")
    for ds, b in br.items():
        if ds != "floor":
            v = b.get("nav_warm_s")
            add(f"browser first chart ≤ 1.5× bare app ({ds})", v, 1.5 * f if f else None,
                v is not None and f is not None and v <= 1.5 * f,
                b.get("error") or (f"{fmt_s(v)} vs bare app {fmt_s(f)}: {v / f:.1f}×" if v and f else ""))


def _ratio(add: Add, name: str, a: dict, b: dict, limit: float, what: str) -> None:
    va, vb = a.get("change_s"), b.get("change_s")
    if va is None or vb is None:
        add(name, None, limit, None, a.get("error") or b.get("error") or "not measured")
        return
    add(name, va / vb, limit, va / vb <= limit and not a.get("exceptions"),
        f"{fmt_s(va)} vs {what} {fmt_s(vb)}", unit="×")


def _pages(add: Add, r: dict) -> None:
    """bench.page_bench: every chart updated after a filter change, per page, against its replay floor."""
    bp = r.get("browser_pages")
    if not bp or "error" in bp:
        add("browser: filter change → every chart updated ≤ 1.3× replay floor", None, 1.3, None,
            (bp or {}).get("error", "not run"))
        return
    for page, p in bp.items():
        _ratio(add, f"filter change → every chart updated ≤ 1.3× replay floor ({page})", p["app"], p["replay"], 1.3,
               "replay")
    ov = bp.get("overview", {})
    _ratio(add, "filter change → every chart updated ≤ 2× one-chart bare app (overview)", ov.get("app", {}),
           ov.get("bare", {}), 2.0, "bare app")
    app = ov.get("app", {})
    # On the wire (bench/wire.py): what the leader's connection carries, the messages compressed when the server
    # compresses its websocket (.streamlit/config.toml); the messages as Streamlit wrote them in the note.
    for key, what in (("bytes", "a period seen before"), ("new_period_bytes", "a period not seen before")):
        msg, wire = app.get(key), app.get(key.replace("bytes", "wire_bytes"))
        v = wire if wire is not None else msg
        note = ("not measured" if v is None else
                f"{fmt_b(wire)} on the wire, messages {fmt_b(msg)}" if wire is not None else f"messages {fmt_b(msg)}")
        add(f"bytes per filter change on the overview ≤ 60 KB ({what})", v, 60 * 1024,
            None if v is None else v <= 60 * 1024, note, unit="B")


def _load_run_note(x: dict) -> str:
    return (f"{x['errors']} errors; clicks p95 {fmt_s(x['click_p95_s'])}; {x['throughput_runs_per_s']:.2f} runs/s; "
            f"load avg {x['load_before'][0]:.1f}")


def _load(add: Add, r: dict) -> None:
    ld = (r.get("load") or {}).get("replicas", {})
    one = ld.get("1", {})
    runs = one.get("repeats", {}).get("50") or ([one["runs"]["50"]] if "50" in one.get("runs", {}) else [])
    if not runs:
        add("50 sessions on one process: p95 ≤ 1 s in 3 of 3 runs", None, 1.0, None,
            (r.get("load") or {}).get("error", "not in this run" if ld else "not run"))
    for i, x in enumerate(runs, 1):
        p95 = x["run_p95_s"]
        add(f"50 sessions on one process: p95 ≤ 1 s, no error (run {i} of {len(runs)})", p95, 1.0,
            p95 is not None and p95 <= 1.0 and x["errors"] == 0, _load_run_note(x))
    two = ld.get("2", {}).get("runs", {}).get("200")
    if two:
        p95 = two["run_p95_s"]
        add("200 sessions on 2 replicas: 0 errors, p95 ≤ 2 s", p95, 2.0,
            p95 is not None and p95 <= 2.0 and two["errors"] == 0, _load_run_note(two))
    else:
        add("200 sessions on 2 replicas: 0 errors, p95 ≤ 2 s", None, 2.0, None, "not in this run" if ld else "not run")


def _fairness(add: Add, r: dict) -> None:
    """bench.fairness: the polite client's p95 beside a greedy one, and the greedy one limited."""
    fa = r.get("fairness")
    name = "fairness: polite p95 beside a greedy client ≤ 1.5× alone, no error"
    if not fa or "error" in fa:
        add(name, None, 1.5, None, (fa or {}).get("error", "not run"), unit="×")
        return
    v, g = fa["verdict"], fa["greedy_limited"]
    add(name, v["ratio"], v["limit"], None if v["status"] == "n/a" else v["status"] == "MET",
        f"{fmt_s(fa['polite_p95_contended_s'])} vs {fmt_s(fa['polite_p95_solo_s'])}; {fa['polite_errors']} errors; "
        f"load avg {fa['contended']['load_before'][0]:.1f}", unit="×")
    add(f"fairness: greedy client ({g['tried']} sessions) held to {g['allowed']} websockets, the rest 429", g["opened"],
        g["allowed"], g["status"] == "MET", f"tried {g['tried']}, opened {g['opened']}, refused {g['refused']}",
        unit="sessions")


def targets(r: dict) -> list[dict]:
    out: list[dict] = []
    add = _adder(out)
    for part in (_delivery, _script, _commune, _cold, _export, _browser, _pages, _load, _fairness):
        part(add, r)
    add("full benchmark run ≤ ~10 min", r.get("wall_s"), 600, r.get("wall_s", 0) <= 660)
    return out
