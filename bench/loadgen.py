"""Load generator: many dashboard sessions at once, without a browser per session.

Each session does what the browser does (Streamlit 1.67's frontend, read from its bundle): GET the deep link
(keeping the cookies it is handed, so nginx's sticky cookie is really exercised), GET /_stcore/health and
/_stcore/host-config, open the websocket /_stcore/stream with the cookies and the `streamlit` subprotocol,
and send BackMsg `rerun_script` messages (Streamlit's own protobuf classes, `streamlit.proto`):
- the first run: the link's query string and page (`page_name` = the page's url path), the browser context;
- a page change: the target page's `page_script_hash` from the navigation message, the current query string
  (the app keeps the filters there: `page_info_changed`);
- a filter change: the widget id recorded from the run's delta messages (the period slider, the indicator
  box) with a new value in `widget_states`, as a click on that widget sends it.
Every run reads ForwardMsgs until `script_finished` (a run stopped for a rerun, e.g. by st.rerun, is waited
through). Like the browser, a session keeps Streamlit's message cache (`cached_message_hashes`, `ref_hash`).
Errors: an `exception` element, a "page not found", a run that does not finish in time, a refused
connection or a closed websocket, an HTTP status other than 200.

Every run is bounded: sessions start no new action after `--seconds`, stop after `--max-requests` script runs
in all, and everything is cancelled `--timeout` seconds after that (an unfinished run then counts as an
error). Only http://127.0.0.1 is accepted as a target.

    python -m bench.loadgen --replicas 1 --sessions 50 --seconds 30      # starts its own server(s) first
    python -m bench.loadgen --url http://127.0.0.1:8501 --sessions 5 --seconds 10   # a running one
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
import websockets.exceptions  # noqa: E402  (not loaded by `import websockets` alone)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from lib.navigation import PAGES  # noqa: E402

# Shared links as leaders send them (the example in docs/pages.md): a page, the founding four or a region's provinces.
LINK_FILTERS = [
    "lang=vi&view=63&units=quang-tri,quang-binh,lang-son,quang-nam&years=2016-2025&ind=dti_rank",
    "lang=vi&view=63&units=ha-noi,hai-phong,bac-ninh,quang-ninh&years=2018-2024",
    "lang=vi&view=34&units=quang-tri-2025,lang-son,hue,da-nang-2025&years=2020-2025",
    "lang=en&view=63&units=quang-tri,quang-binh,lang-son,quang-nam&years=2016-2025&ind=dti_rank",
]
PAGE_PATHS = ["" if p.default else p.url_path for p in PAGES]  # url paths of the pages ("" = the default)
PERIOD_LABELS = {"Giai đoạn", "Period"}  # lib.i18n "period": the period slider
INDICATOR_LABELS = {"Chỉ tiêu", "Indicator"}  # lib.i18n "indicator": the indicator box
SCATTER_Y_LABELS = {"Trục dọc", "Vertical axis"}  # lib.i18n "scatter_y": a control of the compare page's fragment
FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def check_target(url: str) -> tuple[str, int]:
    """The load may only go to this machine: http://127.0.0.1:PORT."""
    u = urlsplit(url)
    if u.scheme != "http" or u.hostname != "127.0.0.1" or not u.port:
        raise ValueError(f"refusing to load {url!r}: only http://127.0.0.1:PORT is allowed")
    return u.hostname, u.port


# --- HTTP ---------------------------------------------------------------------------------------------------


async def http_get(host: str, port: int, path: str, cookies: dict[str, str], timeout: float,
                   source: str | None = None) -> int:
    """One GET (HTTP/1.1, connection closed after it); stores the response's cookies in `cookies`.
    `source`: the local address to connect from (a loopback address 127.x.y.z: one simulated client)."""
    async def go() -> int:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
        try:
            head = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "User-Agent: provinces-loadgen",
                    "Accept: */*", "Connection: close"]
            if cookies:
                head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            await writer.drain()
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            while True:
                line = (await reader.readline()).decode("latin-1")
                if line in ("\r\n", "\n", ""):
                    break
                name, _, value = line.partition(":")
                if name.strip().lower() == "set-cookie":
                    k, _, v = value.strip().split(";", 1)[0].partition("=")
                    cookies[k.strip()] = v.strip()
            while await reader.read(65536):  # the body, until the server closes
                pass
            return status
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return await asyncio.wait_for(go(), timeout)


def client_address(idx: int) -> str:
    """The loopback address of simulated leader `idx` (127.0.1.1, 127.0.1.2, …): every leader is its own
    client to nginx, which limits connections and requests per client address (lib/replicas.py)."""
    return f"127.0.{1 + idx // 250}.{1 + idx % 250}"


# --- One session ----------------------------------------------------------------------------------------------


class SessionError(Exception):
    pass


@dataclass
class RunResult:
    seconds: float
    messages: int
    bytes: int
    exceptions: int


@dataclass
class Widget:
    kind: str  # the element type: slider, selectbox, …
    proto: object
    fragment: str = ""  # the st.fragment it was drawn in ("" = the page itself)


@dataclass
class _Run:
    """What one script run sent, as it arrives."""

    messages: int = 0
    bytes: int = 0
    exceptions: int = 0
    widgets: dict = field(default_factory=dict)
    headings: list = field(default_factory=list)


class Session:
    """One browser tab's conversation with the server."""

    def __init__(self, base: str, timeout: float, source: str | None = None):
        self.host, self.port = check_target(base)
        self.source = source  # the loopback address this tab connects from (nginx limits each address)
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.query_string = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path -> page_script_hash (from the navigation message)
        self.widgets: dict[str, Widget] = {}  # widget id -> its element of the last run
        self.sent_values: dict[str, object] = {}  # widget id -> the WidgetState we last set
        self.cache: dict[str, int] = {}  # message hash -> run count when last used (Streamlit's message cache)
        self.runs = 0
        self.max_age = 2
        self.exception_texts: list[str] = []
        self.headings: list[str] = []  # the headings of the last run (the page's title among them)
        self.session_id = ""  # the server's id of this session (from its first run)

    async def open(self, path: str, query: str) -> None:
        """What the browser does before the first run: the page, health, host config, the websocket."""
        target = f"/{path}?{query}" if query else f"/{path}"
        for p in (target, "/_stcore/health", "/_stcore/host-config"):
            status = await http_get(self.host, self.port, p, self.cookies, self.timeout, self.source)
            if status != 200:
                raise SessionError(f"GET {p.split('?')[0]}: HTTP {status}")
        headers = {"Origin": self.base}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        xsrf = self.cookies.get("_streamlit_xsrf")
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=protocols, additional_headers=headers,
                                           max_size=None, open_timeout=self.timeout, ping_interval=None,
                                           close_timeout=2,
                                           local_addr=(self.source, 0) if self.source else None)
        self.query_string = query
        self._url = f"{self.base}{target}"

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    def _client_state(self, msg: BackMsg) -> None:
        cs = msg.rerun_script
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "Asia/Ho_Chi_Minh", -420, "vi-VN"
        ci.url, ci.is_embedded, ci.color_scheme = self._url, False, "light"

    async def first_run(self, path: str) -> RunResult:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_name = path
        self._client_state(msg)
        return await self._run(msg)

    async def change_page(self, path: str) -> RunResult:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.pages[path]
        self._client_state(msg)
        self._add_widget_states(msg)
        return await self._run(msg)

    def filter_choices(self) -> list[str]:
        return [wid for wid, w in self.widgets.items()
                if (w.kind == "slider" and w.proto.label in PERIOD_LABELS)
                or (w.kind == "selectbox" and w.proto.label in INDICATOR_LABELS)]

    async def change_filter(self, wid: str, rng: random.Random) -> RunResult:
        """A click on the period slider (one end moved by a year) or the indicator box (another of the six
        best-covered indicators)."""
        w = self.widgets[wid]
        msg = BackMsg()
        if w.kind == "slider":  # one end (or the one thumb) moved by a step, inside the bounds
            vals = [float(v) for v in (w.proto.value if w.proto.set_value else w.proto.default)] or [w.proto.min]
            i = rng.randrange(len(vals))
            step = w.proto.step or 1
            lo = vals[i - 1] + step if i > 0 else w.proto.min
            hi = vals[i + 1] - step if i + 1 < len(vals) else w.proto.max
            moves = [v for v in (vals[i] - step, vals[i] + step) if lo <= v <= hi]
            if moves:
                vals[i] = rng.choice(moves)
            value = ("double_array_value", vals)
        else:
            opts = list(w.proto.options)
            current = w.proto.raw_value if w.proto.set_value else (opts[w.proto.default] if opts else "")
            best = sorted(opts, key=_coverage, reverse=True)[:6]
            value = ("string_value", rng.choice([o for o in best if o != current] or opts))
        self.sent_values[wid] = value
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.page_hash
        self._client_state(msg)
        self._add_widget_states(msg)
        return await self._run(msg)

    async def change_widget(self, wid: str, value: tuple[str, object], *, fragment: bool = True) -> RunResult:
        """A click on one widget: like the browser, a widget drawn in an st.fragment reruns that fragment
        only (`fragment_id`); `fragment=False` sends the same click as a whole-page rerun (the comparison)."""
        w = self.widgets[wid]
        self.sent_values[wid] = value
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self.page_hash
        if fragment and w.fragment:
            msg.rerun_script.fragment_id = w.fragment
        self._client_state(msg)
        self._add_widget_states(msg)
        return await self._run(msg)

    def _add_widget_states(self, msg: BackMsg) -> None:
        """Like the browser: the value of every widget on screen, the one set by a click or, untouched, the
        one its element carried (the browser registers it when the widget mounts)."""
        for wid, w in self.widgets.items():
            value = self.sent_values.get(wid) or shown_value(w.kind, w.proto)
            if value is None:
                continue
            ws = msg.rerun_script.widget_states.widgets.add()
            ws.id = wid
            kind, v = value
            if kind == "double_array_value":
                ws.double_array_value.data.extend(v)
            elif kind == "string_array_value":
                ws.string_array_value.data.extend(v)
            else:
                setattr(ws, kind, v)

    async def _recv(self, deadline: float) -> bytes:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise SessionError(f"run not finished after {self.timeout:.0f} s")
        try:
            return await asyncio.wait_for(self.ws.recv(), left)
        except TimeoutError:
            raise SessionError(f"run not finished after {self.timeout:.0f} s") from None

    def _element(self, fm: ForwardMsg, run: _Run) -> None:
        el = fm.delta.new_element
        etype = el.WhichOneof("type")
        if etype == "exception":
            run.exceptions += 1
            self.exception_texts.append(f"{el.exception.type}: {el.exception.message[:120]}")
        elif etype == "heading":
            run.headings.append(el.heading.body)
        elif etype in _WIDGETS:
            proto = getattr(el, etype)
            wid = getattr(proto, "id", "")
            if wid:
                run.widgets[wid] = Widget(etype, proto, fm.delta.fragment_id)

    def _session_message(self, fm: ForwardMsg, kind: str) -> bool:
        """Messages about the session and page; True when the run is over."""
        if kind == "new_session":
            self.page_hash = fm.new_session.page_script_hash
            self.session_id = fm.new_session.initialize.session_id or self.session_id
            self.max_age = fm.new_session.config.max_cached_message_age or self.max_age
        elif kind == "page_info_changed":
            self.query_string = fm.page_info_changed.query_string
        elif kind == "navigation":
            # the pages a reader can click: not a hidden one (the overview's own address, lib.navigation)
            self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages if not p.is_hidden}
            self.page_hash = fm.navigation.page_script_hash or self.page_hash
        elif kind == "page_not_found":
            raise SessionError(f"page not found: {fm.page_not_found.page_name!r}")
        elif kind == "script_finished":
            if fm.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise SessionError("script compile error")
            return fm.script_finished in FINISHED_OK  # FINISHED_EARLY_FOR_RERUN: another run follows
        return False

    def _message(self, data: bytes, run: _Run) -> bool:
        """One message of a run; True when the run is over."""
        fm = ForwardMsg()
        fm.ParseFromString(data)
        kind = fm.WhichOneof("type")
        if kind == "ref_hash":
            if fm.ref_hash not in self.cache:
                raise SessionError(f"cached message missing: {fm.ref_hash}")
            self.cache[fm.ref_hash] = self.runs
            return False
        if fm.metadata.cacheable and fm.hash:
            self.cache.setdefault(fm.hash, self.runs)
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            self._element(fm, run)
            return False
        return self._session_message(fm, kind)

    def _finish(self, msg: BackMsg, run: _Run) -> None:
        self.runs += 1
        self.cache = {h: r for h, r in self.cache.items() if self.runs - r <= self.max_age}
        # A fragment's run draws that fragment only: the rest of the page (and its widgets) stays on screen.
        self.widgets = {**self.widgets, **run.widgets} if msg.rerun_script.fragment_id else run.widgets
        self.headings = run.headings
        for wid in list(self.sent_values):  # the server set the widget's value: the browser shows that one
            w = run.widgets.get(wid)
            if w is not None and getattr(w.proto, "set_value", False):
                del self.sent_values[wid]

    async def _run(self, msg: BackMsg) -> RunResult:
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = _Run()
        deadline = t0 + self.timeout
        while True:
            data = await self._recv(deadline)
            run.messages += 1
            run.bytes += len(data)
            if self._message(data, run):
                break
        self._finish(msg, run)
        return RunResult(time.perf_counter() - t0, run.messages, run.bytes, run.exceptions)


_WIDGETS = {"slider", "selectbox", "multiselect", "radio", "button_group", "text_input", "checkbox",
            "download_button", "button", "plotly_chart"}


def _has(proto, name: str) -> bool:
    try:
        return proto.HasField(name)
    except ValueError:  # not an optional field: always "present"
        return True


def shown_value(kind: str, p) -> tuple[str, object] | None:
    """The WidgetState value the browser holds for a widget it has just drawn (its value when the server set
    one, else its default), in the widget's wire type (the value_type of its Python serde). Buttons hold
    none until clicked; a chart without selections holds none."""
    if kind == "slider":
        return "double_array_value", [float(v) for v in (p.value if p.set_value else p.default)]
    if kind in ("selectbox", "radio"):
        if p.set_value:
            return ("string_value", p.raw_value) if _has(p, "raw_value") else None
        return ("string_value", p.options[p.default]) if _has(p, "default") and p.options else None
    if kind == "multiselect":
        return "string_array_value", list(p.raw_values) if p.set_value else [p.options[i] for i in p.default]
    if kind == "button_group":
        return "string_array_value", (list(p.raw_values) if p.set_value
                                      else [p.options[i].content for i in p.default])
    if kind == "text_input":
        if p.set_value:
            return ("string_value", p.value) if _has(p, "value") else None
        return ("string_value", p.default) if _has(p, "default") else None
    if kind == "checkbox":
        return "bool_value", p.value if p.set_value else p.default
    return None


def _coverage(label: str) -> int:
    """'DTI · 63/63 · 2020–2024' -> 63 (units with data in the best year, as the indicator box shows it)."""
    m = re.search(r"(\d+)/\d+", label)
    return int(m.group(1)) if m else 0


# --- Many sessions ---------------------------------------------------------------------------------------------


@dataclass
class Stats:
    runs: list[tuple[str, float, float]] = field(default_factory=list)  # (kind, seconds, finished at)
    first_render: list[float] = field(default_factory=list)  # GET of the link -> first run finished
    errors: list[str] = field(default_factory=list)
    started: int = 0  # script runs sent
    bytes: int = 0
    messages: int = 0
    cut: int = 0  # runs cancelled at the hard stop


async def user(idx: int, base: str, rng: random.Random, stats: Stats, *, start_at: float, stop_at: float,
               max_requests: int, think: tuple[float, float], timeout: float, page_share: float = 0.5) -> None:
    """One leader: opens a shared link, then changes page or filter after a pause, until the run's end."""
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    if time.perf_counter() >= stop_at or stats.started >= max_requests:
        return
    path = rng.choice(PAGE_PATHS)
    s = Session(base, timeout, source=client_address(idx))
    kind = "connect"
    try:
        t0 = time.perf_counter()
        await s.open(path, rng.choice(LINK_FILTERS))
        stats.started += 1
        kind = "first"
        r = await s.first_run(path)
        _record(stats, "first", r, idx, s)
        stats.first_render.append(time.perf_counter() - t0)
        while True:
            pause = rng.uniform(*think)
            if time.perf_counter() + pause >= stop_at or stats.started >= max_requests:
                break  # the next click would come after the end of the run
            await asyncio.sleep(pause)
            choices = s.filter_choices()
            stats.started += 1
            if not choices or rng.random() < page_share:
                kind = "page"
                path = rng.choice([p for p in s.pages if p != path] or [path])
                r = await s.change_page(path)
            else:
                kind = "filter"
                r = await s.change_filter(rng.choice(choices), rng)
            _record(stats, kind, r, idx, s)
    except asyncio.CancelledError:
        stats.cut += 1
        stats.errors.append(f"session {idx}: {kind} run cut at the hard stop")
        raise
    except (SessionError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
        stats.errors.append(f"session {idx}: {kind}: {type(exc).__name__}: {str(exc)[:160]}")
    except Exception as exc:  # noqa: BLE001 - a bug of this generator: count it, never hide it
        stats.errors.append(f"session {idx}: {kind}: loadgen {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        await s.close()


def _record(stats: Stats, kind: str, r: RunResult, idx: int, s: Session) -> None:
    stats.runs.append((kind, r.seconds, time.perf_counter()))
    stats.bytes += r.bytes
    stats.messages += r.messages
    if r.exceptions:
        stats.errors.append(f"session {idx}: {kind}: {r.exceptions} exception element(s): "
                            + "; ".join(s.exception_texts[-r.exceptions:]))


def pct(xs: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank)."""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, -(-len(xs) * p // 100) - 1))]


# --- Server processes: CPU and RSS from /proc -------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid: int) -> list[int]:
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def proc_cpu_rss(pid: int) -> tuple[float, int]:
    """CPU seconds (user + system) and resident bytes of one process; (0, 0) when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK, int(fields[21]) * PAGE_SIZE


def proc_pss(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them, so a tree's sum is
    not inflated (Chromium's processes share most of their pages)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler:
    """CPU and memory of named process trees (a replica with the Chromium its image export keeps, nginx's
    master with its worker) during a run: CPU from /proc/PID/stat at the start and the end, memory sampled
    every `every` seconds (the root's RSS, the tree's PSS)."""

    def __init__(self, roots: dict[str, int], every: float = 1.0):
        self.roots, self.every = roots, every
        self.cpu0 = self._cpu()
        self.peak_rss = dict.fromkeys(roots, 0)
        self.peak_tree_pss = dict.fromkeys(roots, 0)
        self.samples = 0
        self.series: list[tuple[float, float]] = []  # (time, CPU seconds of all trees so far)

    def _cpu(self) -> dict[str, float]:
        return {name: sum(proc_cpu_rss(p)[0] for p in tree(pid)) for name, pid in self.roots.items()}

    def sample(self) -> None:
        for name, pid in self.roots.items():
            self.peak_rss[name] = max(self.peak_rss[name], proc_cpu_rss(pid)[1])
            self.peak_tree_pss[name] = max(self.peak_tree_pss[name], sum(proc_pss(p) for p in tree(pid)))
        self.samples += 1
        self.series.append((time.perf_counter(), sum(self._cpu().values())))

    async def loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.every)

    def result(self, wall: float) -> dict:
        cpu1 = self._cpu()
        cpu = {k: cpu1[k] - self.cpu0[k] for k in self.roots}
        return {"cpu_s": cpu, "cpu_pct_of_one_core": {k: 100 * v / wall for k, v in cpu.items()},
                "peak_rss_bytes": self.peak_rss, "peak_tree_pss_bytes": self.peak_tree_pss,
                "samples": self.samples, "cpu_pct_series": [
                    round(100 * (c1 - c0) / (t1 - t0)) for (t0, c0), (t1, c1) in zip(self.series, self.series[1:])]}


# --- A bounded run ----------------------------------------------------------------------------------------------


async def run_load(base: str, sessions: int, seconds: float, *, max_requests: int = 5000,
                   think: tuple[float, float] = (5.0, 15.0), ramp: float | None = None, timeout: float = 60.0,
                   seed: int = 1, processes: dict[str, int] | None = None) -> dict:
    """`sessions` users arrive over `ramp` seconds and click until `seconds` have passed or `max_requests`
    script runs were sent; runs in flight may finish during `timeout` more seconds, then all is cancelled."""
    check_target(base)
    ramp = seconds / 3 if ramp is None else ramp
    rng = random.Random(seed)
    stats = Stats()
    sampler = Sampler(processes or {})
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    stop_at = t0 + seconds
    tasks = [asyncio.create_task(user(i, base, random.Random(rng.random()), stats,
                                      start_at=t0 + ramp * i / max(1, sessions), stop_at=stop_at,
                                      max_requests=max_requests, think=think, timeout=timeout))
             for i in range(sessions)]
    sampling = asyncio.create_task(sampler.loop())
    try:
        _, pending = await asyncio.wait(tasks, timeout=seconds + timeout)
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.wait(pending, timeout=10)
    finally:
        sampling.cancel()
    wall = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    return summarise(stats, sessions=sessions, seconds=seconds, wall=wall, think=think, ramp=ramp,
                     max_requests=max_requests, timeout=timeout, server=sampler.result(wall),
                     loadgen_cpu_s=(usage1.ru_utime + usage1.ru_stime) - (usage0.ru_utime + usage0.ru_stime),
                     load_before=load0, load_after=os.getloadavg())


def summarise(stats: Stats, *, wall: float, **info) -> dict:
    """Latencies: from sending the rerun to `script_finished`, for every script run (`run_*`: a session's
    first page, its page changes and filter changes) and for the clicks alone (`click_*`); `first_render`
    also counts the HTTP requests and the websocket before the first run."""
    runs = [s for _, s, _ in stats.runs]
    clicks = [s for k, s, _ in stats.runs if k in ("page", "filter")]
    by_kind = {}
    for kind in ("first", "page", "filter"):
        xs = [s for k, s, _ in stats.runs if k == kind]
        by_kind[kind] = {"n": len(xs), "p50_s": pct(xs, 50), "p95_s": pct(xs, 95), "max_s": max(xs, default=None)}
    return {
        **info, "wall_s": wall, "runs": len(runs), "clicks": len(clicks), "sent": stats.started,
        "run_p50_s": pct(runs, 50), "run_p95_s": pct(runs, 95), "run_max_s": max(runs, default=None),
        "click_p50_s": pct(clicks, 50), "click_p95_s": pct(clicks, 95),
        "first_render_p50_s": pct(stats.first_render, 50), "first_render_p95_s": pct(stats.first_render, 95),
        "by_kind": by_kind, "throughput_runs_per_s": len(runs) / wall if wall else None,
        "errors": len(stats.errors), "error_list": stats.errors[:20], "cut_at_hard_stop": stats.cut,
        "messages": stats.messages, "bytes": stats.bytes,
    }


# --- Servers for a run: lib.replicas (nginx + N replicas) --------------------------------------------------------


class Servers:
    """`python -m lib.replicas --replicas N` (what `./dev start --replicas N` runs) on a free port; learns
    the pids and addresses it prints."""

    def __init__(self, replicas: int, env: dict | None = None, log: Path | None = None):
        from lib.replicas import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lib.replicas", "--replicas", str(replicas), "--port", str(self.port)],
            cwd=ROOT, env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.replicas: list[tuple[str, int]] = []  # (url, pid)
        self.nginx_pid: int | None = None
        self.access_log: Path | None = None
        self.lines: list[str] = []
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if m := re.match(r"replica \d+/\d+: (\S+) pid (\d+)", line):
                self.replicas.append((m.group(1), int(m.group(2))))
            elif m := re.match(r"nginx: pid (\d+), .* access log (\S+)", line):
                self.nginx_pid, self.access_log = int(m.group(1)), Path(m.group(2))
            elif line.startswith("serving "):
                break
        else:
            self.stop()
            raise RuntimeError("lib.replicas did not start:\n" + "\n".join(self.lines[-30:]))

    def processes(self) -> dict[str, int]:
        out = {f"replica {i + 1}": pid for i, (_, pid) in enumerate(self.replicas)}
        if self.nginx_pid:
            out["nginx"] = self.nginx_pid
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


async def warm(urls: list[str], timeout: float = 120) -> list[str]:
    """One visit per page and per link language to each replica directly (the caches a first visitor fills),
    so a run measures the steady state. Returns errors, if any."""
    errors = []
    for url in urls:
        for query in (LINK_FILTERS[0], LINK_FILTERS[-1]):
            s = Session(url, timeout)
            try:
                await s.open(PAGE_PATHS[0], query)
                r = await s.first_run(PAGE_PATHS[0])
                for path in PAGE_PATHS[1:]:
                    r = await s.change_page(path)
                    if r.exceptions:
                        errors.append(f"warm-up {url}/{path}: exception element")
            except (SessionError, OSError, websockets.exceptions.WebSocketException) as exc:
                errors.append(f"warm-up {url}: {exc}")
            finally:
                await s.close()
    return errors


async def local_control(url: str, repeats: int = 10, timeout: float = 60.0) -> dict:
    """A control that changes one part of a page: the compare page's vertical-axis box (its scatter section is
    an st.fragment). Each new value is sent twice in turn, as the browser sends it (the fragment alone) and as
    a whole-page rerun (what the same click cost before the fragment), `repeats` times each, one session."""
    s = Session(url, timeout)
    out: dict = {"fragment_s": [], "page_s": [], "fragment_bytes": [], "page_bytes": [], "errors": []}
    try:
        path = next(pp for pp in PAGE_PATHS if pp == "so-sanh")
        await s.open(path, LINK_FILTERS[0])
        await s.first_run(path)
        wid = next(w for w, x in s.widgets.items() if x.kind == "selectbox" and x.proto.label in SCATTER_Y_LABELS)
        if not s.widgets[wid].fragment:
            out["errors"].append("the vertical-axis box is not drawn in a fragment")
        options = list(s.widgets[wid].proto.options)
        for k in range(repeats):
            for fragment in (True, False):
                r = await s.change_widget(wid, ("string_value", options[(2 * k + fragment) % len(options)]),
                                          fragment=fragment)
                key = "fragment" if fragment else "page"
                out[f"{key}_s"].append(r.seconds)
                out[f"{key}_bytes"].append(r.bytes)
                if r.exceptions:
                    out["errors"].append(f"exception element: {s.exception_texts[-1:]}")
    except (SessionError, OSError, StopIteration, websockets.exceptions.WebSocketException) as exc:
        out["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        await s.close()
    for key in ("fragment", "page"):
        out[f"{key}_p50_s"] = pct(out[f"{key}_s"], 50)
    return out


def settle(processes: dict[str, int], limit: float = 20, idle_pct: float = 15) -> float:
    """Wait (at most `limit` s) until the servers are idle: the runs of the previous load are over."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        c0 = sum(proc_cpu_rss(p)[0] for pid in processes.values() for p in tree(pid))
        time.sleep(1)
        c1 = sum(proc_cpu_rss(p)[0] for pid in processes.values() for p in tree(pid))
        if 100 * (c1 - c0) < idle_pct:
            break
    return time.monotonic() - t0


def measure(replicas: list[int], sessions: list[int], seconds: dict[int, float], *, think=(5.0, 15.0),
            max_requests: int = 5000, timeout: float = 60.0, log=print, repeat: dict | None = None) -> dict:
    """For each replica count: start the servers (lib.replicas: nginx in front, even of one replica, so both
    counts pay the same proxy), warm them, then one bounded run per session count; `repeat` {(replicas,
    sessions): n}: n consecutive runs of that count (`repeats`; `runs` holds the first)."""
    out: dict = {"think_s": list(think), "timeout_s": timeout, "replicas": {}}
    for n in replicas:
        log(f"load: {n} replica(s) behind nginx")
        srv = Servers(n)
        try:
            res: dict = {"warm_errors": asyncio.run(warm([u for u, _ in srv.replicas])), "runs": {}}
            if n == replicas[0]:
                log("load: a control inside a fragment vs the same click as a page rerun")
                out["local_control"] = asyncio.run(local_control(srv.replicas[0][0], timeout=timeout))
            for k in sessions:
                every = []
                for i in range((repeat or {}).get((n, k), 1)):
                    settle(srv.processes())
                    log(f"load: {n} replica(s), {k} sessions, {seconds[k]:.0f} s (run {i + 1})")
                    # each repeat its own leaders (seed): a repeat of the same links and clicks would be
                    # served from the views' memory (lib/memo.py) and measure only the replay
                    every.append(asyncio.run(run_load(srv.url, k, seconds[k], think=think, timeout=timeout,
                                                      max_requests=max_requests, processes=srv.processes(),
                                                      seed=1 + i)))
                res["runs"][str(k)] = every[0]
                if len(every) > 1:
                    res.setdefault("repeats", {})[str(k)] = every
            out["replicas"][str(n)] = res
        finally:
            srv.stop()
    out["gain"] = gain(out)
    return out


def lines(result: dict) -> list[str]:
    """The table of a `measure` result."""
    f = _fmt
    L = [f"{'replicas':>8}{'sessions':>9}{'runs':>6}{'runs/s':>7}{'p50':>8}{'p95':>8}{'clicks p95':>11}"
         f"{'errors':>7}{'server CPU':>11}{'RSS/replica':>12}{'PSS all':>9}{'loadgen':>8}  load avg"]
    for n, res in result.get("replicas", {}).items():
        for k, r in [(c, x) for c, r0 in res["runs"].items() for x in res.get("repeats", {}).get(c, [r0])]:
            srv = r["server"]
            cpu = sum(srv["cpu_pct_of_one_core"].values())
            rss = max([v for name, v in srv["peak_rss_bytes"].items() if name.startswith("replica")], default=0)
            pss = sum(srv["peak_tree_pss_bytes"].values())
            L.append(f"{n:>8}{k:>9}{r['runs']:>6}{r['throughput_runs_per_s']:>7.2f}{f(r['run_p50_s']):>8}"
                     f"{f(r['run_p95_s']):>8}{f(r['click_p95_s']):>11}{r['errors']:>7}{cpu:>9.0f} %"
                     f"{rss / 2**20:>9.0f} MB{pss / 2**20:>6.0f} MB{100 * r['loadgen_cpu_s'] / r['wall_s']:>6.0f} %"
                     f"  {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f}")
            for e in r["error_list"][:3]:
                L.append(f"{'':>17}! {e}")
    for k, g in gain(result).items():
        L.append(f"2 replicas vs 1, {k} sessions: throughput ×{g['throughput_ratio']:.2f} "
                 f"({g['runs_per_s'][0]:.2f} → {g['runs_per_s'][1]:.2f} runs/s), p95 {f(g['p95_s'][0])} → "
                 f"{f(g['p95_s'][1])}")
    lc = result.get("local_control")
    if lc:
        kb = lambda xs: sum(xs) / len(xs) / 1024 if xs else 0  # noqa: E731
        L.append(f"a control inside a fragment (compare page, vertical axis): p50 {f(lc['fragment_p50_s'])}, "
                 f"{kb(lc['fragment_bytes']):.0f} KB; the same click as a page rerun: p50 {f(lc['page_p50_s'])}, "
                 f"{kb(lc['page_bytes']):.0f} KB" + (f"; errors: {lc['errors']}" if lc["errors"] else ""))
    return L


def gain(result: dict) -> dict:
    """Per session count measured with 1 and 2 replicas: throughput and p95 of each, and the ratio."""
    reps = result.get("replicas", {})
    if "1" not in reps or "2" not in reps:
        return {}
    out = {}
    for k, r1 in reps["1"]["runs"].items():
        r2 = reps["2"]["runs"].get(k)
        if r2 and r1["throughput_runs_per_s"]:
            out[k] = {"runs_per_s": [r1["throughput_runs_per_s"], r2["throughput_runs_per_s"]],
                      "throughput_ratio": r2["throughput_runs_per_s"] / r1["throughput_runs_per_s"],
                      "p95_s": [r1["run_p95_s"], r2["run_p95_s"]]}
    return out


def _fmt(x) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="an already running server (http://127.0.0.1:PORT); else --replicas starts one")
    ap.add_argument("--replicas", type=int, nargs="+", default=[1], help="replica counts to start (default 1)")
    ap.add_argument("--sessions", type=int, nargs="+", default=[10], help="concurrent sessions (default 10)")
    ap.add_argument("--seconds", type=float, nargs="+", default=[20],
                    help="no new click after this; one value, or one per session count (default 20)")
    ap.add_argument("--max-requests", type=int, default=5000, help="script runs in all, at most (default 5000)")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="pause between two clicks of one session, uniform in seconds (default 5 15)")
    ap.add_argument("--timeout", type=float, default=60, help="one run's limit; the hard stop after --seconds")
    ap.add_argument("--json", help="write the result here")
    args = ap.parse_args(argv)
    if len(args.seconds) not in (1, len(args.sessions)):
        ap.error("--seconds: one value, or one per session count")
    seconds = dict(zip(args.sessions, args.seconds * len(args.sessions) if len(args.seconds) == 1 else args.seconds))
    if args.url:
        check_target(args.url)
        result = {"url": args.url, "runs": {}}
        for k in args.sessions:
            result["runs"][str(k)] = asyncio.run(run_load(args.url, k, seconds[k], think=tuple(args.think),
                                                          max_requests=args.max_requests, timeout=args.timeout))
        table = {"replicas": {"?": result}}
    else:
        result = measure(args.replicas, args.sessions, seconds,
                         think=tuple(args.think), max_requests=args.max_requests, timeout=args.timeout,
                         log=lambda m: print(m, file=sys.stderr, flush=True))
        table = result
    print("\n".join(lines(table)))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    errors = sum(r["errors"] for res in table["replicas"].values() for r in res["runs"].values())
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
