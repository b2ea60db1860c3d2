"""bench/wire.py: the relay that counts the bytes a server sends, for the benchmark's "bytes on the wire"."""

from __future__ import annotations

import socket
import threading

from bench.wire import CountingRelay


def test_the_relay_passes_both_ways_and_counts_only_what_the_server_sends():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    reply = b"x" * 300_000

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            asked = conn.recv(100)
            conn.sendall(asked + reply)

    threading.Thread(target=serve, daemon=True).start()
    relay = CountingRelay("127.0.0.1", listener.getsockname()[1])
    try:
        with socket.create_connection(("127.0.0.1", relay.port), timeout=10) as client:
            client.sendall(b"hello")
            got = b""
            while chunk := client.recv(65536):
                got += chunk
        assert got == b"hello" + reply
        assert relay.down == len(b"hello") + len(reply)  # the server's bytes; the client's 5 not counted again
    finally:
        relay.close()
        listener.close()
