"""The weighted matching under Swiss pairing: networkx's max_weight_matching (pure Python)
against rustworkx's (the same blossom algorithm in Rust), on dense random graphs with 100-bit
integer weights like the pairing's.

Run: ``.venv/bin/python bench/matching.py`` (networkx comes with the test extra). Prints the
seconds of one maximum-cardinality matching for each size, and checks both find the same weight.
"""

from __future__ import annotations

import random
import time

import networkx as nx
import rustworkx as rx


def graph(n: int, seed: int) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [(i, j, (1 << 100) + rng.randint(0, 1 << 90)) for i in range(n) for j in range(i + 1, n)]


def main() -> None:
    for n in (100, 200, 400):
        edges = graph(n, n)
        g = nx.Graph()
        g.add_weighted_edges_from(edges)
        t0 = time.process_time()
        a = nx.max_weight_matching(g, maxcardinality=True)
        slow = time.process_time() - t0
        r = rx.PyGraph()
        r.add_nodes_from(range(n))
        r.add_edges_from(edges)
        t0 = time.process_time()
        b = rx.max_weight_matching(r, max_cardinality=True, weight_fn=int)
        fast = time.process_time() - t0
        same = sum(g[u][v]["weight"] for u, v in a) == sum(g[u][v]["weight"] for u, v in b)
        print(f"n={n:<4} networkx {slow:7.3f} s   rustworkx {fast:7.3f} s   same weight {same}")


if __name__ == "__main__":
    main()
