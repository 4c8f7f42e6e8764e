"""The graph of one bracket's pairing: the bracket, the players below it (so that the rest of
the round can still be paired: the completion criterion C.4) and, when the count is odd, the
bye as a vertex of its own."""

from __future__ import annotations

from dataclasses import dataclass

from .colours import absolute_conflict
from .matching import Graph, solve
from .model import Player
from .weights import Criteria, Fields, bye_fields, fit, pack, widths

WINDOW = 12  # below the bracket, each player is joined to this many next compatible players
WIDE_BELOW = 20_000  # up to this many bracket x below pairs, all of them are weighed
DENSE_BRACKET = 160  # a larger bracket weighs, for each player, the pairs near its Dutch ones
NEAR = 24  # ... those within this many places of its neighbour or of its S1/S2 counterpart


@dataclass(slots=True)
class Rules:
    """What may be paired: the absolute criteria, and how far they are relaxed."""

    relax: int = 0  # 0 none; 1 the bye to anyone; 2 the colour rule; 3 rematches
    bye_line: float | None = None  # the bye goes to a player with at most this score

    def compatible(self, a: Player, b: Player) -> bool:
        if a.id in b.opponents and self.relax < 3:  # C.1
            return False
        if self.relax >= 2 or a.topscorer or b.topscorer:
            return True
        return not absolute_conflict(a, b)  # C.3

    def may_get_bye(self, p: Player) -> bool:
        if self.bye_line is not None and p.score > self.bye_line:
            return False
        return p.bye_eligible or self.relax >= 1  # C.2


def completes(players: list[Player], rules: Rules) -> bool:
    """Whether the players can all be paired (one of them taking the bye when odd)."""
    for dense in (False, True):
        edges = candidate_edges(players, 0, 0, rules, dense)
        graph = Graph(len(players) + len(players) % 2, 0)
        for i, j in edges:
            graph.add(i, j, 1)
        if len(players) % 2:
            for i, p in enumerate(players):
                if rules.may_get_bye(p):
                    graph.add(i, len(players), 1)
        if len(solve(graph).mate) == graph.size:
            return True
    return False


def bye_line(players: list[Player], rules: Rules) -> float | None:
    """The lowest score the bye can go to with the round still complete (the bye belongs to
    the lowest score group that can give it), or None when no one can take it."""
    for score in sorted({p.score for p in players}):
        if completes(players, Rules(rules.relax, score)):
            return score
    return None


@dataclass(slots=True)
class BracketGraph:
    players: list[Player]  # the bracket first, then everyone below it, in pairing order
    bracket_size: int
    mdps: int  # the first ``mdps`` players of the bracket were moved down
    bye: int | None  # the bye's vertex, if any
    graph: Graph
    sizes: list[int]
    extra: list[int]  # the widths of the exchange fields and the hint

    def index(self, p: Player) -> int:
        return self.players.index(p)


def candidate_edges(
    players: list[Player], size: int, mdps: int, rules: Rules, dense: bool
) -> list[tuple[int, int]]:
    """The pairs to weigh: every compatible pair in the bracket (moved-down players among
    themselves excepted), and below it a window of the next compatible players (all when
    ``dense``)."""
    out = []
    n = len(players)
    wide = dense or size * (n - size) <= WIDE_BELOW
    near = dense or size <= DENSE_BRACKET
    half = (size - mdps) // 2
    for i in range(n):
        taken = 0
        for j in range(i + 1, n):
            if j < mdps:
                continue  # two moved-down players do not meet in this bracket
            if j < size and not near and not close(i, j, mdps, half):
                continue
            if j >= size and taken >= WINDOW and not (wide and i < size):
                break
            if rules.compatible(players[i], players[j]):
                out.append((i, j))
                if j >= size:
                    taken += 1
    return out


def close(i: int, j: int, mdps: int, half: int) -> bool:
    """In a large bracket: a pair near the S1[k] v S2[k] diagonal, or near neighbours, or a
    moved-down player with one of the top residents."""
    if i < mdps:
        return j - mdps < 2 * NEAR
    return j - i <= NEAR or abs(j - i - half) <= NEAR


def build(
    bracket: list[Player],
    mdps: int,
    below: list[Player],
    bye: bool,
    crit: Criteria,
    rules: Rules,
    rounds_before: int,
    dense: bool,
) -> BracketGraph:
    players = bracket + below
    size = len(bracket)
    pairs = candidate_edges(players, size, mdps, rules, dense)
    weighed = size + len(crit.next_group)  # pairs wholly below carry no criterion
    rows: list[tuple[int, int, Fields]] = [
        (i, j, crit.fields(players[i], players[j])) for i, j in pairs if i < weighed
    ]
    plain = [(i, j) for i, j in pairs if i >= weighed]
    bye_vertex = len(players) if bye else None
    if bye_vertex is not None:
        rows += [
            (i, bye_vertex, bye_fields(p, rounds_before))
            for i, p in enumerate(players)
            if rules.may_get_bye(p)
        ]
    pairs_in = (size // 2 + 1, (size + len(crit.next_group)) // 2 + 1)
    sizes = widths([r for _, _, r in rows], pairs_in)
    extra = [pairs_in[0].bit_length(), (pairs_in[0] * size).bit_length()]
    extra.append((size * size * pairs_in[0]).bit_length())  # the hint
    sizes, extra = fit(sizes, extra)
    graph = Graph(len(players) + (1 if bye else 0), extra[2])
    for i, j, fields in rows:
        hint = size - j if i < mdps <= j < size and extra[2] else 0  # the highest resident first
        graph.add(i, j, (pack(fields, sizes) << 1) | 1, hint)
    for i, j in plain:
        graph.add(i, j, 1)
    return BracketGraph(players, size, mdps, bye_vertex, graph, sizes, extra)
