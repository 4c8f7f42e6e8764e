"""What a subscriber sees, and the frames that carry it: one serialisation per view.

A view is every match or one (``?match=``), whole matches or scores only (``?fields=scores``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .codec import dumps_text as dumps
from .domain.events import Event
from .domain.models import Match, Tournament
from .domain.names import names


def score_view(t: Tournament, m: Match) -> dict[str, Any]:
    """A light frame's match: ``names`` beside the ``participants`` ids, so a bot needs no
    second lookup."""
    return {
        "id": m.id, "state": m.state, "scores": m.scores, "winner_id": m.winner_id,
        "participants": m.participants, "names": names(t, m), "live": m.live_detail,
        "station": m.station,
    }  # fmt: skip


def live_patch(m: Match) -> dict[str, Any]:
    return {"id": m.id, "state": m.state, "scores": m.scores, "live": m.live_detail, "seq": m.seq}


ViewKey = tuple[str | None, bool]
FULL: ViewKey = (None, False)  # every match, whole


class View:
    """What one kind of subscriber sees: every match, or one; whole matches, or scores only."""

    __slots__ = ("key", "match_id", "scores_only")

    def __init__(self, match_id: str | None = None, scores_only: bool = False) -> None:
        self.match_id = match_id
        self.scores_only = scores_only
        self.key: ViewKey = (match_id, scores_only)

    def covers(self, match_id: str) -> bool:
        return self.match_id is None or self.match_id == match_id

    def pick(self, t: Tournament, ids: Iterable[str]) -> list[dict[str, Any]]:
        ms = [t.matches[i] for i in ids if i in t.matches]
        if self.match_id is not None:
            ms = [m for m in ms if m.id == self.match_id]
        return [score_view(t, m) if self.scores_only else m.to_dict() for m in ms]

    def event_frame(self, t: Tournament, e: Event, changed: list[str]) -> str | None:
        matches = self.pick(t, changed)
        # matches the event took away (a Swiss round deleted or paired again): a view of one of
        # them is told, so an overlay on a board that is gone does not show it forever
        removed = [mid for mid in e.data.get("removed", ()) if self.covers(mid)]
        if self.match_id is not None and not matches and not removed:
            return None
        if self.scores_only:
            frame = {"type": "scores", "seq": e.seq, "event": e.type, "matches": matches}
        else:
            frame = {"type": "event", "seq": e.seq, "version": t.version, "event": e.public(),
                     "matches": matches}  # fmt: skip
        if removed:
            frame["removed"] = removed
        return dumps(frame)

    def live_frame(self, t: Tournament, ids: Iterable[str]) -> str | None:
        """Live ticks change only a match's state, scores and live detail: a live frame carries
        just those, a patch to the match the client already holds (a tenth of the bytes)."""
        if self.scores_only:
            matches = self.pick(t, ids)
        else:
            ms = [t.matches[i] for i in ids if i in t.matches]
            if self.match_id is not None:
                ms = [m for m in ms if m.id == self.match_id]
            matches = [live_patch(m) for m in ms]
        if not matches:
            return None
        kind = "scores" if self.scores_only else "live"
        return dumps({"type": kind, "seq": t.seq, "matches": matches})

    def snapshot(self, t: Tournament) -> str:
        if self.scores_only:
            ids = [self.match_id] if self.match_id else list(t.matches)
            return dumps({"type": "snapshot", "seq": t.seq, "matches": self.pick(t, ids)})
        if self.match_id is not None:
            m = t.matches.get(self.match_id)  # None: a Swiss round's match, deleted since
            match = m.to_dict() if m is not None else None
            return dumps({"type": "snapshot", "seq": t.seq, "match": match})
        return dumps({"type": "snapshot", "seq": t.seq, "tournament": t.to_dict()})
