"""Standings. Elimination formats rank by how far each participant went; the others by points,
then the configured tiebreakers (tiebreak.py, each rule stated beside its code)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Match, MatchState, Result, Tournament


def tally(t: Tournament, matches: Iterable[Match] | None = None) -> dict[str, dict[str, float]]:
    """Wins, draws, losses, scored and conceded per participant over decided matches.

    A bye is not a win. A forfeit is a win for one side and a loss for the other; a double
    forfeit is a loss for both. Scores count only where the match has them (not forfeits)."""
    rows: dict[str, dict[str, float]] = {
        pid: {"wins": 0, "draws": 0, "losses": 0, "scored": 0, "conceded": 0}
        for pid in t.participants
    }
    for m in t.matches.values() if matches is None else matches:
        if m.state != MatchState.COMPLETE or m.result is Result.BYE:
            continue
        a, b = m.participants
        if m.result is Result.DRAW and a and b:
            rows[a]["draws"] += 1
            rows[b]["draws"] += 1
        else:
            if m.winner_id:
                rows[m.winner_id]["wins"] += 1
            if m.loser_id:
                rows[m.loser_id]["losses"] += 1
            if m.result is Result.DOUBLE_FORFEIT:
                for pid in (a, b):
                    if pid:
                        rows[pid]["losses"] += 1
        if m.scores and a and b:
            rows[a]["scored"] += m.scores[0]
            rows[a]["conceded"] += m.scores[1]
            rows[b]["scored"] += m.scores[1]
            rows[b]["conceded"] += m.scores[0]
    return rows


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

    def mark(pid: str | None, d: float) -> None:
        if pid is not None:
            depth[pid] = max(depth.get(pid, 0.0), d)

    for m in matches:
        if m.state != MatchState.COMPLETE or (m.result is Result.BYE and m.winner_id is None):
            continue
        out = [m.loser_id] if m.loser_id else []
        if m.result is Result.DOUBLE_FORFEIT:
            out = [pid for pid in m.participants if pid]
        for pid in out:
            if m.bracket == "third_place":
                mark(pid, final_wb - 0.5)
            elif m.bracket == "grand_final":
                if m.loser_to is None or t.matches[m.loser_to].state == MatchState.COMPLETE:
                    mark(pid, top + 0.5)
            elif m.loser_to is None or m.result is Result.DOUBLE_FORFEIT:
                mark(pid, m.round)
        if m.winner_id is None:
            continue
        if m.bracket == "third_place":
            mark(m.winner_id, final_wb - 0.25)
        elif m.winner_to is None:
            mark(m.winner_id, top + 0.5 if m.bracket == "losers" else top + 1)
        elif m.bracket == "grand_final" and unplayed(t.matches[m.winner_to]):
            mark(m.winner_id, top + 1)  # won the first grand final: no reset
    return depth, top + 0.75


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
        out_rows.append(row(rank, p.id, p.name, rows[p.id]["wins"], rows[p.id], {}))
    return out_rows


def row(
    rank: int,
    pid: str,
    name: str,
    points: float,
    r: dict[str, float],
    tiebreaks: dict[str, float],
) -> dict[str, Any]:
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
    }
