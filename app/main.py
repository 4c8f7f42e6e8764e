"""The composition root: the one module that imports everything and wires it together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .api.guard import Guard
from .api.http import Problem, from_exception, problem_response
from .api.reads import ReadCache
from .api.routes import routes
from .config import Config
from .hub import Hub
from .metrics import Metrics
from .pipeline.redis_server import EmbeddedRedis
from .pipeline.stream import Stream
from .pipeline.writer import Writer
from .service import Service
from .store import Store

log = logging.getLogger("tourney")
access = logging.getLogger("tourney.access")


class RequestMetrics:
    """Counts and times every HTTP request by its route template (never by raw path)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, templates: dict[Any, str], access_log: bool
    ) -> None:
        self.access_log = access_log
        self.app = app
        self.metrics = metrics
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = self.templates.get(scope.get("endpoint"), "unmatched")
            method = scope["method"]
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(route, method, str(status[0])).inc()
            self.metrics.request_seconds.labels(route, method).observe(elapsed)
            if self.access_log:
                client = scope.get("client") or ("", 0)
                access.info(
                    "request",
                    extra={"method": method, "route": route, "status": status[0],
                           "ms": round(elapsed * 1000, 2), "client": client[0]},
                )  # fmt: skip


async def on_error(request: Request, exc: Exception) -> Response:
    problem = from_exception(exc)
    if problem is None:
        if isinstance(exc, HTTPException):
            problem = Problem(exc.status_code, str(exc.detail), str(exc.detail),
                              headers=dict(exc.headers or {}))  # fmt: skip
        else:
            log.exception("unhandled error", extra={"path": request.url.path})
            problem = Problem(500, "Internal error", "the server failed; it has been logged")
    return problem_response(problem)


def create_app(cfg: Config) -> Starlette:
    from .api.http import Problem as ProblemExc
    from .domain.errors import DomainError
    from .pipeline.appender import Unavailable

    metrics = Metrics()
    table = routes()
    handlers: dict[Any, Any] = {
        ProblemExc: on_error, DomainError: on_error, Unavailable: on_error,
        HTTPException: on_error, Exception: on_error,
    }  # fmt: skip
    app = Starlette(routes=table, exception_handlers=handlers, lifespan=lifespan)
    templates = {getattr(r, "endpoint", None): getattr(r, "path", "") for r in table}
    app.add_middleware(Guard, cfg=cfg.server)
    if cfg.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in cfg.server.cors_origins.split(",") if o.strip()],
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
            expose_headers=["ETag", "Retry-After", "Location"],
        )
    app.add_middleware(
        RequestMetrics, metrics=metrics, templates=templates, access_log=cfg.server.access_log
    )
    app.state.config = cfg
    app.state.metrics = metrics
    app.state.read_cache = ReadCache(cfg.server.read_cache_bytes)
    return app


async def connect_redis(cfg: Config) -> tuple[aioredis.Redis, EmbeddedRedis | None]:
    embedded = None
    url = cfg.redis.url
    if not url:
        embedded = EmbeddedRedis(cfg.data_path, cfg.appendfsync, cfg.redis.binary)
        await embedded.start()
        url = embedded.url
    client = aioredis.Redis.from_url(
        url,
        socket_timeout=cfg.redis.timeout_seconds,
        socket_connect_timeout=cfg.redis.timeout_seconds,
        max_connections=256,
        # no silent retries: a retried append would come back as a duplicate of itself and
        # never be applied; the appender settles an unknown outcome itself (see appender.py)
        retry=Retry(NoBackoff(), 0),
    )
    return client, embedded


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    cfg: Config = app.state.config
    metrics: Metrics = app.state.metrics
    raise_fd_limit(metrics)
    metrics.backlog_limit.set(cfg.pipeline.backlog_limit)
    client, embedded = await connect_redis(cfg)
    store = Store(
        cfg.data_path / "tourney.sqlite3", cfg.sqlite_synchronous, cfg.pipeline.sqlite_max_pages
    )
    await store.open()
    stream = Stream(client, cfg.redis.key_prefix)
    hub = Hub(cfg.live, metrics)
    svc = Service(cfg, stream, store, hub, metrics)
    app.state.service = svc
    app.state.going_away = lambda: going_away(svc)
    try:
        token = await svc.admin_token()
        if token:
            announce_admin_token(token)
        await svc.load()
        writer = Writer(stream, store, await store.load_tournaments(), cfg.pipeline, metrics)
        writer.committed_seq = svc.stored_seq
        svc.writer = writer
        app.state.writer = writer
        stopping = asyncio.Event()
        writer_done = anyio.Event()

        async def run_pipeline() -> None:
            try:
                await catch_up(svc)
                await writer.run(stopping)
            finally:
                writer_done.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(run_pipeline)
            tg.start_soon(hub.run_flusher, svc.lookup)
            tg.start_soon(hub.run_sweeper, svc.lookup)
            tg.start_soon(watch_stream, svc, embedded)
            tg.start_soon(watch_loop, metrics)
            if embedded is not None:
                tg.start_soon(embedded.supervise)
            svc.ready = True
            log.info("serving", extra={"tournaments": len(svc.tournaments)})
            try:
                yield
            finally:
                svc.ready = False
                stopping.set()
                with anyio.move_on_after(30):
                    await writer_done.wait()
                tg.cancel_scope.cancel()
        log.info("stopped", extra={"committed_seq": writer.committed_seq})
    finally:
        await store.close()
        await client.aclose()
        if embedded is not None:
            await embedded.stop()


async def catch_up(svc: Service) -> None:
    """Recovery from the stream, retried until Redis answers: meanwhile reads are served from
    SQLite's state, writes get 503, and /readyz says why."""
    delay = 0.2
    while True:
        try:
            await svc.catch_up()
            log.info("ready", extra={"tournaments": len(svc.tournaments)})
            return
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            log.warning("the event stream is unreachable; retrying", extra={"error": str(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def watch_stream(svc: Service, embedded: EmbeddedRedis | None) -> None:
    """Stream length, pending count and Redis health for /metrics, every few seconds."""
    restarts = 0
    while True:
        try:
            svc.metrics.stream_length.set(await svc.stream.length())
            svc.metrics.stream_pending.set(await svc.stream.pending_count())
            svc.metrics.redis_up.set(1)
        except (aioredis.RedisError, OSError, TimeoutError):
            svc.metrics.redis_up.set(0)
        if embedded is not None and embedded.restarts > restarts:
            svc.metrics.embedded_restarts.inc(embedded.restarts - restarts)
            restarts = embedded.restarts
        svc.metrics.backlog.set(svc.backlog)
        if svc.writer is not None:
            svc.metrics.writer_lag.set(svc.writer.current_lag(svc.backlog))
        await asyncio.sleep(2)


async def watch_loop(metrics: Metrics, interval: float = 0.1) -> None:
    """Event-loop lag: how late a timer fires is how long everything else waited too."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(interval)
        metrics.loop_lag.set(max(0.0, loop.time() - before - interval))


def raise_fd_limit(metrics: Metrics) -> None:
    """Sockets are files: take every descriptor the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    metrics.fd_limit.labels("soft").set(soft)
    metrics.fd_limit.labels("hard").set(hard)


async def going_away(svc: Service) -> None:
    """A stop: subscribers get what is queued, then 1001; ingest sockets get 1001."""
    from .api.live import close

    log.info("stopping: closing websockets", extra={"subscribers": svc.hub.count})
    svc.hub.going_away()
    for ws in list(svc.hub.gate.sockets):
        await close(ws, 1001, "server stopping")
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(svc.cfg.live.shutdown_grace_seconds):
            await svc.hub.gate.idle.wait()


def announce_admin_token(token: str) -> None:
    """Printed once: only its hash is kept."""
    print(
        "\n  tourney: a new admin token was generated. It is shown this once; keep it:\n"
        f"\n      {token}\n\n  (TOURNEY_ADMIN_TOKEN or [auth] admin_token choose your own)\n",
        file=sys.stderr,
        flush=True,
    )
