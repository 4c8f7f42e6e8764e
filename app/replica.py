"""This process's copy of the state: every event the stream holds is folded into it, then
published to the subscribers watching its tournament.

The appender applies each event it appended (in seq order); recovery applies what the stream
holds that SQLite lacks. Both go through ``Replica.apply``, so there is one fold.
"""

from __future__ import annotations

import time

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
            return None
        if e.type is EventType.TOURNAMENT_DELETED:
            self.webhooks.apply(e)  # its endpoints go with it
            self.hub.drop(e.tournament_id)
            return changed
        t = self.state.tournaments[e.tournament_id]
        self._time_matches(t, changed)
        if e.type is EventType.MATCH_LIVE:
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
            if m.state is MatchState.READY:
                self.ready_since.setdefault(mid, time.monotonic())
            elif m.state is MatchState.COMPLETE:
                since = self.ready_since.pop(mid, None)
                if since is not None:
                    self.metrics.match_wait_seconds.observe(time.monotonic() - since)
