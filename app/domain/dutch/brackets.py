"""Pairing a round bracket by bracket (C.04.3 B and D), from the top score group down.

For each bracket, one matching over the bracket and everyone below it finds the best value of
the criteria (C.5-C.21) that still lets the rest of the round be paired (C.4). Then the
pairing is fixed in the Dutch order, each choice kept only if the best value stays reachable:
the moved-down players to pair, highest first (B.3, D.2); their opponents, highest resident
first; the exchanges of the remainder (fewest, then the smallest sum of moved numbers: D.2);
then the transpositions, S1 from the top taking the first S2 player that keeps the best
(D.1). The players of the bracket left unpaired float to the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from .colours import allocate, violations
from .graph import DENSE_BRACKET, BracketGraph, Rules, build, bye_line, completes
from .matching import Graph, Matching, edge, force, solve
from .model import Player
from .weights import Criteria

# Up to this many players in the bracket and below, the Dutch order is tested pair by pair;
# above, the matching steered towards it is kept (every criterion is still at its best).
ORDER_TESTED_UP_TO = 400


class Unpairable(Exception):
    """No pairing of the round satisfies the absolute criteria as relaxed."""


@dataclass(slots=True)
class Work:
    """One bracket's graph as choices are fixed, and the matching that shows the optimum.

    With a ``scope`` (players that pair among themselves in every optimum), a choice inside it
    is tested on the scope alone: the rest of the round does not depend on it."""

    bg: BracketGraph
    graph: Graph
    best: Matching
    scope: set[int] | None = None

    def keep(self, g: Graph) -> bool:
        """Adopt ``g`` (a narrowing of the graph) if the optimum is still reachable in it."""
        if self.scope is None:
            m = solve(g)
            if len(m.mate) == g.size and m.quality == self.best.quality:
                self.graph, self.best = g, m
                return True
            return False
        inside = self.scope
        m = solve(g.induced(inside))
        if m.within(inside) == len(inside) and m.quality == self.scoped_quality():
            self.graph = g
            self.best.mate.update({v: m.mate[v] for v in inside})
            return True
        return False

    def scoped_quality(self) -> int:
        inside = self.scope or set()
        return sum(
            self.graph.edges[edge(i, j)][0]
            for i in inside
            if (j := self.best.mate[i]) > i and j in inside
        )


def score_groups(players: list[Player]) -> list[list[Player]]:
    groups: list[list[Player]] = []
    for p in players:
        if groups and groups[-1][0].score == p.score:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def pair_round(
    players: list[Player], initial: str, rules: Rules, rounds_before: int
) -> tuple[list[tuple[Player, Player]], Player | None]:
    """Pairs (higher-ranked first) and the bye's player, for players in pairing order."""
    groups = score_groups(players)
    bye = len(players) % 2 == 1
    if bye:
        line = bye_line(players, rules)
        if line is None:
            raise Unpairable
        rules = Rules(rules.relax, line)
    pairs: list[tuple[Player, Player]] = []
    moved: list[Player] = []
    for k in range(len(groups) + 1):
        residents = groups[k] if k < len(groups) else []
        below = [p for g in groups[k + 1 :] for p in g]
        bracket = moved + residents
        if not bracket:
            continue
        nxt = groups[k + 1] if k + 1 < len(groups) else []
        crit = Criteria(bracket, nxt, initial, {p.id for p in bracket}, {p.id for p in nxt})
        made, moved = pair_bracket(bracket, len(moved), below, bye, crit, rules, rounds_before)
        pairs += made
        if not below:
            break
    if len(moved) > (1 if bye else 0):
        raise Unpairable
    return pairs, (moved[0] if moved else None)


def pair_bracket(
    bracket: list[Player],
    mdps: int,
    below: list[Player],
    bye: bool,
    crit: Criteria,
    rules: Rules,
    rounds_before: int,
) -> tuple[list[tuple[Player, Player]], list[Player]]:
    plain = natural(bracket, mdps, below, crit, rules)
    if plain is not None:
        return plain, []
    work = None
    for dense in (False, True):
        bg = build(bracket, mdps, below, bye, crit, rules, rounds_before, dense)
        m = solve(bg.graph)
        if len(m.mate) == bg.graph.size:
            work = Work(bg, bg.graph, m)
            break
    if work is None:
        raise Unpairable
    place_moved_down(work)
    pair_remainder(work)
    return result(work)


def natural(
    bracket: list[Player], mdps: int, below: list[Player], crit: Criteria, rules: Rules
) -> list[tuple[Player, Player]] | None:
    """S1[k] v S2[k] when it is plainly the best: a score group with nobody moved down, an
    even count, every pair compatible and getting both colour preferences, and the players
    below still pairable. Every float criterion then sums the same over any full pairing of
    the group, so no other candidate can do better, and this one comes first (D.1)."""
    if mdps or len(bracket) % 2:
        return None
    half = len(bracket) // 2
    pairs = list(zip(bracket[:half], bracket[half:], strict=True))
    for a, b in pairs:
        if not rules.compatible(a, b) or any(violations(*allocate(a, b, crit.initial))):
            return None
    return pairs if completes(below, rules) else None


def in_bracket(work: Work, i: int) -> bool:
    return i < work.bg.bracket_size


def place_moved_down(work: Work) -> None:
    """Which moved-down players are paired here (the highest first), then their opponents
    (the highest resident first)."""
    size, mdps = work.bg.bracket_size, work.bg.mdps
    paired = []
    for i in range(mdps):
        inside = {(i, j) for j in range(mdps, size)} & set(work.graph.edges)
        outside = work.graph.incident(i) - inside
        mate = work.best.partner(i)
        if (mate is not None and in_bracket(work, mate)) or (
            inside and work.keep(work.graph.without(outside))
        ):
            work.graph = work.graph.without(outside)
            paired.append(i)
        else:
            work.graph = work.graph.without(inside)
    for i in paired:
        for j in range(mdps, size):
            if work.best.partner(i) == j or (
                work.graph.has(i, j) and work.keep(force(work.graph, i, j))
            ):
                work.graph = force(work.graph, i, j)
                break


def remainder(work: Work) -> list[int]:
    """The residents not paired with a moved-down player, in pairing order."""
    mdps, size = work.bg.mdps, work.bg.bracket_size
    out = []
    for j in range(mdps, size):
        mate = work.best.partner(j)
        if mate is None or mate >= mdps:
            out.append(j)
    return out


def with_exchange_fields(work: Work, rest: list[int], s1: set[int]) -> Graph:
    """The graph with the exchange fields under the criteria (D.2: fewest players exchanged,
    then the smallest sum of the numbers of the players in S1) and the transposition hint
    (S1[i] v S2[i]) in the lowest bits."""
    e1, e2, _ = work.bg.extra
    pos = {v: k for k, v in enumerate(rest)}
    n, p = len(rest), len(s1)
    g = Graph(work.graph.size, work.graph.hint_bits)
    for (i, j), (q, _) in work.graph.edges.items():
        if i in pos and j in pos:
            ex = ((i in s1) << e2) | (n - pos[i]) if e1 else 0
            hint = (n - pos[i]) * (n - abs(pos[j] - pos[i] - p))
            g.add(i, j, (q << (e1 + e2)) | ex, hint if work.graph.hint_bits else 0)
        else:
            g.add(i, j, q << (e1 + e2))
    return g


def transposable(e: tuple[int, int], inside: set[int], upper: set[int]) -> bool:
    """Whether edge ``e`` fits the exchange chosen: in the remainder, an upper player (S1)
    meets a lower one (S2) ranked below it; an upper player stays in the remainder."""
    i, j = e
    if i in inside and j in inside:
        return i in upper and j not in upper
    return i not in upper and j not in upper


def uppers(work: Work, rest: list[int]) -> set[int]:
    """The higher-ranked player of each pair of the remainder: S1 after the exchange."""
    inside = set(rest)
    return {min(i, work.best.mate[i]) for i in rest if work.best.partner(i) in inside}


def choose_exchange(work: Work, rest: list[int], s1: list[int]) -> set[int]:
    """D.2 rules 3 and 4 where rules 1 and 2 (in the weights) leave a choice: the exchange
    moving the highest numbers of S1 down, then the lowest numbers of S2 up."""
    inside = set(rest)
    moved = len(set(s1) - uppers(work, rest))
    if not moved:
        return uppers(work, rest)
    down = 0
    for x in reversed(s1):  # rule 3: from the bottom of S1, who can leave it
        if down == moved:
            break
        as_upper = {e for e in work.graph.edges if e[0] == x and e[1] in inside}
        if x not in uppers(work, rest) or work.keep(work.graph.without(as_upper)):
            work.graph = work.graph.without(as_upper)
            down += 1
    up = 0
    for y in rest[len(s1) :]:  # rule 4: from the top of S2, who can join S1
        if up == moved:
            break
        as_lower = {e for e in work.graph.incident(y) if not (e[0] == y and e[1] in inside)}
        if y in uppers(work, rest) or work.keep(work.graph.without(as_lower)):
            work.graph = work.graph.without(as_lower)
            up += 1
    return uppers(work, rest)


def pair_remainder(work: Work) -> None:
    rest = remainder(work)
    inside = set(rest)
    pairs = sum(1 for i in rest if work.best.partner(i) in inside) // 2
    if not pairs:
        return
    s1 = rest[:pairs]
    g = with_exchange_fields(work, rest, set(s1))
    work.graph, work.best = g, solve(g)
    upper = choose_exchange(work, rest, s1)
    work.graph = work.graph.without(
        {e for e in work.graph.edges if not transposable(e, inside, upper)}
    )
    lower = [j for j in rest if j not in upper]
    if len(lower) == len(upper):  # the remainder pairs among itself: test it alone
        work.scope = set(rest)
    steer(work, sorted(upper), lower)
    if len(rest) > DENSE_BRACKET or work.graph.size > ORDER_TESTED_UP_TO:
        return  # a large round keeps the steered matching: its criteria are the best
    for i in sorted(upper):
        for j in lower:
            if j < i or not work.graph.has(i, j):
                continue
            if work.best.partner(i) == j or swap(work, i, j) or work.keep(force(work.graph, i, j)):
                work.graph = force(work.graph, i, j)
                lower.remove(j)
                break


def steer(work: Work, upper: list[int], lower: list[int]) -> None:
    """Re-solve with the hint set on a greedy guess of the Dutch order (each S1 player, from
    the top, with the first free S2 player of its best quality), so that the pairs tried one
    by one afterwards mostly hold at once."""
    if not work.graph.hint_bits or len(upper) < 8:
        return
    free = list(lower)
    guess = set()
    for i in upper:
        options = [j for j in free if j > i and work.graph.has(i, j)]
        if not options:
            continue
        top = max(work.graph.edges[edge(i, j)][0] for j in options)
        pick = next(j for j in options if work.graph.edges[edge(i, j)][0] == top)
        guess.add(edge(i, pick))
        free.remove(pick)
    g = Graph(work.graph.size, work.graph.hint_bits)
    for e, (q, _) in work.graph.edges.items():
        g.add(*e, q, 1 if e in guess else 0)
    m = solve(g)
    if len(m.mate) == g.size and m.quality == work.best.quality:
        work.graph, work.best = g, m


def swap(work: Work, i: int, j: int) -> bool:
    """Adopt ``i`` v ``j`` without a new matching when exchanging partners with ``j``'s upper
    player keeps the quality: (i, j) and (k, m) for (i, m) and (k, j)."""
    m, k = work.best.partner(i), work.best.partner(j)
    if m is None or k is None or k < i or not work.graph.has(k, m) or k > m:
        return False
    q = work.graph.edges
    before = q[edge(i, m)][0] + q[edge(k, j)][0]
    if q[edge(i, j)][0] + q[edge(k, m)][0] != before:
        return False
    work.best.mate.update({i: j, j: i, k: m, m: k})
    return True


def result(work: Work) -> tuple[list[tuple[Player, Player]], list[Player]]:
    players, size = work.bg.players, work.bg.bracket_size
    pairs, floaters = [], []
    for i in range(size):
        mate = work.best.partner(i)
        if mate is not None and mate < size:
            if i < mate:
                pairs.append((players[i], players[mate]))
        else:
            floaters.append(players[i])
    return pairs, floaters
