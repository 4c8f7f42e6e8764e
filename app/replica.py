"""This process's copy of the state: every event the stream holds is folded into it, then
published to the subscribers watching its tournament.

The appender applies each event it appended (in seq order); recovery applies what the stream
holds that SQLite lacks. Both go through ``Replica.apply``, so there is one fold.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from . import auth
from .domain.endpoints import Endpoints
from .domain.events import Event, EventType
from .domain.models import MatchState, Tournament
from .domain.state import State
from .hub import Hub
from .metrics import Metrics


class Replica:
    def __init__(
        self,
        state: State,
        tokens: auth.Tokens,
        hub: Hub,
        metrics: Metrics,
        webhooks: Endpoints | None = None,
    ) -> None:
        self.state = state
        self.tokens = tokens
        self.webhooks = webhooks if webhooks is not None else Endpoints()
        self.hub = hub
        self.metrics = metrics
        self.ready_since: dict[str, float] = {}  # match id -> when it became ready
        self.waiting: dict[str, list[tuple[int, asyncio.Future[None]]]] = {}
        # an event of a tournament not in memory (on the shelf): True if it was taken care of
        self.on_missing: Callable[[Event], bool] = lambda e: False

    async def caught_up(self, tid: str, version: int, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until tournament ``tid`` is at ``version``."""
        t = self.state.lookup(tid)
        if t is None or t.version >= version:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(tid, []).append((version, fut))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fut, timeout)

    def _wake(self, t: Tournament) -> None:
        waiters = self.waiting.pop(t.id, [])
        still = [(v, f) for v, f in waiters if v > t.version and not f.done()]
        for v, f in waiters:
            if v <= t.version and not f.done():
                f.set_result(None)
        if still:
            self.waiting[t.id] = still

    def apply(self, e: Event) -> list[str] | None:
        """Fold ``e`` in and publish it; the changed match ids, or None if it was not applied
        (an event already folded in, or of a tournament this state does not hold)."""
        if e.type.about_tokens:
            self.tokens.apply(e.type, e.data, e.at)
            return []
        if e.type.about_webhooks:
            self.webhooks.apply(e)
            return []
        changed = self.state.fold(e)
        if changed is None:
            if e.tournament_id not in self.state.tournaments:
                self.on_missing(e)
            return None
        if e.type is EventType.TOURNAMENT_DELETED:
            self.webhooks.apply(e)  # its endpoints go with it
            self.hub.drop(e.tournament_id)
            return changed
        t = self.state.tournaments[e.tournament_id]
        if t.id in self.waiting:
            self._wake(t)
        self._links(t, e)
        self._time_matches(t, changed)
        if e.type is EventType.MATCH_LIVE:
            for mid in changed:
                self.hub.publish_tick(t, mid)
        else:
            self.hub.publish(t, e, changed)
        return changed

    def _links(self, t: Tournament, e: Event) -> None:
        link = e.data.get("token_hash")
        if link:  # a participant link handed out (participant.signed_up, .link_issued)
            self.tokens.link_tournaments[link] = t.id
        if self.tokens.watchers:
            self.tokens.links_changed(t.id)  # an older link replaced, or its participant gone

    def _time_matches(self, t: Tournament, changed: list[str]) -> None:
        """Note when each match became ready, and observe how long it took to be decided."""
        for mid in changed:
            m = t.matches.get(mid)
            if m is None:
                continue
            if m.state is MatchState.READY:
                self.ready_since.setdefault(mid, time.monotonic())
            elif m.state is MatchState.COMPLETE:
                since = self.ready_since.pop(mid, None)
                if since is not None:
                    self.metrics.match_wait_seconds.observe(time.monotonic() - since)
