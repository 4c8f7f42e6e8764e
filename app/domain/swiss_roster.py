"""Who plays which Swiss round: withdrawals (not paired again, kept in the standings, free to
return), byes requested for named future rounds (half a point or none, half-point ones up to
``settings.half_point_byes``), and late entries (their missed rounds scored as byes of
``settings.late_entry_points``).

A withdrawal is the event of the same name as a sign-up's (``participant.withdrawn``): before
the start the participant leaves the roster, after it they stay, withdrawn. The forfeit of the
round they leave is the pairing's own: a round holding it may still be paired again.
"""

from __future__ import annotations

from typing import Any

from . import advancement
from .errors import Conflict, Invalid, NotFound
from .formats import get_format
from .formats.swiss import BYE_POINTS, paired_rounds, rounds_of
from .inputs import Input
from .models import FormatName, ParticipantStatus, Tournament, TournamentState
from .validation import obj, only_keys, whole


def swiss_stage(t: Tournament, what: str) -> dict[str, Any]:
    """The Swiss settings ``what`` needs (Conflict when the tournament has no Swiss now)."""
    settings = get_format(t.format).swiss_stage(t)
    if settings is None or t.state is TournamentState.COMPLETE:
        raise Conflict(f"{what} only in a Swiss (or a Swiss group stage) still being played")
    return settings


def underway(t: Tournament, what: str) -> dict[str, Any]:
    if t.state is not TournamentState.UNDERWAY:
        raise Conflict(f"{what} once the tournament is underway")
    return swiss_stage(t, what)


# ---- withdraw and return -----------------------------------------------------------------------


def withdraw(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../participants/{pid}/withdraw``: not paired from the next round on."""
    p = t.participant(inp.target)
    underway(t, "players withdraw (not disqualified)")
    if p.status is not ParticipantStatus.ACTIVE:
        raise Conflict(f"the participant is already {p.status}")
    return {"participant_id": p.id, "had_place": True, "round": paired_rounds(t)}


def come_back(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../participants/{pid}/return``: paired again from the next round."""
    p = t.participant(inp.target)
    underway(t, "players return")
    if p.status is ParticipantStatus.DISQUALIFIED:
        raise Conflict("a disqualification is final: only a withdrawn player returns")
    if p.status is not ParticipantStatus.WITHDRAWN:
        raise Conflict("the participant has not withdrawn")
    return {"participant_id": p.id, "round": paired_rounds(t)}


def fold_withdrawn(t: Tournament, data: dict[str, Any]) -> list[str]:
    """Withdrawn: the matches they have left in the round being played are forfeited."""
    pid = data["participant_id"]
    t.participants[pid].status = ParticipantStatus.WITHDRAWN
    changed: list[str] = []
    for m in list(t.matches.values()):
        if m.state.playable and pid in m.participants:
            changed += [m.id, *advancement.refresh(t, m)]
    return list(dict.fromkeys(changed))


def fold_returned(t: Tournament, data: dict[str, Any]) -> list[str]:
    t.participants[data["participant_id"]].status = ParticipantStatus.ACTIVE
    return []


# ---- byes ----------------------------------------------------------------------------------------


def request_bye(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../participants/{pid}/byes`` ``{"rounds": [3, 5], "points": "half" | "zero"}``."""
    p = t.participant(inp.target)
    settings = swiss_stage(t, "byes are requested")
    if p.status is ParticipantStatus.DISQUALIFIED:
        raise Conflict("the participant is disqualified")
    body = obj(inp.body, "body")
    only_keys(body, {"rounds", "points"})
    points = body.get("points", "half")
    if points not in BYE_POINTS:
        raise Invalid.field("points", "must be half or zero")
    rounds = future_rounds(t, settings, body.get("rounds"))
    held = {b["round"] for b in p.byes}
    taken = sorted(held & set(rounds))
    if taken:
        raise Conflict(f"round {taken[0]} already has a bye: cancel it first")
    if points == "half":
        used = sum(1 for b in p.byes if b["reason"] == "requested" and b["points"] == "half")
        limit = int(settings.get("half_point_byes", 2))
        if used + len(rounds) > limit:
            raise Conflict(f"a player may request at most {limit} half-point byes "
                           f"({used} requested already)")  # fmt: skip
    return {"participant_id": p.id, "rounds": rounds, "points": points, "reason": "requested"}


def future_rounds(t: Tournament, settings: dict[str, Any], value: Any) -> list[int]:
    """Distinct rounds not paired yet, within the tournament's rounds once it is underway."""
    if not isinstance(value, list) or not value or len(value) > 64:
        raise Invalid.field("rounds", "must list 1 to 64 round numbers")
    rounds = [whole(r, f"rounds[{i}]", 1, 64) for i, r in enumerate(value)]
    if len(set(rounds)) != len(rounds):
        raise Invalid.field("rounds", "must not repeat a round")
    last = settings.get("rounds") or 64
    if t.state is TournamentState.UNDERWAY:
        last = rounds_of(t, settings)
    for i, r in enumerate(rounds):
        if r > last:
            raise Invalid.field(f"rounds[{i}]", f"the tournament has {last} rounds")
        if r <= paired_rounds(t):
            raise Conflict(f"round {r} is paired already: re-pair or delete it first")
    return sorted(rounds)


def cancel_bye(t: Tournament, inp: Input) -> dict[str, Any]:
    """``DELETE .../participants/{pid}/byes/{round}``: the player is paired in that round."""
    p = t.participant(inp.target)
    swiss_stage(t, "byes are cancelled")
    rnd = whole(obj(inp.body, "body").get("round"), "round", 1, 64)
    if not any(b["round"] == rnd for b in p.byes):
        raise NotFound(f"the participant has no bye in round {rnd}")
    if rnd <= paired_rounds(t):
        raise Conflict(f"round {rnd} is paired already: re-pair or delete it first")
    return {"participant_id": p.id, "round": rnd}


def fold_bye_requested(t: Tournament, data: dict[str, Any]) -> list[str]:
    p = t.participants[data["participant_id"]]
    for r in data["rounds"]:
        p.byes.append({"round": r, "points": data["points"], "reason": data["reason"]})
    p.byes.sort(key=lambda b: b["round"])
    return []


def fold_bye_cancelled(t: Tournament, data: dict[str, Any]) -> list[str]:
    p = t.participants[data["participant_id"]]
    p.byes = [b for b in p.byes if b["round"] != data["round"]]
    return []


# ---- late entries ------------------------------------------------------------------------------


def late_byes(t: Tournament) -> list[dict[str, Any]]:
    """The byes a participant added now gets: one per round already paired, worth
    ``late_entry_points`` (Conflict where a late entry cannot join)."""
    if t.state is not TournamentState.UNDERWAY:
        raise Conflict("participants can only be added while the tournament is pending")
    if t.format is not FormatName.SWISS or int(t.settings.get("group_count", 1)) != 1:
        raise Conflict("participants join after the start only in a Swiss of one group")
    paired = paired_rounds(t)
    if paired >= rounds_of(t, t.settings):
        raise Conflict("every round is paired: there is no round left to join")
    points = t.settings.get("late_entry_points", "zero")
    return [{"round": r, "points": points, "reason": "late"} for r in range(1, paired + 1)]
