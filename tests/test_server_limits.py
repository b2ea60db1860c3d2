"""The server against a hostile visitor (issue 24), through nginx as deployed (`python -m lib.replicas`):
an upload is refused and reaches no session, one greedy client is limited without the others noticing,
and a visitor's "clear cache" message changes nothing.

Each simulated client connects from its own loopback address (127.0.1.x), which is what nginx limits.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import shutil
from pathlib import Path

import pytest

from lib import replicas

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path(replicas.NGINX).exists(),
                                reason="needs Debian's nginx (apt-get install nginx; ./dev setup does it)")


def run_async(coro):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="module")
def cluster():
    from bench.loadgen import Servers

    srv = Servers(1)
    try:
        yield srv
    finally:
        srv.stop()


async def _put(url: str, path: str, body: bytes, cookies: dict[str, str], source: str) -> int:
    """A browser's upload: PUT multipart to Streamlit's endpoint, from `source`; the HTTP status."""
    from bench.loadgen import check_target

    host, port = check_target(url)
    boundary = "----x"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        head = [f"PUT {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Type: multipart/form-data; boundary={boundary}",
                f"Content-Length: {len(payload)}", "Connection: close",
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()),
                f"X-Xsrftoken: {cookies.get('_streamlit_xsrf', '')}"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        try:  # a server that refuses by the headers alone answers before the body (then closes)
            line = await asyncio.wait_for(reader.readline(), 3)
        except TimeoutError:
            with contextlib.suppress(ConnectionError):
                writer.write(payload)
                await writer.drain()
            line = await reader.readline()
        return int(line.split()[1])
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def test_an_upload_is_refused_and_another_session_is_unaffected(cluster):
    """Visitor A opens the app and PUTs a 1 MB file into its own session, through nginx and straight to
    Streamlit: both refuse it. Visitor B, meanwhile, changes page without an error."""
    from bench.loadgen import Session

    async def go():
        a = Session(cluster.url, timeout=60, source="127.0.1.1")
        b = Session(cluster.url, timeout=60, source="127.0.1.2")
        await a.open("", "")
        await b.open("", "")
        try:
            assert (await a.first_run("")).exceptions == 0
            assert (await b.first_run("")).exceptions == 0
            assert a.session_id
            path = f"/_stcore/upload_file/{a.session_id}/file-1"
            via_nginx = await _put(cluster.url, path, b"x" * 1_000_000, a.cookies, a.source)
            direct = await _put(cluster.replicas[0][0], path, b"x" * 1_000_000, a.cookies, a.source)
            small = await _put(cluster.replicas[0][0], path, b"x" * 10, a.cookies, a.source)
            r = await b.change_page("so-sanh")
            return via_nginx, direct, small, r, b
        finally:
            await a.close()
            await b.close()

    via_nginx, direct, small, r, b = run_async(go())
    assert via_nginx in (403, 413), via_nginx  # nginx: the upload route is closed, bodies over 16 KB refused
    assert direct == 413 and small == 413  # Streamlit itself: server.maxUploadSize = 0
    assert r.exceptions == 0 and "So sánh" in b.headings


def test_a_greedy_client_is_limited_and_another_is_not(cluster):
    """One client opens 14 tabs (websockets): nginx lets WS_PER_CLIENT of them through and answers 429 to
    the rest; a second client, opened after, still gets its page and its run."""
    from bench.loadgen import Session, SessionError

    async def go():
        greedy = [Session(cluster.url, timeout=60, source="127.0.1.10") for _ in range(14)]
        opened, refused = [], 0
        try:
            for s in greedy:
                try:
                    await s.open("", "")
                    opened.append(s)
                except (SessionError, OSError, Exception) as exc:  # noqa: BLE001 - the handshake's 429
                    assert "429" in str(exc), exc
                    refused += 1
            other = Session(cluster.url, timeout=60, source="127.0.1.11")
            await other.open("", "")
            try:
                r = await other.first_run("")
            finally:
                await other.close()
            return len(opened), refused, r
        finally:
            for s in greedy:
                await s.close()

    opened, refused, r = run_async(go())
    assert opened == replicas.WS_PER_CLIENT and refused == 14 - replicas.WS_PER_CLIENT
    assert r.exceptions == 0


def test_a_visitors_clear_cache_message_is_ignored(cluster):
    """A BackMsg `clear_cache` (the developer menu's item, sendable by any script) leaves the server's caches:
    the next run of another session still finds its data cached (no exception, same page)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from bench.loadgen import Session

    async def go():
        a = Session(cluster.replicas[0][0], timeout=60, source="127.0.1.20")
        await a.open("", "")
        try:
            await a.first_run("")
            msg = BackMsg()
            msg.clear_cache = True
            await a.ws.send(msg.SerializeToString())
            await asyncio.sleep(0.5)
        finally:
            await a.close()

    run_async(go())
    log = cluster.access_log.parent / "replica-1.log"  # lib.replicas writes each replica's log beside nginx's
    text = log.read_text(encoding="utf-8")
    assert "a 'clear cache' request from a browser was ignored" in text, text[-2000:]


def test_the_websocket_is_compressed_through_nginx(cluster):
    """A browser that offers permessage-deflate (every current one does) gets its messages compressed, through
    nginx as deployed: a new period on the overview is a 114 KB message and 26 KB on the wire (bench/wire.py)."""
    from bench.loadgen import Session

    async def go():
        a = Session(cluster.replicas[0][0], timeout=60, source="127.0.1.21")
        await a.open("", "")
        try:
            await a.first_run("")
            return a.ws.response.headers.get("Sec-WebSocket-Extensions", ""), [e.name for e in a.ws.protocol.extensions]
        finally:
            await a.close()

    header, extensions = run_async(go())
    assert "permessage-deflate" in header and extensions == ["permessage-deflate"], (header, extensions)


def test_refused_cache_clearing_keeps_the_caches():
    """The same guard in-process: after lib.serve.refuse_cache_clearing, the handler leaves st.cache_* alone."""
    import streamlit as st
    from streamlit.runtime.app_session import AppSession

    from lib.serve import refuse_cache_clearing

    calls = []

    @st.cache_data
    def f() -> int:
        calls.append(1)
        return 1

    f()
    original = AppSession._handle_clear_cache_request
    try:
        refuse_cache_clearing()

        class Fake:
            id = "x"

        AppSession._handle_clear_cache_request(Fake())
        f()
        assert len(calls) == 1
    finally:
        AppSession._handle_clear_cache_request = original


def test_toolbar_and_upload_limits_are_in_the_config():
    """Plain `streamlit run app.py` too: no developer menu for visitors, no upload."""
    import tomllib

    conf = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert conf["server"]["maxUploadSize"] == 0
    assert conf["client"]["toolbarMode"] in ("viewer", "minimal")


def test_an_unreadable_dataset_shows_the_problems_list(tmp_path, monkeypatch):
    """Permission denied on the dataset (simulated: the tests may run as root, where chmod 000 still reads):
    every page shows the problems list naming the file, never a traceback."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    data = tmp_path / "locked.yaml"
    data.write_text("schema_version: 1\n", encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self == data:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    monkeypatch.setenv("PROVINCES_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Tệp dữ liệu có lỗi" in at.error[0].value
    assert f"{data}: the file cannot be read: Permission denied" in at.code[0].value


def test_the_kubernetes_pods_run_unprivileged_on_a_read_only_root():
    """deploy/k8s: non-root, no privilege escalation, every capability dropped, seccomp RuntimeDefault, a
    read-only root filesystem with emptyDirs where the app writes (the frames cache, /tmp, Chromium's home),
    and memory limits that fit the measured 250–450 MB per replica plus Chromium."""
    from tests.test_replicas import _k8s_docs

    docs = _k8s_docs()
    for kind, name in (("StatefulSet", "provinces-dashboard"), ("Deployment", "sticky-proxy")):
        pod = docs[(kind, name)]["spec"]["template"]["spec"]
        c = pod["containers"][0]
        sc = {**pod.get("securityContext", {}), **c["securityContext"]}
        assert sc["runAsNonRoot"] is True and sc["allowPrivilegeEscalation"] is False, name
        assert sc["readOnlyRootFilesystem"] is True and sc["capabilities"]["drop"] == ["ALL"], name
        assert sc["seccompProfile"]["type"] == "RuntimeDefault", name
        empty = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        assert "/tmp" in {m["mountPath"] for m in c["volumeMounts"] if m["name"] in empty}, name
    dash = docs[("StatefulSet", "provinces-dashboard")]["spec"]["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"] for m in dash["volumeMounts"]}
    assert {"/app/.cache", "/home/app"} <= mounts
    limit = dash["resources"]["limits"]["memory"]
    assert limit in ("768Mi", "1Gi"), limit  # 450 MB + Chromium, not the 1536 Mi that 12 uploads filled
    ingress = docs[("Ingress", "provinces-dashboard")]["metadata"]["annotations"]
    assert ingress["nginx.ingress.kubernetes.io/proxy-body-size"] == replicas.MAX_BODY
