"""One tourney process's parts, built in order, run in one task group, stopped in one list.

    open()     Redis (the embedded server unless one is configured) → SQLite → the state SQLite
               holds (tournaments, tokens, webhook endpoints) → the writer, with its own copy of
               that state → the webhook dispatcher (it loads its own copy when it starts)
    running()  recovery from the stream, then the writer; the webhook dispatcher; the hub's
               flusher and sweeper; the watchers of the stream and of the event loop; the
               embedded server's supervisor
    close()    see ``shutdown``

The state (``State`` and the tokens) is held here, apart from the ``Service`` that writes to it
and the ``Replica`` that folds events into it. The server, the tests and the benchmarks all build
a process through this class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from . import auth
from .config import Config
from .domain.endpoints import Endpoints
from .domain.errors import Conflict
from .domain.events import EventType
from .domain.state import State
from .hub import Hub
from .metrics import Metrics
from .outbound import Sender
from .outbox import Outbox
from .pipeline.appender import Appender
from .pipeline.dispatcher import Dispatcher
from .pipeline.redis_server import EmbeddedRedis
from .pipeline.responses import Responses
from .pipeline.stream import Stream
from .pipeline.writer import Writer
from .replica import Replica
from .service import Service
from .store import Store

log = logging.getLogger("tourney")

REDIS_ERRORS = (aioredis.RedisError, OSError, TimeoutError)


class Runtime:
    def __init__(self, cfg: Config, metrics: Metrics | None = None) -> None:
        self.cfg = cfg
        self.metrics = metrics or Metrics()
        self.state = State()
        self.tokens = auth.Tokens("")
        self.webhooks = Endpoints()  # every webhook endpoint, as the API shows them
        self.hub = Hub(cfg.live, self.metrics)
        self.replica = Replica(self.state, self.tokens, self.hub, self.metrics, self.webhooks)
        self.embedded: EmbeddedRedis | None = None
        self.redis: aioredis.Redis | None = None
        self.ready = False  # serving: /readyz may say yes
        self.stored_seq = 0  # the newest event SQLite held at start
        self._stopping = asyncio.Event()
        self._writer_done = asyncio.Event()
        self._dispatcher_done = asyncio.Event()
        self._opened: list[Any] = []  # what close() must close, in reverse

    # ---- building -----------------------------------------------------------------------------

    async def open(self) -> str | None:
        """Build the parts; returns a newly generated admin token (to print once), else None."""
        self.redis = await self._connect_redis()
        cfg = self.cfg
        self.store = Store(cfg.data_path / "tourney.sqlite3", cfg.sqlite_synchronous,
                           cfg.pipeline.sqlite_max_pages)  # fmt: skip
        await self.store.open()
        self._opened.append(self.store)
        self.stream = Stream(self.redis, cfg.redis.key_prefix)
        self.appender = Appender(self.stream, cfg.pipeline, self.metrics, self.replica.apply,
                                 self.committed_seq)  # fmt: skip
        self.service = Service(self.state, self.appender)
        self.responses = Responses(self.stream, cfg.pipeline.idempotency_ttl_seconds)
        token = await self._admin_token()
        self.state.tournaments.update(await self.store.load_tournaments())
        for row in await self.store.load_tokens():
            self.tokens.add(auth.TokenRecord(**row))
        endpoints = await self.store.load_webhooks()
        self.webhooks.by_id.update((ep.id, ep) for ep in endpoints)
        self.stored_seq = await self.store.max_seq()
        self.writer = Writer(self.stream, self.store, await self.store.load_tournaments(),
                             cfg.pipeline, self.metrics,
                             endpoints=Endpoints({ep.id: ep for ep in endpoints}))  # fmt: skip
        self.writer.committed_seq = self.stored_seq
        self.outbox = Outbox(self.store)
        self.sender = Sender(cfg.webhooks)
        self._opened.append(self.sender)
        self.dispatcher = Dispatcher(self.stream, self.store, self.sender, cfg.webhooks,
                                     self.metrics, self.disable_endpoint)  # fmt: skip
        return token

    async def _connect_redis(self) -> aioredis.Redis:
        url = self.cfg.redis.url
        if not url:
            self.embedded = EmbeddedRedis(self.cfg.data_path, self.cfg.appendfsync,
                                          self.cfg.redis.binary)  # fmt: skip
            await self.embedded.start()
            url = self.embedded.url
        timeout = self.cfg.redis.timeout_seconds
        client = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            max_connections=256,
            # no silent retries: a retried append would come back as a duplicate of itself and
            # never be applied; the appender settles an unknown outcome itself (appender.py)
            retry=Retry(NoBackoff(), 0),
        )
        self._opened.append(client)
        return client

    async def _admin_token(self) -> str | None:
        if self.cfg.auth.admin_token:
            self.tokens.admin_hash = auth.digest(self.cfg.auth.admin_token)
            return None
        stored = await self.store.get_meta("admin_token_hash")
        if stored:
            self.tokens.admin_hash = stored
            return None
        token = auth.new_token("adm")
        self.tokens.admin_hash = auth.digest(token)
        await self.store.set_meta("admin_token_hash", self.tokens.admin_hash)
        return token

    async def disable_endpoint(self, endpoint_id: str, reason: str, event_id: str) -> None:
        """A webhook endpoint whose delivery kept failing is disabled: an event like any change."""

        def decide() -> dict[str, Any]:
            ep = self.webhooks.by_id.get(endpoint_id)
            if ep is None or not ep.enabled:
                raise Conflict("the endpoint is gone or already disabled")
            return {"id": endpoint_id, "enabled": False, "disabled_reason": reason}

        ep = self.webhooks.by_id.get(endpoint_id)
        lock = (ep.tournament_id or "") if ep is not None else ""
        try:
            await self.service.record_checked(EventType.WEBHOOK_UPDATED, decide, event_id, lock)
        except Conflict:
            return

    def committed_seq(self) -> int:
        writer: Writer | None = getattr(self, "writer", None)
        return writer.committed_seq if writer else self.appender.appended_seq

    # ---- recovery -----------------------------------------------------------------------------

    async def recover(self) -> int:
        """Re-apply every stream entry SQLite does not have yet; then writes are accepted."""
        self.appender.appended_seq = await self.stream.set_floor(self.stored_seq)
        touched: set[str] = set()
        replayed = 0
        for _, e in await self.stream.read_all():
            self.appender.appended_seq = max(self.appender.appended_seq, e.seq)
            try:
                if self.replica.apply(e) is not None and not e.type.about_server:
                    replayed += 1
                    touched.add(e.tournament_id)
            except Exception:  # the writer dead-letters it; it must not stop the recovery
                log.exception("recovery skips an event it cannot apply", extra={"id": e.id})
        self.appender.accepting = True
        await self.service.settle(touched)
        log.info("recovered", extra={"tournaments": len(self.state.tournaments),
                                     "replayed": replayed})  # fmt: skip
        return replayed

    async def _recover_until_reachable(self) -> None:
        """Recovery, retried until Redis answers: meanwhile reads are served from SQLite's
        state, writes get 503, and /readyz says why."""
        delay = 0.2
        while True:
            try:
                await self.recover()
                log.info("ready", extra={"tournaments": len(self.state.tournaments)})
                return
            except REDIS_ERRORS as exc:
                log.warning("the event stream is unreachable; retrying", extra={"error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # ---- running ------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Every loop of the process in one task group; on leaving, ``shutdown``."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._pipeline)
            tg.start_soon(self._dispatch)
            tg.start_soon(self.hub.run_flusher, self.state.lookup)
            tg.start_soon(self.hub.run_sweeper, self.state.lookup)
            tg.start_soon(self._watch_stream)
            tg.start_soon(watch_loop, self.metrics)
            if self.embedded is not None:
                tg.start_soon(self.embedded.supervise)
            self.ready = True
            log.info("serving", extra={"tournaments": len(self.state.tournaments)})
            try:
                yield
            finally:
                await self.shutdown()
                tg.cancel_scope.cancel()

    async def _pipeline(self) -> None:
        try:
            await self._recover_until_reachable()
            await self.writer.run(self._stopping)
        finally:
            self._writer_done.set()

    async def _dispatch(self) -> None:
        try:
            await self.dispatcher.run(self._stopping)
        finally:
            self._dispatcher_done.set()

    async def shutdown(self) -> None:
        """A stop, in order (the server has already stopped accepting, sent every WebSocket
        what was queued for it and closed it with 1001; see ``going_away``):
        1. not ready: /readyz answers 503, so a proxy sends nobody new;
        2. the writer drains what the stream holds into SQLite (at most 30 s);
        3. the loops are cancelled (by ``running``), then ``close`` closes SQLite, the Redis
           client and the embedded server."""
        self.ready = False
        self._stopping.set()
        with anyio.move_on_after(30):
            await self._writer_done.wait()
            await self._dispatcher_done.wait()
        log.info("stopped", extra={"committed_seq": self.writer.committed_seq})

    async def close(self) -> None:
        for part in reversed(self._opened):
            if isinstance(part, aioredis.Redis | Sender):
                await part.aclose()
            else:
                await part.close()
        self._opened.clear()
        if self.embedded is not None:
            await self.embedded.stop()

    async def __aenter__(self) -> Runtime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- health -------------------------------------------------------------------------------

    @property
    def backlog(self) -> int:
        return self.appender.backlog

    async def readiness(self) -> dict[str, Any]:
        """What /readyz answers: recovered, Redis reachable, SQLite writable, backlog bounded."""
        checks: dict[str, Any] = {"recovered": self.appender.accepting}
        started = time.perf_counter()
        try:
            await self.stream.redis.ping()
            checks["redis"] = "ok"
        except REDIS_ERRORS as exc:
            checks["redis"] = f"unreachable: {exc}"
        checks["redis_ms"] = round((time.perf_counter() - started) * 1000, 2)
        checks["sqlite"] = self.writer.failing or "ok"
        checks["backlog"] = self.backlog
        checks["backlog_limit"] = self.cfg.pipeline.backlog_limit
        checks["writer_lag_seconds"] = round(self.writer.lag_seconds, 3)
        checks["ok"] = (
            self.ready
            and self.appender.accepting
            and checks["redis"] == "ok"
            and checks["sqlite"] == "ok"
            and self.backlog <= self.cfg.pipeline.backlog_limit
        )
        return checks

    async def _watch_stream(self) -> None:
        """Stream length, pending count and Redis health for /metrics, every few seconds."""
        restarts = 0
        m = self.metrics
        while True:
            try:
                m.stream_length.set(await self.stream.length())
                m.stream_pending.set(await self.stream.pending_count())
                m.redis_up.set(1)
            except REDIS_ERRORS:
                m.redis_up.set(0)
            if self.embedded is not None and self.embedded.restarts > restarts:
                m.embedded_restarts.inc(self.embedded.restarts - restarts)
                restarts = self.embedded.restarts
            m.backlog.set(self.backlog)
            m.writer_lag.set(self.writer.current_lag(self.backlog))
            await asyncio.sleep(2)


async def watch_loop(metrics: Metrics, interval: float = 0.1) -> None:
    """Event-loop lag: how late a timer fires is how long everything else waited too."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(interval)
        metrics.loop_lag.set(max(0.0, loop.time() - before - interval))
