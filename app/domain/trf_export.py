"""A Swiss or a round robin as FIDE's Tournament Report File (TRF-16), for the rating officer.

Players are listed by their pairing number (Swiss; a round robin's seed, its table number),
with their FIDE record, points and rank as the standings have them. Each round is a game
(opponent, colour, ``1``, ``=``, ``0``), a forfeit (``+``, ``-``; both ``-`` for a double
forfeit), the pairing-allocated bye (``U``), a requested or late entry's bye (``H`` half a
point, ``Z`` none), or nothing (``0000 - -``: absent, withdrawn). A game paired and not yet
played has no result. The header has the name (012), the dates (042, 052), the counts (062,
072), the system (092), the number of rounds (XXR) and the colour pairing number 1 had in
round 1 (XXC), then whatever else the tournament's ``trf_header`` holds (city, arbiter, time
control...); points other than chess's (1, 1/2, 0, a bye 1) are written as bbpPairings' BBW,
BBD, BBL and BBU lines.
"""

from __future__ import annotations

from typing import Any

from .errors import Conflict
from .formats import get_format
from .formats.swiss import rounds_of
from .formats.swiss_entrants import initial_colour, pairing_numbers
from .models import FormatName, Match, MatchState, Result, Tournament
from .trf import TrfFile, TrfPlayer, TrfRound, write

CHESS_POINTS = {"win": 1.0, "draw": 0.5, "loss": 0.0, "bye": 1.0}
POINT_LINES = {"win": "BBW", "draw": "BBD", "loss": "BBL", "bye": "BBU"}
ABSENT = TrfRound(None, "-", "-")


def reported(t: Tournament) -> tuple[str, dict[str, Any]]:
    """The bracket whose matches are reported, and the settings they were played under."""
    if t.format is FormatName.SWISS:
        bracket, settings = "swiss", t.settings
    elif t.format is FormatName.ROUND_ROBIN:
        bracket, settings = "group", t.settings
    else:
        raise Conflict("a TRF reports a Swiss or a round robin")
    if int(settings.get("group_count", 1)) != 1:
        raise Conflict("a TRF reports one group: this tournament has several")
    if t.state.value == "pending":
        raise Conflict("the tournament has not started")
    return bracket, settings


def numbers_of(t: Tournament, settings: dict[str, Any]) -> dict[str, int]:
    ids = [p.id for p in t.participant_list()]
    if t.format is FormatName.SWISS:
        return pairing_numbers(t, ids, settings)
    return {pid: i for i, pid in enumerate(ids, start=1)}


def last_round(t: Tournament, matches: list[Match]) -> int:
    """The rounds reported: every Swiss round paired; a round robin's rounds up to the last
    one with a decided or live game (its later rounds are a schedule, not yet played)."""
    if t.format is FormatName.SWISS:
        return max((m.round for m in matches), default=0)
    begun = [m.round for m in matches if m.state in (MatchState.COMPLETE, MatchState.LIVE)
             and m.result is not Result.BYE]  # fmt: skip
    return max(begun, default=0)


def game(m: Match, pid: str, numbers: dict[str, int]) -> TrfRound:
    """One player's block for a match of theirs."""
    a, b = m.participants
    if a is None or b is None:
        return TrfRound(None, "-", "U") if m.result is Result.BYE else ABSENT
    side = 0 if a == pid else 1
    other = numbers[b if side == 0 else a]
    colour = "w" if side == 0 else "b"
    if m.state is not MatchState.COMPLETE:
        return TrfRound(other, colour, "")
    if m.result is Result.DOUBLE_FORFEIT:
        return TrfRound(other, colour, "-")
    if m.result is Result.FORFEIT:
        return TrfRound(other, colour, "+" if m.winner_id == pid else "-")
    if m.winner_id is None:
        return TrfRound(other, colour, "=")
    return TrfRound(other, colour, "1" if m.winner_id == pid else "0")


def blocks(
    t: Tournament, pid: str, by_round: dict[tuple[str, int], Match], numbers: dict[str, int],
    last: int,
) -> list[TrfRound | None]:  # fmt: skip
    byes = {b["round"]: b for b in t.participants[pid].byes}
    out: list[TrfRound | None] = []
    for r in range(1, last + 1):
        m = by_round.get((pid, r))
        if m is not None:
            out.append(game(m, pid, numbers))
        elif r in byes:
            out.append(TrfRound(None, "-", "H" if byes[r]["points"] == "half" else "Z"))
        else:
            out.append(ABSENT)
    return out


def header(t: Tournament, settings: dict[str, Any], players: int, rated: int) -> dict[str, str]:
    """The header lines by code: the tournament's own, then what ``trf_header`` adds."""
    lines = {"012": one_line(t.name), "062": str(players), "072": str(rated)}
    if t.started_at:
        lines["042"] = t.started_at[:10].replace("-", "/")
    if t.completed_at:
        lines["052"] = t.completed_at[:10].replace("-", "/")
    lines["092"] = "Swiss Dutch" if t.format is FormatName.SWISS else "Round robin"
    if t.format is FormatName.SWISS:
        lines["XXR"] = str(rounds_of(t, settings))
        lines["XXC"] = f"{'white' if initial_colour(t, settings) == 'w' else 'black'}1"
    else:
        lines["XXR"] = str(max((m.round for m in t.matches.values()), default=0))
    for key, code in POINT_LINES.items():
        if key in settings["points"] and settings["points"][key] != CHESS_POINTS[key]:
            lines[code] = f"{settings['points'][key]:.1f}"
    return {**lines, **{k: v for k, v in t.trf_header.items() if k not in ("012",)}}


def one_line(text: str) -> str:
    """A name as a TRF column holds it: no line breaks or other control characters."""
    return "".join(c if c.isprintable() else " " for c in text)


def export(t: Tournament) -> str:
    """The tournament as TRF-16 text."""
    bracket, settings = reported(t)
    matches = [m for m in t.matches.values() if m.bracket == bracket]
    numbers = numbers_of(t, settings)
    last = last_round(t, matches)
    by_round = {(p, m.round): m for m in matches for p in m.participants if p is not None}
    rows = {r["participant_id"]: r for r in get_format(t.format).standings(t)}
    players = []
    for p in t.participant_list():
        fide = p.fide or {}
        row = rows.get(p.id, {"points": 0.0, "rank": 0})
        tp = TrfPlayer(numbers[p.id], one_line(p.name), fide.get("sex", ""), p.title or "")
        tp.rating = round(p.rating) if p.rating and p.rating > 0 else 0
        tp.federation, tp.fide_id, tp.birth = (fide.get(k, "") for k in ("federation", "id",
                                                                            "birth"))  # fmt: skip
        tp.points, tp.rank = float(row["points"]), int(row["rank"])
        tp.rounds = blocks(t, p.id, by_round, numbers, last)
        players.append(tp)
    rated = sum(1 for tp in players if tp.rating)
    lines = header(t, settings, len(players), rated)
    return write(TrfFile(sorted(lines.items()), players))
