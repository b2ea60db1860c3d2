"""Several Streamlit processes behind nginx (`./dev start --replicas 2` = `python -m lib.replicas --replicas 2`)
and the load generator (bench/loadgen.py) that drives them through Streamlit's own websocket protocol.

One cluster of two replicas for the module. nginx's access log names the replica of every request
(`upstream=`) and the sticky cookie the request carried, so the tests read where each request went.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from lib import replicas

ROOT = Path(__file__).resolve().parents[1]
SHARED_FILTERS = "lang=vi&view=63&units=quang-tri,quang-binh,lang-son,quang-nam&years=2016-2025&ind=dti_rank"

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path(replicas.NGINX).exists(),
                                reason="needs Debian's nginx (apt-get install nginx; ./dev setup does it)")


def run_async(coro):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop running in this
    thread for the whole session, and asyncio.run refuses to start inside it."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def cluster():
    from bench.loadgen import Servers

    srv = Servers(2)
    try:
        yield srv
    finally:
        srv.stop()


def log_lines(srv, must_contain: str = "", timeout: float = 10) -> list[dict]:
    """The access log as records; waits (a websocket's line is written when it closes) for `must_contain`."""
    deadline = time.monotonic() + timeout
    while True:
        text = srv.access_log.read_text(encoding="utf-8")
        if must_contain in text or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    out = []
    for line in text.splitlines():
        m = re.search(r'"(\w+) (\S+) [^"]*" (\d+) upstream=(\S+) cookie="([^"]*)" route=(\S+)', line)
        if m:
            out.append(dict(zip(("method", "path", "status", "upstream", "cookie", "route"), m.groups())))
    return out


def test_deep_link_renders_and_the_session_stays_on_one_replica(cluster):
    """A shared link to the Compare page through nginx: the page renders (its title, no exception), and every
    request of that browser — the page, health, host config, the websocket with three runs — goes to the
    replica its cookie names."""
    from bench.loadgen import Session

    async def visit() -> tuple[Session, list[list[str]]]:
        s = Session(cluster.url, timeout=60)
        await s.open("so-sanh", SHARED_FILTERS)
        seen = []
        try:
            r = await s.first_run("so-sanh")
            assert r.exceptions == 0, s.exception_texts
            seen.append(s.headings)
            r = await s.change_page("dong-thoi-gian")  # a page change on the same websocket
            assert r.exceptions == 0, s.exception_texts
            seen.append(s.headings)
            period = next(w for w in s.filter_choices() if "f_years" in w)
            r = await s.change_filter(period, random.Random(0))  # the period slider moved
            assert r.exceptions == 0, s.exception_texts
        finally:
            await s.close()
        return s, seen

    s, seen = run_async(visit())
    assert "So sánh" in seen[0]
    assert "Dòng thời gian" in seen[1]
    # The generator clicks only the pages a reader can click: not the hidden one at the overview's own address.
    from bench.loadgen import PAGE_PATHS

    assert sorted(s.pages) == sorted(PAGE_PATHS)
    cookie = s.cookies[replicas.COOKIE]
    mine = [r for r in log_lines(cluster, "/_stcore/stream") if cookie in (r["cookie"], r["route"])]
    paths = [r["path"].split("?")[0] for r in mine]
    assert paths[:3] == ["/so-sanh", "/_stcore/health", "/_stcore/host-config"]
    assert "/_stcore/stream" in paths
    assert mine[0]["cookie"] == "-" and mine[0]["route"] == cookie  # the first request chose, then the cookie
    assert len({r["upstream"] for r in mine}) == 1, mine


def test_different_cookies_reach_different_replicas(cluster):
    """Stickiness is per browser, not 'everything to one replica': 24 cookie values use both replicas, and
    the same value always the same one."""
    import urllib.request

    for k in range(24):
        for _ in range(2):
            req = urllib.request.Request(f"{cluster.url}/_stcore/health", headers={"Cookie": f"replica=probe{k}"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                assert resp.status == 200
    rows = [r for r in log_lines(cluster, "probe23") if r["cookie"].startswith("probe")]
    by_cookie: dict[str, set[str]] = {}
    for r in rows:
        by_cookie.setdefault(r["cookie"], set()).add(r["upstream"])
    assert len(by_cookie) == 24
    assert all(len(u) == 1 for u in by_cookie.values()), by_cookie
    assert {u for us in by_cookie.values() for u in us} == {u.removeprefix("http://") for u, _ in cluster.replicas}


def test_load_generator_smoke_run_has_no_error(cluster):
    """A few sessions for a few seconds through nginx: page and filter changes, zero errors."""
    from bench.loadgen import run_load

    res = run_async(run_load(cluster.url, sessions=3, seconds=6, think=(0.5, 1.5), timeout=60,
                               max_requests=40, processes=cluster.processes()))
    assert res["errors"] == 0, res["error_list"]
    assert res["runs"] >= 3 and res["clicks"] >= 1, res
    assert res["sent"] <= 40
    assert res["server"]["cpu_s"]["replica 1"] + res["server"]["cpu_s"]["replica 2"] > 0
    assert all(v > 0 for v in res["server"]["peak_rss_bytes"].values())


def test_a_control_of_the_scatter_reruns_its_fragment_only(cluster):
    """The compare page's two-indicator section is an st.fragment: a click on its vertical-axis box reruns that
    section alone (far fewer bytes than the page), without an exception, through nginx like a browser."""
    from bench.loadgen import local_control

    res = run_async(local_control(cluster.url, repeats=2))
    assert res["errors"] == [], res["errors"]
    assert len(res["fragment_s"]) == len(res["page_s"]) == 2
    assert max(res["fragment_bytes"]) < min(res["page_bytes"]) / 2, res


def test_load_generator_refuses_other_hosts():
    from bench.loadgen import check_target

    for url in ("http://localhost:8501", "http://10.0.0.1:8501", "https://127.0.0.1:8501", "http://127.0.0.1"):
        with pytest.raises(ValueError):
            check_target(url)
    assert check_target("http://127.0.0.1:8501") == ("127.0.0.1", 8501)


def test_nginx_accepts_the_generated_configuration(tmp_path):
    replicas.prepare_workdir(tmp_path)
    conf = tmp_path / "nginx.conf"
    conf.write_text(replicas.nginx_conf(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:1", tmp_path), encoding="utf-8")
    out = subprocess.run([replicas.NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr


def test_dev_refuses_a_bad_replica_count():
    for bad in ("0", "two", ""):
        out = subprocess.run([str(ROOT / "dev"), "start", "--replicas", bad], capture_output=True, text=True,
                             timeout=30)
        assert out.returncode == 2 and "--replicas" in out.stderr


# --- deploy/: the same sticky mechanism on Kubernetes (not run here: no cluster, no Docker engine) -------------


def _k8s_docs() -> dict[tuple[str, str], dict]:
    import yaml

    docs = {}
    for f in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        for d in yaml.safe_load_all(f.read_text(encoding="utf-8")):
            if d and "metadata" in d:
                docs[(d["kind"], d["metadata"]["name"])] = d
    return docs


def test_kubernetes_proxy_is_the_sticky_configuration_tested_here(tmp_path):
    """The proxy's nginx.conf is what lib.replicas generates for the StatefulSet's replica count (the same
    cookie map, hash and location as the local cluster above), and nginx accepts it once the pod names are
    local addresses (Debian's nginx 1.22 has no `resolve`, which the proxy image's 1.28 has)."""
    docs = _k8s_docs()
    sts = docs[("StatefulSet", "provinces-dashboard")]
    n = sts["spec"]["replicas"]
    conf = docs[("ConfigMap", "sticky-proxy")]["data"]["nginx.conf"]
    assert conf == replicas.k8s_nginx_conf(n)
    assert replicas._indent(replicas.sticky_http_block(["x:1"]).split("upstream")[0], 4) in conf  # cookie maps
    assert replicas._indent(replicas.LOCATION, 4) in conf
    local = conf.replace(" resolve;", ";").replace("kube-dns.kube-system.svc.cluster.local", "127.0.0.1")
    for i in range(n):
        local = local.replace(f"provinces-dashboard-{i}.provinces-dashboard.provinces.svc.cluster.local:8501",
                              f"127.0.0.1:{i + 1}")
    local = local.replace("/tmp/", f"{tmp_path}/").replace("/dev/stdout", f"{tmp_path}/access.log")
    local = local.replace("/dev/stderr", f"{tmp_path}/error.log")
    (tmp_path / "nginx.conf").write_text(local, encoding="utf-8")
    out = subprocess.run([replicas.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                          "-g", f"error_log {tmp_path}/error.log;"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_kubernetes_replicas_are_health_checked_and_reached_through_the_proxy():
    docs = _k8s_docs()
    pod = docs[("StatefulSet", "provinces-dashboard")]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert pod[probe]["httpGet"]["path"] == "/_stcore/health"
    ingress = docs[("Ingress", "provinces-dashboard")]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "sticky-proxy"
    assert docs[("Service", "provinces-dashboard")]["spec"]["clusterIP"] == "None"  # one DNS name per pod


def test_dockerfile_copies_what_exists_and_starts_like_dev_start():
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("COPY "):
            src = line.split()[1]
            assert (ROOT / src).exists(), src
    assert '"-m", "lib.serve"' in text and "/_stcore/health" in text
