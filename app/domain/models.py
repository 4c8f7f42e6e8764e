"""The tournament as held in memory: participants and matches, and the closed sets of their states.

Pure data: no I/O. ``to_dict`` gives the public JSON shape (API.md); ``from_dict`` reads it back,
so a tournament round-trips through the store unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import NotFound
from .eventday import EventDay


class FormatName(StrEnum):
    SINGLE_ELIMINATION = "single_elimination"
    DOUBLE_ELIMINATION = "double_elimination"
    ROUND_ROBIN = "round_robin"
    SWISS = "swiss"
    GROUPS_PLAYOFFS = "groups_playoffs"


class TournamentState(StrEnum):
    PENDING = "pending"  # registration
    UNDERWAY = "underway"  # after the start
    COMPLETE = "complete"  # every match decided


class MatchState(StrEnum):
    PENDING = "pending"  # waiting for a slot
    READY = "ready"
    LIVE = "live"  # live scores arriving
    COMPLETE = "complete"

    @property
    def playable(self) -> bool:
        """Ready or live: a result or a live score may be reported."""
        return self in (MatchState.READY, MatchState.LIVE)


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    DISQUALIFIED = "disqualified"
    WITHDRAWN = "withdrawn"


class Result(StrEnum):
    WIN = "win"
    DRAW = "draw"
    FORFEIT = "forfeit"  # one side did not play: a win for the other
    BYE = "bye"  # one side (or neither) was there to play
    DOUBLE_FORFEIT = "double_forfeit"  # neither played: a loss for both


class Visibility(StrEnum):
    PUBLIC = "public"  # listed, readable by anyone
    UNLISTED = "unlisted"  # readable by id
    PRIVATE = "private"  # readable with a token of the tournament


@dataclass(slots=True)
class Participant:
    id: str
    name: str
    seed: int
    rating: float | None = None
    status: ParticipantStatus = ParticipantStatus.ACTIVE
    checked_in_at: str | None = None
    title: str | None = None  # a FIDE title ("GM", "IM", ...): orders Swiss pairing numbers
    # FIDE's record of the player for a rating report (TRF): {"id", "federation", "sex", "birth"}
    fide: dict[str, str] | None = None
    # Swiss rounds not paired, with their points: [{"round", "points": "half" | "zero",
    # "reason": "requested" | "late"}] (a requested bye, a late entry's missed rounds)
    byes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "seed": self.seed,
            "rating": self.rating,
            "status": self.status,
            "checked_in_at": self.checked_in_at,
            "title": self.title,
            "fide": self.fide,
            "byes": self.byes,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Participant:
        status = ParticipantStatus(d.get("status", ParticipantStatus.ACTIVE))
        return cls(d["id"], d["name"], int(d["seed"]), d.get("rating"), status,
                   d.get("checked_in_at"), d.get("title"), d.get("fide"),
                   list(d.get("byes") or []))  # fmt: skip


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
    state: MatchState = MatchState.PENDING
    scores: list[float] | None = None
    games: list[list[float]] = field(default_factory=list)
    winner_id: str | None = None
    loser_id: str | None = None
    result: Result | None = None
    winner_to: str | None = None
    loser_to: str | None = None
    best_of: int = 1
    live_detail: dict[str, Any] | None = None
    seq: int = 0  # the seq of the last event that changed this match
    station: dict[str, str] | None = None  # {"id", "name"}: where it is called (or was played)
    called_at: str | None = None

    @property
    def participants(self) -> list[str | None]:
        return [s.participant_id for s in self.slots]

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
            "seq": self.seq,
            "station": self.station,
            "called_at": self.called_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Match:
        nxt = d.get("next") or {}
        result = d.get("result")
        return cls(
            id=d["id"],
            bracket=d["bracket"],
            round=int(d["round"]),
            number=int(d["number"]),
            slots=[Slot.from_dict(s) for s in d["slots"]],
            group=d.get("group"),
            state=MatchState(d.get("state", MatchState.PENDING)),
            scores=d.get("scores"),
            games=d.get("games") or [],
            winner_id=d.get("winner_id"),
            loser_id=d.get("loser_id"),
            result=Result(result) if result is not None else None,
            winner_to=nxt.get("winner_to"),
            loser_to=nxt.get("loser_to"),
            best_of=int(d.get("best_of", 1)),
            live_detail=d.get("live"),
            seq=int(d.get("seq", 0)),
            station=d.get("station"),
            called_at=d.get("called_at"),
        )


@dataclass(slots=True)
class Tournament:
    id: str
    name: str
    format: FormatName
    settings: dict[str, Any]
    visibility: Visibility = Visibility.PUBLIC
    state: TournamentState = TournamentState.PENDING
    participants: dict[str, Participant] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    version: int = 0
    seq: int = 0  # the seq of the last event applied to it
    created_at: str = ""
    started_at: str | None = None
    completed_at: str | None = None
    finalized_at: str | None = None  # the results made final: no reopening
    # Matches not yet complete; kept by the engine and advancement so that "is every match
    # decided?" costs O(1) on the result path. Derived state: recomputed by ``from_dict``.
    open_matches: int = 0
    day: EventDay = field(default_factory=EventDay)  # sign-up, check-in, stations
    # the header lines of a FIDE report (TRF), by code: {"022": "Lisbon", "102": "A. Arbiter"}
    trf_header: dict[str, str] = field(default_factory=dict)

    def participant_list(self) -> list[Participant]:
        return sorted(self.participants.values(), key=lambda p: p.seed)

    def participant(self, pid: str) -> Participant:
        """The participant ``pid`` (NotFound if there is none)."""
        p = self.participants.get(pid)
        if p is None:
            raise NotFound(f"no participant {pid!r} in this tournament")
        return p

    def match(self, mid: str) -> Match:
        """The match ``mid`` (NotFound if there is none)."""
        m = self.matches.get(mid)
        if m is None:
            raise NotFound(f"no match {mid!r} in this tournament")
        return m

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
            "finalized_at": self.finalized_at,
        }

    def to_dict(self, matches: bool = True) -> dict[str, Any]:
        """The public JSON shape: what anyone who may read the tournament sees (``matches``
        False: all of it but the matches)."""
        d = self.summary()
        del d["participants_count"]
        d["trf_header"] = self.trf_header
        d.update(self.day.public())
        d["participants"] = [p.to_dict() for p in self.participant_list()]
        if matches:
            d["matches"] = [m.to_dict() for m in self.matches.values()]
        return d

    def to_record(self, matches: bool = True) -> dict[str, Any]:
        """``to_dict`` and what only the server keeps (see ``EventDay.record``): the store's."""
        return {**self.to_dict(matches), **self.day.record()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tournament:
        t = cls(
            id=d["id"],
            name=d["name"],
            format=FormatName(d["format"]),
            settings=d.get("settings") or {},
            visibility=Visibility(d.get("visibility", Visibility.PUBLIC)),
            state=TournamentState(d.get("state", TournamentState.PENDING)),
            version=int(d.get("version", 0)),
            seq=int(d.get("seq", 0)),
            created_at=d.get("created_at", ""),
            started_at=d.get("started_at"),
            completed_at=d.get("completed_at"),
            finalized_at=d.get("finalized_at"),
            day=EventDay.from_dict(d),
            trf_header=dict(d.get("trf_header") or {}),
        )
        for p in d.get("participants", []):
            part = Participant.from_dict(p)
            t.participants[part.id] = part
        for m in d.get("matches", []):
            match = Match.from_dict(m)
            t.matches[match.id] = match
        t.count_open_matches()
        return t

    def count_open_matches(self) -> None:
        """Recompute ``open_matches`` (after the matches were loaded)."""
        self.open_matches = sum(1 for m in self.matches.values() if m.state != MatchState.COMPLETE)
