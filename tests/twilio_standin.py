"""A local stand-in for Twilio's Messages API: a real HTTP server on a thread, recording each
request exactly as the SDK sent it. Tests and bench/sms.py point ``SMS_URL`` at it."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]

    @property
    def basic_auth(self) -> tuple[str, str]:
        raw = base64.b64decode(self.headers["Authorization"].removeprefix("Basic "))
        user, _, password = raw.decode().partition(":")
        return user, password


@dataclass
class TwilioStandin:
    # 0: a free port chosen by the system, so parallel test workers never collide.
    port: int = 0
    fail_with: int | None = None  # answer every request with this HTTP status
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        standin = self
        counter = itertools.count(1)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with lock:
                    standin.requests.append(
                        Request("POST", self.path, dict(self.headers.items()), form)
                    )
                    number = next(counter)
                if standin.fail_with:
                    payload = {"code": 21211, "message": "Invalid 'To' Phone Number"}
                    status = standin.fail_with
                else:
                    payload = {"sid": f"SM{number:032x}", "status": "queued", "to": form["To"]}
                    status = 201
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        self.server.daemon_threads = True
        # shutdown() waits for the serving loop to look up from its poll: the default half
        # second, paid by every test that sends a text message.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> TwilioStandin:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, query: str = "from=%2B51100000000") -> str:
        return f"http://AC123:secret-token@127.0.0.1:{self.port}/?{query}"
