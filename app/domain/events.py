"""Events: every change is one, with a type from a closed set. state.py folds them into the
tournaments; every applied event that is not a live score tick bumps its tournament's
``version``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    TOURNAMENT_CREATED = "tournament.created"
    TOURNAMENT_UPDATED = "tournament.updated"
    TOURNAMENT_DELETED = "tournament.deleted"
    TOURNAMENT_STARTED = "tournament.started"
    TOURNAMENT_COMPLETED = "tournament.completed"
    TOURNAMENT_RESET = "tournament.reset"
    PARTICIPANT_ADDED = "participant.added"
    PARTICIPANT_UPDATED = "participant.updated"
    PARTICIPANT_REMOVED = "participant.removed"
    PARTICIPANT_DISQUALIFIED = "participant.disqualified"
    MATCH_RESULT = "match.result"
    MATCH_REOPENED = "match.reopened"
    MATCH_LIVE = "match.live"
    ROUND_PAIRED = "round.paired"
    # the director's Swiss (director.py, swiss_roster.py, corrections.py)
    ROUND_REPAIRED = "round.repaired"
    ROUND_DELETED = "round.deleted"
    ROUND_SWAPPED = "round.swapped"
    MATCH_CORRECTED = "match.corrected"
    PARTICIPANT_RETURNED = "participant.returned"
    BYE_REQUESTED = "participant.bye_requested"
    BYE_CANCELLED = "participant.bye_cancelled"
    STAGE_STARTED = "stage.started"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    # the event day: sign-up, the waiting list, check-in (signup.py)
    PARTICIPANT_SIGNED_UP = "participant.signed_up"
    PARTICIPANT_APPROVED = "participant.approved"
    PARTICIPANT_REJECTED = "participant.rejected"
    PARTICIPANT_WITHDRAWN = "participant.withdrawn"
    PARTICIPANT_PROMOTED = "participant.promoted"
    PARTICIPANT_CHECKED_IN = "participant.checked_in"
    PARTICIPANT_LINK_ISSUED = "participant.link_issued"
    WAITLIST_REORDERED = "waitlist.reordered"
    SIGNUP_CLOSED = "signup.closed"
    CHECK_IN_OPENED = "check_in.opened"
    # stations (stations.py)
    STATION_ADDED = "station.added"
    STATION_UPDATED = "station.updated"
    STATION_REMOVED = "station.removed"
    MATCH_CALLED = "match.called"
    # check-in undone, aborted and processed before the start; seeds set at once; a tournament's
    # results made final; a live match back to ready (roster.py, review.py)
    PARTICIPANT_CHECK_IN_UNDONE = "participant.check_in_undone"
    CHECK_IN_ABORTED = "check_in.aborted"
    CHECK_IN_PROCESSED = "check_in.processed"
    PARTICIPANTS_RESEEDED = "participants.reseeded"
    TOURNAMENT_FINALIZED = "tournament.finalized"
    MATCH_LIVE_CLEARED = "match.live_cleared"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_UPDATED = "webhook.updated"
    WEBHOOK_DELETED = "webhook.deleted"

    @property
    def structural(self) -> bool:
        """Bumps the tournament's version: everything but live score ticks."""
        return self is not EventType.MATCH_LIVE

    @property
    def about_tokens(self) -> bool:
        """An event of the server's tokens, not of a tournament."""
        return self in TOKEN_EVENTS

    @property
    def about_webhooks(self) -> bool:
        """An event of the webhook endpoints (of a tournament or the server's), not of a
        tournament's state: never in a tournament's event log, never sent to its subscribers."""
        return self in WEBHOOK_EVENTS

    @property
    def about_server(self) -> bool:
        """Stored with no tournament id: tokens and webhook endpoints."""
        return self in TOKEN_EVENTS or self in WEBHOOK_EVENTS


TOKEN_EVENTS = frozenset({EventType.TOKEN_CREATED, EventType.TOKEN_REVOKED})
WEBHOOK_EVENTS = frozenset(
    {EventType.WEBHOOK_CREATED, EventType.WEBHOOK_UPDATED, EventType.WEBHOOK_DELETED}
)

# Keys of an event's data that only the server sees: the stream and the store keep them (a
# replay needs them), every public rendering of an event (frames, GET .../events) leaves them out.
PRIVATE_DATA = frozenset({"token_hash", "signup_code", "reporter"})


def public_data(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without its private keys (the same dict when it has none)."""
    if PRIVATE_DATA.isdisjoint(data):
        return data
    return {k: v for k, v in data.items() if k not in PRIVATE_DATA}


@dataclass(slots=True)
class Event:
    """One applied change: ``seq`` is global and orders every event the server applied."""

    id: str
    seq: int
    type: EventType
    tournament_id: str
    at: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "type": self.type,
            "tournament_id": self.tournament_id,
            "at": self.at,
            "data": self.data,
        }

    def public(self) -> dict[str, Any]:
        """``to_dict`` without the private data: what subscribers and readers see."""
        return {**self.to_dict(), "data": public_data(self.data)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        """Raises ValueError for an event type this server does not know."""
        return cls(
            d["id"], int(d["seq"]), EventType(d["type"]), d["tournament_id"], d["at"], d["data"]
        )
