"""The write path: decide on the state, append to the stream, and let the replica fold it in.

``execute`` runs every command of ``domain.commands.COMMANDS`` the same way: under the
tournament's lock, decide (pure) → append (one atomic Lua call, shared with concurrent appends)
→ the appender folds the new event into the replica and publishes it → follow-ups (a next Swiss
round, the end). The request path never touches SQLite: the writer stores what the stream holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .domain.commands import COMMANDS, CommandName, Input, create_tournament, followups, timed
from .domain.errors import Conflict, DomainError, Invalid, NotFound, Unavailable
from .domain.events import Event, EventType
from .domain.models import Tournament
from .domain.state import State
from .pipeline.appender import Appender, Stale

MAX_TICKS = 10_000
STALE_RETRIES = 8
CATCH_UP_SECONDS = 2.0
# Follow-ups one command may bring, as a guard against a loop: a start with every station free
# calls one match per station (at most 256), a reopen may call as many.
MAX_FOLLOWUPS = 1024


@dataclass
class Outcome:
    event: Event
    changed: list[str] = field(default_factory=list)
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Tick:
    """One live tick of a batch, its shape already checked: ``index`` is its place in the batch
    (for error messages), ``body`` the object as sent."""

    index: int
    tournament_id: str
    match_id: str
    id: str | None
    body: dict[str, Any]


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
        self,
        state: State,
        appender: Appender,
        caught_up: Callable[[str, int, float], Awaitable[None]] | None = None,
        ensure: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.state = state
        self.appender = appender
        self.locks: dict[str, asyncio.Lock] = {}
        self._caught_up = caught_up
        self._ensure = ensure

    async def ensure(self, tid: str) -> None:
        """The tournament in memory (brought back from SQLite if it had left)."""
        if self._ensure is not None:
            await self._ensure(tid)

    async def caught_up(self, tid: str, version: int) -> None:
        """Wait until this process has folded in the tournament's events up to ``version``."""
        if self._caught_up is not None:
            await self._caught_up(tid, version, CATCH_UP_SECONDS)

    def lock(self, tid: str) -> asyncio.Lock:
        lock = self.locks.get(tid)
        if lock is None:
            lock = self.locks[tid] = asyncio.Lock()
        return lock

    # ---- commands ---------------------------------------------------------------------------

    async def execute(self, name: CommandName, tid: str, inp: Input, key: str | None) -> Outcome:
        """decide → append → fold and publish → follow-ups, under the tournament's lock.

        The append carries the version the command was decided on; if another process changed
        the tournament first, this process catches up with the stream and decides again."""
        command = COMMANDS[name]
        eid = key or new_event_id("ev_")
        await self.ensure(tid)
        for _ in range(STALE_RETRIES):
            async with self.lock(tid):
                await self.appender.resolve(tid)
                t = self.state.get(tid)
                data = command.decide(t, replace(inp, now=now_iso()))
                try:
                    out = await self._append(tid, command.event, data, eid, t.version)
                except Stale as stale:
                    mine, theirs = t.version, stale.version
                else:
                    after = self.state.lookup(tid)  # None once deleted
                    if after is not None and not out.duplicate:
                        await self._followups(after)
                    return out
            if theirs < mine:  # Redis lost its newest events: what this process holds stands
                await self.appender.floor_versions({tid: mine})
            await self.caught_up(tid, theirs)
        raise Unavailable("the tournament is changing too fast here: try again", 1)

    async def create(
        self, body: Any, key: str | None, build: Callable[[Any, str], dict[str, Any]] | None = None
    ) -> Outcome:
        """A new tournament (``tournament.created``), with a new id; ``build`` makes its data
        from the body and the id (an import with its rounds) instead of ``create_tournament``."""
        tid = new_id("t_")
        data = build(body, tid) if build is not None else create_tournament(body)
        async with self.lock(tid):
            out = await self._append(tid, EventType.TOURNAMENT_CREATED, data,
                                     key or new_event_id("ev_"), 0)  # fmt: skip
            after = self.state.lookup(tid)
            if after is not None and after.matches and not out.duplicate:
                await self._followups(after)  # an import whose rounds are all played ends
            return out

    async def bring_in(self, events: list[Event], key: str | None) -> Outcome:
        """A tournament from an export: its events appended as they were (their times and data,
        new ids), in one atomic append, each structural one at the version it made. Refused if
        this server holds, or ever held, a tournament of that id. No follow-ups: the log already
        holds every one the tournament had."""
        tid = events[0].tournament_id
        await self.ensure(tid)
        async with self.lock(tid):
            if self.state.lookup(tid) is not None or await self.appender.version(tid):
                raise Conflict(f"this server has (or had) a tournament {tid!r}: imports keep"
                               " their ids, so the file goes to a server without it")  # fmt: skip
            prefix = f"{key}:" if key else new_event_id("im_") + ":"
            fresh = [replace(e, id=f"{prefix}{i}", seq=0) for i, e in enumerate(events, 1)]
            expects, version = [], 0
            for e in fresh:
                expects.append(version if e.type.structural else -1)
                version += e.type.structural
            results = await self.appender.append(fresh, expects=expects)
        return Outcome(fresh[0], results[0].changed if results else [],
                       bool(results) and results[0].duplicate)  # fmt: skip

    async def record(self, etype: EventType, data: dict[str, Any], key: str | None) -> Outcome:
        """An event of no tournament (the server's tokens), its data already checked."""
        return await self._append("", etype, data, key or new_event_id("ev_"))

    async def record_checked(
        self, etype: EventType, decide: Callable[[], dict[str, Any]], key: str | None, lock: str
    ) -> Outcome:
        """An event of no tournament whose data ``decide`` checks against the state under the
        lock of ``lock`` (a tournament, or "" for the server): a webhook endpoint of a
        tournament is never added beside its deletion, nor past the endpoint limit."""
        async with self.lock(lock):
            return await self._append("", etype, decide(), key or new_event_id("ev_"))

    async def _append(
        self, tid: str, etype: EventType, data: dict[str, Any], eid: str, version: int = -1
    ) -> Outcome:
        e = Event(eid, 0, etype, tid, now_iso(), data)
        (res,) = await self.appender.append([e], version)
        return Outcome(e, res.changed, res.duplicate)

    async def _followups(self, t: Tournament) -> None:
        """Append what the state calls for next (a Swiss round, the end), with ids derived from
        the state so that a replay after a crash proposes the same event, which then dedupes."""
        for _ in range(MAX_FOLLOWUPS):
            todo = followups(t, now_iso())
            if not todo:
                return
            etype, data = todo[0]
            try:
                out = await self._append(t.id, etype, data, f"{t.id}:{etype}:v{t.version}",
                                         t.version)  # fmt: skip
            except Stale:
                return  # another process changed it first; its follow-ups are its own
            if out.duplicate:
                return

    async def on_clock(self) -> int:
        """What the clock brings (a sign-up closing, check-in opening, a round's time for its
        matches): the follow-ups of every tournament that has a time set. Returns how many
        tournaments were looked at under their lock."""
        now = now_iso()
        due = [t.id for t in self.state.tournaments.values() if timed(t) and followups(t, now)]
        await self.settle(set(due))
        return len(due)

    async def settle(self, tids: set[str]) -> None:
        """After recovery: the follow-ups the replayed events call for."""
        for tid in sorted(tids):
            t = self.state.lookup(tid)
            if t is not None:
                async with self.lock(tid):
                    await self._followups(t)

    # ---- live ticks ---------------------------------------------------------------------------

    async def tick(self, tid: str, mid: str, body: Any, key: str | None) -> Outcome:
        """A live score tick. No tournament lock: a tick changes nothing another command
        validates against, and one that lands after its match's result is ignored on apply (in
        memory and on replay alike). Group commit lets concurrent ticks share a round trip."""
        await self.ensure(tid)
        await self.appender.resolve(tid)
        command = COMMANDS[CommandName.LIVE_TICK]
        data = command.decide(self.state.get(tid), Input(body, mid))
        return await self._append(tid, command.event, data, key or new_event_id("tk_"))

    async def ticks(self, ticks: list[Tick]) -> dict[str, Any]:
        """Many live ticks: all are checked first (nothing changes if one is refused), then each
        tournament's ticks are appended in one round trip under its lock."""
        if not ticks:
            raise Invalid.field("body", "no ticks given")
        if len(ticks) > MAX_TICKS:
            raise Invalid.field("body", f"at most {MAX_TICKS} ticks per request")
        by_tid: dict[str, list[Tick]] = {}
        for tick in ticks:
            if tick.tournament_id not in by_tid:
                await self.ensure(tick.tournament_id)
            if self.state.lookup(tick.tournament_id) is None:
                raise NotFound(f"[{tick.index}]: no tournament {tick.tournament_id!r}")
            by_tid.setdefault(tick.tournament_id, []).append(tick)
        tids = sorted(by_tid)
        async with contextlib.AsyncExitStack() as stack:
            for tid in tids:
                await stack.enter_async_context(self.lock(tid))
            events: list[Event] = []
            at = now_iso()
            for tid in tids:
                await self.appender.resolve(tid)
                t = self.state.get(tid)
                for tick in by_tid[tid]:
                    events.append(Event(tick.id or new_event_id("tk_"), 0, EventType.MATCH_LIVE,
                                        tid, at, tick_data(t, tick)))  # fmt: skip
            results = await self.appender.append(events)
        seqs = [r.seq for r in results if not r.duplicate]
        return {
            "accepted": len(ticks),
            "duplicates": len(ticks) - len(seqs),
            "first_seq": min(seqs) if seqs else None,
            "last_seq": max(seqs) if seqs else None,
        }


def tick_data(t: Tournament, tick: Tick) -> dict[str, Any]:
    """The ``match.live`` data of one tick of a batch; a refusal names the tick."""
    try:
        return COMMANDS[CommandName.LIVE_TICK].decide(t, Input(tick.body, tick.match_id))
    except (Invalid, Conflict, NotFound) as exc:
        raise at_index(exc, tick.index) from None


def at_index(exc: DomainError, i: int) -> DomainError:
    for err in exc.errors:
        err["field"] = f"[{i}].{err['field']}"
    exc.detail = f"[{i}]: {exc.detail}"
    return exc
