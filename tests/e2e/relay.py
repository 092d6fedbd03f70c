"""A TCP relay between the browser and the live server, which a test can cut.

Chromium's offline emulation and Playwright's routes do not reach every request: those a
service worker lets through to the network, or a reloading page sends before the emulation
reaches it, can still arrive. A tablet that loses its connection loses all of them, so the
journeys that go offline cut the connection here, below the browser.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from urllib.parse import urlsplit


def _reset(sock: socket.socket) -> None:
    """Close with a reset, as a dropped network does, rather than an orderly goodbye."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Relay:
    def __init__(self, server_url: str) -> None:
        server = urlsplit(server_url)
        assert server.hostname
        assert server.port
        self.target = (server.hostname, server.port)
        self.listener = socket.create_server((server.hostname, 0))
        # The same host name as the server's: cookies a test sets for the server (by host,
        # whatever the port) reach the pages opened through the relay.
        self.url = f"http://{server.hostname}:{self.listener.getsockname()[1]}"
        self._cut = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def disconnect(self) -> None:
        """Drop every open connection and refuse new ones until ``reconnect``."""
        self._cut.set()
        with self._lock:
            dropped, self._open = self._open, set()
        for sock in dropped:
            _reset(sock)

    def reconnect(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self.listener.close()
        self.disconnect()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            if self._cut.is_set():
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {source, sink}
            for sock in (source, sink):
                sock.close()
