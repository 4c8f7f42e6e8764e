"""Below the app, on the wire: bounds on a request's head, and client protocol mistakes.

A request's line and headers are measured as their bytes arrive, before the HTTP parser buffers
them, so a client cannot make the server hold megabytes of headers. A client's protocol mistake
(a request that is not HTTP, a head over its bounds, a WebSocket frame that breaks RFC 6455 or
text that is not UTF-8) is answered and closed, counted by kind, and logged on one info line
without a traceback: at most a few lines a second, however many arrive.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import (
    HeaderLineTooLong,
    PayloadTooBig,
    RequestLineTooLong,
    TooManyHeaders,
)

from .api.problem import PROBLEM_TYPE, Problem

log = logging.getLogger("tourney.client")

LINE_TOO_LONG = "request_line_too_long"
HEAD_TOO_LARGE = "header_too_large"


class HeadMeter:
    """The bytes of one request's head (request line and headers) as they arrive.

    ``feed`` is given every chunk until the parser says the headers are complete (``done``);
    it answers the bound a chunk would break, or None. Only a chunk that would carry the count
    past a bound is searched for the head's end (the blank line), so a body sent with the headers
    is not mistaken for them, and a head well within its bounds costs no scan. Leading blank
    lines or pipelined requests can hide at most one chunk from it (the parser's callbacks count
    those exactly, after it has buffered them).
    """

    __slots__ = ("active", "line_done", "max_head", "max_line", "seen", "tail")

    def __init__(self, max_line: int, max_head: int) -> None:
        self.max_line = max_line
        self.max_head = max_head
        self.reset()

    def reset(self) -> None:
        """A new request begins."""
        self.active = True
        self.line_done = False
        self.seen = 0
        self.tail = b""  # the last bytes of the previous chunk: a blank line may straddle two

    def done(self) -> None:
        """The parser has the whole head."""
        self.active = False

    def feed(self, data: bytes) -> str | None:
        if not self.active:
            return None
        if not self.line_done:
            room = self.max_line - self.seen  # bytes the line may still take, its newline too
            end = data.find(b"\n", 0, room)
            if end < 0 and self.seen + len(data) >= self.max_line:
                return LINE_TOO_LONG
            self.line_done = end >= 0
        total = self.seen + len(data)
        if total > self.max_head:
            joined = self.tail + data
            # the head must end (blank line included) within the bytes still allowed
            if joined.find(b"\r\n\r\n", 0, self.max_head - self.seen + len(self.tail)) < 0:
                return HEAD_TOO_LARGE
        self.seen = total
        self.tail = data[-3:] if len(data) >= 3 else (self.tail + data)[-3:]
        return None


def problem_bytes(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 response, problem+json, that closes the connection: for answers given
    below the app, before a request exists."""
    title = HTTPStatus(status).phrase
    body = Problem(status, title, detail).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\ncontent-type: {PROBLEM_TYPE}\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n"
        "x-content-type-options: nosniff\r\n\r\n"
    )
    return head.encode() + body


class Mistakes:
    """Client protocol mistakes: each counted by kind (``counter``, a labelled Prometheus
    counter) and logged at info level, one line; past ``per_second`` lines in a second the
    rest are only counted, and one line says how many were left out."""

    def __init__(self, counter: Any = None, per_second: int = 10) -> None:
        self.counter = counter
        self.per_second = per_second
        self.window = 0.0
        self.logged = 0
        self.left_out = 0

    def note(self, kind: str, client: Any, detail: str = "") -> None:
        if self.counter is not None:
            self.counter.labels(kind).inc()
        now = time.monotonic()
        if now - self.window >= 1.0:
            if self.left_out:
                log.info("client protocol errors not logged", extra={"count": self.left_out})
            self.window, self.logged, self.left_out = now, 0, 0
        if self.logged >= self.per_second:
            self.left_out += 1
            return
        self.logged += 1
        address = client[0] if isinstance(client, tuple) and client else ""
        log.info("client protocol error",
                 extra={"kind": kind, "client": address, "detail": detail[:200]})  # fmt: skip


class CheckedWebSocket(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, with a client's protocol mistakes (a frame that
    breaks RFC 6455, a message over the size bound, text that is not UTF-8) closed as before
    (1002, 1009, 1007) but counted and logged as ``Mistakes``, not as server errors."""

    mistakes = Mistakes()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        refused = self.conn.handshake_exc
        if refused is not None and not self.handshake_initiated and not self.close_sent:
            # websockets could not read the upgrade request (a header line or count over its
            # own bounds): uvicorn would leave the connection open, unanswered
            self.close_sent = True
            self.mistakes.note("ws_bad_handshake", self.client, str(refused))
            answer = 400
            if isinstance(refused, RequestLineTooLong):
                answer = 414
            elif isinstance(refused, HeaderLineTooLong | TooManyHeaders):
                answer = 431
            self.transport.write(problem_bytes(answer, f"the WebSocket request: {refused}"))
            self.transport.close()

    def handle_parser_exception(self) -> None:
        exc = self.conn.parser_exc
        if exc is not None:
            kind = "ws_message_too_big" if isinstance(exc, PayloadTooBig) else "ws_protocol_error"
            if isinstance(exc, UnicodeDecodeError):
                kind = "ws_invalid_utf8"
            self.mistakes.note(kind, self.client, str(exc))
        super().handle_parser_exception()

    def send_receive_event_to_app(self) -> None:
        """As uvicorn's, but text that is not UTF-8 is a client's mistake: 1007, one line."""
        if self.curr_msg_data_type != "text":
            super().send_receive_event_to_app()
            return
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # past the app's close: discarded, so the peer's close reply can be read
        try:
            text = data.decode()
        except UnicodeDecodeError as exc:
            self.mistakes.note("ws_invalid_utf8", self.client, f"{exc.reason} at {exc.start}")
            self.conn.send_close(1007, "text is not UTF-8")
            super().handle_parser_exception()
            return
        self.queue.put_nowait({"type": "websocket.receive", "text": text})
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()
