"""Performance benchmark of the dashboard.  Run from the project root:

    python -m bench                 # full run (~20 min on 2 cores, of which ~4.5 min of load, ~4 min of fairness)
    python -m bench --quick         # smoke check: fewer repeats, no commune-scale size, short load and fairness runs
    python -m bench --skip-browser  # no Chromium: no server RSS or browser figures
    python -m bench --skip-load     # no load run (many sessions on 1 and 2 replicas behind nginx), no fairness run

Prints a table and writes the same figures to bench/results/latest.json (with machine information).
Every time is the median of repeated runs; every ratio is measured within this one run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PROVINCES_MAX_BYTES", str(10**12))  # the size limit must not stop the synthetic files
warnings.filterwarnings("ignore")

from bench import machine, synth  # noqa: E402
from bench.fmt import fmt_b, fmt_s  # noqa: E402
from bench.targets import targets  # noqa: E402

REAL = ROOT / "data" / "provinces.yaml"
REAL_UNITS = ["quang-tri", "quang-binh", "lang-son", "quang-nam"]  # the founding preset of the 63 view


def _quiet_streamlit() -> None:
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _pick_units(frames) -> list[str]:
    """Four units of the 63 view: two predecessors of one new unit, one of another, one unchanged."""
    u = frames.units
    old = u[u["era"] == "pre"].sort_values("code")
    same = u[u["era"] == "both"].sort_values("code")
    groups = list(dict.fromkeys(old["successor"]))
    a = list(old.loc[old["successor"] == groups[0], "code"])[:2]
    b = list(old.loc[old["successor"] == groups[1], "code"])[:1]
    return a + b + list(same["code"])[:1]


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


_fmt_s, _fmt_b = fmt_s, fmt_b


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, skip the biggest size, short load run")
    ap.add_argument("--skip-browser", action="store_true", help="no server/browser measurements")
    ap.add_argument("--skip-load", action="store_true", help="no load run (bench.loadgen, bench.fairness)")
    ap.add_argument("--out", default=str(BENCH / "results" / "latest.json"))
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    _quiet_streamlit()

    result: dict = {"machine": machine.info(), "mode": "quick" if args.quick else "full",
                    "skip_browser": args.skip_browser, "datasets": {}, "notes": []}
    sizes = synth.SIZES[:2] if args.quick else synth.SIZES
    rep = {"real": 3 if args.quick else 5, "synth-63": 2 if args.quick else 3, "synth-700": 1 if args.quick else 2,
           "synth-3321": 1}
    page_rep = {"real": 3 if args.quick else 5, "synth-63": 3 if args.quick else 5,
                "synth-700": 2 if args.quick else 3, "synth-3321": 2}

    tmp = Path(tempfile.mkdtemp(prefix="provinces-bench-"))
    try:
        # --- synthetic data -----------------------------------------------------------------------------
        t = time.perf_counter()
        paths = {"real": REAL, **synth.write_all(tmp, sizes)}
        result["synth"] = {"dir": str(tmp), "generate_s": time.perf_counter() - t, "title": synth.SYNTH_TITLE,
                           "sizes": [s.__dict__ for s in sizes]}
        _log(f"synthetic files written to {tmp}")

        # --- 1. load + validate + frames; cached reload; 34-view combining ------------------------------
        from bench import combine_bench, load_bench

        frames_by, units_by = {}, {}
        for name, path in paths.items():
            _log(f"load {name}")
            res, frames = load_bench.measure(path, rep[name])
            d = result["datasets"].setdefault(name, {"path": str(path)})
            d["load"] = res
            if frames is None:
                continue
            frames_by[name] = frames
            units_by[name] = REAL_UNITS if name == "real" else _pick_units(frames)
            load_bench.warm_app_cache(path, frames)
            d["load"]["cached_reload"] = load_bench.cached_reload(path)
            _log(f"combine (34 view) {name}")
            d["combine34"] = combine_bench.measure(frames, 1 if args.quick or name == "synth-3321" else 3)
            d["normalise"] = combine_bench.measure_normalise(frames, 1 if name == "synth-3321" else 3)

        # --- 1b. cold start of a new process, without and with the compiled copy (lib/data/cache.py) -----
        from bench import cold_bench

        for name, path in paths.items():
            _log(f"cold start {name}")
            result["datasets"][name]["cold"] = cold_bench.measure(path, 1 if name == "synth-3321" else 3)

        # --- 2/3. AppTest: page script time after a filter change, figure bytes --------------------------
        from bench import apptest_bench

        _log("AppTest floor")
        result["floor_apptest"] = apptest_bench.floor(5 if args.quick else 9)
        for name in frames_by:
            _log(f"AppTest pages {name}")
            result["datasets"][name]["apptest"] = apptest_bench.pages(str(paths[name]), units_by[name], page_rep[name])
        if "real" in frames_by:
            _log("AppTest pages real, 34-unit view")
            real34 = list(frames_by["real"].units.loc[frames_by["real"].units["era"] == "post", "code"])[:3]
            result["datasets"]["real"]["apptest34"] = apptest_bench.pages(str(REAL), ["lang-son"] + real34,
                                                                          page_rep["real"], view="34")

        # --- 4. PNG export -----------------------------------------------------------------------------
        from bench import export_bench

        _log("PNG export")
        result["export"] = export_bench.measure(frames_by["real"], REAL_UNITS, 2 if args.quick else 3)

        from bench import map_bench

        _log("map (overview)")
        result["map"] = map_bench.measure(frames_by["real"], 3 if args.quick else 7)

        # --- 5/6. server RSS, browser ----------------------------------------------------------------------
        if args.skip_browser:
            result["notes"].append("--skip-browser: no server RSS or browser figures")
        else:
            _browser_part(result, paths, units_by, args)

        # --- 7. many sessions at once: 1 and 2 replicas behind nginx (bench.loadgen, no browser) ------------
        if args.skip_load:
            result["notes"].append("--skip-load: no load or fairness figures")
        else:
            _load_part(result, args)
            _fairness_part(result, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    result["wall_s"] = time.perf_counter() - t_start
    result["targets"] = targets(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
    print(table(result))
    print(f"\nJSON: {out}")
    return 0


def _browser_part(result: dict, paths: dict, units_by: dict, args) -> None:
    from playwright.sync_api import sync_playwright

    from bench import browser_bench as B

    logs = Path(tempfile.mkdtemp(prefix="provinces-bench-logs-"))
    repeats = 2 if args.quick else 3
    browser_res: dict = {}
    with sync_playwright() as pw:
        for name in ["floor"] + [n for n in paths if n in units_by]:
            _log(f"server + browser {name}")
            if name == "floor":
                srv = B.Server(B.FLOOR, log=logs / "floor.log")
            else:
                srv = B.Server(B.APP, str(paths[name]), log=logs / f"{name}.log")
            try:
                health = srv.wait_healthy()
                r = B.single_browser(pw, {name: srv}, units_by, repeats)[name]
                r["health_s"] = health
                browser_res[name] = r
            finally:
                srv.stop()
        from bench import page_bench

        _log("browser, per page: app, replay floor and one-chart bare app")
        try:
            result["browser_pages"] = page_bench.measure(pw, str(REAL), REAL_UNITS, 3 if args.quick else 5, log=_log)
        except Exception as exc:  # noqa: BLE001 - say so, keep the other figures
            result["browser_pages"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    result["browser"] = browser_res
    shutil.rmtree(logs, ignore_errors=True)


LOAD_SECONDS = {10: 15, 50: 25, 200: 30}  # per session count: sessions arrive over the first third
LOAD_QUICK_SECONDS = {10: 10}
LOAD_REPEAT = {(1, 50): 3}  # (replicas, sessions): consecutive runs, each printed and held to the target


def _load_part(result: dict, args) -> None:
    """Real data, `python -m lib.replicas` (nginx + N replicas) for N = 1 and 2; a bounded run per session
    count (bench.loadgen: each session opens a shared link, then changes page or filter every 5–15 s)."""
    from bench import loadgen

    seconds = LOAD_QUICK_SECONDS if args.quick else LOAD_SECONDS
    try:
        result["load"] = loadgen.measure([1, 2], list(seconds), seconds, log=_log,
                                         repeat={} if args.quick else LOAD_REPEAT)
    except Exception as exc:  # noqa: BLE001 - e.g. nginx missing: say so, keep the other figures
        result["load"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def _fairness_part(result: dict, args) -> None:
    """bench.fairness: a greedy client (25 sessions from one address) against a polite one, nginx + 1 replica."""
    from bench import fairness

    try:
        result["fairness"] = fairness.measure(fairness.QUICK_SECONDS if args.quick else fairness.SECONDS, log=_log)
    except Exception as exc:  # noqa: BLE001 - e.g. nginx missing: say so, keep the other figures
        result["fairness"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


# --- Table ----------------------------------------------------------------------------------------------


def _map_lines(r: dict) -> list[str]:
    mp = r.get("map") or {}
    return ["MAP (overview choropleth, real data, median build on a rerun; bytes of the figure JSON sent)"] + [
        f"  {view} view: build {_fmt_s(m['build_s'])}, figure JSON {_fmt_b(m['json_bytes'])}"
        + (f", on screen (geometry by URL) {_fmt_b(m['screen_json_bytes'])}" if "screen_json_bytes" in m else "")
        for view, m in mp.items()]


def _head_lines(r: dict) -> list[str]:
    m = r["machine"]
    return [f"Benchmark ({r['mode']}) · {m['date']} · {m['cpu_model']} · {m['cores']} cores · "
            f"{_fmt_b(m['ram_bytes'])} RAM · Python {m['python']} · load avg at start "
            f"{', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}",
            "packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + f" · {m.get('chromium')}", ""]


def _load_lines(r: dict) -> list[str]:
    L = ["1. LOAD  (median; ratio = load_frames / raw yaml.load CSafeLoader of the same file)",
         f"{'dataset':<12}{'file':>10}{'units':>7}{'obs':>9}{'raw parse':>11}{'load_frames':>13}{'ratio':>7}"
         f"{'cache hit':>11}  note"]
    for name, d in r["datasets"].items():
        ld = d.get("load", {})
        note = (["ERROR " + ld["error"][:80]] if ld.get("error") else []) + [f"n={len(ld.get('load_runs', []))}"]
        L.append(f"{name:<12}{_fmt_b(ld.get('bytes')):>10}{ld.get('units', '—'):>7}{ld.get('observations', '—'):>9}"
                 f"{_fmt_s(ld.get('raw_parse_s')):>11}{_fmt_s(ld.get('load_frames_s')):>13}"
                 f"{ld.get('ratio_vs_raw', 0):>6.1f}×{_fmt_s(ld.get('cached_reload', {}).get('hit_s')):>11}"
                 f"  {'; '.join(note)}")
    L.append("   cache hit = lib.ui.get_frames() (argv parse + stat + st.cache_resource lookup) outside a script run")
    return L


def _cold_lines(r: dict) -> list[str]:
    L = ["1b. COLD START of a new process (load to the first Frames; imports apart), lib/data/cache.py",
         f"{'dataset':<12}{'YAML only':>11}{'cache miss':>12}{'cache hit':>11}{'imports':>9}{'RSS YAML':>10}"
         f"{'RSS hit':>9}"]
    for name, d in r["datasets"].items():
        c = d.get("cold")
        if c:
            L.append(f"{name:<12}{_fmt_s(c['yaml_only_load_s']):>11}{_fmt_s(c['miss_load_s']):>12}"
                     f"{_fmt_s(c['hit_load_s']):>11}{_fmt_s(c['import_s']):>9}{c['yaml_only_peak_rss_mb']:>8.0f}MB"
                     f"{c['hit_peak_rss_mb']:>7.0f}MB")
    L += ["", "1b. 34-UNIT VIEW: lib.combine.combine_predecessors, once per dataset (then cached)"]
    for name, d in r["datasets"].items():
        c = d.get("combine34")
        if c:
            L.append(f"{name:<12} groups {c['groups']:>6}  derived {c['derived_values']:>6}  {_fmt_s(c['seconds']):>9}")
    L.append("1c. COMPARE PAGE: lib.charts.comparable_scores (4 units against every unit, per row year)")
    for name, d in r["datasets"].items():
        c = d.get("normalise")
        if c:
            L.append(f"{name:<12} rows {c['rows']:>6}  {_fmt_s(c['seconds']):>9}")
    return L + [""]


def _apptest_rows(label: str, at: dict, fl: dict) -> list[str]:
    if "pages" not in at:
        return [f"{label:<14}{'—':<12} {'; '.join(at.get('errors', []))[:100]}"]
    L = []
    for page, p in at["pages"].items():
        ratio = p["filter_change_s"] / fl["filter_change_s"] if fl.get("filter_change_s") else 0
        L.append(f"{label:<14}{page.split('/')[-1][:-3]:<12}{_fmt_s(p['filter_change_s']):>9}{ratio:>8.1f}×"
                 f"{_fmt_s(p.get('delivery_floor_s')):>9}{p.get('floor_ratio', 0):>8.2f}×"
                 f"{_fmt_s(p['switch_s']):>9}{p['charts']:>7}{_fmt_b(p['fig_bytes']):>10}  "
                 f"{len(p['errors']) or ''}")
    if "switch_view_s" in at:
        L.append(f"{'':<14}first switch to the 34 view (computes combined values): {_fmt_s(at['switch_view_s'])}")
    return L


def _apptest_lines(r: dict) -> list[str]:
    fl = r.get("floor_apptest", {})
    L = [f"2/3. PAGE SCRIPT after a filter change (AppTest .run(), median)  floor = bare page with one chart: "
         f"{_fmt_s(fl.get('filter_change_s'))}, {_fmt_b(fl.get('fig_bytes'))} figure JSON",
         "   delivery floor = the same page rerun, every chart replayed (lib.ui.computed): Streamlit's own cost",
         f"{'dataset':<14}{'page':<12}{'script':>9}{'× floor':>9}{'deliv.':>9}{'× deliv':>9}{'switch':>9}"
         f"{'charts':>7}{'fig JSON':>10}  errors"]
    for name, d in r["datasets"].items():
        for key in ("apptest", "apptest34"):
            if d.get(key):
                L += _apptest_rows(name + (" (34)" if key == "apptest34" else ""), d[key], fl)
    ex = r.get("export", {})
    L += ["", f"4. PNG EXPORT (lib.export.to_png, 2400×1350, real data, warm median)  cold first: "
              f"{_fmt_s(ex.get('cold_first_s'))}{'  ERROR ' + ex['error'] if ex.get('error') else ''}"]
    for key, c in ex.get("charts", {}).items():
        L.append(f"   {key:<20}{_fmt_s(c['warm_s']):>9}{_fmt_b(c['png_bytes']):>10}")
    return L + [""]


def _ratio_text(a, b) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def _browser_lines(r: dict) -> list[str]:
    br = r.get("browser")
    if not br:
        return []
    L = ["5/6. SERVER + BROWSER (streamlit run on 127.0.0.1; Chromium via Playwright; warm = new tab, "
         "server caches warm; filter→chart on the compare page)",
         f"{'server':<12}{'RSS idle':>10}{'peak RSS':>10}{'nav cold':>10}{'nav warm':>10}{'× bare':>8}"
         f"{'filter→chart':>14}{'× bare':>8}  note"]
    f = br.get("floor", {})
    for name, b in br.items():
        nw, fc = b.get("nav_warm_s"), b.get("filter_change_s")
        note = (b.get("error") or "") + (f" {b['exceptions']} stException" if b.get("exceptions") else "")
        L.append(f"{name:<12}{_fmt_b(b.get('rss_idle', {}).get('VmRSS')):>10}"
                 f"{_fmt_b(b.get('rss_end', {}).get('VmHWM')):>10}{_fmt_s(b.get('nav_cold_s')):>10}"
                 f"{_fmt_s(nw):>10}{_ratio_text(nw, f.get('nav_warm_s')):>8}{_fmt_s(fc):>14}"
                 f"{_ratio_text(fc, f.get('filter_change_s')):>8}  {note}")
    L.append("   peak RSS = VmHWM of the server process (kaleido's Chromium children not included)")
    return L + [""] + _page_lines(r)


def _page_lines(r: dict) -> list[str]:
    bp = r.get("browser_pages")
    if not bp:
        return []
    L = ["5b. FILTER CHANGE → EVERY CHART UPDATED, per page (real data; the period's end one year back and forth; "
         "median; bytes = websocket messages the server sent per change, median; wire = the same on the wire, "
         "compressed (bench/wire.py); new = a period not shown before)",
         f"{'page':<10}{'what':<8}{'change':>9}{'× replay':>10}{'× bare':>8}{'bytes':>10}{'new':>10}{'wire':>9}"
         f"{'new':>9}{'charts':>7}  note"]
    for page, p in bp.items():
        rep, bare = p.get("replay", {}).get("change_s"), p.get("bare", {}).get("change_s")
        for what in ("app", "replay", "bare"):
            x = p.get(what, {})
            v = x.get("change_s")
            L.append(f"{page:<10}{what:<8}{_fmt_s(v):>9}{_ratio_text(v, rep):>10}{_ratio_text(v, bare):>8}"
                     f"{_fmt_b(x.get('bytes')):>10}{_fmt_b(x.get('new_period_bytes')):>10}"
                     f"{_fmt_b(x.get('wire_bytes')):>9}{_fmt_b(x.get('new_period_wire_bytes')):>9}"
                     f"{x.get('charts', '—'):>7}"
                     f"  {x.get('error', '')}{' stException' if x.get('exceptions') else ''}")
    return L + [""]


def _loadgen_lines(r: dict) -> list[str]:
    ld = r.get("load")
    if not ld:
        return []
    if "error" in ld:
        return [f"7. LOAD: not measured: {ld['error']}", ""]
    from bench import loadgen

    L = [f"7. LOAD (bench.loadgen: Streamlit's websocket protocol, no browser; real data; nginx in front "
         f"of 1 and 2 replicas; each session opens a shared link, then a page or filter change every "
         f"{ld['think_s'][0]:.0f}–{ld['think_s'][1]:.0f} s; p50/p95 = every script run, from the rerun "
         f"message to script_finished; server CPU in % of one core; RSS = a replica's Python process; "
         f"PSS = all processes with the Chromium of image export)"]
    L += ["   " + line for line in loadgen.lines(ld)]
    for n, res in ld["replicas"].items():
        if res.get("warm_errors"):
            L.append(f"   ! warm-up of {n} replica(s): {res['warm_errors'][:2]}")
    return L + [""]


def _fairness_lines(r: dict) -> list[str]:
    fa = r.get("fairness")
    if not fa:
        return []
    if "error" in fa:
        return [f"8. FAIRNESS: not measured: {fa['error']}", ""]
    from bench import fairness

    return ["8. " + line.lstrip() if i == 0 else line for i, line in enumerate(fairness.lines(fa))] + [""]


def _target_lines(r: dict) -> list[str]:
    L = ["TARGETS"]
    for tg in r["targets"]:
        v = tg["value"]
        unit = tg.get("unit")
        fmt = (lambda x: f"{x:.2f}×") if unit == "×" else _fmt_b if unit == "B" else _fmt_s if unit == "s" else str
        vs = fmt(v) if isinstance(v, int | float) and unit in ("×", "B", "s") and v is not None else str(v)
        lim = fmt(tg["limit"]) if isinstance(tg["limit"], int | float) else str(tg["limit"])
        L.append(f"  {tg['status']:<7}{tg['target']:<72}{vs:>10} (limit {lim})  {tg['note']}")
    return L


def table(r: dict) -> str:
    L = _head_lines(r) + _load_lines(r) + _cold_lines(r) + _apptest_lines(r) + _browser_lines(r)
    L += _loadgen_lines(r) + _fairness_lines(r) + _target_lines(r)
    L.append(f"\nwall time {_fmt_s(r.get('wall_s'))}" + "".join(f"\nnote: {n}" for n in r.get("notes", [])))
    return "\n".join(L + [""] + _map_lines(r))


if __name__ == "__main__":
    sys.exit(main())
