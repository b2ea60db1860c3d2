"""Fixtures for the real-browser tests: one Streamlit server per way of starting it, and one Chromium, per test session.

The server runs the real ``app.py`` on a free port of 127.0.0.1, started as ``./dev start`` does
(``python -m lib.serve``: ``app_url``) or plainly with ``streamlit run app.py`` (``served_url`` runs a test under
both); the browser is Debian's ``/usr/bin/chromium`` driven by Playwright (no ``playwright install``). Every test
gets a fresh page, hence a fresh Streamlit session.
Without Chromium (or Playwright) the whole package is skipped at collection with the reason given.
Deselect these tests with ``-m "not e2e"``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lib.replicas import wait_healthy

try:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PWTimeout
except ImportError:  # the skip below says why
    PLAYWRIGHT = False
else:
    PLAYWRIGHT = True

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
ARTIFACTS = ROOT / "tests" / "artifacts"
# One log per pytest-xdist worker: each worker that runs a browser test starts its own servers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
SERVER_LOG = ARTIFACTS / f"streamlit-server{'-' + WORKER if WORKER else ''}.log"
CHROMIUM = Path("/usr/bin/chromium")
# TOOLING-NOTES §4: flags that let Debian's Chromium run headless as root, offline and quietly.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1600}
HEALTH_TIMEOUT_S = 60
# A link as a reader would share it: the four provinces of the founding articles, old boundaries.
SHARED_FILTERS = "lang=vi&view=63&units=quang-tri,quang-binh,lang-son,quang-nam&years=2016-2025&ind=dti_rank"
# A page's first render takes 4–6 s on a 2-core machine, and Plotly charts appear a few seconds after the script ends.
EXPECT_TIMEOUT_MS = 20_000
APP_TIMEOUT_MS = 30_000
# The first session of a fresh server imports pandas and Plotly and loads the dataset: on a loaded 2-core machine
# that took over 30 s. A ceiling, not a measurement.
COLD_TIMEOUT_MS = 120_000


def _skip_reason() -> str | None:
    if not PLAYWRIGHT:
        return "browser tests need the 'playwright' package (pip install playwright)"
    if not CHROMIUM.exists():
        return f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: real-browser test (Streamlit server + Chromium); slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this package ``e2e``, and skip them all when the browser is missing."""
    here = Path(__file__).parent
    reason = _skip_reason()
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- Server ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_output() -> str:
    """What the Streamlit server has printed so far (stdout and stderr)."""
    return SERVER_LOG.read_text(encoding="utf-8", errors="replace") if SERVER_LOG.exists() else ""


# The two ways of starting the dashboard; both read .streamlit/config.toml.
LIB_SERVE = "lib.serve"  # python -m lib.serve: what ./dev start runs
STREAMLIT_RUN = "streamlit-run"  # streamlit run app.py, plainly: how every Streamlit host and tutorial starts an app
START_MODES = (LIB_SERVE, STREAMLIT_RUN)


def start_command(how: str, port: int) -> list[str]:
    if how == STREAMLIT_RUN:  # no launcher, no environment variable, only the address
        return [str(Path(sys.executable).parent / "streamlit"), "run", "app.py", "--server.port", str(port),
                "--server.address", "127.0.0.1", "--server.headless", "true"]
    return [sys.executable, "-m", "lib.serve", "--server.address", "127.0.0.1", "--server.port", str(port)]


@contextlib.contextmanager
def serve_app(env: dict[str, str] | None = None, log_path: Path = SERVER_LOG, how: str = LIB_SERVE) -> Iterator[str]:
    """Start the dashboard (`how`: as `./dev start` does, `python -m lib.serve`, or plainly, `streamlit run
    app.py`) on a free port of 127.0.0.1, wait for /_stcore/health, yield its base URL, stop it and the
    Chromium it started. `env` adds variables (e.g. PROVINCES_DATA for another dataset)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("w", encoding="utf-8")
    # Own process group, so the Chromium that the app starts for image export goes away with the server.
    proc = subprocess.Popen(start_command(how, port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    try:
        wait_healthy(url, proc, HEALTH_TIMEOUT_S, log=log_path)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # our own process group only (kaleido's Chromium)
            os.killpg(proc.pid, signal.SIGTERM)
        log.close()


@dataclass
class Servers:
    """The dashboard on the shipped dataset, one server per way of starting it, each started on first use and
    kept for the whole test session; its very first session is a shared deep link (``first_visit``)."""

    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    urls: dict[str, str] = field(default_factory=dict)
    first_visits: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def url(self, how: str) -> str:
        if how not in self.urls:
            log = SERVER_LOG if how == LIB_SERVE else SERVER_LOG.with_name(f"{SERVER_LOG.stem}-{how}.log")
            self.urls[how] = self.stack.enter_context(serve_app(log_path=log, how=how))
        return self.urls[how]

    def visited(self, how: str, context: BrowserContext) -> dict[str, list[str]]:
        """The server's first session: a shared deep link to the Compare page, opened on cold caches.

        Runs before every other session of that server, so the tests after it see a warm app. Returns the
        texts of any dialogs it showed; ``test_first_visitor_sees_no_page_not_found`` judges them."""
        if how not in self.first_visits:
            self.first_visits[how] = _first_visit(context, self.url(how), how)
        return self.first_visits[how]


def _first_visit(context: BrowserContext, url: str, how: str) -> dict[str, list[str]]:
    pg = context.new_page()
    pg.set_default_timeout(APP_TIMEOUT_MS)
    open_app(pg, f"{url}/so-sanh?{SHARED_FILTERS}", COLD_TIMEOUT_MS)
    expect(pg.get_by_test_id("stMain").get_by_role("heading", level=1)).to_have_text("So sánh")
    seen = {"dialogs": pg.get_by_role("dialog").all_inner_texts()}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / ("first-visit.png" if how == LIB_SERVE else f"first-visit-{how}.png")))
    pg.close()
    return seen


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    running = Servers()
    with running.stack:
        yield running


@pytest.fixture(scope="session")
def app_url(servers: Servers) -> str:
    """The dashboard on the shipped dataset as `./dev start` serves it, for the whole test session."""
    return servers.url(LIB_SERVE)


# --- Browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser_context(browser: Browser) -> Iterator[BrowserContext]:
    """One context for the session, so the app's static files are fetched once (its HTTP cache is shared)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture(scope="session")
def first_visit(browser_context: BrowserContext, servers: Servers) -> dict[str, list[str]]:
    """The very first session of the `./dev start` server (``Servers.visited``); ``page`` depends on it."""
    return servers.visited(LIB_SERVE, browser_context)


@pytest.fixture
def page(browser_context: BrowserContext, app_url: str, first_visit: dict) -> Iterator[Page]:
    """A fresh tab, hence a fresh Streamlit session (the session lives on the tab's websocket)."""
    pg = browser_context.new_page()
    pg.set_default_timeout(APP_TIMEOUT_MS)
    yield pg
    pg.close()


@pytest.fixture
def served_url(request: pytest.FixtureRequest, servers: Servers, browser_context: BrowserContext) -> str:
    """The dashboard started the way the test's parameter `how` says (`LIB_SERVE`, as `./dev start` does, or
    `STREAMLIT_RUN`, plainly `streamlit run app.py`; parametrize `how` to run a journey under both). Each server
    is started once per session, after its first visit."""
    how = request.node.callspec.params.get("how", LIB_SERVE) if hasattr(request.node, "callspec") else LIB_SERVE
    servers.visited(how, browser_context)
    return servers.url(how)


# --- Helpers --------------------------------------------------------------------------------------


def wait_for_app(page: Page, timeout: int = APP_TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script has finished running (TOOLING-NOTES §4).

    Right after an action the state may still read ``notRunning``, so assert the expected result with ``expect``
    afterwards: that is the real wait.
    """
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout)
    with contextlib.suppress(PWTimeout):  # the run may not have started yet, or may already be over
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=1000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def open_app(page: Page, url: str, timeout: int = APP_TIMEOUT_MS) -> None:
    """Go to ``url`` and wait for the first run of the script."""
    page.goto(url)
    wait_for_app(page, timeout)


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def save_main_screenshot(page: Page, name: str) -> Path:
    """Screenshot the whole main area into tests/artifacts/<name>.png.

    Streamlit scrolls inside ``stMain``, so a full-page screenshot stops at the fold: grow the viewport to the
    content's height first.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    main = page.get_by_test_id("stMain")
    height = main.evaluate("el => el.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 12_000))})
    path = ARTIFACTS / f"{name}.png"
    main.screenshot(path=str(path))
    return path
