"""Standings. Each tiebreaker's rule is stated beside its code."""

from __future__ import annotations

from typing import Any

from .models import Tournament


def tally(t: Tournament) -> dict[str, dict[str, float]]:
    """Wins, draws, losses, scored and conceded per participant over decided matches."""
    rows = {
        pid: {"wins": 0, "draws": 0, "losses": 0, "scored": 0, "conceded": 0}
        for pid in t.participants
    }
    for m in t.matches.values():
        if m.state != "complete" or m.result == "bye":
            continue
        a, b = m.participants
        if m.result == "draw" and a and b:
            rows[a]["draws"] += 1
            rows[b]["draws"] += 1
        else:
            if m.winner_id:
                rows[m.winner_id]["wins"] += 1
            if m.loser_id:
                rows[m.loser_id]["losses"] += 1
            if m.result == "double_forfeit":
                for pid in (a, b):
                    if pid:
                        rows[pid]["losses"] += 1
        if m.scores and a and b:
            rows[a]["scored"] += m.scores[0]
            rows[a]["conceded"] += m.scores[1]
            rows[b]["scored"] += m.scores[1]
            rows[b]["conceded"] += m.scores[0]
    return rows


def elimination_standings(t: Tournament) -> list[dict[str, Any]]:
    """Rank by how far each participant went; those out in the same round share a rank (5-8).

    A participant's depth is the highest round of the match that eliminated them (the loss that
    sent them nowhere); the champion is above everyone, and a third-place match splits the
    semi-final losers. Ties in depth share the rank ``1 + (number who went further)``.
    """
    rows = tally(t)
    depth: dict[str, float] = {}
    final_round = max((m.round for m in t.matches.values() if m.bracket == "winners"), default=0)
    for m in t.matches.values():
        if m.state != "complete":
            continue
        out = [m.loser_id] if m.loser_id else []
        if m.result == "double_forfeit":
            out = [pid for pid in m.participants if pid]
        for pid in out:
            if m.bracket == "third_place":
                depth[pid] = final_round - 0.5
            elif m.loser_to is None or m.result == "double_forfeit":
                depth[pid] = m.round
        if m.bracket == "third_place" and m.winner_id:
            depth[m.winner_id] = final_round - 0.25
        if m.winner_to is None and m.bracket == "winners" and m.winner_id:
            depth[m.winner_id] = final_round + 1
    alive = final_round + 0.75  # still playing: above everyone out, below the champion
    ordered = sorted(
        t.participant_list(), key=lambda p: (-depth.get(p.id, alive), p.seed)
    )
    out_rows = []
    for p in ordered:
        d = depth.get(p.id, alive)
        rank = 1 + sum(1 for q in ordered if depth.get(q.id, alive) > d)
        r = rows[p.id]
        out_rows.append(
            {
                "rank": rank,
                "participant_id": p.id,
                "name": p.name,
                "points": r["wins"],
                "wins": r["wins"],
                "draws": r["draws"],
                "losses": r["losses"],
                "scored": r["scored"],
                "conceded": r["conceded"],
                "tiebreaks": {},
            }
        )
    return out_rows
