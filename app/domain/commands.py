"""Commands: a request checked against the state becomes the data of one event.

``COMMANDS`` is the one table from a command to its decide function and the event it makes; the
service runs every command the same way (decide under the tournament's lock, append, fold). A
decide function is pure: it reads the tournament and the request and returns the event's data,
or raises a ``DomainError`` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from . import (
    advancement,
    corrections,
    director,
    referee,
    review,
    roster,
    signup,
    stations,
    swiss_roster,
)
from .errors import Conflict, Invalid
from .events import EventType
from .fide import fide_record, trf_header
from .formats import get_format
from .inputs import Input as Input  # the decide functions take one
from .models import (
    MatchState,
    ParticipantStatus,
    Result,
    Tournament,
    TournamentState,
    Visibility,
)
from .results import report_result
from .signup import MAX_PARTICIPANTS
from .validation import number, obj, only_keys, pair, text, title, when, whole

MAX_LIVE_DETAIL = 2048


Decide = Callable[[Tournament, Input], dict[str, Any]]


class CommandName(StrEnum):
    UPDATE_TOURNAMENT = "update_tournament"
    DELETE_TOURNAMENT = "delete_tournament"
    ADD_PARTICIPANTS = "add_participants"
    UPDATE_PARTICIPANT = "update_participant"
    REMOVE_PARTICIPANT = "remove_participant"
    DISQUALIFY = "disqualify"
    START = "start"
    RESET = "reset"
    REPORT_RESULT = "report_result"
    REOPEN = "reopen"
    LIVE_TICK = "live_tick"
    SIGN_UP = "sign_up"
    CHECK_IN_SELF = "check_in_self"
    WITHDRAW = "withdraw"
    CHECK_IN = "check_in"
    APPROVE = "approve"
    REJECT = "reject"
    REORDER_WAITLIST = "reorder_waitlist"
    OPEN_CHECK_IN = "open_check_in"
    ISSUE_LINK = "issue_link"
    ADD_STATIONS = "add_stations"
    UPDATE_STATION = "update_station"
    REMOVE_STATION = "remove_station"
    CALL_MATCH = "call_match"
    UNDO_CHECK_IN = "undo_check_in"
    ABORT_CHECK_IN = "abort_check_in"
    PROCESS_CHECK_INS = "process_check_ins"
    RESEED = "reseed"
    FINALIZE = "finalize"
    CLEAR_LIVE = "clear_live"
    # the director's Swiss (director.py, swiss_roster.py, corrections.py)
    PAIR_ROUND = "pair_round"
    REPAIR_ROUND = "repair_round"
    DELETE_ROUND = "delete_round"
    SWAP = "swap"
    CORRECT_RESULT = "correct_result"
    WITHDRAW_PLAYER = "withdraw_player"
    RETURN_PLAYER = "return_player"
    REQUEST_BYE = "request_bye"
    CANCEL_BYE = "cancel_bye"


@dataclass(frozen=True, slots=True)
class Command:
    event: EventType
    decide: Decide


# ---- creating a tournament (the one command with no tournament yet) ----------------------------


DAY_KEYS = {"signup", "check_in", "starts_at", "call_matches", "round_times", "trf_header"}
PENDING_KEYS = {"signup", "signup_code", "check_in", "starts_at"}


def create_tournament(body: Any) -> dict[str, Any]:
    body = obj(body, "body")
    only_keys(body, {"name", "format", "settings", "visibility", *DAY_KEYS})
    fmt = get_format(text(body.get("format", "single_elimination"), "format", 64))
    settings = obj(body.get("settings", {}), "settings")
    data = {
        "name": text(body.get("name"), "name"),
        "format": fmt.name,
        "settings": fmt.normalize_settings(settings),
        "visibility": visibility(body.get("visibility", Visibility.PUBLIC)),
    }
    day_settings(None, body, data)
    return data


def day_settings(t: Tournament | None, body: dict[str, Any], data: dict[str, Any]) -> None:
    """The event day's settings in ``body`` (sign-up, check-in, the scheduled start, calling
    matches to stations, round times), checked, into ``data``."""
    if "signup" in body:
        signup.signup_settings(t, body["signup"], data)
    if "check_in" in body:
        signup.check_in_settings(body["check_in"], data)
    if "starts_at" in body:
        at = body["starts_at"]
        data["starts_at"] = None if at is None else when(at, "starts_at")
    if "call_matches" in body:
        data["call_matches"] = stations.calling(body["call_matches"])
    if "round_times" in body:
        data["round_times"] = stations.round_times(body["round_times"])
    if "trf_header" in body:
        merged = {**(t.trf_header if t is not None else {}), **trf_header(body["trf_header"])}
        data["trf_header"] = {code: text for code, text in merged.items() if text}
    if t is not None and t.state is not TournamentState.PENDING and PENDING_KEYS & set(data):
        raise Conflict("sign-up, check-in and the start time can only change before the start")


def visibility(value: Any) -> Visibility:
    if value not in tuple(Visibility):
        raise Invalid.field("visibility", "must be public, unlisted or private")
    return Visibility(value)


# ---- the tournament's commands -----------------------------------------------------------------


def update_tournament(t: Tournament, inp: Input) -> dict[str, Any]:
    body = obj(inp.body, "body")
    only_keys(body, {"name", "settings", "visibility", *DAY_KEYS})
    data: dict[str, Any] = {}
    if "name" in body:
        data["name"] = text(body["name"], "name")
    if "visibility" in body:
        data["visibility"] = visibility(body["visibility"])
    if "settings" in body:
        if t.state is not TournamentState.PENDING:
            raise Conflict("settings can only change while the tournament is pending")
        merged = {**t.settings, **obj(body["settings"], "settings")}
        data["settings"] = get_format(t.format).normalize_settings(merged)
    day_settings(t, body, data)
    if not data:
        raise Invalid("nothing to change: give name, settings, visibility or an event-day field")
    return data


def delete_tournament(t: Tournament, inp: Input) -> dict[str, Any]:
    return {}


def add_participants(t: Tournament, inp: Input) -> dict[str, Any]:
    """One participant (an object) or many (an array), each ``{"name", "seed", "rating"}``;
    after the start, in a Swiss, a late entry (``swiss_roster.late_byes``)."""
    late = swiss_roster.late_byes(t) if t.state is not TournamentState.PENDING else None
    many = isinstance(inp.body, list)
    rows = inp.body if many else [inp.body]
    if not rows:
        raise Invalid.field("body", "must not be an empty list")
    if len(t.participants) + len(rows) > MAX_PARTICIPANTS:
        raise Invalid.field("body", f"a tournament holds at most {MAX_PARTICIPANTS} participants")
    cap = t.day.capacity
    if cap is not None and len(t.participants) + len(rows) > cap:
        raise Conflict(f"the tournament is full ({cap} places): raise signup.capacity first")
    seeds = {p.seed for p in t.participants.values()}
    names = signup.taken_names(t)
    out = [new_participant(raw, f"[{i}]" if many else "", seeds, names, inp) for i, raw in
           enumerate(rows)]  # fmt: skip
    for row in out if late is not None else ():
        row["byes"] = late
    return {"participants": out}


def new_participant(
    raw: Any, where: str, seeds: set[int], names: set[str], inp: Input
) -> dict[str, Any]:
    """One row of ``add_participants``; ``seeds`` and ``names`` are those taken so far."""
    prefix = f"{where}." if where else ""
    raw = obj(raw, where or "body")
    only_keys(raw, {"name", "seed", "rating", "title", "fide"}, prefix)
    name = text(raw.get("name"), prefix + "name")
    if name.casefold() in names:
        raise Invalid.field(prefix + "name", f"{name!r} is already a participant")
    names.add(name.casefold())
    rating = raw.get("rating")
    if rating is not None:
        rating = number(rating, prefix + "rating", -1e6, 1e6)
    seed = raw.get("seed")
    if seed is None:
        seed = max(seeds, default=0) + 1
    else:
        seed = whole(seed, prefix + "seed", 1, MAX_PARTICIPANTS)
        if seed in seeds:
            raise Invalid.field(prefix + "seed", f"seed {seed} is taken")
    seeds.add(seed)
    row = {"id": inp.new_id("p_"), "name": name, "seed": seed, "rating": rating}
    if raw.get("title") is not None:
        row["title"] = title(raw["title"], prefix + "title")
    fide = fide_record(raw.get("fide"), prefix + "fide")
    if fide is not None:
        row["fide"] = fide
    return row


def update_participant(t: Tournament, inp: Input) -> dict[str, Any]:
    p = t.participant(inp.target)
    body = obj(inp.body, "body")
    only_keys(body, {"name", "seed", "rating", "title", "fide"})
    data: dict[str, Any] = {"participant_id": p.id}
    if "title" in body:
        data["title"] = None if body["title"] is None else title(body["title"], "title")
    if "fide" in body:
        data["fide"] = fide_record(body["fide"], "fide")
    if "name" in body:
        name = text(body["name"], "name")
        taken = (o for o in t.participants.values() if o.id != p.id)
        if any(o.name.casefold() == name.casefold() for o in taken):
            raise Invalid.field("name", f"{name!r} is already a participant")
        data["name"] = name
    if "rating" in body:
        rating = body["rating"]
        data["rating"] = None if rating is None else number(rating, "rating", -1e6, 1e6)
    if "seed" in body:
        if t.state is not TournamentState.PENDING:
            raise Conflict("seeds can only change while the tournament is pending")
        data["seed"] = whole(body["seed"], "seed", 1, len(t.participants))
    if len(data) == 1:
        raise Invalid("nothing to change: give name, seed, rating, title or fide")
    return data


def remove_participant(t: Tournament, inp: Input) -> dict[str, Any]:
    p = t.participant(inp.target)
    if t.state is not TournamentState.PENDING:
        raise Conflict("participants can only be removed while pending; disqualify instead")
    return {"participant_id": p.id}


def disqualify(t: Tournament, inp: Input) -> dict[str, Any]:
    p = t.participant(inp.target)
    if p.status is not ParticipantStatus.ACTIVE:
        raise Conflict(f"the participant is already {p.status}")
    if t.state is TournamentState.COMPLETE:
        raise Conflict("the tournament is complete")
    return {"participant_id": p.id}


def start(t: Tournament, inp: Input) -> dict[str, Any]:
    """The draw over who plays (see ``signup.start_plan``: no-shows dropped, the waiting list
    promoted, seeded by rating or by hand)."""
    if t.state is not TournamentState.PENDING:
        raise Conflict(f"the tournament is already {t.state}")
    plan = signup.start_plan(t)
    n = len(plan["seeding"])
    fmt = get_format(t.format)
    if n < fmt.min_participants:
        raise Conflict(
            f"a {t.format} tournament needs at least {fmt.min_participants} participants"
            + (" who checked in" if plan["dropped"] else "")
        )
    blocked = fmt.start_blocker(t, n)
    if blocked:
        raise Conflict(blocked)
    return plan


def reset(t: Tournament, inp: Input) -> dict[str, Any]:
    """Back to pending: every match and result gone, every participant active again, so the
    draw can be made anew (after changes to the participants or the settings)."""
    if t.state is TournamentState.PENDING:
        raise Conflict("the tournament has not started")
    return {}


def result(t: Tournament, inp: Input) -> dict[str, Any]:
    data = report_result(t, inp.target, inp.body)
    return {**data, "reporter": inp.actor} if inp.actor else data


def correct(t: Tournament, inp: Input) -> dict[str, Any]:
    """A decided match's result replaced: by a referee, its own last result within the window
    (``referee.py``); by the organiser, any result, in place (``corrections.py``)."""
    if inp.referee:
        return referee.correct(t, inp.target, inp.body, inp.actor, inp.correction_window, inp.now)
    return corrections.correct(t, inp)


def reopen(t: Tournament, inp: Input) -> dict[str, Any]:
    """Undo a result and every result that depended on it (``reset``, in order)."""
    m = t.match(inp.target)
    if m.state is not MatchState.COMPLETE:
        raise Conflict("only a decided match can be reopened")
    if m.result is Result.BYE or None in m.participants:
        raise Conflict("a bye has no result to reopen")
    blocked = review.finalized_blocker(t) or get_format(t.format).reopen_blocker(t, m)
    if blocked:
        raise Conflict(blocked)
    return {"match_id": m.id, "reset": advancement.reopen_plan(t, m.id)}


def live_tick(t: Tournament, inp: Input) -> dict[str, Any]:
    """A live score ``{"scores": [a, b], "detail": {...}}`` for a ready or live match."""
    m = t.match(inp.target)
    if not m.state.playable:
        raise Conflict(f"live scores need a ready or live match; this one is {m.state}")
    body = obj(inp.body, "body")
    only_keys(body, {"scores", "detail", "id", "tournament_id", "match_id"})
    detail = body.get("detail")
    if detail is not None:
        detail = obj(detail, "detail")
        if len(repr(detail)) > MAX_LIVE_DETAIL:
            raise Invalid.field("detail", "must be at most 2 KiB")
    return {"match_id": m.id, "scores": pair(body.get("scores"), "scores"), "detail": detail}


COMMANDS: dict[CommandName, Command] = {
    CommandName.UPDATE_TOURNAMENT: Command(EventType.TOURNAMENT_UPDATED, update_tournament),
    CommandName.DELETE_TOURNAMENT: Command(EventType.TOURNAMENT_DELETED, delete_tournament),
    CommandName.ADD_PARTICIPANTS: Command(EventType.PARTICIPANT_ADDED, add_participants),
    CommandName.UPDATE_PARTICIPANT: Command(EventType.PARTICIPANT_UPDATED, update_participant),
    CommandName.REMOVE_PARTICIPANT: Command(EventType.PARTICIPANT_REMOVED, remove_participant),
    CommandName.DISQUALIFY: Command(EventType.PARTICIPANT_DISQUALIFIED, disqualify),
    CommandName.START: Command(EventType.TOURNAMENT_STARTED, start),
    CommandName.RESET: Command(EventType.TOURNAMENT_RESET, reset),
    CommandName.REPORT_RESULT: Command(EventType.MATCH_RESULT, result),
    CommandName.REOPEN: Command(EventType.MATCH_REOPENED, reopen),
    CommandName.CORRECT_RESULT: Command(EventType.MATCH_CORRECTED, correct),
    CommandName.LIVE_TICK: Command(EventType.MATCH_LIVE, live_tick),
    # the event day (signup.py, stations.py)
    CommandName.SIGN_UP: Command(
        EventType.PARTICIPANT_SIGNED_UP,
        lambda t, i: signup.sign_up(t, i.body, i.now, i.new_id("p_"), i.link_hash),
    ),
    CommandName.CHECK_IN_SELF: Command(
        EventType.PARTICIPANT_CHECKED_IN,
        lambda t, i: signup.check_in(t, i.target, "participant", i.now),
    ),
    CommandName.WITHDRAW: Command(
        EventType.PARTICIPANT_WITHDRAWN, lambda t, i: signup.withdraw(t, i.target)
    ),
    CommandName.CHECK_IN: Command(
        EventType.PARTICIPANT_CHECKED_IN,
        lambda t, i: signup.check_in(t, i.target, "organiser", i.now),
    ),
    CommandName.APPROVE: Command(
        EventType.PARTICIPANT_APPROVED, lambda t, i: signup.approve(t, i.target)
    ),
    CommandName.REJECT: Command(
        EventType.PARTICIPANT_REJECTED, lambda t, i: signup.reject(t, i.target)
    ),
    CommandName.REORDER_WAITLIST: Command(
        EventType.WAITLIST_REORDERED, lambda t, i: signup.reorder(t, i.body)
    ),
    CommandName.OPEN_CHECK_IN: Command(
        EventType.CHECK_IN_OPENED, lambda t, i: signup.open_check_in(t, "organiser")
    ),
    CommandName.ISSUE_LINK: Command(
        EventType.PARTICIPANT_LINK_ISSUED, lambda t, i: signup.issue_link(t, i.target, i.link_hash)
    ),
    CommandName.ADD_STATIONS: Command(
        EventType.STATION_ADDED, lambda t, i: stations.add_stations(t, i.body, i.new_id)
    ),
    CommandName.UPDATE_STATION: Command(
        EventType.STATION_UPDATED, lambda t, i: stations.update_station(t, i.target, i.body)
    ),
    CommandName.REMOVE_STATION: Command(
        EventType.STATION_REMOVED, lambda t, i: stations.remove_station(t, i.target)
    ),
    CommandName.CALL_MATCH: Command(
        EventType.MATCH_CALLED, lambda t, i: stations.call(t, i.target, i.body)
    ),
    # the roster before the start, and the end (roster.py, review.py)
    CommandName.UNDO_CHECK_IN: Command(
        EventType.PARTICIPANT_CHECK_IN_UNDONE, lambda t, i: roster.undo_check_in(t, i.target)
    ),
    CommandName.ABORT_CHECK_IN: Command(
        EventType.CHECK_IN_ABORTED, lambda t, i: roster.abort_check_in(t)
    ),
    CommandName.PROCESS_CHECK_INS: Command(
        EventType.CHECK_IN_PROCESSED, lambda t, i: roster.process_check_ins(t)
    ),
    CommandName.RESEED: Command(
        EventType.PARTICIPANTS_RESEEDED, lambda t, i: roster.reseed(t, i.body)
    ),
    CommandName.FINALIZE: Command(EventType.TOURNAMENT_FINALIZED, lambda t, i: review.finalize(t)),
    CommandName.CLEAR_LIVE: Command(
        EventType.MATCH_LIVE_CLEARED, lambda t, i: review.clear_live(t, i.target)
    ),
    # the director's Swiss
    CommandName.PAIR_ROUND: Command(EventType.ROUND_PAIRED, director.pair_round),
    CommandName.REPAIR_ROUND: Command(EventType.ROUND_REPAIRED, director.repair_round),
    CommandName.DELETE_ROUND: Command(EventType.ROUND_DELETED, director.delete_round),
    CommandName.SWAP: Command(EventType.ROUND_SWAPPED, director.swap),
    CommandName.WITHDRAW_PLAYER: Command(EventType.PARTICIPANT_WITHDRAWN, swiss_roster.withdraw),
    CommandName.RETURN_PLAYER: Command(EventType.PARTICIPANT_RETURNED, swiss_roster.come_back),
    CommandName.REQUEST_BYE: Command(EventType.BYE_REQUESTED, swiss_roster.request_bye),
    CommandName.CANCEL_BYE: Command(EventType.BYE_CANCELLED, swiss_roster.cancel_bye),
}


# ---- what the state calls for next -------------------------------------------------------------


def followups(t: Tournament, now: str = "") -> list[tuple[EventType, dict[str, Any]]]:
    """Events the state now calls for. Before the start: the sign-up's closing, check-in's
    opening, a promotion from the waiting list. Underway: the format's (a next round, a next
    stage), else the end, else a ready match called to a free station."""
    if t.state is TournamentState.PENDING:
        return signup.due(t, now)
    if t.state is not TournamentState.UNDERWAY:
        return []
    fmt = get_format(t.format)
    more = fmt.followups(t)
    if more:
        return more
    if t.matches and t.open_matches == 0 and fmt.finished(t):  # O(1): kept by add_matches
        return [(EventType.TOURNAMENT_COMPLETED, {})]
    return stations.due(t, now)


def timed(t: Tournament) -> bool:
    """Whether the clock may bring ``t`` a follow-up: a sign-up closing time, a check-in
    schedule, or a round's scheduled time while a station waits."""
    day = t.day
    if t.state is TournamentState.PENDING:
        closes = day.signup["enabled"] and day.closed_at is None and day.signup["closes_at"]
        return bool(closes) or (day.check_in_opened_at is None and day.check_in_opens_at()
                                is not None)  # fmt: skip
    return t.state is TournamentState.UNDERWAY and bool(day.round_times) and bool(day.stations)
