"""The webhook dispatcher: a consumer of the stream in a group of its own ("webhooks"), beside
the writer.

Intake: it reads a batch, folds each event into its own copy of the tournaments and of the
webhook endpoints (``Observer``, ``Endpoints``), stores the messages the events call for in the
outbox (SQLite, ``outbox.py``) together with the seq it has handled, and only then acknowledges
the batch. A restart redelivers what was not acknowledged; a message already in the outbox is
not stored twice. So nothing is lost, and a message may be sent twice (at least once).

Delivery: each endpoint's messages go one at a time, in order: the next waits until the one
before is delivered. A failed attempt is retried with exponential backoff (or after the
``Retry-After`` the receiver asked for); a delivery still failing ``retry_window_seconds`` after
its first attempt is given up, and its endpoint disabled through the pipeline like any change.

``run(stopping)`` is the loop the runtime starts; ``step()`` is burst mode for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import redis.asyncio as aioredis

from ..codec import dumps
from ..config import WebhooksConfig
from ..domain.endpoints import Endpoint, Endpoints
from ..domain.events import Event, EventType
from ..domain.models import Tournament
from ..domain.state import fold
from ..domain.webhooks import Observer, payload
from ..metrics import Metrics
from ..outbound import Attempt, Sender
from ..outbox import DELIVERED, FAILED, Delivery, Outbox, Queued
from ..store import Store
from .stream import WEBHOOKS, Stream, decode

log = logging.getLogger("tourney.webhooks")

Disable = Callable[[str, str, str], Awaitable[None]]  # endpoint id, reason, event id
Entries = list[tuple[bytes, dict[bytes, bytes]]]
BLOCK_MS = 200
LINGER_MS = 20  # after a small batch, let more arrive: one read and one commit carry many
CHECKPOINT_SECONDS = 1.0  # a batch of live ticks only stores the checkpoint this often
SWEEP_SECONDS = 60.0  # how often idle tournaments are let go
PRUNE_EVERY = 50
REDIS_ERRORS = (aioredis.RedisError, OSError, TimeoutError)


def is_tick(fields: dict[bytes, bytes]) -> bool:
    """A live score tick, told from the raw entry without decoding it: the event's JSON is
    ``{"id": ..., "type": ...}`` and an id cannot hold an unescaped quote, so the first
    ``"type":"`` is the event's type."""
    raw = fields.get(b"e", b"")
    at = raw.find(b'"type":"')
    return at != -1 and raw.startswith(b'match.live"', at + 8)


def body(ep: Endpoint, doc: dict[str, Any]) -> bytes:
    return dumps(payload(ep.format, doc))


class Dispatcher:
    def __init__(
        self,
        stream: Stream,
        store: Store,
        sender: Sender,
        cfg: WebhooksConfig,
        metrics: Metrics,
        disable: Disable,
        batch_size: int = 500,
        consumer: str = "dispatcher-1",
        idle: Callable[[Tournament], bool] = lambda t: False,
    ) -> None:
        self.stream, self.store, self.sender = stream, store, sender
        self.outbox = Outbox(store)
        self.cfg = cfg
        self.metrics = metrics
        self.disable = disable
        self.batch_size = batch_size
        self.consumer = consumer
        self.observer: Observer | None = None
        self.endpoints = Endpoints()
        self.checkpoint = 0  # every event up to this seq is in the outbox
        self.stored_at = 0.0  # when the checkpoint was last stored
        self.reread_pending = True  # own pending entries first (a restart's redeliveries)
        self.wake = asyncio.Event()
        self.workers: dict[str, asyncio.Task[None]] = {}
        self.slots = asyncio.Semaphore(cfg.concurrency)
        self.finished = 0
        self.stopping: asyncio.Event | None = None
        # memory bounded by what is active: idle tournaments (``idle``) leave the observer's
        # copy; one that has an event again is folded anew from its stored events
        self.idle = idle
        self.let_go: set[str] = set()
        self.swept_at = time.monotonic()

    # ---- the state at the checkpoint ----------------------------------------------------------

    async def load(self) -> None:
        """The tournaments and endpoints as they were at the checkpoint. SQLite holds the
        state at its own newest seq: tournaments changed since the checkpoint are refolded from
        their stored events; if the dispatcher ran ahead of SQLite, the stream holds the rest."""
        stored = await self.store.max_seq()
        mark = await self.outbox.checkpoint()
        if mark is None:  # the first start: nothing from before it is sent
            mark = stored
            await self.outbox.enqueue([], mark, [], time.time())
        tournaments = await self.store.load_tournaments()
        if mark < stored:
            await self.refold(tournaments, mark)
        endpoints = Endpoints()
        for e in await self.store.events_upto("", min(mark, stored)):
            endpoints.apply(e)
        observer = Observer(tournaments)
        if mark > stored:
            events, _ = await self.stream.read_all()
            for e in events:
                if stored < e.seq <= mark:
                    observer.observe(e)
                    endpoints.apply(e)
        for ep in list(endpoints.by_id.values()):  # those of tournaments deleted by then
            if ep.tournament_id is not None and ep.tournament_id not in tournaments:
                del endpoints.by_id[ep.id]
        self.observer, self.endpoints, self.checkpoint = observer, endpoints, mark
        self.let_go.clear()
        await self._sweep(now=True)
        log.info("webhooks ready", extra={"seq": mark, "endpoints": len(endpoints.by_id)})

    async def refold(self, tournaments: dict[str, Tournament], mark: int) -> None:
        """Each tournament with events after ``mark`` as its events up to ``mark`` make it."""
        for tid in await self.store.tournaments_after(mark):
            again: dict[str, Tournament] = {}
            for e in await self.store.events_upto(tid, mark):
                fold(again, e)
            tournaments.pop(tid, None)
            tournaments.update(again)

    # ---- running --------------------------------------------------------------------------------

    async def run(self, stopping: asyncio.Event) -> None:
        """Intake until ``stopping``, deliveries beside it; on a stop, attempts in flight get a
        few seconds, then are cancelled (an attempt cut short is made again after a restart)."""
        self.stopping = stopping
        await self._retry(lambda: self.stream.ensure_group(WEBHOOKS))
        await self._retry(self.load)
        deliveries = asyncio.create_task(self._deliver_loop(stopping) if self.cfg.deliver
                                         else stopping.wait())  # fmt: skip
        try:
            while not stopping.is_set():
                await self.intake(BLOCK_MS)
        finally:
            deliveries.cancel()
            workers = list(self.workers.values())
            if workers:
                await asyncio.wait(workers, timeout=min(5.0, self.cfg.timeout_seconds))
            for task in [deliveries, *workers]:
                task.cancel()
            await asyncio.gather(deliveries, *workers, return_exceptions=True)

    async def step(self) -> int:
        """Burst mode: everything the stream holds into the outbox, then every due delivery
        (each endpoint's in order, until one fails); the entries read plus the attempts made."""
        if self.observer is None:
            await self.stream.ensure_group(WEBHOOKS)
            await self.load()
        n = 0
        while self.reread_pending and (got := await self.intake(None)):
            n += got  # its own pending entries first
        while got := await self.intake(None):
            n += got
        return n + (await self.deliver_due() if self.cfg.deliver else 0)

    async def _retry(self, op: Callable[[], Awaitable[None]]) -> None:
        delay = 0.2
        while True:
            try:
                await op()
                return
            except (*REDIS_ERRORS, sqlite3.Error) as exc:
                log.warning("webhooks cannot start yet; retrying", extra={"error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # ---- intake ---------------------------------------------------------------------------------

    async def intake(self, block_ms: int | None) -> int:
        """Read one batch into the outbox, then acknowledge it; how many entries it held."""
        pending = self.reread_pending
        try:
            entries = await self.stream.read_group(self.consumer, self.batch_size,
                                                   block_ms, pending, WEBHOOKS)  # fmt: skip
        except REDIS_ERRORS as exc:
            self.reread_pending = True
            self.metrics.webhook_errors.labels("redis").inc()
            log.warning("webhooks cannot read the stream", extra={"error": str(exc)})
            await asyncio.sleep(0.5)
            return 0
        if pending and not entries:
            self.reread_pending = False
        await self._sweep()
        if not entries:
            return 0
        await self._bring_back(entries)
        rows, dropped, top, folded = self.messages(entries)
        # a batch of live ticks changes nothing the dispatcher keeps (the observer folds no
        # ticks): its checkpoint need not be stored at once, since a restart that starts from
        # an older one has nothing to fold anew for the ticks in between
        due = time.monotonic() - self.stored_at >= CHECKPOINT_SECONDS
        if (rows or dropped or folded or due) and not await self._store(rows, dropped, top):
            return 0
        try:
            await self.stream.ack_and_trim([eid for eid, _ in entries], WEBHOOKS)
        except REDIS_ERRORS as exc:  # redelivered after the next read of the pending list
            self.reread_pending = True
            self.metrics.webhook_errors.labels("redis").inc()
            log.warning("webhooks cannot acknowledge", extra={"error": str(exc)})
        self.checkpoint = max(self.checkpoint, top)
        oldest_ms = int(entries[0][0].split(b"-")[0])
        self.metrics.webhook_lag.set(max(0.0, time.time() - oldest_ms / 1000))
        if rows or dropped:
            self.wake.set()
        if len(entries) < self.batch_size and not pending and block_ms is not None:
            await asyncio.sleep(LINGER_MS / 1000)  # a small batch: let more arrive
        return len(entries)

    async def _sweep(self, now: bool = False) -> None:
        """Every minute: idle tournaments whose events SQLite all holds leave the observer."""
        if self.observer is None or (not now and time.monotonic() - self.swept_at < SWEEP_SECONDS):
            return
        self.swept_at = time.monotonic()
        stored = min(self.checkpoint, await self.store.max_seq())
        for tid, t in list(self.observer.tournaments.items()):
            if self.idle(t) and t.seq <= stored:
                self.observer.forget(tid)
                self.let_go.add(tid)

    async def _bring_back(self, entries: Entries) -> None:
        """A tournament let go that has an event again: folded anew from its stored events up
        to that one (it was idle, so SQLite holds every earlier event of it)."""
        if not self.let_go or self.observer is None:
            return
        first: dict[str, int] = {}
        for _, fields in entries:
            if is_tick(fields):
                continue  # the observer folds no live score ticks
            with contextlib.suppress(Exception):  # the writer dead-letters what cannot be read
                e = decode(fields)
                if e.tournament_id in self.let_go:
                    first.setdefault(e.tournament_id, e.seq)
        for tid, seq in first.items():
            again: dict[str, Tournament] = {}
            for e in await self.store.events_upto(tid, seq - 1):
                fold(again, e)
            if tid in again:
                self.observer.adopt(again[tid])
            self.let_go.discard(tid)

    def messages(self, entries: Entries) -> tuple[list[Queued], list[str], int, bool]:
        """The messages a batch calls for, per subscribed endpoint; the endpoints deleted; the
        newest seq in it; whether it held an event other than a live tick."""
        assert self.observer is not None, "load() first"
        rows: list[Queued] = []
        dropped: list[str] = []
        top = self.checkpoint
        folded = False
        for _, fields in entries:
            if is_tick(fields):
                top = max(top, int(fields.get(b"s", b"0")))
                continue
            try:
                e = decode(fields)
            except Exception:  # the writer sends it to the dead-letter stream
                continue
            if e.seq <= self.checkpoint:
                continue  # handled before a restart
            top = max(top, e.seq)
            folded = True
            try:
                rows += self.queued(e, dropped)
            except Exception:
                self.metrics.webhook_errors.labels("event").inc()
                log.exception("webhooks skip an event they cannot read", extra={"id": e.id})
        return rows, dropped, top, folded

    def queued(self, e: Event, dropped: list[str]) -> list[Queued]:
        assert self.observer is not None
        notes = self.observer.observe(e)
        if e.type.about_webhooks or e.type is EventType.TOURNAMENT_DELETED:
            changed = self.endpoints.apply(e)
            dropped += [eid for eid in changed if eid not in self.endpoints.by_id]
        out = []
        for n in notes:
            for ep in self.endpoints.subscribed(n.type, n.tournament_id):
                out.append(Queued(ep.id, n.msg_id, n.type, n.seq, n.doc()))
        return out

    async def _store(self, rows: list[Queued], dropped: list[str], top: int) -> bool:
        """Into the outbox, retried while SQLite refuses; False if a stop came first (the batch
        stays unacknowledged in the stream)."""
        delay = 0.1
        while True:
            try:
                await self.outbox.enqueue(rows, top, dropped, time.time())
                self.stored_at = time.monotonic()
                return True
            except sqlite3.Error as exc:
                self.metrics.webhook_errors.labels("sqlite").inc()
                log.error("webhooks cannot store messages; retrying", extra={"error": str(exc)})
                if self.stopping is not None and self.stopping.is_set():
                    self.reread_pending = True
                    return False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    # ---- delivery -------------------------------------------------------------------------------

    async def deliver_due(self) -> int:
        """Every endpoint with a due delivery, at once; each in order until one fails."""
        now = time.time()
        due = [d.endpoint_id for d in await self.outbox.heads()
               if d.next_at <= now and self.sendable(d.endpoint_id)]  # fmt: skip
        return sum(await asyncio.gather(*(self.work(eid) for eid in due)))

    def sendable(self, endpoint_id: str) -> bool:
        ep = self.endpoints.by_id.get(endpoint_id)
        return ep is not None and ep.enabled

    async def _deliver_loop(self, stopping: asyncio.Event) -> None:
        metrics_at = 0.0
        while not stopping.is_set():
            wait = 5.0
            try:
                wait = min(wait, await self.schedule())
                if time.monotonic() - metrics_at > 2:
                    metrics_at = time.monotonic()
                    await self.refresh_metrics()
            except sqlite3.Error as exc:
                log.warning("webhooks cannot read the outbox", extra={"error": str(exc)})
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.01, wait)):
                    await self.wake.wait()
            self.wake.clear()

    async def schedule(self) -> float:
        """Start a worker for each endpoint whose next delivery is due; the seconds until the
        next one that is not."""
        now, soonest = time.time(), float("inf")
        for d in await self.outbox.heads():
            eid = d.endpoint_id
            if eid in self.workers or not self.sendable(eid):
                continue
            if d.next_at > now:
                soonest = min(soonest, d.next_at - now)
                continue
            task = asyncio.create_task(self._worker(eid))
            self.workers[eid] = task
        return soonest

    async def _worker(self, endpoint_id: str) -> None:
        try:
            await self.work(endpoint_id)
        except Exception:
            self.metrics.webhook_errors.labels("delivery").inc()
            log.exception("webhook delivery failed unexpectedly", extra={"endpoint": endpoint_id})
            await asyncio.sleep(1)
        finally:
            self.workers.pop(endpoint_id, None)
            self.wake.set()

    async def work(self, endpoint_id: str) -> int:
        """Send one endpoint's due deliveries in order; stops at a failure; the attempts."""
        made = 0
        while True:
            d = await self.outbox.head(endpoint_id)
            ep = self.endpoints.by_id.get(endpoint_id)
            if d is None or ep is None or not ep.enabled or d.next_at > time.time():
                return made
            d.first_at = d.first_at or time.time()
            async with self.slots:
                attempt = await self.sender.send(ep.url, ep.secret, d.msg_id, body(ep, d.doc))
            made += 1
            if not await self.record(ep, d, attempt):
                return made

    async def record(self, ep: Endpoint, d: Delivery, attempt: Attempt) -> bool:
        """Store an attempt's outcome; True if the endpoint's next delivery may go now."""
        now = time.time()
        self.metrics.webhook_attempts.labels(attempt.outcome).inc()
        self.metrics.webhook_seconds.observe(attempt.seconds)
        d.attempts += 1
        d.last_at, d.last_status, d.last_error = now, attempt.status, attempt.error
        if attempt.ok:
            d.status, d.done_at, d.last_error = DELIVERED, now, None
        else:
            wait = backoff(self.cfg, d.attempts, attempt.retry_after)
            d.next_at = now + wait
            log.info("webhook delivery failed; retrying",  # no URL: a Discord URL is a secret
                     extra={"endpoint": ep.id, "msg_id": d.msg_id, "attempts": d.attempts,
                            "error": attempt.error, "retry_in": round(wait, 1)})  # fmt: skip
            assert d.first_at is not None
            if d.next_at - d.first_at > self.cfg.retry_window_seconds:
                await self.give_up(ep, d)
        await self.outbox.record(d)
        if d.status != "pending":
            self.finished += 1
            if self.finished % PRUNE_EVERY == 0:
                await self.outbox.prune(ep.id, self.cfg.log_keep)
        return attempt.ok

    async def give_up(self, ep: Endpoint, d: Delivery) -> None:
        """The delivery has failed for the whole retry window: it is failed, and the endpoint
        is disabled (an event, so every process and a restart see it). If that event cannot be
        appended now, the delivery stays pending and this is tried again at its next attempt."""
        reason = f"a delivery failed for {self.cfg.retry_window_seconds:g} s: {d.last_error}"
        try:
            await self.disable(ep.id, reason[:300], f"{ep.id}:disabled:{d.msg_id}")
        except Exception as exc:
            log.warning("cannot disable the endpoint yet", extra={"endpoint": ep.id,
                                                                  "error": str(exc)})  # fmt: skip
            return
        self.endpoints.by_id[ep.id] = replace(ep, enabled=False, disabled_reason=reason[:300])
        d.status, d.done_at = FAILED, time.time()
        self.metrics.webhook_failed.inc()
        self.metrics.webhook_disabled.inc()
        log.warning("webhook endpoint disabled", extra={"endpoint": ep.id, "reason": reason})

    async def refresh_metrics(self) -> None:
        enabled = [x.id for x in self.endpoints.by_id.values() if x.enabled]
        count, oldest = await self.outbox.backlog(enabled)
        self.metrics.webhook_pending.set(count)
        self.metrics.webhook_oldest.set(0.0 if oldest is None else max(0.0, time.time() - oldest))


def backoff(cfg: WebhooksConfig, attempts: int, asked: float | None) -> float:
    """The wait after the ``attempts``-th failure: doubling from ``retry_initial_seconds`` up
    to ``retry_max_interval_seconds``; longer if the receiver asked for it (Retry-After)."""
    wait = min(cfg.retry_initial_seconds * 2.0 ** min(attempts - 1, 60),
               cfg.retry_max_interval_seconds)  # fmt: skip
    if asked is not None:
        wait = max(wait, min(asked, cfg.retry_max_interval_seconds))
    return wait
