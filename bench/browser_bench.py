"""Measures 5–6: a real `streamlit run` server on 127.0.0.1 (peak RSS), and real Chromium through Playwright:
navigation → first chart, filter change → updated chart. (Many sessions at once: bench/loadgen.py, no browser.)"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP = str(ROOT / "app.py")
FLOOR = str(BENCH / "floor_app.py")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CHART = '[data-testid="stPlotlyChart"] .main-svg'
APP_STATE = '[data-testid="stApp"]'


from lib.navigation import PAGES  # noqa: E402 - the one list of pages (nothing parses app.py)
from lib.replicas import wait_healthy  # noqa: E402

PAGE_PATHS = {p.name: "" if p.default else p.url_path for p in PAGES}


# --- Server ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


class Server:
    """`streamlit run` (through bench/serve.py, same flags as ./dev start) on 127.0.0.1 and a free port."""

    def __init__(self, script: str, data: str | None = None, log: Path | None = None, env: dict | None = None):
        self.port = _free_port()
        env = {**os.environ, **(env or {})}
        if data:
            env["PROVINCES_DATA"] = str(data)
        env["PROVINCES_MAX_BYTES"] = str(10**12)
        self.log = open(log or os.devnull, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "serve.py"), script, str(self.port)],
                                     cwd=str(ROOT), env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait_healthy(self, timeout: float = 60) -> float:
        return wait_healthy(self.url.rstrip("/"), self.proc, timeout)

    def memory(self) -> dict:
        return proc_status(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


# --- Single browser --------------------------------------------------------------------------------


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)


PERIOD = "2016-2024"


def app_url(server: Server, page: str, units: list[str], view: str = "63") -> str:
    # The period ends in 2024, the last year of DTI data, so that moving its end changes what the charts show.
    return f"{server.url}{PAGE_PATHS[page]}?view={view}&units={','.join(units)}&years={PERIOD}"


def navigate(context, url: str, timeout_ms: float = 300_000) -> tuple[float, object]:
    """Seconds from goto() to the first Plotly chart drawn (its SVG visible); returns the open page."""
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)
    return time.perf_counter() - t0, page


def _exceptions(page) -> int:
    return page.locator('[data-testid="stException"]').count()


# What the charts on screen show: the text of every drawn Plotly chart (titles, ticks, labels). The app's
# charts carry their titles outside the SVG, so a change of the period shows in their axes, not in a title.
CHARTS_TEXT = ("() => Array.from(document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg'))"
               ".map(e => e.textContent).join('|')")


def filter_changes(page, n: int, timeout_ms: float = 120_000) -> list[float]:
    """Move the end of the period one year back, then forward, n times in all; time each until what the charts
    show has changed and the script run has ended (the updated figures are drawn). Same for app and floor."""
    thumb = page.get_by_test_id("stSlider").get_by_role("slider").last
    times = []
    for k in range(n):
        old = page.evaluate(CHARTS_TEXT)
        thumb.focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowLeft" if k % 2 == 0 else "ArrowRight")
        page.wait_for_function(
            f"old => ({CHARTS_TEXT})() !== old && !document.querySelector("
            "'[data-testid=\"stApp\"][data-test-script-state=\"running\"]')", arg=old, timeout=timeout_ms)
        times.append(time.perf_counter() - t0)
    return times


def single_browser(pw, servers: dict, units_by: dict, repeats: int) -> dict:
    """servers: name -> Server (already healthy); 'floor' is the bare app. Returns per name:
    cold and warm navigation to the first chart, filter-change → updated chart, RSS after loading."""
    browser = launch(pw)
    out = {}
    try:
        for name, server in servers.items():
            res: dict = {"rss_idle": server.memory()}
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            if name == "floor":
                nav_url = cmp_url = server.url
            else:
                nav_url = app_url(server, "overview", units_by[name])
                cmp_url = app_url(server, "compare", units_by[name])
            try:
                cold, page = navigate(context, nav_url)
                res["nav_cold_s"] = cold  # includes loading the dataset into the server
                res["rss_after_load"] = server.memory()
                res["exceptions"] = _exceptions(page)
                page.close()
                warm = []
                for _ in range(repeats):
                    t, page = navigate(context, nav_url, 120_000)
                    res["exceptions"] += _exceptions(page)
                    page.close()
                    warm.append(t)
                res["nav_warm_s"] = statistics.median(warm)
                res["nav_runs"] = warm
                _, page = navigate(context, cmp_url)
                ch = filter_changes(page, repeats)
                res["exceptions"] += _exceptions(page)
                res["filter_change_s"] = statistics.median(ch)
                res["filter_runs"] = ch
                page.close()
            except Exception as exc:  # noqa: BLE001 - report it, go on with the next server
                res["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
            res["rss_end"] = server.memory()
            context.close()
            out[name] = res
    finally:
        browser.close()
    return out
