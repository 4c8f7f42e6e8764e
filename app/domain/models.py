"""The tournament as held in memory: participants, matches, and the events that change them.

Pure data: no I/O. ``to_dict`` gives the public JSON shape (API.md); ``from_dict`` reads it back,
so a tournament round-trips through the store unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PARTICIPANT_STATUSES = ("active", "disqualified", "withdrawn")
MATCH_STATES = ("pending", "ready", "live", "complete")
RESULTS = ("win", "draw", "forfeit", "bye", "double_forfeit")
VISIBILITIES = ("public", "unlisted", "private")

# Every structural event bumps the tournament's version; live ticks do not.
LIVE_EVENT_TYPES = frozenset({"match.live"})


@dataclass(slots=True)
class Event:
    """One applied change: ``seq`` is global and orders every event the server applied."""

    id: str
    seq: int
    type: str
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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(d["id"], int(d["seq"]), d["type"], d["tournament_id"], d["at"], d["data"])

    @property
    def structural(self) -> bool:
        return self.type not in LIVE_EVENT_TYPES


@dataclass(slots=True)
class Participant:
    id: str
    name: str
    seed: int
    rating: float | None = None
    status: str = "active"
    title: str | None = None  # a FIDE title ("GM", "IM", ...): orders Swiss pairing numbers

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "seed": self.seed,
            "rating": self.rating,
            "status": self.status,
            "title": self.title,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Participant:
        return cls(
            d["id"],
            d["name"],
            int(d["seed"]),
            d.get("rating"),
            d.get("status", "active"),
            d.get("title"),
        )


@dataclass(slots=True)
class Slot:
    """One side of a match: a participant, the match it is fed from, or neither (a bye)."""

    participant_id: str | None = None
    from_match: str | None = None
    from_outcome: str | None = None  # "winner" | "loser"

    def to_dict(self) -> dict[str, Any]:
        src = None
        if self.from_match is not None:
            src = {"match_id": self.from_match, "outcome": self.from_outcome}
        return {"participant_id": self.participant_id, "from": src}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Slot:
        src = d.get("from")
        if src is None:
            return cls(d.get("participant_id"))
        return cls(d.get("participant_id"), src["match_id"], src["outcome"])


@dataclass(slots=True)
class Match:
    id: str
    bracket: str
    round: int
    number: int
    slots: list[Slot]
    group: int | None = None
    state: str = "pending"
    scores: list[float] | None = None
    games: list[list[float]] = field(default_factory=list)
    winner_id: str | None = None
    loser_id: str | None = None
    result: str | None = None
    winner_to: str | None = None
    loser_to: str | None = None
    best_of: int = 1
    live_detail: dict[str, Any] | None = None

    @property
    def participants(self) -> list[str | None]:
        return [s.participant_id for s in self.slots]

    def side_of(self, pid: str) -> int | None:
        for i, s in enumerate(self.slots):
            if s.participant_id == pid:
                return i
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bracket": self.bracket,
            "group": self.group,
            "round": self.round,
            "number": self.number,
            "slots": [s.to_dict() for s in self.slots],
            "state": self.state,
            "scores": self.scores,
            "games": self.games,
            "winner_id": self.winner_id,
            "loser_id": self.loser_id,
            "result": self.result,
            "best_of": self.best_of,
            "live": self.live_detail,
            "next": {"winner_to": self.winner_to, "loser_to": self.loser_to},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Match:
        nxt = d.get("next") or {}
        return cls(
            id=d["id"],
            bracket=d["bracket"],
            round=int(d["round"]),
            number=int(d["number"]),
            slots=[Slot.from_dict(s) for s in d["slots"]],
            group=d.get("group"),
            state=d.get("state", "pending"),
            scores=d.get("scores"),
            games=d.get("games") or [],
            winner_id=d.get("winner_id"),
            loser_id=d.get("loser_id"),
            result=d.get("result"),
            winner_to=nxt.get("winner_to"),
            loser_to=nxt.get("loser_to"),
            best_of=int(d.get("best_of", 1)),
            live_detail=d.get("live"),
        )


@dataclass(slots=True)
class Tournament:
    id: str
    name: str
    format: str
    settings: dict[str, Any]
    visibility: str = "public"
    state: str = "pending"
    participants: dict[str, Participant] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    version: int = 0
    seq: int = 0  # the seq of the last event applied to it
    created_at: str = ""
    started_at: str | None = None
    completed_at: str | None = None
    # Matches not yet complete; kept by the engine and advancement so that "is every match
    # decided?" costs O(1) on the result path. Derived state: recomputed by ``from_dict``.
    open_matches: int = 0

    def participant_list(self) -> list[Participant]:
        return sorted(self.participants.values(), key=lambda p: p.seed)

    def match_list(self) -> list[Match]:
        return list(self.matches.values())

    def summary(self) -> dict[str, Any]:
        """Everything but participants and matches (the list view)."""
        return {
            "id": self.id,
            "name": self.name,
            "format": self.format,
            "state": self.state,
            "settings": self.settings,
            "visibility": self.visibility,
            "participants_count": len(self.participants),
            "version": self.version,
            "seq": self.seq,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
        }

    def to_dict(self) -> dict[str, Any]:
        d = self.summary()
        del d["participants_count"]
        d["participants"] = [p.to_dict() for p in self.participant_list()]
        d["matches"] = [m.to_dict() for m in self.matches.values()]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tournament:
        t = cls(
            id=d["id"],
            name=d["name"],
            format=d["format"],
            settings=d.get("settings") or {},
            visibility=d.get("visibility", "public"),
            state=d.get("state", "pending"),
            version=int(d.get("version", 0)),
            seq=int(d.get("seq", 0)),
            created_at=d.get("created_at", ""),
            started_at=d.get("started_at"),
            completed_at=d.get("completed_at"),
        )
        for p in d.get("participants", []):
            part = Participant.from_dict(p)
            t.participants[part.id] = part
        for m in d.get("matches", []):
            match = Match.from_dict(m)
            t.matches[match.id] = match
        t.open_matches = sum(1 for m in t.matches.values() if m.state != "complete")
        return t
