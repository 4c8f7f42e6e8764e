"""Use cases: validate through the domain, append to the stream, apply, publish.

One lock per tournament serialises validate → append → apply, so two referees reporting at once
cannot interleave. The request path never touches SQLite: the writer stores what the stream holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis

from . import auth
from .config import Config
from .domain import engine
from .domain.errors import Conflict, Invalid, NotFound
from .domain.models import Event, Tournament
from .hub import Hub
from .metrics import Metrics
from .pipeline.appender import Appender
from .pipeline.stream import Stream
from .pipeline.writer import Writer
from .store import Store

log = logging.getLogger("tourney.service")

MAX_BATCH = 10_000
RESPONSE_CACHE = 50_000


@dataclass
class Outcome:
    event: Event
    changed: list[str] = field(default_factory=list)
    duplicate: bool = False


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6)}"


_EVENT_IDS = itertools.count()
_PROCESS = secrets.token_hex(8)


def new_event_id(prefix: str) -> str:
    """An event id no other event has: 64 random bits for this process, then a counter
    (an urandom call per event cost 5 % of a one-tick request)."""
    return f"{prefix}{_PROCESS}{next(_EVENT_IDS):x}"


class Service:
    def __init__(
        self, cfg: Config, stream: Stream, store: Store, hub: Hub, metrics: Metrics
    ) -> None:
        self.cfg = cfg
        self.stream = stream
        self.store = store
        self.hub = hub
        self.metrics = metrics
        self.tournaments: dict[str, Tournament] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.tokens = auth.Tokens("")
        self.writer: Writer | None = None
        self.appender = Appender(stream, cfg.pipeline, metrics, self.apply, self.committed_seq)
        self.ready = False
        self.stored_seq = 0
        self.ready_since: dict[str, float] = {}
        self.responses: OrderedDict[str, tuple[str, int, bytes]] = OrderedDict()
        self._background: set[asyncio.Task[Any]] = set()

    # ---- start-up ---------------------------------------------------------------------------

    async def recover(self) -> int:
        """Load SQLite's state, then re-apply every stream entry SQLite does not have yet."""
        await self.load()
        return await self.catch_up()

    async def load(self) -> None:
        """SQLite's state: enough to serve reads, even while Redis is unreachable."""
        self.tournaments = await self.store.load_tournaments()
        for row in await self.store.load_tokens():
            self.tokens.add(auth.TokenRecord(**row))
        self.stored_seq = await self.store.max_seq()

    async def catch_up(self) -> int:
        """Re-apply every stream entry SQLite does not have yet; then writes are accepted."""
        self.appender.appended_seq = await self.stream.set_floor(self.stored_seq)
        replayed = 0
        touched: set[str] = set()
        for _, e in await self.stream.read_all():
            self.appender.appended_seq = max(self.appender.appended_seq, e.seq)
            try:
                if e.type.startswith("token."):
                    self._apply_token(e)
                elif engine.fold(self.tournaments, e) is not None:
                    replayed += 1
                    touched.add(e.tournament_id)
            except Exception:  # the writer dead-letters it; it must not stop the recovery
                log.exception("recovery skips an event it cannot apply", extra={"id": e.id})
        self.appender.accepting = True
        for tid in touched:
            if tid in self.tournaments:
                async with self.lock(tid):
                    await self._followups(self.tournaments[tid])
        log.info("recovered", extra={"tournaments": len(self.tournaments), "replayed": replayed})
        return replayed

    async def admin_token(self) -> str | None:
        """Set up the admin token; returns a newly generated one (to print once), else None."""
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

    # ---- reads --------------------------------------------------------------------------------

    def get(self, tid: str) -> Tournament:
        t = self.tournaments.get(tid)
        if t is None:
            raise NotFound(f"no tournament {tid!r}")
        return t

    def lookup(self, tid: str) -> Tournament | None:
        return self.tournaments.get(tid)

    def lock(self, tid: str) -> asyncio.Lock:
        lock = self.locks.get(tid)
        if lock is None:
            lock = self.locks[tid] = asyncio.Lock()
        return lock

    def committed_seq(self) -> int:
        return self.writer.committed_seq if self.writer else self.appender.appended_seq

    @property
    def backlog(self) -> int:
        return self.appender.backlog

    # ---- the write path ---------------------------------------------------------------------

    async def command(
        self,
        tid: str,
        etype: str,
        build: Callable[[Tournament | None], dict[str, Any]],
        event_id: str | None = None,
        create: bool = False,
    ) -> Outcome:
        """validate (``build``) → append → apply → publish → follow-ups, under the lock."""
        async with self.lock(tid):
            await self.appender.resolve(tid)
            t = self.tournaments.get(tid)
            if t is None and not create:
                raise NotFound(f"no tournament {tid!r}")
            data = build(t)
            e = Event(event_id or new_event_id("ev_"), 0, etype, tid, now_iso(), data)
            (res,) = await self.appender.append([e])
            if res.duplicate:
                return Outcome(e, duplicate=True)
            t = self.tournaments.get(tid)
            if t is not None:
                await self._followups(t)
            return Outcome(e, res.changed)

    def apply(self, e: Event) -> list[str]:
        if e.type.startswith("token."):
            self._apply_token(e)
            return []
        if e.type == "tournament.deleted":
            engine.fold(self.tournaments, e)
            self.hub.drop(e.tournament_id)
            return []
        changed = engine.fold(self.tournaments, e)
        if changed is None:
            return []
        t = self.tournaments[e.tournament_id]
        self._time_matches(t, changed)
        if e.type == "match.live":
            for mid in changed:
                self.hub.publish_tick(t, mid)
        else:
            self.hub.publish(t, e, changed)
        return changed

    def _time_matches(self, t: Tournament, changed: list[str]) -> None:
        """Note when each match became ready, and observe how long it took to be decided."""
        for mid in changed:
            m = t.matches.get(mid)
            if m is None:
                continue
            if m.state == "ready":
                self.ready_since.setdefault(mid, time.monotonic())
            elif m.state == "complete":
                since = self.ready_since.pop(mid, None)
                if since is not None:
                    self.metrics.match_wait_seconds.observe(time.monotonic() - since)

    def _apply_token(self, e: Event) -> None:
        if e.type == "token.created":
            self.tokens.add(auth.TokenRecord(**e.data, created_at=e.at))
        elif e.type == "token.revoked":
            self.tokens.revoke(e.data["id"], e.at)

    async def tick(self, tid: str, mid: str, body: Any, event_id: str | None) -> Outcome:
        """A live score tick. No tournament lock: a tick changes nothing another command
        validates against, and one that lands after its match's result is ignored on apply (in
        memory and on replay alike). Group commit lets concurrent ticks share a round trip."""
        await self.appender.resolve(tid)
        data = engine.live_tick(self.get(tid), mid, body)
        e = Event(event_id or new_event_id("tk_"), 0, "match.live", tid, now_iso(), data)
        (res,) = await self.appender.append([e])
        return Outcome(e, res.changed, res.duplicate)

    async def _followups(self, t: Tournament) -> None:
        """Append what the state calls for next (a Swiss round, the end), with ids derived from
        the state so that a replay after a crash proposes the same event, which then dedupes."""
        for _ in range(16):
            todo = engine.followups(t)
            if not todo:
                return
            etype, data = todo[0]
            e = Event(f"{t.id}:{etype}:v{t.version}", 0, etype, t.id, now_iso(), data)
            (res,) = await self.appender.append([e])
            if res.duplicate:
                return

    # ---- live ticks in bulk -------------------------------------------------------------------

    async def ingest(
        self, items: list[dict[str, Any]], can: Callable[[str], bool], id_prefix: str = ""
    ) -> dict[str, Any]:
        """Many live ticks: all are checked first (nothing changes if one is refused), then each
        tournament's ticks are appended in one round trip under its lock. A tick's own ``id``
        becomes its event's after ``id_prefix`` (the caller's space, see ``Principal``)."""
        if not items:
            raise Invalid.field("body", "no ticks given")
        if len(items) > MAX_BATCH:
            raise Invalid.field("body", f"at most {MAX_BATCH} ticks per request")
        by_tid: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise Invalid.field(f"[{i}]", "must be an object")
            tid = item.get("tournament_id")
            if not isinstance(tid, str):
                raise Invalid.field(f"[{i}].tournament_id", "must be a string")
            if tid not in self.tournaments:
                raise NotFound(f"[{i}]: no tournament {tid!r}")
            if not can(tid):
                raise PermissionError(tid)
            eid = item.get("id")
            if eid is not None and (not isinstance(eid, str) or not 0 < len(eid) <= 200):
                raise Invalid.field(f"[{i}].id", "must be a string of 1 to 200 characters")
            by_tid.setdefault(tid, []).append((i, item))
        tids = sorted(by_tid)
        async with contextlib.AsyncExitStack() as stack:
            for tid in tids:
                await stack.enter_async_context(self.lock(tid))
            events: list[Event] = []
            at = now_iso()
            for tid in tids:
                await self.appender.resolve(tid)
                t = self.tournaments[tid]
                for i, item in by_tid[tid]:
                    data = self._tick_data(t, item, i)
                    eid = id_prefix + item["id"] if item.get("id") else new_event_id("tk_")
                    events.append(Event(eid, 0, "match.live", tid, at, data))
            results = await self.appender.append(events)
        seqs = [r.seq for r in results if not r.duplicate]
        return {
            "accepted": len(items),
            "duplicates": len(items) - len(seqs),
            "first_seq": min(seqs) if seqs else None,
            "last_seq": max(seqs) if seqs else None,
        }

    @staticmethod
    def _tick_data(t: Tournament, item: dict[str, Any], i: int) -> dict[str, Any]:
        mid = item.get("match_id")
        if not isinstance(mid, str):
            raise Invalid.field(f"[{i}].match_id", "must be a string")
        try:
            return engine.live_tick(t, mid, item)
        except (Invalid, Conflict, NotFound) as exc:
            for err in exc.errors:
                err["field"] = f"[{i}].{err['field']}"
            exc.detail = f"[{i}]: {exc.detail}"
            raise

    # ---- idempotent responses ---------------------------------------------------------------

    def remember(self, key: str, tid: str, status: int, body: bytes) -> None:
        self.responses[key] = (tid, status, body)
        if len(self.responses) > RESPONSE_CACHE:
            self.responses.popitem(last=False)
        ttl = self.cfg.pipeline.idempotency_ttl_seconds
        value = f"{status} {tid} ".encode() + body
        task = asyncio.get_running_loop().create_task(self._store_response(key, value, ttl))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _store_response(self, key: str, value: bytes, ttl: int) -> None:
        with contextlib.suppress(aioredis.RedisError, OSError, TimeoutError):
            await self.stream.remember_response(key, value, ttl)

    async def recall(self, key: str) -> tuple[str, int, bytes] | None:
        hit = self.responses.get(key)
        if hit is not None:
            return hit
        try:
            raw = await self.stream.response(key)
        except (aioredis.RedisError, OSError, TimeoutError):
            return None
        if raw is None:
            return None
        status, tid, body = raw.split(b" ", 2)
        return (tid.decode(), int(status), body)

    # ---- health -----------------------------------------------------------------------------

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {"recovered": self.appender.accepting}
        started = time.perf_counter()
        try:
            await self.stream.redis.ping()
            checks["redis"] = "ok"
        except (aioredis.RedisError, OSError, TimeoutError) as exc:
            checks["redis"] = f"unreachable: {exc}"
        checks["redis_ms"] = round((time.perf_counter() - started) * 1000, 2)
        failing = self.writer.failing if self.writer else None
        checks["sqlite"] = failing or "ok"
        checks["backlog"] = self.backlog
        checks["backlog_limit"] = self.cfg.pipeline.backlog_limit
        checks["writer_lag_seconds"] = round(self.writer.lag_seconds, 3) if self.writer else None
        checks["ok"] = (
            self.ready
            and self.appender.accepting
            and checks["redis"] == "ok"
            and checks["sqlite"] == "ok"
            and self.backlog <= self.cfg.pipeline.backlog_limit
        )
        return checks
