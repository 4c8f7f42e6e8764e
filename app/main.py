"""The composition root: the one module that imports everything and wires it together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .api import challonge
from .api.guard import Guard
from .api.live import close
from .api.problem import Problem, from_exception, problem_response
from .api.reads import ReadCache
from .api.routes import routes
from .config import Config
from .domain.errors import DomainError
from .metrics import Metrics
from .runtime import Runtime
from .welcome import welcome

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
    metrics = Metrics()
    table = routes()
    if cfg.challonge.enabled:
        table += challonge.routes(cfg.challonge.prefix)
    handlers: dict[Any, Any] = {
        Problem: on_error,
        DomainError: on_error,
        HTTPException: on_error,
        Exception: on_error,
    }
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


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    cfg: Config = app.state.config
    raise_fd_limit(app.state.metrics)
    app.state.metrics.backlog_limit.set(cfg.pipeline.backlog_limit)
    async with Runtime(cfg, app.state.metrics) as rt:
        token = await rt.open()
        if rt.fresh:
            log.warning("a new data directory: a new, empty instance",
                        extra={"data_dir": str(cfg.data_path.resolve())})  # fmt: skip
        app.state.welcome = welcome(cfg, rt.fresh, len(rt.state.tournaments), token)
        app.state.runtime = rt
        rt.on_unload = app.state.read_cache.forget
        app.state.going_away = lambda: going_away(rt)
        async with rt.running():
            yield


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


async def going_away(rt: Runtime) -> None:
    """A stop: subscribers get what is queued, then 1001; ingest sockets get 1001."""
    log.info("stopping: closing websockets", extra={"subscribers": rt.hub.count})
    await rt.hub.going_away()
    for ws in list(rt.hub.gate.sockets):
        await close(ws, 1001, "server stopping")
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(rt.cfg.live.shutdown_grace_seconds):
            await rt.hub.gate.idle.wait()
