"""A tournament's results made final, and a live match taken back to ready.

Finalizing records that the organiser reviewed a complete tournament: its results stand, and a
match can no longer be reopened (a reset still starts it over). A live match cleared loses its
live score and waits, ready, for its result. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from .errors import Conflict
from .models import MatchState, Tournament, TournamentState


def finalize(t: Tournament) -> dict[str, Any]:
    if t.state is not TournamentState.COMPLETE:
        raise Conflict("only a complete tournament can be finalized: every match needs a result")
    if t.finalized_at is not None:
        raise Conflict(f"the tournament was finalized at {t.finalized_at}")
    return {}


def finalized_blocker(t: Tournament) -> str | None:
    """Why a result cannot be reopened in ``t``, or None."""
    if t.finalized_at is not None:
        return "the tournament is finalized: its results stand (reset it to play again)"
    return None


def clear_live(t: Tournament, mid: str) -> dict[str, Any]:
    m = t.match(mid)
    if m.state is not MatchState.LIVE:
        raise Conflict(f"only a live match can go back to ready; this one is {m.state}")
    return {"match_id": m.id}


def fold_finalized(t: Tournament, at: str) -> None:
    t.finalized_at = at


def fold_live_cleared(t: Tournament, mid: str) -> list[str]:
    m = t.matches[mid]
    if m.state is not MatchState.LIVE:
        return []
    m.state = MatchState.READY
    m.scores = None
    m.live_detail = None
    return [m.id]
