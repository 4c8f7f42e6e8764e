"""The HTTP and WebSocket server under the app: uvicorn, configured and extended.

- ``GuardedHttp``: httptools with a deadline for request headers (slowloris), bounds on the
  request line and head, and client mistakes counted instead of logged as errors.
- ``DirectWebSocket``: uvicorn's sans-I/O WebSocket protocol, offered to the app so the hub can
  write prebuilt frames straight to the socket.
- ``Server``: a stop that closes WebSockets with 1001 after what is waiting for them.
"""

from __future__ import annotations

import asyncio
import errno
import importlib.util
import logging
import socket
from collections.abc import Callable
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from . import config as config_mod
from . import welcome
from .wire import (
    HEAD_TOO_LARGE,
    LINE_TOO_LONG,
    CheckedWebSocket,
    HeadMeter,
    Mistakes,
    problem_bytes,
)


def uvicorn_config(cfg: config_mod.Config, app: object) -> uvicorn.Config:
    loop, http = cfg.server.event_loop, cfg.server.http_parser
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    metrics = getattr(getattr(app, "state", None), "metrics", None)
    mistakes = Mistakes(metrics.client_errors if metrics is not None else None)
    protocol: Any = http
    if http == "httptools":
        protocol = type("Http", (GuardedHttp,), {
            "header_timeout": cfg.server.header_timeout, "mistakes": mistakes,
            "max_request_line": cfg.server.max_request_line_bytes,
            "max_head": cfg.server.max_header_bytes,
        })  # fmt: skip
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=cfg.server.host,
        port=cfg.server.port,
        loop=loop,
        http=protocol,
        ws=type("WebSocket", (DirectWebSocket,), {"mistakes": mistakes}),
        backlog=cfg.server.backlog,
        timeout_keep_alive=cfg.server.timeout_keep_alive,
        timeout_graceful_shutdown=10,
        ws_max_size=1_048_576,
        h11_max_incomplete_event_size=cfg.server.max_header_bytes,  # with http_parser = "h11"
        # per-message deflate compresses every frame once per subscriber and keeps ~46 KiB of
        # zlib state per socket (measured: 78 KiB vs 32 KiB per subscriber)
        ws_per_message_deflate=False,
        # protocol pings only find dead peers; the app's heartbeats keep proxies awake
        ws_ping_interval=60,
        ws_ping_timeout=30,
        proxy_headers=bool(cfg.server.trusted_proxies),
        forwarded_allow_ips=cfg.server.trusted_proxies or None,
        log_config=None,
        access_log=False,
        lifespan="on",
        ssl_certfile=cfg.server.tls_cert or None,
        ssl_keyfile=cfg.server.tls_key or None,
        # no cipher list of uvicorn's ("TLSv1" admits SHA-1 and CBC suites): the standard
        # library's server defaults, TLS 1.2 and up with forward-secret AEAD ciphers
        ssl_ciphers="",
    )


log = logging.getLogger("tourney")

GREET_AFTER = 5.0  # longest wait for recovery before the welcome is shown anyway
LINGER = 2.0  # seconds a refused client's remaining bytes are read and dropped before the close


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol, guarded:

    - a deadline for request headers: a client that connects and sends nothing, or sends its
      headers a byte at a time, is dropped after ``header_timeout`` seconds (slowloris);
    - bounds on the request line and on the whole head, measured before the parser buffers
      them: 414 or 431, problem+json, and the connection is closed;
    - a request that is not HTTP/1.1 is a client's mistake (400, problem+json), counted and
      logged on one info line (see ``wire.Mistakes``), as is an upgrade to a protocol other
      than WebSocket.
    """

    header_timeout = 10.0
    max_request_line = 16_384
    max_head = 65_536
    mistakes = Mistakes()
    _header_timer: asyncio.TimerHandle | None = None
    _lingering = False
    _over: str | None = None  # the bound a callback found broken
    _line_bytes = _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head = HeadMeter(self.max_request_line, self.max_head)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """As uvicorn's, with the head measured first, and mistakes told apart from faults."""
        if self._lingering:
            return  # read and dropped: the connection is being closed
        over = self._head.feed(data)
        if over is not None:
            self._refuse_head(over)
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self.mistakes.note("unsupported_upgrade", self.client)
        except httptools.HttpParserError as exc:
            if self._over is not None:  # refused by on_url or on_header
                self._refuse_head(self._over)
                return
            self.mistakes.note("malformed_request", self.client, str(exc))
            self._answer(400, "the request is not valid HTTP/1.1")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._line_bytes = self._head_bytes = 0
        if self._header_timer is None:
            self._arm()

    def on_url(self, url: bytes) -> None:
        """The target, counted exactly as the parser hands it over (``HeadMeter`` bounds what
        the parser may buffer before that; this catches what it cannot see, such as a second
        pipelined request in one read)."""
        self._line_bytes += len(url)
        if self._line_bytes > self.max_request_line:
            self._over = LINE_TOO_LONG
            raise ValueError(self._over)  # stops the parser: HttpParserCallbackError
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._line_bytes + self._head_bytes > self.max_head:
            self._over = HEAD_TOO_LARGE
            raise ValueError(self._over)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        self._head.done()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head.reset()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _refuse_head(self, over: str) -> None:
        self.mistakes.note(over, self.client)
        if over == LINE_TOO_LONG:
            self._answer(414, f"the request line is over {self.max_request_line} bytes")
        else:
            self._answer(431, f"the request line and headers are over {self.max_head} bytes")

    def _answer(self, status: int, detail: str) -> None:
        """Answer, then close after a lingering read: what the client is still sending is read
        and dropped for up to ``LINGER`` seconds, so that it gets to read the answer instead of
        a connection reset (a close with unread data sends a TCP reset)."""
        self._disarm()
        if self.transport.is_closing() or self._lingering:
            return
        self._lingering = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # a pipelined request before this one: unanswered
        self.transport.write(problem_bytes(status, detail))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER, self.transport.close)

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class DirectWebSocket(CheckedWebSocket):
    """uvicorn's sans-I/O WebSocket protocol, offering itself to the app as the extension
    ``tourney.direct``: the hub then writes each prebuilt frame straight to the transport,
    instead of one task and four layers of ASGI sends per subscriber per frame.

    Once a close frame has gone out (ours or the answer to the client's), nothing more may be
    written: ``on_close_sent``, if the app set it, is called then, so the hub's write loop need
    not ask this object before every frame."""

    _close_sent = False
    on_close_sent: Callable[[], object] | None = None

    @property
    def close_sent(self) -> bool:
        return self._close_sent

    @close_sent.setter
    def close_sent(self, value: bool) -> None:
        self._close_sent = value
        if value and self.on_close_sent is not None:
            self.on_close_sent()

    async def run_asgi(self) -> None:
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
        extensions["tourney.direct"] = self
        await super().run_asgi()


class Server(uvicorn.Server):
    """uvicorn, with a stop that first stops accepting, then lets every WebSocket receive what
    is queued for it and closes it with 1001 (going away), then stops as uvicorn does. Once it
    listens, it says so to the person who started it (``welcome.py``), unless ``announce`` is
    off (a worker of ``--workers``: its supervisor speaks)."""

    announce = True

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self.config.app, "state", None)
        if state is not None:
            state.abort_connection = self.abort_connection
        await super().startup(sockets)
        if self.announce and self.started and not self.should_exit:
            self._greeting = asyncio.ensure_future(self.greet(state))

    async def greet(self, state: Any) -> None:
        """Once recovered (or after a few seconds of it): the welcome, after the log's
        start-up lines rather than among them."""
        greeting = getattr(state, "welcome", None)
        rt = getattr(state, "runtime", None)
        if greeting is None:
            return
        if rt is not None:
            await rt.recovered(GREET_AFTER)
        if not self.should_exit:
            welcome.show(greeting)

    def abort_connection(self, scope: object) -> bool:
        """Drop the connection that carries ``scope`` at once, whatever it has buffered: for a
        peer that stopped reading, a graceful close would wait on it forever."""
        for conn in list(self.server_state.connections):
            if getattr(conn, "scope", None) is scope:
                conn.transport.abort()
                return True
        return False

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        app = self.config.app
        going_away = getattr(getattr(app, "state", None), "going_away", None)
        if going_away is not None:
            await going_away()
        await super().shutdown(sockets)


def bind(cfg: config_mod.Config, config: uvicorn.Config, reuse_port: bool = False) -> socket.socket:
    """The listening socket, with a fixed send buffer that every accepted connection inherits:
    a slow reader backs up into our bounded queue (and is closed with 1013) instead of into
    megabytes of kernel memory, and 10,000 sockets cost a bounded amount of it. A worker of
    ``--workers`` binds it beside its siblings (SO_REUSEPORT). An address that cannot be had is
    an OSError saying what to do, before anything else starts (never a hang, nor a link to the
    server that holds the port)."""
    host, port = cfg.server.host, cfg.server.port
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, cannot_listen(host, port, exc)) from None
    sock.set_inheritable(True)
    if cfg.server.socket_send_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, cfg.server.socket_send_buffer)
    scheme = "https" if config.is_ssl else "http"
    shown = f"[{host}]" if ":" in host else host
    log.info("listening", extra={"url": f"{scheme}://{shown}:{sock.getsockname()[1]}"})
    return sock


def cannot_listen(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"cannot listen on {where}: the port is in use (another server, or another"
                " tourney, listens there). Stop it, or pick another port with --port.")  # fmt: skip
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine (--host)."
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: ports below 1024 need privileges; try --port 8000."
    return f"cannot listen on {where}: {exc.strerror or exc}"
