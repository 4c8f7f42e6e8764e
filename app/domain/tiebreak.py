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

from .models import Match, Tournament
from .outcomes import Mark, Outcome, outcomes
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
    t: Tournament,
    pids: Iterable[str],
    matches: Iterable[Match],
    points: dict[str, float],
    unplayed: dict[str, list[float]] | None = None,
) -> dict[str, Record]:
    """Each player's record over ``matches`` (outcomes.py says what each result counts as),
    and its ``unplayed`` rounds that score (a Swiss player's byes: no opponent, their points)."""
    recs = {pid: Record(pid, t.participants[pid].seed) for pid in pids}
    earned = {Mark.WIN: points["win"], Mark.DRAW: points["draw"], Mark.LOSS: points["loss"],
              Mark.BYE: points.get("bye", points["win"])}  # fmt: skip
    bye_fraction = earned[Mark.BYE] / (points["win"] or 1.0)
    for m in matches:
        sides = [o for o in outcomes(m) if o.pid in recs]
        if len(sides) == 1 and sides[0].mark is not Mark.BYE:
            continue  # a match against someone outside this table
        for o in sides:
            record(recs[o.pid], o, earned[o.mark], bye_fraction)
    for pid, scored in (unplayed or {}).items():
        for pts in scored if pid in recs else ():
            recs[pid].points += pts
            recs[pid].games.append((None, pts / (points["win"] or 1.0)))
    return recs


def record(r: Record, o: Outcome, earned: float, bye_fraction: float) -> None:
    r.points += earned
    if o.mark is Mark.BYE:
        r.byes += 1
        r.games.append((None, bye_fraction))
        return
    if o.mark is Mark.WIN:
        r.wins += 1
    elif o.mark is Mark.DRAW:
        r.draws += 1
    else:
        r.losses += 1
    r.games.append((o.opponent if o.played else None, o.fraction))
    assert o.opponent is not None
    r.h2h[o.opponent] = r.h2h.get(o.opponent, 0.0) + earned
    r.scored += o.scored or 0
    r.conceded += o.conceded or 0


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
    unplayed: dict[str, list[float]] | None = None,
) -> list[dict[str, Any]]:
    """Standings per group (each row carries its ``group``), groups in order."""
    by_group: dict[int, list[Match]] = {g: [] for g in groups}
    for m in matches:
        by_group.setdefault(m.group or 1, []).append(m)
    out: list[dict[str, Any]] = []
    for g in sorted(groups):
        recs = records(t, groups[g], by_group.get(g, []), points, unplayed)
        for rank, r, tb in ranked(recs, tiebreakers):
            p = t.participants[r.pid]
            item = row(rank, r.pid, p.name, r.points, r.counts(), tb, p.status)
            item["group"] = g
            out.append(item)
    return out
