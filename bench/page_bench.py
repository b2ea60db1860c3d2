"""Per chart page, in one run: filter change → every chart updated, for the app, for the page's replay floor
(bench/replay.py: the very figures and tables the page drew, drawn by a bare script) and for the one-chart
bare app (bench/floor_app.py), with the bytes the server sent over the websocket per change.

A change moves the end of the period one year back, then forward again. "Every chart updated": the text of
every drawn chart (titles, ticks, labels, legends) equals what it shows once that period has settled, and the
script run has ended. The settled texts are recorded by one untimed change each way before the timed ones.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import browser_bench as B
from bench import replay
from bench.wire import CountingRelay
from lib.navigation import page_by_name

CHART_PAGES = ["overview", "compare", "timeline"]
RUNNING = "document.querySelector('[data-testid=\"stApp\"][data-test-script-state=\"running\"]')"
SETTLE_S = 1.0  # the charts' text unchanged this long after the run ended: settled


class WsBytes:
    """Bytes of every websocket frame the server sent to this page (Playwright's framereceived payloads:
    the messages as Streamlit wrote them; the server has websocket compression off, its default)."""

    def __init__(self, page):
        self.received = 0
        self.sent = 0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", lambda payload: self._add("received", payload))
        ws.on("framesent", lambda payload: self._add("sent", payload))

    def _add(self, what: str, payload) -> None:
        n = len(payload.encode("utf-8") if isinstance(payload, str) else payload)
        setattr(self, what, getattr(self, what) + n)


def _settled_text(page, timeout_s: float = 120) -> str:
    """The charts' text once the run has ended and nothing has changed for SETTLE_S."""
    deadline = time.perf_counter() + timeout_s
    last, since = None, time.perf_counter()
    while time.perf_counter() < deadline:
        text = page.evaluate(f"() => ({RUNNING} ? null : ({B.CHARTS_TEXT})())")
        if text != last or text is None:
            last, since = text, time.perf_counter()
        elif time.perf_counter() - since >= SETTLE_S:
            return text
        page.wait_for_timeout(100)
    raise TimeoutError("the charts did not settle")


def _press(page, thumb, key: str) -> None:
    """Move the end of the period by one year with the keyboard, as a user can; check that it moved."""
    before = thumb.input_value()
    thumb.focus()
    page.keyboard.press(key)
    if thumb.input_value() == before:
        raise RuntimeError(f"{key} did not move the period's end ({before})")


def _down(relay: CountingRelay | None) -> int:
    return relay.down if relay else 0


def _open(context, url: str):
    page = context.new_page()
    counter = WsBytes(page)
    page.goto(url, wait_until="commit", timeout=300_000)
    page.wait_for_selector(B.CHART, state="visible", timeout=300_000)
    return page, counter


def changes(context, url: str, n: int, relay: CountingRelay | None = None) -> dict:
    """n timed period changes on the page at `url`; per change the seconds and the websocket bytes: the messages
    (`bytes`, as Streamlit wrote them) and, when the page is reached through `relay`, the bytes on the wire
    (`wire_bytes`: compressed when the server compresses its websocket).

    The timed changes go back and forth between two periods, so the browser holds both pages' large
    elements in its message cache (Streamlit sends a reference for an element ≥ 10 KB it already has);
    `new_period_bytes` is the first change, to a period this page had not shown."""
    page, counter = _open(context, url)
    try:
        thumb = page.get_by_test_id("stSlider").get_by_role("slider").last
        keys = ("ArrowLeft", "ArrowRight")
        settled = [_settled_text(page)]
        b0, w0 = counter.received, _down(relay)
        _press(page, thumb, keys[0])
        settled.append(_settled_text(page))  # settled[1 - k % 2] is the target of change k
        new_bytes = counter.received - b0  # a period this page had not shown: nothing in the browser's cache
        new_wire = _down(relay) - w0
        _press(page, thumb, keys[1])
        if _settled_text(page) != settled[0] or settled[0] == settled[1]:
            raise RuntimeError("the charts do not show the period change, or do not return after a change back")
        times, nbytes, sent, wire = [], [], [], []
        for k in range(n):
            target = settled[1 - k % 2]
            b0, s0, w0 = counter.received, counter.sent, _down(relay)
            t0 = time.perf_counter()
            _press(page, thumb, keys[k % 2])
            page.wait_for_function(f"t => !{RUNNING} && ({B.CHARTS_TEXT})() === t", arg=target, timeout=120_000)
            times.append(time.perf_counter() - t0)
            page.wait_for_timeout(300)  # frames still under way (none expected after the run ended)
            nbytes.append(counter.received - b0)
            sent.append(counter.sent - s0)
            wire.append(_down(relay) - w0)
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        return {"change_s": statistics.median(times), "runs": times, "bytes": statistics.median(nbytes),
                "bytes_runs": nbytes, "new_period_bytes": new_bytes, "sent_bytes": statistics.median(sent),
                "charts": charts, "exceptions": B._exceptions(page),
                **({"wire_bytes": statistics.median(wire), "wire_runs": wire, "new_period_wire_bytes": new_wire}
                   if relay else {})}
    finally:
        page.close()


def _capture_all(data_path: str, units: list[str], out: Path, pages: list[str]) -> dict:
    end = int(B.PERIOD.split("-")[1])
    start = int(B.PERIOD.split("-")[0])
    res = {}
    for name in pages:
        res[name] = replay.capture(data_path, page_by_name(name).file, units, [(start, end), (start, end - 1)],
                                   out / f"{name}.json")
    return res


def _measure(pw, servers: dict, units: list[str], repeats: int, pages: list[str], log=print) -> dict:
    browser = B.launch(pw)
    out: dict = {}
    relays = {what: CountingRelay("127.0.0.1", s.port) for what, s in servers.items()}
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        for name in pages:
            r = out.setdefault(name, {})
            for what, url in (("app", B.app_url(relays["app"], name, units)),
                              ("replay", f"{relays['replay'].url}?page={name}"),
                              ("bare", relays["bare"].url)):
                log(f"page {name}: {what}")
                try:
                    r[what] = changes(context, url, repeats, relays[what])
                except Exception as exc:  # noqa: BLE001 - say so, go on
                    r[what] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        context.close()
    finally:
        browser.close()
        for relay in relays.values():
            relay.close()
    return out


def measure(pw, data_path: str, units: list[str], repeats: int, log=print, pages: list[str] | None = None) -> dict:
    """Capture the replays (AppTest, this process), start the three servers, time every chart page."""
    tmp = Path(tempfile.mkdtemp(prefix="provinces-replay-"))
    log("replay floor: capturing the pages' figures and tables")
    pages = pages or CHART_PAGES
    captured = _capture_all(data_path, units, tmp, pages)
    # The replay script beside the app's static/ (Streamlit serves static/ beside the main script), so the
    # replayed map fetches its shapes from the same address as the app's.
    shutil.copy(B.BENCH / "replay_app.py", tmp / "replay_app.py")
    (tmp / "static").symlink_to(B.ROOT / "static", target_is_directory=True)
    servers = {"app": B.Server(B.APP, data_path), "replay": B.Server(str(tmp / "replay_app.py"),
                                                                     env={"REPLAY_DIR": str(tmp)}),
               "bare": B.Server(B.FLOOR)}
    try:
        for s in servers.values():
            s.wait_healthy()
        log("replay floor: timing app, replay and bare app per page")
        res = _measure(pw, servers, units, repeats, pages, log)
    finally:
        for s in servers.values():
            s.stop()
    for name, c in captured.items():
        res[name]["captured"] = c
    return res


if __name__ == "__main__":  # python -m bench.page_bench [repeats [page …]]: this part alone, on the real data
    import sys

    from playwright.sync_api import sync_playwright

    from bench.__main__ import REAL, REAL_UNITS, _quiet_streamlit

    _quiet_streamlit()
    with sync_playwright() as pw:
        res = measure(pw, str(REAL), REAL_UNITS, int(sys.argv[1]) if len(sys.argv) > 1 else 5,
                      log=lambda m: print(m, file=sys.stderr, flush=True), pages=sys.argv[2:] or None)
    import json

    print(json.dumps(res, indent=1))
