"""A real HTTP server on a free loopback port that receives webhooks, for tests: it keeps every
request it got (headers and body), and answers each with the status its ``answer`` says
(204 unless a test makes it fail)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


class Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender that closes its connection after the answer is no error


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    status: int  # what it was answered

    def json(self) -> Any:
        return json.loads(self.body)

    def verified(self, secret: str) -> Any:
        """The payload, once the Standard Webhooks library has checked its signature."""
        return Webhook(secret).verify(self.body.decode(), self.headers)


class Receiver:
    def __init__(self) -> None:
        self.got: list[Received] = []
        self.lock = threading.Lock()
        self.answer: Callable[[Received], int] = lambda _r: 204
        self.headers: dict[str, str] = {}  # added to every answer (e.g. Retry-After)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                n = int(self.headers.get("content-length") or 0)
                headers = {k.lower(): v for k, v in self.headers.items()}
                r = Received(self.path, headers, self.rfile.read(n), 0)
                r.status = receiver.answer(r)
                with receiver.lock:
                    receiver.got.append(r)
                self.send_response(r.status)
                for k, v in receiver.headers.items():
                    self.send_header(k, v)
                body = b"" if r.status in (204, 304) else b"ok" if r.status < 300 else b"no"
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[Received]:
        """The requests answered with a 2xx, in arrival order."""
        with self.lock:
            return [r for r in self.got if 200 <= r.status < 300]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Wait until ``count`` distinct messages were accepted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(firsts(self.accepted())) >= count:
                return firsts(self.accepted())
            time.sleep(0.05)
        got = firsts(self.accepted())
        raise AssertionError(f"{len(got)} of {count} messages: {[r.json() for r in got][-3:]}")


def firsts(received: list[Received]) -> list[Received]:
    """Each message once per endpoint (its path here), at its first accepted arrival: a resend
    after a restart is dropped. Endpoints sent the same message get the same ``webhook-id``."""
    seen: set[tuple[str, str]] = set()
    out = []
    for r in received:
        key = (r.path, r.headers.get("webhook-id", ""))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
