"""Swiss pairing after the FIDE Dutch system (Handbook C.04.3), simplified. Pure and
deterministic: the same history always gives the same pairing.

1. Rank the players: points (descending), then rating (descending; no rating ranks below any
   rating), then seed.
2. Bye (odd number of players): the lowest-ranked player who has not had a bye (C.04.1 c); if
   every player has had one, the lowest-ranked. If no pairing of the others avoids a rematch, the
   next-lowest candidate is tried.
3. Pair from the top. A score group (with any players floated down into it) is split into an
   upper half S1 and a lower half S2 and S1[i] meets S2[i]; the odd one out (the lowest) floats
   down to the next score group and meets its highest player. When that ideal pairing would
   repeat a match, a depth-first search tries the next candidates in Dutch order (the rest of
   S2, then S1 from the bottom up, then lower score groups from the top) and backtracks, so no
   rematch is paired while any rematch-free pairing exists (within a search budget; a budget of
   ``BUDGET`` steps is ample below ~N/2 rounds). If none exists, the ideal order is used and
   rematches are allowed.
4. Sides (C.04.3 colour rules, simplified): a player's preference is the side they have had
   less often; if even, the side other than their last; the stronger preference (larger
   imbalance) wins, then the higher-ranked player's. With no history at all, on odd boards the
   higher-ranked player gets side 0, on even boards side 1.

Differences from the Dutch system: no pairing-quality criteria beyond "no rematch" and "score
groups from the top" (C.04.3 C.5-C.19 minimise floaters and colour violations jointly; here the
first rematch-free pairing in Dutch order is taken), no absolute colour criterion (three in a row
may occur when unavoidable otherwise), and a floater meets the top of the next group rather than
the FIDE-chosen S2 player.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BUDGET = 50_000


@dataclass(slots=True)
class History:
    """What pairing needs to know about one player."""

    pid: str
    seed: int
    rating: float | None
    points: float = 0.0
    opponents: set[str] = field(default_factory=set)
    sides: list[int] = field(default_factory=list)  # 0 or 1, in round order
    had_bye: bool = False

    def rank_key(self) -> tuple[float, float, int]:
        rating = self.rating if self.rating is not None else float("-inf")
        return (-self.points, -rating, self.seed)


class _Budget:
    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def candidates(rest: list[History]) -> list[History]:
    """Opponents for ``rest[0]`` in Dutch order (``rest`` is in rank order)."""
    top = rest[0].points
    g = 1
    while g < len(rest) and rest[g].points == top:
        g += 1
    if g == 1:
        return rest[1:]
    h = g // 2
    return rest[h:g] + rest[1:h][::-1] + rest[g:]


def search(
    rest: list[History], strict: bool, budget: _Budget
) -> list[tuple[History, History]] | None:
    if not rest:
        return []
    p = rest[0]
    for q in candidates(rest):
        if strict and q.pid in p.opponents:
            continue
        if not budget.spend():
            return None
        sub = search([x for x in rest[1:] if x is not q], strict, budget)
        if sub is not None:
            return [(p, q), *sub]
        if not strict:
            break
    return None


def preference(h: History) -> tuple[int | None, int]:
    """(wanted side or None, strength)."""
    diff = h.sides.count(0) - h.sides.count(1)
    if diff:
        return (1 if diff > 0 else 0), abs(diff)
    if h.sides:
        return 1 - h.sides[-1], 0
    return None, -1


def sides(p: History, q: History, board: int) -> tuple[History, History]:
    """Order (side 0, side 1) for ``p`` (higher-ranked) and ``q``."""
    wp, sp = preference(p)
    wq, sq = preference(q)
    if wp is None and wq is None:
        return (p, q) if board % 2 == 1 else (q, p)
    if wp is not None and (wq is None or wp != wq or sp >= sq):
        return (p, q) if wp == 0 else (q, p)
    assert wq is not None
    return (q, p) if wq == 0 else (p, q)


def pair(players: list[History]) -> tuple[list[tuple[str, str]], str | None]:
    """The next round: (side 0, side 1) pairs by board, and the bye (or None)."""
    ranked = sorted(players, key=History.rank_key)
    options: list[History | None] = [None]
    if len(ranked) % 2:
        fresh = [h for h in reversed(ranked) if not h.had_bye]
        options = list(fresh or [ranked[-1]])
    budget = _Budget(BUDGET)
    found: list[tuple[History, History]] | None = None
    bye = options[0]
    for option in options:
        found = search([h for h in ranked if h is not option], True, budget)
        if found is not None:
            bye = option
            break
        if budget.left <= 0:
            break
    if found is None:
        found = search([h for h in ranked if h is not bye], False, _Budget(len(ranked) ** 2))
    assert found is not None
    pairs = [sides(p, q, board) for board, (p, q) in enumerate(found, start=1)]
    return [(a.pid, b.pid) for a, b in pairs], (bye.pid if bye is not None else None)
