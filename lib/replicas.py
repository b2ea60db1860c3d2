"""Serve the dashboard from N Streamlit processes behind nginx, with sticky sessions (`./dev start --replicas N`).

    python -m lib.replicas --replicas 2 [--host 127.0.0.1] [--port 8501] [-- app options]

Why: one Streamlit process runs Python on one core at a time, so more cores need more processes. A Streamlit
session lives in one process (its websocket, its session state, the files of its download buttons under
/media/), so every request of one browser must reach the same process. nginx (Debian's, open source) does it
with a cookie: a browser without the cookie is sent to a replica chosen by a random id, which nginx hands back
as the cookie `replica`; a browser with the cookie is sent where the hash of its value points
(`hash $route consistent`), which is the same replica, for the page, its static files, the websocket and
/media/. Nothing else holds state: any nginx with the same list of replicas routes a cookie the same way
(deploy/ uses this for Kubernetes).

Each replica is `python -m lib.serve` on 127.0.0.1 and a free port, in its own process group (so the Chromium
that image exports start goes away with it). nginx runs in the foreground as a child of this process, with its
configuration, pid file, logs and temporary files in a temporary folder (never /etc/nginx). The access log
records which replica served each request (`$upstream_addr`) and the cookie it carried. Ctrl-C or SIGTERM
stops nginx and every replica; so does the exit of any of them (the others' sessions would be lost anyway).
nginx's configuration (here and for deploy/k8s) is written by lib.replicas_nginx.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from lib.replicas_nginx import (  # noqa: F401 - re-exported: the configuration lives in lib.replicas_nginx
    CONN_PER_CLIENT,
    COOKIE,
    K8S_NAME,
    K8S_NAMESPACE,
    LIMITS_HTTP,
    LOCATION,
    LOG_FORMAT,
    MAX_BODY,
    REAL_IP,
    REQ_BURST,
    REQ_RATE,
    WS_PER_CLIENT,
    _indent,
    k8s_nginx_conf,
    nginx_conf,
    prepare_workdir,
    sticky_http_block,
)

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEALTH_TIMEOUT_S = 120
# Same flags as ./dev start (the single-process launch); the address and port are added per replica.


# --- Processes -------------------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float, what: str = "streamlit",
                 log: Path | None = None, deadline: float | None = None) -> float:
    """Seconds until `url`/_stcore/health answers 200 (launcher, benchmark and tests wait the same way); a
    RuntimeError naming `what` if the process ends first (with its log) or `timeout` passes."""
    t0 = time.monotonic()
    deadline = deadline or t0 + timeout
    while not healthy(url):
        if proc.poll() is not None:
            tail = f":\n{log.read_text(encoding='utf-8', errors='replace')}" if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was healthy{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not healthy at {url} after {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - t0


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, group: bool = False, wait: float = 10) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if group:  # the replica's own process group: kaleido's Chromium
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)


class Cluster:
    """N replicas and nginx in front of them; `stop()` ends them all."""

    def __init__(self, replicas: int, host: str, port: int, app_args: list[str], *, log_dir: Path | None = None,
                 quiet: bool = False):
        self.n, self.host, self.port, self.app_args, self.quiet = replicas, host, port, app_args, quiet
        self.workdir = Path(tempfile.mkdtemp(prefix="provinces-replicas-"))
        self.log_dir = log_dir or self.workdir
        self.replicas: list[tuple[str, subprocess.Popen]] = []  # (url, process)
        self.nginx: subprocess.Popen | None = None
        self._logs: list = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def say(self, msg: str) -> None:
        if not self.quiet:
            print(msg, flush=True)

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for i in range(self.n):
            port = free_port()
            log = open(self.log_dir / f"replica-{i + 1}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
            self._logs.append(log)
            # The other settings: .streamlit/config.toml, read by lib.serve as by `streamlit run app.py`.
            cmd = [sys.executable, "-m", "lib.serve", "--server.address", "127.0.0.1", "--server.port", str(port)]
            if self.app_args:
                cmd += ["--", *self.app_args]
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            self.replicas.append((f"http://127.0.0.1:{port}", proc))
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        for i, (url, proc) in enumerate(self.replicas):
            wait_healthy(url, proc, HEALTH_TIMEOUT_S, f"replica {i + 1} ({self.log_dir / f'replica-{i + 1}.log'})",
                         deadline=deadline)
            self.say(f"replica {i + 1}/{self.n}: {url} pid {proc.pid}")
        prepare_workdir(self.workdir)
        conf = self.workdir / "nginx.conf"
        servers = [u.removeprefix("http://") for u, _ in self.replicas]
        conf.write_text(nginx_conf(servers, f"{self.host}:{self.port}", self.workdir), encoding="utf-8")
        check = subprocess.run([NGINX, "-t", "-q", "-p", str(self.workdir), "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration ({conf}):\n{check.stderr}")
        self.nginx = subprocess.Popen([NGINX, "-p", str(self.workdir), "-c", str(conf), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        while not healthy(self.url):
            if self.nginx.poll() is not None:
                err = (self.workdir / "error.log").read_text(errors="replace") if (self.workdir / "error.log"
                                                                                   ).exists() else ""
                raise RuntimeError(f"nginx exited with code {self.nginx.returncode}:\n{err}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx not answering at {self.url}")
            time.sleep(0.1)
        self.say(f"nginx: pid {self.nginx.pid}, {self.url} (sticky cookie '{COOKIE}'), "
                 f"access log {self.workdir / 'access.log'}")

    def first_exit(self) -> str | None:
        """The name of a process that has ended, if any."""
        if self.nginx is not None and self.nginx.poll() is not None:
            return f"nginx (code {self.nginx.returncode})"
        for i, (_, proc) in enumerate(self.replicas):
            if proc.poll() is not None:
                return f"replica {i + 1} (code {proc.returncode})"
        return None

    def stop(self) -> None:
        if self.nginx is not None:
            _stop(self.nginx, signal.SIGQUIT)  # graceful: lets the workers close their connections
        for _, proc in self.replicas:
            _stop(proc, group=True)
        for log in self._logs:
            log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class _Stop(Exception):
    """SIGTERM or Ctrl-C."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, app_args = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(prog="python -m lib.replicas", description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=2, help="Streamlit processes (default 2)")
    ap.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="nginx's address")
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8501")), help="nginx's port")
    ap.add_argument("--k8s-nginx-conf", action="store_true",
                    help="print the sticky proxy's nginx.conf for deploy/k8s (N replicas) and exit")
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")
    if args.k8s_nginx_conf:
        print(k8s_nginx_conf(args.replicas), end="")
        return 0
    if not Path(NGINX).exists():
        print("nginx is missing: apt-get install nginx (./dev setup does it)", file=sys.stderr)
        return 2

    def on_signal(signum, _frame):
        raise _Stop

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cluster = Cluster(args.replicas, args.host, args.port, app_args)
    code = 0
    try:
        cluster.start()
        print(f"serving {cluster.url} from {args.replicas} replicas; Ctrl-C stops them all", flush=True)
        while True:
            ended = cluster.first_exit()
            if ended:
                print(f"{ended} has ended: stopping the others", file=sys.stderr, flush=True)
                code = 1
                break
            time.sleep(0.5)
    except _Stop:
        pass
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        code = 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        cluster.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
