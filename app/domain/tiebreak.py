"""Points standings and tiebreakers (round robin, Swiss, group stages).

Points per match come from the format's ``points`` setting: ``win``, ``draw``, ``loss`` and, in
Swiss, ``bye`` (a bye match: one empty slot, result ``bye``). A forfeit gives the winner ``win``
and the loser ``loss``; a double forfeit gives both ``loss``.

Players are ordered by points, then by each configured tiebreaker in turn; a tiebreaker only
separates players still level on everything before it. Players level on every configured rule
share a rank (listed by seed). Rules, after FIDE Handbook C.07 (Tie-Break Regulations):

- ``points``: the match points above (always the first rule).
- ``wins`` (C.07 "WIN"): matches won, forfeit wins included, byes not.
- ``head_to_head`` (C.07 "DE", direct encounter): points earned in the matches (forfeits
  included) among the players still level at that stage.
- ``buchholz`` (C.07 "BH"): the sum of the final points of each opponent. An unplayed round --
  a bye, or a forfeit either way -- counts as an opponent with the player's own final points
  (a simplified form of C.07's "virtual opponent").
- ``buchholz_cut1`` (C.07 "BH-C1"): Buchholz less its single lowest contribution.
- ``sonneborn_berger`` (C.07 "SB"): the sum over matches of the opponent's final points times the
  player's result (1 win, 1/2 draw, 0 loss); unplayed rounds count as for Buchholz, times the
  result (a bye scores ``bye / win``).
- ``score_difference``: match scores for minus against (forfeits and byes carry no score).
- ``scored``: match scores for.
- ``seed``: the better (lower) seed first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import Match, MatchState, Result, Tournament
from .standings import row


@dataclass(slots=True)
class Record:
    pid: str
    seed: int
    points: float = 0.0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    scored: float = 0.0
    conceded: float = 0.0
    # (opponent over the board, or None for an unplayed round; the result 1, 0.5 or 0)
    games: list[tuple[str | None, float]] = field(default_factory=list)
    h2h: dict[str, float] = field(default_factory=dict)  # opponent -> points earned against

    def counts(self) -> dict[str, float]:
        return {
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "scored": self.scored,
            "conceded": self.conceded,
        }


def records(
    t: Tournament, pids: Iterable[str], matches: Iterable[Match], points: dict[str, float]
) -> dict[str, Record]:
    recs = {pid: Record(pid, t.participants[pid].seed) for pid in pids}
    win = points["win"] or 1.0
    for m in matches:
        if m.state == MatchState.COMPLETE:
            record_match(recs, m, points, win)
    return recs


def record_match(recs: dict[str, Record], m: Match, points: dict[str, float], win: float) -> None:
    a, b = m.participants
    if m.result is Result.BYE:
        w = recs.get(m.winner_id or "")
        if w is not None:
            bye = points.get("bye", points["win"])
            w.points += bye
            w.byes += 1
            w.games.append((None, bye / win))
        return
    if a is None or b is None or a not in recs or b not in recs:
        return
    ra, rb = recs[a], recs[b]
    played = m.result in (Result.WIN, Result.DRAW)
    if m.result is Result.DRAW:
        earned = {a: points["draw"], b: points["draw"]}
        frac = {a: 0.5, b: 0.5}
        ra.draws += 1
        rb.draws += 1
    else:
        earned = {a: points["loss"], b: points["loss"]}
        frac = {a: 0.0, b: 0.0}
        if m.winner_id is not None:
            earned[m.winner_id] = points["win"]
            frac[m.winner_id] = 1.0
            recs[m.winner_id].wins += 1
        for pid in (a, b):
            if pid != m.winner_id:
                recs[pid].losses += 1
    for me, other, r in ((a, b, ra), (b, a, rb)):
        r.points += earned[me]
        r.games.append((other if played else None, frac[me]))
        r.h2h[other] = r.h2h.get(other, 0.0) + earned[me]
    if m.scores:
        ra.scored += m.scores[0]
        ra.conceded += m.scores[1]
        rb.scored += m.scores[1]
        rb.conceded += m.scores[0]


def contributions(r: Record, recs: dict[str, Record]) -> list[float]:
    """Per round, the opponent's final points (the player's own for an unplayed round)."""
    return [recs[o].points if o is not None and o in recs else r.points for o, _ in r.games]


def buchholz(r: Record, recs: dict[str, Record]) -> float:
    return sum(contributions(r, recs))


def buchholz_cut1(r: Record, recs: dict[str, Record]) -> float:
    c = contributions(r, recs)
    return sum(c) - min(c) if c else 0.0


def sonneborn_berger(r: Record, recs: dict[str, Record]) -> float:
    c = contributions(r, recs)
    return sum(v * res for v, (_, res) in zip(c, r.games, strict=True))


RULES: dict[str, Callable[[Record, dict[str, Record]], float]] = {
    "points": lambda r, _: r.points,
    "wins": lambda r, _: r.wins,
    "buchholz": buchholz,
    "buchholz_cut1": buchholz_cut1,
    "sonneborn_berger": sonneborn_berger,
    "score_difference": lambda r, _: r.scored - r.conceded,
    "scored": lambda r, _: r.scored,
    "seed": lambda r, _: -r.seed,
}


def head_to_head(r: Record, level: list[Record]) -> float:
    return sum(r.h2h.get(o.pid, 0.0) for o in level if o.pid != r.pid)


def ranked(
    recs: dict[str, Record], tiebreakers: list[str]
) -> list[tuple[int, Record, dict[str, float]]]:
    """(rank, record, tiebreak values) best first, refining level groups rule by rule."""
    rules = ["points", *[x for x in tiebreakers if x != "points"]]
    values: dict[str, dict[str, float]] = {pid: {} for pid in recs}
    groups = [sorted(recs.values(), key=lambda r: r.seed)]
    for rule in rules:
        nxt: list[list[Record]] = []
        for g in groups:
            for r in g:
                v = head_to_head(r, g) if rule == "head_to_head" else RULES[rule](r, recs)
                values[r.pid][rule] = v
            if len(g) == 1:
                nxt.append(g)
                continue
            g = sorted(g, key=lambda r: -values[r.pid][rule])
            start = 0
            for i in range(1, len(g) + 1):
                if i == len(g) or values[g[i].pid][rule] != values[g[start].pid][rule]:
                    nxt.append(g[start:i])
                    start = i
        groups = nxt
    out = []
    place = 1
    for g in groups:
        for r in sorted(g, key=lambda r: r.seed):
            out.append((place, r, {k: v for k, v in values[r.pid].items() if k != "points"}))
        place += len(g)
    return out


def points_standings(
    t: Tournament,
    groups: dict[int, list[str]],
    matches: Iterable[Match],
    points: dict[str, float],
    tiebreakers: list[str],
) -> list[dict[str, Any]]:
    """Standings per group (each row carries its ``group``), groups in order."""
    by_group: dict[int, list[Match]] = {g: [] for g in groups}
    for m in matches:
        by_group.setdefault(m.group or 1, []).append(m)
    out: list[dict[str, Any]] = []
    for g in sorted(groups):
        recs = records(t, groups[g], by_group.get(g, []), points)
        for rank, r, tb in ranked(recs, tiebreakers):
            name = t.participants[r.pid].name
            item = row(rank, r.pid, name, r.points, r.counts(), tb)
            item["group"] = g
            out.append(item)
    return out
