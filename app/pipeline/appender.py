"""Group commit: every append goes through one appender, which sends what has queued up while
the previous round trip was in flight as one atomic Lua call, then applies the new events in seq
order. Under load, many requests share one round trip; when idle, a request waits for none.

An append whose outcome is unknown (the connection failed after sending) is remembered and
settled before its tournament's next write: if it reached the stream, it is applied then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from ..config import PipelineConfig
from ..domain.errors import Conflict, Unavailable
from ..domain.events import Event, EventType
from ..metrics import Metrics
from .stream import Appended, Stream

log = logging.getLogger("tourney.appender")

MAX_GROUP = 5000  # events per Lua call


class Stale(Exception):
    """A structural event decided on an older version of its tournament than the stream's:
    another process changed it first. Catch up to ``version`` and decide again."""

    def __init__(self, version: int) -> None:
        super().__init__(f"the tournament is at version {version} already")
        self.version = version


@dataclass(slots=True)
class Applied:
    """One event's append: its seq, whether it repeated an earlier id, the matches it changed."""

    seq: int
    duplicate: bool
    changed: list[str]


# events with the version each was decided on (-1: none checked), and who waits for them
Waiter = tuple[list[tuple[Event, int]], "asyncio.Future[list[Applied]]"]


class Appender:
    def __init__(
        self,
        stream: Stream,
        cfg: PipelineConfig,
        metrics: Metrics,
        apply: Callable[[Event], list[str] | None],
        committed: Callable[[], int],
        track_own: bool = False,
    ) -> None:
        self.stream = stream
        self.cfg = cfg
        self.metrics = metrics
        self.apply = apply
        self.committed = committed
        self.appended_seq = 0
        self.accepting = False  # until recovery has caught up with the stream
        self.pressing = False  # the backlog was over its bound at the last append
        self.queue: list[Waiter] = []
        self.flushing = False
        self._orphans: set[asyncio.Task[None]] = set()
        self.unresolved: dict[str, list[Event]] = {}
        # with other processes on the stream: the seqs this one appended (and folded in
        # already), which its follower skips when it reads them back
        self.track_own = track_own
        self.mine: set[int] = set()

    @property
    def backlog(self) -> int:
        return max(0, self.appended_seq - self.committed())

    async def append(
        self, events: list[Event], expect: int = -1, expects: list[int] | None = None
    ) -> list[Applied]:
        """Append ``events`` (atomically, in order) and apply the new ones; or raise.
        ``expect``: the version of its tournament one structural event was decided on (the
        append raises ``Stale`` if the tournament has moved on since); ``expects``: one such
        version (or -1) for each event, for a batch that builds a tournament's versions."""
        if not self.accepting:
            self.metrics.backpressure.labels("recovering").inc()
            raise Unavailable("recovering: the event stream is not reachable yet", 5)
        over = self.backlog > self.cfg.backlog_limit
        if over != self.pressing:
            self.pressing = over
            extra = {"backlog": self.backlog, "limit": self.cfg.backlog_limit}
            log.warning("backpressure on" if over else "backpressure off", extra=extra)
        if over:
            self.metrics.backpressure.labels("backlog").inc()
            raise Unavailable("the event backlog is over its bound", self.cfg.retry_after_seconds)
        fut: asyncio.Future[list[Applied]] = asyncio.get_running_loop().create_future()
        wants = expects if expects is not None else [expect] * len(events)
        self.queue.append((list(zip(events, wants, strict=True)), fut))
        if not self.flushing:
            await self._lead()
        return await fut

    async def _lead(self) -> None:
        """Flush until the queue is empty; a leader cancelled mid-way hands the rest to a task."""
        self.flushing = True
        try:
            while self.queue:
                await self._flush()
        finally:
            self.flushing = False
            if self.queue:
                task = asyncio.get_running_loop().create_task(self._lead_if_free())
                self._orphans.add(task)
                task.add_done_callback(self._orphans.discard)

    async def _lead_if_free(self) -> None:
        if not self.flushing:
            await self._lead()

    async def _flush(self) -> None:
        group: list[Waiter] = []
        count = 0
        while self.queue and (not group or count + len(self.queue[0][0]) <= MAX_GROUP):
            waiter = self.queue.pop(0)
            group.append(waiter)
            count += len(waiter[0])
        events = [e for evs, _ in group for e, _ in evs]
        ttl, tick_ttl = self.cfg.idempotency_ttl_seconds, self.cfg.tick_id_ttl_seconds
        items = [(e, tick_ttl if e.type is EventType.MATCH_LIVE else ttl, want)
                 for evs, _ in group for e, want in evs]  # fmt: skip
        try:
            results = await self.stream.append(items)
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            for e in events:
                self.unresolved.setdefault(e.tournament_id, []).append(e)
            self.metrics.backpressure.labels("redis").inc()
            log.warning("append failed", extra={"error": str(exc)})
            failure = Unavailable("the event stream is unreachable", self.cfg.retry_after_seconds)
            for _, fut in group:
                if not fut.done():
                    fut.set_exception(failure)
            return
        i = 0
        for evs, fut in group:
            out = [self._settle(e, r, single=len(evs) == 1) for (e, _), r in
                   zip(evs, results[i : i + len(evs)], strict=True)]  # fmt: skip
            i += len(evs)
            if fut.done():
                continue
            if len(evs) == 1 and isinstance(out[0], Exception):
                fut.set_exception(out[0])
            else:
                fut.set_result([a for a in out if isinstance(a, Applied)])

    def _settle(self, e: Event, r: Appended, single: bool) -> Applied | Conflict | Stale:
        if r.stale is not None:
            self.metrics.stale_appends.inc()
            return Stale(r.stale)
        e.seq = r.seq
        if r.duplicate:
            self.metrics.duplicates.inc()
            if single and r.tournament_id and r.tournament_id != e.tournament_id:
                return Conflict(f"the id {e.id!r} was already used in another tournament")
            return Applied(r.seq, True, [])
        self.appended_seq = max(self.appended_seq, r.seq)
        if self.track_own:
            self.mine.add(r.seq)
        self.metrics.appended[e.type] += 1
        return Applied(r.seq, False, self.apply(e) or [])

    async def version(self, tid: str) -> int:
        """The version the stream holds for ``tid`` (0: it never had that tournament)."""
        try:
            raw: Any = await self.stream.redis.hget(self.stream.keys.versions, tid)
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            raise Unavailable("the event stream is unreachable", 1) from exc
        return int(raw or 0)

    async def floor_versions(self, versions: dict[str, int]) -> None:
        """Raise the stream's tournament versions to at least these (after a data loss)."""
        try:
            await self.stream.floor_versions(versions)
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            raise Unavailable("the event stream is unreachable", 1) from exc

    async def resolve(self, tid: str) -> None:
        """Settle appends whose outcome was unknown: apply those that reached the stream."""
        pending = self.unresolved.get(tid)
        if not pending:
            return
        try:
            keys = [self.stream.keys.ids + e.id for e in pending]
            found: Any = await self.stream.redis.mget(keys)
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            raise Unavailable("the event stream is unreachable", 1) from exc
        del self.unresolved[tid]
        for e, value in zip(pending, found, strict=True):
            if value is not None:
                e.seq = int(value.split(b" ")[0])
                self.appended_seq = max(self.appended_seq, e.seq)
                self.apply(e)
