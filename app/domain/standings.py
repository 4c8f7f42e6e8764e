"""Standings. Elimination formats rank by how far each participant went; the others by points,
then the configured tiebreakers (tiebreak.py, each rule stated beside its code)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Match, MatchState, Result, Tournament
from .outcomes import Mark, outcomes


def tally(t: Tournament, matches: Iterable[Match] | None = None) -> dict[str, dict[str, float]]:
    """Wins, draws, losses, scored and conceded per participant over decided matches
    (outcomes.py: a bye is not a win, a forfeit is a win and a loss, a double forfeit two
    losses)."""
    rows: dict[str, dict[str, float]] = {
        pid: {"wins": 0, "draws": 0, "losses": 0, "scored": 0, "conceded": 0}
        for pid in t.participants
    }
    for m in t.matches.values() if matches is None else matches:
        for o in outcomes(m):
            row = rows[o.pid]
            if o.mark is not Mark.BYE:
                row[COUNTS[o.mark]] += 1
            row["scored"] += o.scored or 0
            row["conceded"] += o.conceded or 0
    return rows


COUNTS = {Mark.WIN: "wins", Mark.DRAW: "draws", Mark.LOSS: "losses"}


ELIMINATION_BRACKETS = ("winners", "losers", "grand_final", "third_place")


def elimination_depths(t: Tournament, matches: list[Match]) -> tuple[dict[str, float], float]:
    """How far each participant went, and the depth of those still playing.

    Out in winners' or losers' round r (a loss that sends them nowhere, or a double forfeit):
    depth r. Third place: its loser R - 0.5 and winner R - 0.25 (R the last bracket round).
    The grand final's loser, once no reset is to follow: R + 0.5, as is the losers' champion
    when there is no grand final. The champion: R + 1. Those still playing: R + 0.75."""
    top = max((m.round for m in matches if m.bracket in ("winners", "losers")), default=0)
    final_wb = max((m.round for m in matches if m.bracket == "winners"), default=0)
    depth: dict[str, float] = {}
    for m in matches:
        if m.state is not MatchState.COMPLETE or (m.result is Result.BYE and m.winner_id is None):
            continue
        out = [m.loser_id] if m.loser_id else []
        if m.result is Result.DOUBLE_FORFEIT:
            out = [pid for pid in m.participants if pid]
        reached = [(pid, out_depth(t, m, top, final_wb)) for pid in out]
        if m.winner_id is not None:
            reached.append((m.winner_id, win_depth(t, m, top, final_wb)))
        for pid, d in reached:
            if d is not None:
                depth[pid] = max(depth.get(pid, 0.0), d)
    return depth, top + 0.75


def out_depth(t: Tournament, m: Match, top: int, final_wb: int) -> float | None:
    """The depth of a side that lost ``m``, or None if the loss does not put it out (yet)."""
    if m.bracket == "third_place":
        return final_wb - 0.5
    if m.bracket == "grand_final":
        reset_done = m.loser_to is None or t.matches[m.loser_to].state is MatchState.COMPLETE
        return top + 0.5 if reset_done else None
    if m.loser_to is None or m.result is Result.DOUBLE_FORFEIT:
        return m.round
    return None


def win_depth(t: Tournament, m: Match, top: int, final_wb: int) -> float | None:
    """The depth of the side that won ``m``, or None if it plays on."""
    if m.bracket == "third_place":
        return final_wb - 0.25
    if m.winner_to is None:
        return top + 0.5 if m.bracket == "losers" else top + 1
    if m.bracket == "grand_final" and unplayed(t.matches[m.winner_to]):
        return top + 1  # won the first grand final: no reset
    return None


def unplayed(m: Match) -> bool:
    """A grand final reset settled without being played."""
    return m.state == MatchState.COMPLETE and m.result is Result.BYE and m.winner_id is None


def elimination_standings(
    t: Tournament, pids: list[str] | None = None, matches: list[Match] | None = None
) -> list[dict[str, Any]]:
    """Rank by how far each participant went; those out in the same round share a rank (5-8):
    the rank is ``1 + (number who went further)``; within a shared rank, by seed."""
    ms = [m for m in t.matches.values() if m.bracket in ELIMINATION_BRACKETS]
    ms = ms if matches is None else matches
    depth, alive = elimination_depths(t, ms)
    people = t.participant_list() if pids is None else [t.participants[p] for p in pids]
    rows = tally(t, ms)
    ordered = sorted(people, key=lambda p: (-depth.get(p.id, alive), p.seed))
    out_rows = []
    rank, last = 0, None
    for i, p in enumerate(ordered):
        d = depth.get(p.id, alive)
        if d != last:
            rank, last = i + 1, d
        out_rows.append(row(rank, p.id, p.name, rows[p.id]["wins"], rows[p.id], {}, p.status))
    return out_rows


def row(
    rank: int,
    pid: str,
    name: str,
    points: float,
    r: dict[str, float],
    tiebreaks: dict[str, float],
    status: str = "active",
) -> dict[str, Any]:
    """One standings row; ``status``: the participant's (active, withdrawn, disqualified)."""
    return {
        "rank": rank,
        "participant_id": pid,
        "name": name,
        "points": points,
        "wins": r["wins"],
        "draws": r["draws"],
        "losses": r["losses"],
        "scored": r["scored"],
        "conceded": r["conceded"],
        "tiebreaks": tiebreaks,
        "status": str(status),
    }
