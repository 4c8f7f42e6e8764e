"""The weighted matching under the pairing: rustworkx's blossom algorithm (a Rust port of the
same algorithm networkx ships), on a graph of edges weighted ``(quality, hint)``.

``quality`` holds the criteria; ``hint`` (the lowest bits) only steers the matching towards
the Dutch order so that fewer pairs have to be tried one by one. A test of "can this be kept
while the optimum stays?" compares the quality alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import rustworkx as rx

Edge = tuple[int, int]


def edge(i: int, j: int) -> Edge:
    return (i, j) if i < j else (j, i)


@dataclass(slots=True)
class Graph:
    size: int  # vertices 0..size-1
    hint_bits: int
    edges: dict[Edge, tuple[int, int]] = field(default_factory=dict)  # (i < j) -> (q, hint)

    def add(self, i: int, j: int, quality: int, hint: int = 0) -> None:
        self.edges[edge(i, j)] = (quality, hint)

    def has(self, i: int, j: int) -> bool:
        return edge(i, j) in self.edges

    def without(self, drop: Iterable[Edge]) -> Graph:
        gone = set(drop)
        if not gone:
            return self
        kept = {e: w for e, w in self.edges.items() if e not in gone}
        return Graph(self.size, self.hint_bits, kept)

    def incident(self, v: int) -> set[Edge]:
        return {e for e in self.edges if v in e}

    def induced(self, vertices: set[int]) -> Graph:
        kept = {e: w for e, w in self.edges.items() if e[0] in vertices and e[1] in vertices}
        return Graph(self.size, self.hint_bits, kept)


@dataclass(slots=True)
class Matching:
    mate: dict[int, int]
    quality: int

    def partner(self, v: int) -> int | None:
        return self.mate.get(v)

    def within(self, vertices: set[int]) -> int:
        """How many of ``vertices`` are matched."""
        return sum(1 for v in vertices if v in self.mate)


def solve(g: Graph) -> Matching:
    """A maximum-cardinality matching of the greatest weight."""
    graph = rx.PyGraph()
    graph.add_nodes_from(range(g.size))
    shift = g.hint_bits
    graph.add_edges_from([(i, j, (q << shift) | h) for (i, j), (q, h) in g.edges.items()])
    found = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    mate: dict[int, int] = {}
    quality = 0
    for i, j in found:
        mate[i], mate[j] = j, i
        quality += g.edges[edge(i, j)][0]
    return Matching(mate, quality)


def force(g: Graph, i: int, j: int) -> Graph:
    """``g`` with ``i`` and ``j`` matched to each other or not at all."""
    keep = edge(i, j)
    return g.without(e for e in g.edges if (i in e or j in e) and e != keep)
