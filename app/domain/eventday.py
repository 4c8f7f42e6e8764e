"""The event day around the draw: sign-up, the waiting list, check-in, and stations.

Pure data, held by ``Tournament.day``. ``public()`` is what anyone reading the tournament sees;
``record()`` adds what only the server keeps (the sign-up code, the sign-ups awaiting approval or
turned away, the hashes of the participant links), so the store round-trips all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class EntryStatus(StrEnum):
    """Where a sign-up stands while it holds no place in the tournament (those that hold one
    are participants)."""

    PENDING = "pending"  # awaiting the organiser's approval
    WAITING = "waiting"  # on the waiting list
    REJECTED = "rejected"  # turned away by the organiser
    WITHDRAWN = "withdrawn"  # withdrew before the start
    DROPPED = "dropped"  # had a place, did not check in before the start


class Seeding(StrEnum):
    MANUAL = "manual"  # the seeds as they stand (the order of sign-up, or as the organiser set)
    RATING = "rating"  # highest rating first; no rating last, in seed order


class Calling(StrEnum):
    AUTO = "auto"  # ready matches are called to free stations as they become free
    MANUAL = "manual"  # the organiser calls each match


@dataclass(slots=True)
class Entry:
    """A sign-up that holds no place: awaiting approval, waiting, or turned away."""

    id: str
    name: str
    status: EntryStatus
    signed_up_at: str
    rating: float | None = None
    checked_in_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "rating": self.rating,
            "status": self.status,
            "signed_up_at": self.signed_up_at,
            "checked_in_at": self.checked_in_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entry:
        return cls(
            d["id"],
            d["name"],
            EntryStatus(d["status"]),
            d["signed_up_at"],
            d.get("rating"),
            d.get("checked_in_at"),
        )


@dataclass(slots=True)
class Station:
    """A board, table, setup or court; ``match_id``: the match called to it, if any."""

    id: str
    name: str
    match_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "match_id": self.match_id}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Station:
        return cls(d["id"], d["name"], d.get("match_id"))


@dataclass(slots=True)
class RoundTime:
    """A round's scheduled start: its matches are not called to a station before ``at``."""

    round: int
    at: str
    bracket: str | None = None  # None: that round of every bracket

    def to_dict(self) -> dict[str, Any]:
        return {"round": self.round, "bracket": self.bracket, "at": self.at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RoundTime:
        return cls(int(d["round"]), d["at"], d.get("bracket"))


SIGNUP_DEFAULTS: dict[str, Any] = {
    "enabled": False,
    "closes_at": None,
    "capacity": None,
    "approval": False,
    "seeding": Seeding.MANUAL,
}


@dataclass(slots=True)
class EventDay:
    signup: dict[str, Any] = field(default_factory=lambda: dict(SIGNUP_DEFAULTS))
    code: str | None = None  # the sign-up code; never shown to the public
    closed_at: str | None = None  # when the sign-up closed at its closing time
    starts_at: str | None = None  # the scheduled start
    check_in_minutes: int | None = None  # check-in opens this long before ``starts_at``
    check_in_opened_at: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    waitlist: list[str] = field(default_factory=list)  # waiting entries, first in line first
    links: dict[str, str] = field(default_factory=dict)  # participant link hash -> id
    stations: dict[str, Station] = field(default_factory=dict)
    calling: Calling = Calling.AUTO
    round_times: list[RoundTime] = field(default_factory=list)
    # each token's last reported result: token id -> {"match_id", "at", "seq"} (corrections.py)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def capacity(self) -> int | None:
        cap: int | None = self.signup["capacity"]
        return cap

    def check_in_opens_at(self) -> str | None:
        """When check-in opens by the schedule, or None (no schedule)."""
        if self.starts_at is None or self.check_in_minutes is None:
            return None
        return iso(instant(self.starts_at) - timedelta(minutes=self.check_in_minutes))

    def link_holder(self, token_hash: str) -> str | None:
        return self.links.get(token_hash)

    def signup_public(self) -> dict[str, Any]:
        return {**self.signup, "code_required": self.code is not None, "closed_at": self.closed_at}

    def check_in_public(self) -> dict[str, Any]:
        return {
            "minutes_before": self.check_in_minutes,
            "opens_at": self.check_in_opens_at(),
            "opened_at": self.check_in_opened_at,
        }

    def public(self) -> dict[str, Any]:
        waiting = [self.entries[e] for e in self.waitlist]
        return {
            "signup": self.signup_public(),
            "check_in": self.check_in_public(),
            "starts_at": self.starts_at,
            "waiting_list": [
                {"id": e.id, "name": e.name, "rating": e.rating, "checked_in_at": e.checked_in_at}
                for e in waiting
            ],
            "stations": [s.to_dict() for s in self.stations.values()],
            "call_matches": self.calling,
            "round_times": [r.to_dict() for r in self.round_times],
        }

    def record(self) -> dict[str, Any]:
        """Everything, for the store: ``public()`` and what only the server keeps."""
        return {
            **self.public(),
            "signup_code": self.code,
            "entries": [e.to_dict() for e in self.entries.values()],
            "waitlist": self.waitlist,
            "links": self.links,
            # each token's last result (a referee's correction window); none: no key at all,
            # as before referees could correct (a kept export reads the same)
            **({"reports": self.reports} if self.reports else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EventDay:
        day = cls()
        signup = d.get("signup") or {}
        day.signup = {k: signup.get(k, v) for k, v in SIGNUP_DEFAULTS.items()}
        day.signup["seeding"] = Seeding(day.signup["seeding"])
        day.closed_at = signup.get("closed_at")
        day.code = d.get("signup_code")
        day.starts_at = d.get("starts_at")
        check_in = d.get("check_in") or {}
        day.check_in_minutes = check_in.get("minutes_before")
        day.check_in_opened_at = check_in.get("opened_at")
        day.entries = {e["id"]: Entry.from_dict(e) for e in d.get("entries", [])}
        day.waitlist = list(d.get("waitlist", []))
        day.links = dict(d.get("links", {}))
        day.stations = {s["id"]: Station.from_dict(s) for s in d.get("stations", [])}
        day.calling = Calling(d.get("call_matches", Calling.AUTO))
        day.round_times = [RoundTime.from_dict(r) for r in d.get("round_times", [])]
        day.reports = {k: dict(v) for k, v in (d.get("reports") or {}).items()}
        return day


def instant(value: str) -> datetime:
    """An ISO-8601 time (as this server writes them) as an aware datetime."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def iso(when: datetime) -> str:
    """The one way times are written: UTC, milliseconds, ``Z``."""
    text = when.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def reached(at: str | None, now: str) -> bool:
    """Whether the time ``at`` has come by ``now`` (no time: never)."""
    return at is not None and bool(now) and instant(at) <= instant(now)
