"""The writer: drains the stream into SQLite in batches, acknowledging only after the commit.

It keeps its own copy of every tournament (a projection folded from the same events), so the
current-state tables are updated in the same transaction as the event rows. A batch that fails
to commit is retried as it is (nothing is acknowledged meanwhile); an entry that cannot be read
or applied goes to the dead-letter stream and does not block the ones behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis

from ..config import PipelineConfig
from ..domain.endpoints import Endpoints
from ..domain.events import Event, EventType
from ..domain.models import Tournament
from ..domain.state import fold
from ..metrics import Metrics
from ..store import Batch, Store
from .stream import Stream, decode

log = logging.getLogger("tourney.writer")


class Stopped(Exception):
    """Asked to stop while a batch cannot be committed: it stays in the stream, unacknowledged."""


class Writer:
    def __init__(
        self,
        stream: Stream,
        store: Store,
        projection: dict[str, Tournament],
        cfg: PipelineConfig,
        metrics: Metrics,
        consumer: str = "writer-1",
        endpoints: Endpoints | None = None,
    ) -> None:
        self.stream = stream
        self.store = store
        self.projection = projection
        self.endpoints = endpoints or Endpoints()  # the webhook endpoints, as SQLite holds them
        self.cfg = cfg
        self.metrics = metrics
        self.consumer = consumer
        self.committed_seq = 0
        self.lag_seconds = 0.0
        self.failing: str | None = None  # why the last commit failed, for /readyz
        self.batches = 0
        self.last_commit = time.time()
        # A failed read may have delivered entries whose reply never arrived: they sit in this
        # consumer's pending list, so it is read again before any new entry.
        self.reread_pending = False
        self.stopping: asyncio.Event | None = None

    def reload(self, projection: dict[str, Tournament], committed_seq: int) -> None:
        """Start again from what SQLite holds (a process taking over the writer's lease)."""
        self.projection = projection
        self.committed_seq = max(self.committed_seq, committed_seq)

    async def run(self, stopping: asyncio.Event, release: asyncio.Event | None = None) -> None:
        """Pending entries first (a restart's redeliveries), then new ones; on ``stopping``,
        drain what is in the stream and return (at once if SQLite refuses the batch); on
        ``release`` (the lease is lost), return after the batch at hand."""
        self.stopping = stopping
        try:
            await self._retry_redis(self.stream.ensure_group)
            while await self.step(pending=True):
                pass
            while release is None or not release.is_set():
                got = await self.step(pending=False)
                if not got and stopping.is_set():
                    return
        except Stopped:
            log.warning(
                "stopped before the batch was stored and acknowledged; it stays in the stream"
            )

    async def step(self, pending: bool = False) -> int:
        """Read and commit one batch; returns how many entries it held (burst mode for tests)."""
        pending = pending or self.reread_pending
        try:
            entries = await self.stream.read_group(
                self.consumer, self.cfg.batch_size, self.cfg.batch_wait_ms, pending
            )
        except (aioredis.RedisError, OSError) as exc:
            self.reread_pending = True
            self.metrics.writer_errors.labels("redis").inc()
            log.warning("writer cannot read the stream", extra={"error": str(exc)})
            await asyncio.sleep(0.5)
            return 0
        if pending and not entries:
            self.reread_pending = False
        if entries:
            await self.commit(entries)
            if len(entries) < self.cfg.batch_size and not pending and self.cfg.batch_linger_ms:
                # a small batch: let more arrive, so one transaction carries many events
                await asyncio.sleep(self.cfg.batch_linger_ms / 1000)
        return len(entries)

    async def commit(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        batch = Batch()
        ids = [eid for eid, _ in entries]
        top = 0
        decoded: list[tuple[dict[bytes, bytes], Event | Exception]] = []
        for _, fields in entries:
            try:
                decoded.append((fields, decode(fields)))
            except Exception as exc:
                decoded.append((fields, exc))
        await self._load_missing([e for _, e in decoded if isinstance(e, Event)])
        for fields, event in decoded:
            try:
                if isinstance(event, Exception):
                    raise event
                self.fold(batch, event, fields[b"e"].decode())
                top = max(top, event.seq)
            except Exception as exc:
                await self._dead_letter(fields, exc)
        started = time.perf_counter()
        await self._write_until_stored(batch)
        self.metrics.commit_seconds.observe(time.perf_counter() - started)
        self.metrics.batch_size.observe(len(entries))
        self.committed_seq = max(self.committed_seq, top)
        await self._retry_redis(lambda: self.stream.ack_and_trim(ids, committed=self.committed_seq))
        oldest_ms = int(ids[0].split(b"-")[0])
        self.lag_seconds = max(0.0, time.time() - oldest_ms / 1000)
        self.metrics.writer_lag.set(self.lag_seconds)
        self.batches += 1
        self.last_commit = time.time()

    async def _load_missing(self, events: list[Event]) -> None:
        """Tournaments this batch changes that the projection let go of: SQLite holds them as
        the writer left them, so they are loaded from there."""
        missing = {
            e.tournament_id
            for e in events
            if e.tournament_id not in self.projection
            and not e.type.about_tokens
            and e.type is not EventType.TOURNAMENT_CREATED
        }
        if missing:
            self.projection.update(await self.store.load_tournaments(sorted(missing)))

    def let_go(self, done: Callable[[Tournament], bool]) -> int:
        """Drop the tournaments ``done`` picks from the projection (SQLite holds them)."""
        gone = [tid for tid, t in self.projection.items() if done(t)]
        for tid in gone:
            del self.projection[tid]
        return len(gone)

    def current_lag(self, backlog: int) -> float:
        """Seconds the oldest unwritten event has waited, as far as the writer can tell: 0 with
        nothing unwritten; else at least the time since the last commit (a stuck writer shows)."""
        if backlog == 0:
            return 0.0
        return max(self.lag_seconds, time.time() - self.last_commit)

    def fold(self, batch: Batch, e: Event, doc: str) -> None:
        """Add ``e`` (``doc``: its JSON as the stream holds it) to the batch and the projection."""
        batch.events.append((e.seq, e.id, e.tournament_id, e.type, doc))
        if e.type.about_tokens:
            fold_token(batch, e)
            return
        if e.type.about_webhooks:
            self.fold_endpoints(batch, e)
            return
        changed = fold(self.projection, e)
        if changed is None:
            return
        tid = e.tournament_id
        if e.type is EventType.TOURNAMENT_DELETED:
            self.fold_endpoints(batch, e)  # its webhook endpoints go with it
            batch.deleted.add(tid)
            batch.tournaments.pop(tid, None)
            batch.matches.pop(tid, None)
            return
        batch.deleted.discard(tid)
        t = self.projection[tid]
        batch.tournaments[tid] = t
        if e.type is EventType.TOURNAMENT_STARTED or e.type is EventType.TOURNAMENT_CREATED:
            changed = list(t.matches)  # a draw, or a tournament imported with its rounds
        elif e.type is EventType.TOURNAMENT_RESET:
            batch.cleared.add(tid)
            batch.matches[tid] = set()
        elif e.type in MATCHES_REMOVED:  # the rows of the matches left are written again
            batch.cleared.add(tid)
            batch.matches[tid] = set(t.matches)
        batch.matches.setdefault(tid, set()).update(changed)

    def fold_endpoints(self, batch: Batch, e: Event) -> None:
        for eid in self.endpoints.apply(e):
            batch.webhooks[eid] = self.endpoints.by_id.get(eid)

    async def _write_until_stored(self, batch: Batch) -> None:
        delay = 0.1
        while True:
            try:
                await self.store.write_batch(batch)
                if self.failing:
                    log.info("writer recovered", extra={"after": self.failing})
                self.failing = None
                return
            except sqlite3.Error as exc:
                self.failing = f"sqlite: {exc}"
                self.metrics.writer_errors.labels("sqlite").inc()
                log.error("writer cannot commit; retrying", extra={"error": str(exc)})
                await self._back_off(delay, exc)
                delay = min(delay * 2, 5.0)

    async def _back_off(self, delay: float, exc: Exception) -> None:
        """Wait before a retry; on a stop, give up instead (raise ``Stopped``): what was not
        acknowledged stays in the stream, and what is stored twice is ignored by id."""
        if self.stopping is None:
            await asyncio.sleep(delay)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), delay)
        if self.stopping.is_set():
            raise Stopped from exc

    async def _retry_redis(self, op: Any) -> None:
        delay = 0.1
        while True:
            try:
                await op()
                return
            except (aioredis.RedisError, OSError) as exc:
                self.metrics.writer_errors.labels("redis").inc()
                log.warning("writer redis call failed; retrying", extra={"error": str(exc)})
                await self._back_off(delay, exc)
                delay = min(delay * 2, 5.0)

    async def _dead_letter(self, fields: dict[bytes, bytes], exc: Exception) -> None:
        self.metrics.dead_letters.inc()
        log.error("event sent to the dead-letter stream", extra={"error": repr(exc)})
        await self._retry_redis(lambda: self.stream.dead_letter(fields, repr(exc)))


# events that take matches out of a tournament (a Swiss round deleted, or paired again)
MATCHES_REMOVED = frozenset({EventType.ROUND_DELETED, EventType.ROUND_REPAIRED})


def fold_token(batch: Batch, e: Event) -> None:
    if e.type is EventType.TOKEN_CREATED:
        batch.tokens.append({**e.data, "created_at": e.at})
    elif e.type is EventType.TOKEN_REVOKED:
        batch.revoked.append((e.at, e.data["id"]))
