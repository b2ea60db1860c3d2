"""Bytes on the wire: a TCP relay between the browser and a server that counts what the server sends.

Playwright's websocket frames are the messages after the browser has inflated them, so with websocket
compression on (`server.enableWebsocketCompression`, .streamlit/config.toml) they say what Streamlit wrote, not
what crossed the network. The relay counts the bytes the server wrote to the socket: frames, compressed or not,
and their headers — what a leader's connection carries.
"""

from __future__ import annotations

import asyncio
import socket
import threading


class CountingRelay:
    """Listens on 127.0.0.1 and a free port, relays every connection to (host, port), and counts in `down` the
    bytes the server sent (all connections together)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.down = 0
        self._lock = threading.Lock()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="counting-relay")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the counting relay did not start")
        self.url = f"http://127.0.0.1:{self.port}/"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool) -> None:
        try:
            while data := await reader.read(65536):
                if count:
                    with self._lock:
                        self.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(self._pipe(client_r, server_w, False), self._pipe(server_r, client_w, True))

    def close(self) -> None:
        def stop() -> None:
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(stop)
        self._thread.join(5)
