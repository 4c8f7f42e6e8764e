"""The HTTP and WebSocket server under the app: uvicorn, configured and extended.

- ``GuardedHttp``: httptools with a deadline for request headers (slowloris).
- ``DirectWebSocket``: uvicorn's sans-I/O WebSocket protocol, offered to the app so the hub can
  write prebuilt frames straight to the socket.
- ``Server``: a stop that closes WebSockets with 1001 after what is waiting for them.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from . import config as config_mod


def uvicorn_config(cfg: config_mod.Config, app: object) -> uvicorn.Config:
    loop, http = cfg.server.event_loop, cfg.server.http_parser
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    protocol: Any = http
    if http == "httptools":
        protocol = type("Http", (GuardedHttp,), {"header_timeout": cfg.server.header_timeout})
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=cfg.server.host,
        port=cfg.server.port,
        loop=loop,
        http=protocol,
        ws=DirectWebSocket,
        backlog=cfg.server.backlog,
        timeout_keep_alive=cfg.server.timeout_keep_alive,
        timeout_graceful_shutdown=10,
        ws_max_size=1_048_576,
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
    )


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for request headers: a client that connects
    and sends nothing, or sends its headers a byte at a time, is dropped after
    ``header_timeout`` seconds instead of holding a socket forever (slowloris)."""

    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

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


class DirectWebSocket(WebSocketsSansIOProtocol):
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
    is queued for it and closes it with 1001 (going away), then stops as uvicorn does."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        state = getattr(self.config.app, "state", None)
        if state is not None:
            state.abort_connection = self.abort_connection
        await super().startup(sockets)

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


def listening_socket(cfg: config_mod.Config, config: uvicorn.Config) -> socket.socket:
    """The listening socket, with a fixed send buffer that every accepted connection inherits:
    a slow reader backs up into our bounded queue (and is closed with 1013) instead of into
    megabytes of kernel memory, and 10,000 sockets cost a bounded amount of it."""
    sock = config.bind_socket()
    if cfg.server.socket_send_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, cfg.server.socket_send_buffer)
    return sock
