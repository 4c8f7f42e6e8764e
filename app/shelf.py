"""Memory bounded by what is active: a complete tournament nobody watches leaves memory after
``pipeline.unload_after_seconds`` (it is "shelved": SQLite holds it) and comes back on its next
read, subscription or write.

What stays of a shelved tournament is what the public list needs (a few hundred bytes). An event
for one while it is being loaded back (from another process) is held and folded in once it is
back; an event for one on the shelf brings it back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .codec import dumps, kept, loads
from .domain.events import Event, EventType
from .domain.models import Tournament, TournamentState, Visibility
from .domain.state import State
from .store import Store

log = logging.getLogger("tourney.shelf")

LOAD_WAIT_SECONDS = 10.0  # longest wait for the writer to store what a loaded tournament needs
LOAD_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Shelved:
    created_at: str
    visibility: Visibility
    state: TournamentState
    summary: bytes  # Tournament.summary() as JSON

    def summary_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = loads(self.summary)
        return out


def shelvable(t: Tournament, now: float, after: float) -> bool:
    """Complete, and for at least ``after`` seconds (0: never shelved)."""
    if not after or t.state is not TournamentState.COMPLETE or not t.completed_at:
        return False
    done = datetime.fromisoformat(t.completed_at.replace("Z", "+00:00"))
    return now - done.astimezone(UTC).timestamp() >= after


class Shelf:
    def __init__(
        self,
        state: State,
        store: Store,
        committed: Callable[[], int],
        appended: Callable[[], int],
        apply: Callable[[Event], Any],
    ) -> None:
        self.state = state
        self.store = store
        self.committed = committed
        self.appended = appended
        self.apply = apply
        self.items: dict[str, Shelved] = {}
        self.held: dict[str, list[Event]] = {}  # events for tournaments being loaded back
        self._loads: dict[str, asyncio.Future[bool]] = {}
        self._tasks: set[asyncio.Task[bool]] = set()

    def __contains__(self, tid: str) -> bool:
        return tid in self.items

    def put(self, t: Tournament) -> None:
        """Shelve ``t``: out of memory, its summary kept for the list."""
        self.items[t.id] = Shelved(t.created_at, t.visibility, t.state, kept(dumps(t.summary())))
        self.state.tournaments.pop(t.id, None)

    def listed(self) -> Iterator[tuple[str, str, Shelved]]:
        """(created_at, id, shelved) of every shelved tournament."""
        for tid, s in self.items.items():
            yield s.created_at, tid, s

    def hold(self, e: Event) -> bool:
        """An event for a tournament that is not in memory: held for it if it is being loaded
        back, else it brings it back (and is folded in then). False if it is no tournament's."""
        if e.tournament_id in self.held:
            self.held[e.tournament_id].append(e)
            return True
        if e.type is EventType.TOURNAMENT_DELETED:
            return self.items.pop(e.tournament_id, None) is not None
        if e.tournament_id in self.items:
            self.held[e.tournament_id] = [e]
            task = asyncio.get_running_loop().create_task(self.bring_back(e.tournament_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return True
        return False

    async def bring_back(self, tid: str) -> bool:
        """Load ``tid`` back into memory if it is shelved; False if it is no tournament."""
        if tid in self.state.tournaments:
            return True
        if tid not in self.items:
            return False
        loading = self._loads.get(tid)
        if loading is None:
            loading = self._loads[tid] = asyncio.ensure_future(self._load(tid))
        try:
            return await asyncio.shield(loading)
        finally:
            if loading.done():
                self._loads.pop(tid, None)

    async def _load(self, tid: str) -> bool:
        self.held.setdefault(tid, [])
        try:
            target = self.appended()
            for _ in range(int(LOAD_WAIT_SECONDS / LOAD_POLL_SECONDS)):
                if self.committed() >= target:  # what the stream holds reaches SQLite first
                    break
                await asyncio.sleep(LOAD_POLL_SECONDS)
            loaded = await self.store.load_tournaments([tid])
        except BaseException:
            self.held.pop(tid, None)
            raise
        t = loaded.get(tid)
        if t is None:  # deleted meanwhile
            self.items.pop(tid, None)
            self.held.pop(tid, None)
            return False
        self.state.tournaments[tid] = t
        self.items.pop(tid, None)
        for e in self.held.pop(tid, []):
            self.apply(e)
        log.info("tournament loaded back", extra={"tournament_id": tid})
        return True
