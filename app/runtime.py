"""One tourney process's parts, built in order, run in one task group, stopped in one list.

    open()     Redis (the embedded server unless one is configured) → SQLite → the state SQLite
               holds (tournaments, tokens, webhook endpoints) → the writer, with its own copy of
               that state → the webhook dispatcher (it loads its own copy when it starts)
    running()  recovery from the stream, then the writer and the webhook dispatcher; the hub's
               flusher and sweeper; the watchers of the stream and of the event loop; the
               embedded server's supervisor; with ``redis.shared``, the follower of other
               processes' events
    close()    see ``shutdown``

With ``redis.shared`` (``--workers``, or several hosts on one Redis) every process is a replica:
it folds every event of the stream into its own state (``_follow``), decides writes on it (the
append refuses one decided on an old version; see service.py), and one process at a time holds
the writer's lease and drains the stream into SQLite (``_write_while_leased``).

The state (``State`` and the tokens) is held here, apart from the ``Service`` that writes to it
and the ``Replica`` that folds events into it. The server, the tests and the benchmarks all build
a process through this class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from . import auth
from .config import Config
from .domain.endpoints import Endpoints
from .domain.errors import Conflict, DomainError
from .domain.events import Event, EventType
from .domain.models import Tournament
from .domain.state import State
from .hub import Hub
from .metrics import Metrics
from .outbound import Sender
from .outbox import Outbox
from .pipeline.appender import Appender
from .pipeline.dispatcher import Dispatcher
from .pipeline.redis_server import EmbeddedRedis
from .pipeline.responses import Responses
from .pipeline.stream import Stream, decode_or_skip
from .pipeline.writer import Writer
from .replica import Replica
from .service import Service
from .shelf import Shelf, shelvable
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
        self.tokens.resolve_link = self._link_holder
        # told the tournaments that left memory (the app drops their cached reads)
        self.on_unload: Callable[[set[str]], None] = lambda tids: None
        self.replica = Replica(self.state, self.tokens, self.hub, self.metrics, self.webhooks)
        self.embedded: EmbeddedRedis | None = None
        self.redis: aioredis.Redis | None = None
        self.ready = False  # serving: /readyz may say yes
        self.fresh = False  # the data directory held no database before this start
        self.stored_seq = 0  # the newest event SQLite held at start
        self.shared = cfg.redis.shared
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.shared_committed = 0  # with shared: how far SQLite holds, as the writer said
        self.followed = b"0-0"  # with shared: the last stream entry folded in
        self.followed_seq = 0
        self.writing = not self.shared  # this process drains the stream into SQLite
        self._stopping = asyncio.Event()
        self._writer_done = asyncio.Event()
        self._recovered = asyncio.Event()
        self._dispatcher_done = asyncio.Event()
        self._opened: list[Any] = []  # what close() must close, in reverse

    # ---- building -----------------------------------------------------------------------------

    async def open(self) -> str | None:
        """Build the parts; returns a newly generated admin token (to print once), else None."""
        self.redis = await self._connect_redis()
        cfg = self.cfg
        self.fresh = not (cfg.data_path / "tourney.sqlite3").exists()  # a new, empty instance
        self.store = Store(cfg.data_path / "tourney.sqlite3", cfg.sqlite_synchronous,
                           cfg.pipeline.sqlite_max_pages)  # fmt: skip
        await self.store.open()
        self._opened.append(self.store)
        keep = cfg.redis.lease_seconds if self.shared else 0
        self.stream = Stream(self.redis, cfg.redis.key_prefix, keep)
        self.appender = Appender(self.stream, cfg.pipeline, self.metrics, self.replica.apply,
                                 self.committed_seq, track_own=self.shared)  # fmt: skip
        self.shelf = Shelf(self.state, self.store, self.committed_seq,
                           lambda: self.appender.appended_seq, self.replica.apply)  # fmt: skip
        self.replica.on_missing = self.shelf.hold
        self.service = Service(self.state, self.appender, self.replica.caught_up, self.ensure)
        self.responses = Responses(self.stream, cfg.pipeline.idempotency_ttl_seconds)
        token = await admin_token(self.cfg, self.store, self.tokens)
        await self._load_state()
        for row in await self.store.load_tokens():
            self.tokens.add(auth.TokenRecord(**row))
        endpoints = await self.store.load_webhooks()
        self.webhooks.by_id.update((ep.id, ep) for ep in endpoints)
        self.stored_seq = await self.store.max_seq()
        # its own copy of the state; shared, it is loaded when this process takes the lease
        projection = {} if self.shared else (await self.store.load_partly(leave=self.idle))[0]
        self.writer = Writer(self.stream, self.store, projection, cfg.pipeline, self.metrics,
                             endpoints=Endpoints({ep.id: ep for ep in endpoints}))  # fmt: skip
        self.writer.committed_seq = self.stored_seq
        self.outbox = Outbox(self.store)
        self.sender = Sender(cfg.webhooks)
        self._opened.append(self.sender)
        self.dispatcher = Dispatcher(
            self.stream, self.store, self.sender, cfg.webhooks, self.metrics,
            self.disable_endpoint, idle=self.idle,
        )  # fmt: skip
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

    async def _load_state(self) -> None:
        """What SQLite holds: tournaments that are idle stay on the shelf."""
        whole, idle = await self.store.load_partly(leave=self.idle)
        for t in [*whole.values(), *idle]:  # participant links, of shelved tournaments too
            self.tokens.link_tournaments.update(dict.fromkeys(t.day.links, t.id))
        self.state.tournaments.clear()
        self.shelf.items.clear()
        self.state.tournaments.update(whole)
        for t in idle:
            self.shelf.put(t)

    def idle(self, t: Tournament) -> bool:
        """Complete for ``pipeline.unload_after_seconds``: it may leave memory."""
        return shelvable(t, time.time(), self.cfg.pipeline.unload_after_seconds)

    async def ensure(self, tid: str) -> None:
        """Tournament ``tid`` in memory, if it is on the shelf."""
        if tid not in self.state.tournaments and tid in self.shelf:
            await self.shelf.bring_back(tid)

    async def _unload(self) -> None:
        """Every so often: idle tournaments nobody watches, all stored, leave memory (and the
        writer's copy)."""
        after = self.cfg.pipeline.unload_after_seconds
        while after:
            await asyncio.sleep(min(60.0, max(after / 4, 1.0)))
            self.unload_idle()

    def unload_idle(self) -> int:
        """Shelve the idle tournaments nobody watches whose events SQLite holds; how many."""
        stored = self.committed_seq()
        gone = [t for t in self.state.tournaments.values()
                if self.idle(t) and t.id not in self.hub.rooms and t.seq <= stored]  # fmt: skip
        for t in gone:
            self.shelf.put(t)
            self.service.locks.pop(t.id, None)
        self.writer.let_go(self.idle)
        if gone:
            self.on_unload({t.id for t in gone})
            log.info("idle tournaments left memory", extra={"count": len(gone)})
        return len(gone)

    def _link_holder(self, tid: str, link_hash: str) -> str | None:
        """Whose participant link ``link_hash`` is in ``tid`` now (None: replaced, or gone)."""
        t = self.state.lookup(tid)
        return t.day.link_holder(link_hash) if t is not None else None

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
        if writer is None:
            return self.appender.appended_seq
        return max(writer.committed_seq, self.shared_committed)

    # ---- recovery -----------------------------------------------------------------------------

    async def recover(self) -> int:
        """Re-apply every stream entry SQLite does not have yet; then writes are accepted."""
        self.appender.appended_seq = await self.stream.set_floor(self.stored_seq)
        touched: set[str] = set()
        replayed = 0
        events, self.followed = await self.stream.read_all()
        for e in events:
            self.appender.appended_seq = max(self.appender.appended_seq, e.seq)
            self.followed_seq = e.seq
            if self._fold(e) and not e.type.about_server:
                replayed += 1
                touched.add(e.tournament_id)
        versions = {tid: t.version for tid, t in self.state.tournaments.items()}
        await self.stream.floor_versions(versions)
        self.appender.accepting = True
        self._recovered.set()
        await self.service.settle(touched)
        log.info("recovered", extra={"tournaments": len(self.state.tournaments),
                                     "replayed": replayed})  # fmt: skip
        return replayed

    async def recovered(self, timeout: float) -> bool:
        """Wait until recovery is done (at most ``timeout`` seconds); whether it is."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._recovered.wait()
        return self._recovered.is_set()

    def _fold(self, e: Event) -> bool:
        """Fold a stream event in (recovery, following); False if it changed nothing."""
        try:
            return self.replica.apply(e) is not None
        except Exception:  # the writer dead-letters it; it must not stop the process
            log.exception("skipping an event this process cannot apply", extra={"id": e.id})
            return False

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
            tg.start_soon(self.hub.run_sender, self.state.lookup)
            tg.start_soon(self.hub.run_sweeper)
            tg.start_soon(self._watch_stream)
            tg.start_soon(self._clock)
            tg.start_soon(watch_loop, self.metrics)
            tg.start_soon(self._unload)
            if self.shared:
                tg.start_soon(self._follow)
                tg.start_soon(self._watch_committed)
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
        """Recovery, then the stream's consumers: the writer (into SQLite) and the webhook
        dispatcher; with other processes on the stream, only while holding the lease."""
        try:
            await self._recover_until_reachable()
            if self.shared:
                await self._write_while_leased()
            else:
                await self._consume(self._stopping)
        finally:
            self._writer_done.set()
            self._dispatcher_done.set()

    async def _consume(self, stopping: asyncio.Event, lost: asyncio.Event | None = None) -> None:
        """The writer and the dispatcher side by side, until ``stopping`` (the writer drains
        first) or ``lost`` (each stops after what it holds)."""
        halt = stopping if lost is None else lost

        async def dispatch() -> None:
            try:
                await self.dispatcher.run(halt)
            finally:
                self._dispatcher_done.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(dispatch)
            await self.writer.run(stopping, lost)

    # ---- several processes on one stream --------------------------------------------------------

    async def _follow(self) -> None:
        """Fold in every event other processes append (this process's own are folded as it
        appends them, and skipped here by their seq)."""
        await self._recovered.wait()
        while True:
            try:
                entries = await self.stream.tail(self.followed, 2000, 1000)
            except REDIS_ERRORS:
                await asyncio.sleep(0.5)
                continue
            for eid, fields in entries:
                self.followed = eid
                seq = int(fields.get(b"s", b"0"))
                if self.followed_seq and seq > self.followed_seq + 1:
                    await self._resync(seq)
                self.followed_seq = seq
                if seq in self.appender.mine:
                    self.appender.mine.discard(seq)
                    continue
                self.appender.appended_seq = max(self.appender.appended_seq, seq)
                e = decode_or_skip(eid, fields)
                if e is not None:
                    self._fold(e)

    async def _resync(self, seq: int) -> None:
        """The stream was trimmed past events this process had not read (it fell more than
        ``redis.lease_seconds`` behind): load SQLite's state again, then what the stream holds."""
        log.error("this process fell behind the stream; reloading", extra={"seq": seq})
        self.metrics.resyncs.inc()
        self.appender.accepting = False
        await self._load_state()
        self.stored_seq = await self.store.max_seq()
        await self.recover()

    async def _watch_committed(self) -> None:
        """How far SQLite holds, as the lease holder's writer says, for this process's backlog."""
        while True:
            with contextlib.suppress(*REDIS_ERRORS):
                self.shared_committed = await self.stream.committed()
            await asyncio.sleep(0.2)

    async def _write_while_leased(self) -> None:
        """Take turns at the writer: whoever holds the lease drains the stream into SQLite,
        renewing it every third of its time; the others wait to take it over."""
        key, ttl = self.stream.keys.writer_lease, self.cfg.redis.lease_seconds
        while not self._stopping.is_set():
            try:
                held = await self.stream.take_lease(key, self.owner, ttl, force=False)
            except REDIS_ERRORS:
                held = False
            if held:
                await self._write_leased(key, ttl)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), ttl / 3)

    async def _write_leased(self, key: str, ttl: float) -> None:
        lost = asyncio.Event()

        async def renew() -> None:
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), ttl / 3)
                try:
                    ok = not self._stopping.is_set() and await self.stream.take_lease(
                        key, self.owner, ttl, force=False
                    )
                except REDIS_ERRORS:
                    ok = False
                if not ok:
                    lost.set()

        log.info("this process writes SQLite now", extra={"owner": self.owner})
        self.metrics.writer_lease.set(1)
        self.writing = True
        projection, _ = await self.store.load_partly(leave=self.idle)
        self.writer.reload(projection, await self.store.max_seq())
        self.writer.endpoints = Endpoints({ep.id: ep for ep in await self.store.load_webhooks()})
        renewing = asyncio.get_running_loop().create_task(renew())
        self._dispatcher_done.clear()
        try:
            await self._consume(self._stopping, lost)
        finally:
            renewing.cancel()
            self.writing = False
            self.metrics.writer_lease.set(0)
            with contextlib.suppress(*REDIS_ERRORS):
                await self.stream.drop_lease(key, self.owner)

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
        checks["process"] = {"id": self.owner, "pid": os.getpid(), "writer": self.writing}
        checks["ok"] = (
            self.ready
            and checks["recovered"]  # as it was before the ping (which awaits)
            and checks["redis"] == "ok"
            and checks["sqlite"] == "ok"
            and self.backlog <= self.cfg.pipeline.backlog_limit
        )
        return checks

    async def _clock(self) -> None:
        """Once a second, what the time brings: a sign-up closing, check-in opening, a round's
        matches called at its scheduled time (each a follow-up, deduplicated by its id, so two
        processes proposing it append it once)."""
        while True:
            await asyncio.sleep(1)
            if not self.appender.accepting:
                continue
            try:
                await self.service.on_clock()
            except DomainError as exc:  # Unavailable: the stream is away; next second again
                log.warning("the clock's follow-ups wait", extra={"error": exc.detail})
            except Exception:  # one tournament's failure must not stop the process
                log.exception("the clock's follow-ups failed")

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


async def admin_token(cfg: Config, store: Store, tokens: auth.Tokens) -> str | None:
    """Set up the admin token; returns a newly generated one (to print once), else None."""
    if cfg.auth.admin_token:
        tokens.admin_hash = auth.digest(cfg.auth.admin_token)
        return None
    stored = await store.get_meta("admin_token_hash")
    if stored:
        tokens.admin_hash = stored
        return None
    token = auth.new_token("adm")
    tokens.admin_hash = auth.digest(token)
    await store.set_meta("admin_token_hash", tokens.admin_hash)
    return token


async def admin_token_once(cfg: Config) -> str | None:
    """The admin token set up before any worker starts (so they do not race to make one)."""
    store = Store(cfg.data_path / "tourney.sqlite3", cfg.sqlite_synchronous)
    await store.open()
    try:
        return await admin_token(cfg, store, auth.Tokens(""))
    finally:
        await store.close()
