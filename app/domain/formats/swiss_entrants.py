"""A Swiss tournament as the Dutch system reads it: pairing numbers, and every player's rounds
(games with their colours, forfeits, byes, absences) from the matches.

Side 0 of a Swiss match is White, side 1 Black. A match with an empty side is the
pairing-allocated bye. A player with no match in a round had a bye for it (requested, or a late
entry's missed round: not played, with its points), or was absent (withdrawn, say): not played,
no points.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..dutch import (
    ABSENT,
    BLACK,
    BYE,
    FORFEIT_LOSS,
    FORFEIT_WIN,
    GAME,
    PAB,
    WHITE,
    Entrant,
    Options,
    RoundRecord,
)
from ..dutch.rules import Violation, find_violations
from ..models import Match, Participant, ParticipantStatus, Tournament
from ..validation import TITLES


def number_key(p: Participant) -> tuple[float, int, str, int]:
    rating = p.rating if p.rating is not None else float("-inf")
    title = TITLES.index(p.title) if p.title in TITLES else len(TITLES)
    return (-rating, title, p.name.casefold(), p.seed)


def pairing_numbers(t: Tournament, players: list[str], settings: dict[str, Any]) -> dict[str, int]:
    """1 for the top player: by rating, then title, then name (C.04.2), or by seed."""
    people = [t.participants[p] for p in players]
    if settings.get("pairing_numbers") == "seed":
        people.sort(key=lambda p: p.seed)
    else:
        people.sort(key=number_key)
    return {p.id: i for i, p in enumerate(people, start=1)}


def initial_colour(t: Tournament, settings: dict[str, Any]) -> str:
    """White or black for pairing number 1 in round 1: the setting, or drawn from the
    tournament's id (so the draw is the same every time the round is computed)."""
    chosen = settings.get("initial_colour", "draw")
    if chosen == "draw":
        return WHITE if hashlib.sha256(t.id.encode()).digest()[0] % 2 == 0 else BLACK
    return WHITE if chosen == "white" else BLACK


def record(m: Match, pid: str, points: dict[str, float]) -> RoundRecord:
    """One player's round from a match of that round."""
    a, b = m.participants
    if m.state != "complete":
        return RoundRecord(ABSENT, 0.0)
    if a is None or b is None:
        return RoundRecord(PAB, points["bye"] if m.result == "bye" else 0.0)
    side = 0 if a == pid else 1
    colour = WHITE if side == 0 else BLACK
    other = b if side == 0 else a
    if m.result == "forfeit":
        won = m.winner_id == pid
        kind = FORFEIT_WIN if won else FORFEIT_LOSS
        return RoundRecord(kind, points["win"] if won else points["loss"], other, colour)
    if m.result == "double_forfeit":
        return RoundRecord(FORFEIT_LOSS, points["loss"], other, colour)
    if m.winner_id is None:
        return RoundRecord(GAME, points["draw"], other, colour)
    return RoundRecord(GAME, points["win" if m.winner_id == pid else "loss"], other, colour)


def bye_points(bye: dict[str, Any], points: dict[str, float]) -> float:
    """A bye's points: a half-point bye is worth a draw, a zero-point bye nothing."""
    return float(points["draw"]) if bye["points"] == "half" else 0.0


def entrants(
    t: Tournament, players: list[str], matches: list[Match], rounds: int, settings: dict[str, Any]
) -> dict[str, Entrant]:
    """Every player's rounds 1..``rounds`` (already paired) as the Dutch system's input."""
    numbers = pairing_numbers(t, players, settings)
    by_round: dict[tuple[str, int], Match] = {}
    for m in matches:
        for p in m.participants:
            if p is not None:
                by_round[(p, m.round)] = m
    out = {}
    absent = RoundRecord(ABSENT, 0.0)
    for pid in players:
        byes = {b["round"]: b for b in t.participants[pid].byes}
        history = []
        for r in range(1, rounds + 1):
            played = by_round.get((pid, r))
            if played is not None:
                history.append(record(played, pid, settings["points"]))
            elif r in byes:
                history.append(RoundRecord(BYE, bye_points(byes[r], settings["points"])))
            else:
                history.append(absent)
        out[pid] = Entrant(pid, numbers[pid], tuple(history))
    return out


def unpaired(t: Tournament, players: list[str], rnd: int) -> set[str]:
    """The players not paired in round ``rnd``: not active, or with a bye for it."""
    out = set()
    for pid in players:
        p = t.participants[pid]
        if p.status is not ParticipantStatus.ACTIVE or any(b["round"] == rnd for b in p.byes):
            out.add(pid)
    return out


def violations(
    t: Tournament,
    present: list[Entrant],
    opts: Options,
    others: list[Entrant],
    boards: list[tuple[str, str]],
    bye: str | None,
) -> list[dict[str, Any]]:
    """The absolute criteria ``boards`` and ``bye`` break, as the director is told of them:
    ``{"code", "participants", "message"}`` with the players' names."""
    return [warning(t, v) for v in find_violations(present, opts, boards, bye, others)]


WARNINGS = {
    "rematch": "{0} and {1} have played each other (C.1)",
    "repeat_bye": "{0} gets the pairing-allocated bye after a bye or a forfeit win (C.2)",
    "colour_difference": "{0} gets a colour difference of {value} (C.3)",
    "same_colour_three_times": "{0} gets the same colour three times running (C.3)",
    "paired_twice": "{0} is paired twice",
    "not_a_player": "{0} does not play this round",
    "not_paired": "{0} is not paired",
    "odd_bye": "a bye in a round with an even number of players",
}


def warning(t: Tournament, v: Violation) -> dict[str, Any]:
    names = [t.participants[p].name if p in t.participants else p for p in v.players]
    message = WARNINGS[v.code].format(*names, value=f"{v.value:+d}")
    return {"code": v.code, "participants": list(v.players), "message": message}


def options(t: Tournament, settings: dict[str, Any], rnd: int, rounds: int, field: int) -> Options:
    points = settings["points"]
    return Options(
        round=rnd,
        rounds=rounds,
        initial_colour=initial_colour(t, settings),
        baku=bool(settings.get("baku", False)),
        win=points["win"],
        loss=points["loss"],
        players=field,
    )
