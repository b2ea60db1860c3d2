"""Fairness under load: one greedy client against a polite one, through nginx's per-client limits (issue 24).

The issue: 25 sessions from one client made its replica 11–23× slower for everyone else; nginx now gives a
client (an address) WS_PER_CLIENT websockets, CONN_PER_CLIENT connections and REQ_RATE requests, 429 beyond.
The question this answers: is the greedy client limited, and does another client's p95 stay within 1.5× of
its figure alone?

One cluster (`python -m lib.replicas --replicas 1`: nginx in front of one replica, as bench.loadgen runs it),
warmed like the other load runs. Then:
1. solo: the polite client (POLITE_SESSIONS sessions from one address, 127.0.1.50), each a leader: opens a
   shared link, then changes a filter (the period slider or the indicator box) after a pause of 2–5 s, for
   `--seconds`. Every click is timed from the rerun message to `script_finished`.
2. contended: the same polite client (the same seeds: the same links, pauses and clicks) while a greedy client
   from another address (127.0.1.10) tries to open 25 sessions at once, `--head` seconds before the polite one
   starts, each clicking like a leader (a page or a filter, half each) every 1–3 s until the polite one is done.
Before both, the polite client's clicks are sent once without pauses (untimed), so its filter combinations are
in the app's caches (lib.ui.computed) for both runs alike: solo first would otherwise warm them for contended.

    python -m bench.fairness                  # 90 s solo + 90 s contended (~4 min with start and warm-up)
    python -m bench.fairness --seconds 10     # a short smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import websockets.exceptions  # noqa: E402

from bench.fmt import fmt_s  # noqa: E402
from bench.loadgen import (  # noqa: E402
    LINK_FILTERS,
    PAGE_PATHS,
    Sampler,
    Servers,
    Session,
    SessionError,
    pct,
    settle,
    warm,
)

POLITE_SOURCE = "127.0.1.50"
GREEDY_SOURCE = "127.0.1.10"
POLITE_SESSIONS = 2
GREEDY_SESSIONS = 25  # the attack
POLITE_THINK = (2.0, 5.0)
GREEDY_THINK = (1.0, 3.0)
SECONDS = 90.0  # ~46 polite clicks per run: at 45 s (~22) its p95 was the second-slowest click, and one click moved it
QUICK_SECONDS = 15.0
HEAD = 5.0  # the greedy client's start before the polite one's (its first runs are over by then)
LIMIT = 1.5  # the target: polite p95 contended ≤ 1.5× solo
TIMEOUT = 60.0


# --- One client: sessions from one address ------------------------------------------------------------------


@dataclass
class Client:
    name: str
    source: str
    tried: int = 0  # sessions it tried to open
    opened: int = 0  # sessions whose websocket was accepted and whose first run finished
    refused: int = 0  # sessions refused with HTTP 429 (nginx's per-client limits)
    refused_at: dict = field(default_factory=dict)  # where: "page" (one of the GETs) or "websocket"
    first: list = field(default_factory=list)  # first-run latencies
    spans: list = field(default_factory=list)  # (start, end, "first" | "click") of every run (perf_counter)
    clicks: list = field(default_factory=list)  # click latencies (send → script_finished)
    errors: list = field(default_factory=list)  # anything else: exception elements, timeouts, closed sockets


def _refusal(exc: Exception) -> str | None:
    """'page' or 'websocket' when nginx answered 429 (the GETs raise SessionError, the handshake InvalidStatus)."""
    if "429" not in str(exc):
        return None
    return "page" if isinstance(exc, SessionError) else "websocket"


async def _open(c: Client, s: Session, path: str, query: str) -> bool:
    """Opens the session and runs its first page; False (counted) when refused or failed."""
    c.tried += 1
    try:
        await s.open(path, query)
    except (SessionError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        where = _refusal(exc)
        if where:
            c.refused += 1
            c.refused_at[where] = c.refused_at.get(where, 0) + 1
        else:
            c.errors.append(f"open: {type(exc).__name__}: {str(exc)[:160]}")
        return False
    r = await s.first_run(path)
    c.opened += 1
    c.first.append(r.seconds)
    _span(c, r.seconds, "first")
    if r.exceptions:
        c.errors.append(f"first run: exception element: {s.exception_texts[-1:]}")
    return True


def _span(c: Client, seconds: float, kind: str) -> None:
    end = time.perf_counter()
    c.spans.append((end - seconds, end, kind))


async def _pause(seconds: float, done: asyncio.Event | None) -> None:
    if done is None:
        await asyncio.sleep(seconds)
    else:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), seconds)


async def _click(s: Session, rng: random.Random, path: str, page_share: float):
    """A page change (share `page_share`, or when the page has no filter) or a filter change."""
    choices = s.filter_choices()
    if rng.random() < page_share or not choices:
        path = rng.choice([p for p in s.pages if p != path] or [path])
        return path, await s.change_page(path)
    return path, await s.change_filter(rng.choice(choices), rng)


async def leader(c: Client, base: str, rng: random.Random, *, think: tuple[float, float], page_share: float,
                 seconds: float, done: asyncio.Event | None = None, paced: bool = True,
                 timeout: float = TIMEOUT) -> None:
    """One session of client `c`: a shared link, then a click after each pause, until `seconds` have passed
    (no click would start after that) or `done` is set. `paced=False`: the same clicks without waiting
    (the pauses are still drawn and counted, so the clicks are those of a paced run, and at least as many)."""
    path, query = rng.choice(PAGE_PATHS), rng.choice(LINK_FILTERS)
    s = Session(base, timeout, source=c.source)
    t0, virtual, kind = time.perf_counter(), 0.0, "open"
    try:
        if not await _open(c, s, path, query):
            return
        kind = "click"
        while True:
            pause = rng.uniform(*think)
            virtual += pause
            if (time.perf_counter() + pause if paced else t0 + virtual) >= t0 + seconds:
                break
            if paced:
                await _pause(pause, done)
            if done is not None and done.is_set():
                break
            path, r = await _click(s, rng, path, page_share)
            c.clicks.append(r.seconds)
            _span(c, r.seconds, "click")
            if r.exceptions:
                c.errors.append(f"click: exception element: {s.exception_texts[-1:]}")
    except asyncio.CancelledError:
        c.errors.append(f"{kind} cut at the hard stop")
        raise
    except (SessionError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        c.errors.append(f"{kind}: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        await s.close()


def _rngs(name: str, n: int, seed: int) -> list[random.Random]:
    return [random.Random(f"{name}-{seed}-{i}") for i in range(n)]


async def _bounded(tasks: list[asyncio.Task], limit: float) -> None:
    """Waits for `tasks` at most `limit` seconds, then cancels what is left."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=limit)
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending, timeout=10)


# --- A phase: the polite client, alone or with the greedy one ------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, /proc/stat: busy = all but idle and iowait."""
    v = [float(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)


async def phase(base: str, *, seconds: float, seed: int, greedy: bool, head: float = HEAD,
                polite_sessions: int = POLITE_SESSIONS, greedy_sessions: int = GREEDY_SESSIONS,
                polite_think=POLITE_THINK, greedy_think=GREEDY_THINK, processes: dict | None = None,
                timeout: float = TIMEOUT) -> dict:
    polite = Client("polite", POLITE_SOURCE)
    rival = Client("greedy", GREEDY_SOURCE)
    sampler = Sampler(processes or {})
    sampling = asyncio.create_task(sampler.loop())
    usage0, load0, cpu0 = resource.getrusage(resource.RUSAGE_SELF), os.getloadavg(), machine_cpu()
    t0 = time.perf_counter()
    done = asyncio.Event()
    greedy_tasks = []
    try:
        if greedy:
            greedy_tasks = [asyncio.create_task(leader(rival, base, rng, think=tuple(greedy_think), page_share=0.5,
                                                       seconds=float("inf"), done=done, timeout=timeout))
                            for rng in _rngs("greedy", greedy_sessions, seed)]
            await asyncio.sleep(head)
        tp = time.perf_counter()
        await _bounded([asyncio.create_task(leader(polite, base, rng, think=tuple(polite_think), page_share=0.0,
                                                   seconds=seconds, timeout=timeout))
                        for rng in _rngs("polite", polite_sessions, seed)], seconds + timeout)
        polite_wall = time.perf_counter() - tp
        done.set()
        await _bounded(greedy_tasks, timeout)
    finally:
        done.set()
        sampling.cancel()
    wall = time.perf_counter() - t0
    usage1, cpu1 = resource.getrusage(resource.RUSAGE_SELF), machine_cpu()
    server = sampler.result(wall)
    own = (usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime)
    out = {"seconds": seconds, "wall_s": wall, "polite_wall_s": polite_wall, "head_s": head if greedy else 0.0,
           "polite": client_summary(polite), "server_cpu_pct_of_one_core": server["cpu_pct_of_one_core"],
           "server_cpu_pct_series": server["cpu_pct_series"], "loadgen_cpu_pct": 100 * own / wall,
           "machine_cpu_busy_pct": 100 * (cpu1[0] - cpu0[0]) / max(1.0, cpu1[1] - cpu0[1]),
           "load_before": load0, "load_after": os.getloadavg()}
    if greedy:
        out["greedy"] = client_summary(rival)
        out["overlap"] = overlap([sp for sp in polite.spans if sp[2] == "click"], rival.spans)
    return out


def client_summary(c: Client) -> dict:
    d = asdict(c)
    del d["spans"]
    d.update(clicks_n=len(c.clicks), click_p50_s=pct(c.clicks, 50), click_p95_s=pct(c.clicks, 95),
             click_max_s=max(c.clicks, default=None), first_p95_s=pct(c.first, 95),
             errors_n=len(c.errors), errors=c.errors[:20])
    return d


# --- The verdict (pure) ---------------------------------------------------------------------------------------


def overlap(mine: list, theirs: list) -> dict:
    """For each of `mine` (start, end, …): how many of `theirs` ran at the same time. One Python process runs
    one script at a time on the CPU (the GIL), so a click that shares it with k others waits for them."""
    counts = [sum(1 for t in theirs if t[0] < m[1] and m[0] < t[1]) for m in mine]
    return {"clicks": len(counts), "mean_in_flight": sum(counts) / len(counts) if counts else None,
            "share_overlapped": sum(1 for k in counts if k) / len(counts) if counts else None}



def verdict(solo_p95: float | None, contended_p95: float | None, polite_errors: int, *,
            limit: float = LIMIT) -> dict:
    """The issue's target: the polite client's p95 with the greedy one ≤ `limit` × its p95 alone, and no error
    of the polite client. 'n/a' when a p95 is missing (no click timed)."""
    if not solo_p95 or contended_p95 is None:
        return {"ratio": None, "limit": limit, "status": "n/a"}
    ratio = contended_p95 / solo_p95
    return {"ratio": ratio, "limit": limit, "status": "MET" if ratio <= limit and polite_errors == 0 else "MISSED"}


def limited(greedy: dict, ws_per_client: int) -> dict:
    """The greedy client is limited when it got at most `ws_per_client` sessions and the rest were refused
    with 429 (not lost to another error)."""
    tried, opened, refused = greedy["tried"], greedy["opened"], greedy["refused"]
    ok = opened <= ws_per_client and opened + refused == tried and (tried <= ws_per_client or refused > 0)
    return {"tried": tried, "opened": opened, "refused": refused, "allowed": ws_per_client,
            "status": "MET" if ok else "MISSED"}


def summarise(solo: dict, contended: dict, ws_per_client: int, limit: float = LIMIT) -> dict:
    errors = solo["polite"]["errors_n"] + contended["polite"]["errors_n"]
    return {"polite_p95_solo_s": solo["polite"]["click_p95_s"],
            "polite_p95_contended_s": contended["polite"]["click_p95_s"],
            "polite_errors": errors,
            "verdict": verdict(solo["polite"]["click_p95_s"], contended["polite"]["click_p95_s"], errors, limit=limit),
            "greedy_limited": limited(contended["greedy"], ws_per_client)}


# --- The run ----------------------------------------------------------------------------------------------------


def measure(seconds: float = SECONDS, *, head: float = HEAD, seed: int = 1, polite_sessions: int = POLITE_SESSIONS,
            greedy_sessions: int = GREEDY_SESSIONS, timeout: float = TIMEOUT, log=print) -> dict:
    """Starts nginx + 1 replica (bench.loadgen.Servers), warms it, then the polite client's untimed pass,
    solo, contended; returns the figures and the verdicts."""
    from lib.replicas import WS_PER_CLIENT

    kw = dict(seed=seed, polite_sessions=polite_sessions, greedy_sessions=greedy_sessions, timeout=timeout)
    out: dict = {"cores": os.cpu_count(), "load_at_start": os.getloadavg(), "ws_per_client": WS_PER_CLIENT,
                 "polite": {"source": POLITE_SOURCE, "sessions": polite_sessions, "think_s": list(POLITE_THINK)},
                 "greedy": {"source": GREEDY_SOURCE, "sessions": greedy_sessions, "think_s": list(GREEDY_THINK)},
                 "seconds": seconds, "head_s": head, "seed": seed}
    log("fairness: nginx + 1 replica")
    srv = Servers(1)
    try:
        out["warm_errors"] = asyncio.run(warm([u for u, _ in srv.replicas], timeout=timeout))
        log("fairness: the polite client's clicks once, unpaced (its filter combinations cached for both runs)")
        out["warm_pass"] = asyncio.run(_warm_pass(srv.url, seconds, seed, polite_sessions, timeout))
        settle(srv.processes())
        log(f"fairness: solo, the polite client alone for {seconds:.0f} s")
        out["solo"] = asyncio.run(phase(srv.url, seconds=seconds, greedy=False, processes=srv.processes(), **kw))
        settle(srv.processes())
        log(f"fairness: contended, {greedy_sessions} greedy sessions then the polite client for {seconds:.0f} s")
        out["contended"] = asyncio.run(phase(srv.url, seconds=seconds, greedy=True, head=head,
                                             processes=srv.processes(), **kw))
    finally:
        srv.stop()
    out["load_at_end"] = os.getloadavg()
    out.update(summarise(out["solo"], out["contended"], WS_PER_CLIENT))
    return out


async def _warm_pass(base: str, seconds: float, seed: int, sessions: int, timeout: float) -> dict:
    c = Client("polite (warm-up)", POLITE_SOURCE)
    await asyncio.gather(*(leader(c, base, rng, think=POLITE_THINK, page_share=0.0, seconds=seconds, paced=False,
                                  timeout=timeout) for rng in _rngs("polite", sessions, seed)))
    return {"clicks": len(c.clicks), "errors": c.errors[:5]}


# --- The table ----------------------------------------------------------------------------------------------------


def _load(x) -> str:
    return ", ".join(f"{v:.1f}" for v in x)


def _phase_line(name: str, ph: dict) -> str:
    p = ph["polite"]
    cpu = sum(v for k, v in ph["server_cpu_pct_of_one_core"].items() if k.startswith("replica"))
    peak = max(ph["server_cpu_pct_series"], default=0)
    return (f"  {name:<10}{p['clicks_n']:>7}{fmt_s(p['click_p50_s']):>9}{fmt_s(p['click_p95_s']):>9}"
            f"{fmt_s(p['click_max_s']):>9}{p['errors_n']:>7}{cpu:>11.0f} %{peak:>7} %{ph['loadgen_cpu_pct']:>8.0f} %"
            f"{ph['machine_cpu_busy_pct']:>8.0f} %  {ph['load_before'][0]:.1f} → {ph['load_after'][0]:.1f}")


def lines(r: dict) -> list[str]:
    """The printed table of a `measure` result."""
    v, g = r["verdict"], r["greedy_limited"]
    gr = r["contended"]["greedy"]
    ratio = f"{v['ratio']:.2f}×" if v["ratio"] is not None else "—"
    L = [f"FAIRNESS (bench.fairness: nginx + 1 replica; {r['cores']} cores; load average at start "
         f"{_load(r['load_at_start'])}, at end {_load(r['load_at_end'])})",
         f"  polite: {r['polite']['sessions']} sessions from {r['polite']['source']}, a filter change every "
         f"{r['polite']['think_s'][0]:.0f}–{r['polite']['think_s'][1]:.0f} s for {r['seconds']:.0f} s; greedy: "
         f"{r['greedy']['sessions']} sessions from {r['greedy']['source']}, {r['head_s']:.0f} s ahead, a page or "
         f"filter change every {r['greedy']['think_s'][0]:.0f}–{r['greedy']['think_s'][1]:.0f} s",
         f"  {'polite':<10}{'clicks':>7}{'p50':>9}{'p95':>9}{'max':>9}{'errors':>7}{'replica CPU':>13}{'peak/s':>9}"
         f"{'loadgen':>10}{'machine':>10}  load avg",
         _phase_line("solo", r["solo"]), _phase_line("contended", r["contended"]),
         f"  polite p95: solo {fmt_s(r['polite_p95_solo_s'])}, contended {fmt_s(r['polite_p95_contended_s'])}, "
         f"ratio {ratio}: target ≤ {v['limit']}× (and no polite error) {v['status'].lower()}; polite errors "
         f"{r['polite_errors']}",
         f"  greedy: tried {g['tried']}, opened {g['opened']} (allowed {g['allowed']}), refused {g['refused']} "
         f"(429 at {', '.join(f'{k} {n}' for k, n in sorted(gr['refused_at'].items())) or '—'}); clicks "
         f"{gr['clicks_n']}, p95 {fmt_s(gr['click_p95_s'])}, errors {gr['errors_n']}; limited: {g['status'].lower()}",
         "  replica CPU = % of one core over the phase (its tree; one Python process runs scripts on about one core: "
         "the GIL); peak/s = "
         "its busiest second; loadgen = this process; machine = all cores busy (other processes too)"]
    ov = r["contended"].get("overlap") or {}
    if ov.get("clicks"):
        L.insert(-1, f"  contended: a polite click ran beside {ov['mean_in_flight']:.1f} greedy runs on average "
                     f"({100 * ov['share_overlapped']:.0f} % of its clicks beside at least one), in one Python process")
    for name in ("solo", "contended"):
        L += [f"  ! polite, {name}: {e}" for e in r[name]["polite"]["errors"][:3]]
    L += [f"  ! greedy: {e}" for e in gr["errors"][:3]]
    L += [f"  ! warm-up: {e}" for e in r.get("warm_errors", [])[:2] + r.get("warm_pass", {}).get("errors", [])[:2]]
    return L


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fairness", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=SECONDS, help=f"each run's length (default {SECONDS:.0f})")
    ap.add_argument("--head", type=float, default=HEAD, help=f"the greedy client's head start (default {HEAD:.0f})")
    ap.add_argument("--greedy-sessions", type=int, default=GREEDY_SESSIONS)
    ap.add_argument("--polite-sessions", type=int, default=POLITE_SESSIONS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the result here")
    args = ap.parse_args(argv)
    result = measure(args.seconds, head=args.head, seed=args.seed, polite_sessions=args.polite_sessions,
                     greedy_sessions=args.greedy_sessions, log=lambda m: print(m, file=sys.stderr, flush=True))
    print("\n".join(lines(result)))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 1 if result["polite_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
