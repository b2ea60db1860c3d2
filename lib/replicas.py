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

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COOKIE = "replica"  # the sticky cookie's name
HEALTH_TIMEOUT_S = 120
# Same flags as ./dev start (the single-process launch); the address and port are added per replica.


# --- nginx configuration ---------------------------------------------------------------------------------


def sticky_http_block(servers: list[str], *, resolve: bool = False) -> str:
    """The part of nginx's `http {}` that makes sessions sticky: the cookie → route map, the cookie to hand
    out, and the upstream hashed on the route. The same text serves here and in deploy/k8s (a test checks it).
    `servers`: host:port of each replica, in a fixed order (the hash ring is built from it). `resolve`: names
    that nginx looks up again while it runs (Kubernetes pods change address; nginx ≥ 1.27.3)."""
    lines = "\n".join(f"    server {s}{' resolve' if resolve else ''};" for s in servers)
    if resolve:
        lines = "    zone streamlit 256k;  # shared by the workers; needed by `resolve`\n" + lines
    return f"""\
# Sticky sessions (open-source nginx has no `sticky cookie`): the route is the `{COOKIE}` cookie when the
# browser has one, else this request's random id, which is then handed back as the cookie.
map $cookie_{COOKIE} $route {{
    ""      $request_id;
    default $cookie_{COOKIE};
}}
map $cookie_{COOKIE} $route_cookie {{
    ""      "{COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
    default "";
}}
# Websockets: pass the upgrade on; other requests keep the upstream connection alive.
map $http_upgrade $connection_upgrade {{
    default upgrade;
    ""      "";
}}
upstream streamlit {{
    hash $route consistent;
{lines}
    keepalive 32;
}}
"""


_PROXY = """\
        proxy_pass http://streamlit;
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;  # with the port: Streamlit compares the websocket's Origin with it
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 1d;  # a websocket may stay quiet while its reader reads
        proxy_send_timeout 1d;
        add_header Set-Cookie $route_cookie always;  # empty (not sent) when the browser has the cookie
"""

# Per-client limits (the client is the address nginx sees; see REAL_IP for Kubernetes): one browser tab holds
# one websocket (its script runs go over it, which nginx cannot count) and fetches ~30 static files at once.
# 25 sessions from one client made its replica 11-23x slower for everyone else (issue 24): a client gets
# WS_PER_CLIENT websockets and CONN_PER_CLIENT connections in all, and requests at REQ_RATE with a burst;
# beyond that nginx answers 429. An office behind one NAT address shares these: raise them there.
WS_PER_CLIENT = 8
CONN_PER_CLIENT = 32
REQ_RATE = "30r/s"
REQ_BURST = 100
# No upload reaches a session: the app has no file uploader (Streamlit's own limit is 0 MB too,
# .streamlit/config.toml); every other request has an empty or tiny body.
MAX_BODY = "16k"

LIMITS_HTTP = f"""\
# Per-client limits (lib/replicas.py: WS_PER_CLIENT, CONN_PER_CLIENT, REQ_RATE): beyond them, 429.
limit_conn_zone $binary_remote_addr zone=per_client:10m;
limit_conn_zone $binary_remote_addr zone=ws_per_client:10m;
limit_req_zone $binary_remote_addr zone=req_per_client:10m rate={REQ_RATE};
limit_conn_status 429;
limit_req_status 429;
client_max_body_size {MAX_BODY};  # every route: the app has no uploader
"""

LOCATION = f"""\
    limit_conn per_client {CONN_PER_CLIENT};
    location / {{
        limit_req zone=req_per_client burst={REQ_BURST} nodelay;
{_PROXY}    }}
    location = /_stcore/stream {{  # the websocket: one per open tab
        limit_conn ws_per_client {WS_PER_CLIENT};
{_PROXY}    }}
    location ^~ /_stcore/upload_file {{  # the app has no file uploader
        return 403;
    }}
"""

LOG_FORMAT = ("log_format sticky '$remote_addr [$time_local] \"$request\" $status upstream=$upstream_addr "
              "cookie=\"$cookie_" + COOKIE + "\" route=$route rt=$request_time';")


def nginx_conf(servers: list[str], listen: str, workdir: Path) -> str:
    """The whole configuration for a local run: everything nginx writes goes under `workdir`."""
    w = workdir
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""  # workers drop root
    return f"""\
# Generated by lib/replicas.py for this run; not a system configuration.
{user}worker_processes 1;
worker_rlimit_nofile 8192;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    {LOG_FORMAT}
    access_log {w}/access.log sticky;
    client_body_temp_path {w}/tmp/client_body;
    proxy_temp_path {w}/tmp/proxy;
    fastcgi_temp_path {w}/tmp/fastcgi;
    uwsgi_temp_path {w}/tmp/uwsgi;
    scgi_temp_path {w}/tmp/scgi;
    server_tokens off;
{_indent(LIMITS_HTTP, 4)}
{_indent(sticky_http_block(servers), 4)}
    server {{
        listen {listen};
{_indent(LOCATION, 4)}    }}
}}
"""


K8S_NAME = "provinces-dashboard"  # the StatefulSet and its headless Service (deploy/k8s/dashboard.yaml)
K8S_NAMESPACE = "provinces"


# Behind the Ingress, every request comes from an ingress pod: the per-client limits need the browser's
# address, which the ingress passes in X-Forwarded-For. Trust it only from the cluster's pod network
# (10.0.0.0/8 here: PUT YOUR CLUSTER'S POD CIDR), or one client could name itself anyone.
REAL_IP = """\
real_ip_header X-Forwarded-For;
set_real_ip_from 10.0.0.0/8;  # the pod network of the ingress controller: your cluster's pod CIDR
"""


def k8s_nginx_conf(replicas: int, *, name: str = K8S_NAME, namespace: str = K8S_NAMESPACE, port: int = 8501) -> str:
    """deploy/k8s/sticky-proxy.yaml's nginx.conf: the same sticky block and location as a local run, in front of
    the StatefulSet's pods by their stable names (`NAME-0.NAME.NAMESPACE.svc.cluster.local`), which every
    proxy pod lists in the same order, so any proxy pod sends a cookie to the same replica.
    `python -m lib.replicas --k8s-nginx-conf --replicas N` prints it for N replicas."""
    servers = [f"{name}-{i}.{name}.{namespace}.svc.cluster.local:{port}" for i in range(replicas)]
    return f"""\
# Generated by `python -m lib.replicas --k8s-nginx-conf --replicas {replicas}`; the sticky part is the one that
# ./dev start --replicas N uses (lib/replicas.py). Needs nginx >= 1.27.3 (`resolve` in open-source nginx).
worker_processes 1;
pid /tmp/nginx.pid;
events {{
    worker_connections 4096;
}}
http {{
    {LOG_FORMAT}
    access_log /dev/stdout sticky;
    error_log /dev/stderr warn;
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    server_tokens off;
    resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;  # pods' new addresses after a restart
{_indent(REAL_IP, 4)}{_indent(LIMITS_HTTP, 4)}
{_indent(sticky_http_block(servers, resolve=True), 4)}
    server {{
        listen 8080;
{_indent(LOCATION, 4)}    }}
}}
"""


def _indent(text: str, n: int) -> str:
    return "".join((" " * n + line if line.strip() else line) for line in text.splitlines(keepends=True))


def prepare_workdir(workdir: Path) -> None:
    """Temporary folders nginx's workers write into (owned by the worker user when we run as root)."""
    tmp = workdir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)
    if os.geteuid() == 0:
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)


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
