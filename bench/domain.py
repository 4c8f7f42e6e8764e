"""Domain micro-benchmark: the draw, and one result applied, in a 2,048-participant double
elimination and a 128-participant round robin (8,128 matches); and the Swiss (Dutch system)
pairing of every round of a 9-round Swiss of 200 and of 1,000 players with random results
(draws, forfeits).

Run: ``.venv/bin/python bench/domain.py`` (from the repository root). Prints medians, and for
the Swiss each round's pairing time (``commands.followups``: the histories read from the
matches, the pairing, the matches built) and the slowest.
The result timing covers what the service does per reported result: ``report_result`` (the
command's checks), ``apply`` and ``followups``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import commands, state
from app.domain.commands import Input
from app.domain.events import Event, EventType
from app.domain.models import Tournament
from app.domain.results import report_result

CASES = [
    ("double_elimination", 2048, {}),
    ("round_robin", 128, {}),
]


class Seq:
    def __init__(self) -> None:
        self.n = 0

    def event(self, type_: str, data: dict[str, Any]) -> Event:
        self.n += 1
        return Event(f"e{self.n}", self.n, EventType(type_), "bench", "2026-01-01T00:00:00Z", data)


def pending_tournament(fmt: str, n: int, settings: dict[str, Any]) -> tuple[Tournament, Seq]:
    seq = Seq()
    body = {"name": "bench", "format": fmt, "settings": settings}
    t = state.new_tournament(seq.event("tournament.created", commands.create_tournament(body)))
    rows = [{"name": f"P{i}"} for i in range(n)]
    ids = iter(f"p{i}" for i in range(n))
    data = commands.add_participants(t, Input(rows, new_id=lambda _prefix: next(ids)))
    state.apply(t, seq.event("participant.added", data))
    return t, seq


def time_draw(fmt: str, n: int, settings: dict[str, Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t, seq = pending_tournament(fmt, n, settings)
        e = seq.event("tournament.started", commands.start(t, Input()))
        t0 = time.perf_counter()
        state.apply(t, e)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def time_results(fmt: str, n: int, settings: dict[str, Any], runs: int) -> tuple[float, int]:
    t, seq = pending_tournament(fmt, n, settings)
    state.apply(t, seq.event("tournament.started", commands.start(t, Input())))
    ready = [m.id for m in t.matches.values() if m.state == "ready"][:runs]
    samples = []
    for mid in ready:
        a = t.matches[mid].participants[0]
        t0 = time.perf_counter()
        data = report_result(t, mid, {"winner_id": a})
        state.apply(t, seq.event("match.result", data))
        commands.followups(t)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), len(t.matches)


def swiss_rounds(n: int, rounds: int, seed: int = 1) -> list[tuple[float, float]]:
    """(wall, CPU) seconds to pair each round of an ``n``-player Swiss (round 1: the draw at
    start; the others as the director pairs them). On a shared machine the CPU time is the
    figure to read."""
    rng = random.Random(seed)
    t, seq = pending_tournament("swiss", n, {"rounds": rounds})
    for i, p in enumerate(t.participant_list()):
        p.rating = 2600 - 1000 * i / n
    e = seq.event("tournament.started", commands.start(t, Input()))
    t0, c0 = time.perf_counter(), time.process_time()
    state.apply(t, e)
    times = [(time.perf_counter() - t0, time.process_time() - c0)]
    while True:
        for m in [m for m in t.matches.values() if m.state == "ready"]:
            a, b = m.participants
            x = rng.random()
            body = (
                {"forfeit": a} if x < 0.03 else {"scores": [1, 1]} if x < 0.33
                else {"winner_id": a if x < 0.66 else b}
            )  # fmt: skip
            state.apply(t, seq.event("match.result", report_result(t, m.id, body)))
        if commands.followups(t, "2026-01-01T00:00:00Z"):  # the last round done: the end
            return times
        t0, c0 = time.perf_counter(), time.process_time()
        paired = commands.COMMANDS[commands.CommandName.PAIR_ROUND].decide(t, Input())
        times.append((time.perf_counter() - t0, time.process_time() - c0))
        state.apply(t, seq.event("round.paired", paired))


def main() -> None:
    for n in (200, 1000):
        times = swiss_rounds(n, 9)
        cpu = " ".join(f"{c:.2f}" for _, c in times)
        wall = max(w for w, _ in times)
        print(
            f"swiss (dutch)        n={n:<5} CPU per round 1-9: {cpu} s; "
            f"slowest {max(c for _, c in times):.2f} s CPU, {wall:.2f} s wall"
        )
    for fmt, n, settings in CASES:
        draw = time_draw(fmt, n, settings, runs=7)
        result, count = time_results(fmt, n, settings, runs=1000)
        print(
            f"{fmt:<20} n={n:<5} matches={count:<6} draw {draw * 1000:8.2f} ms   "
            f"one result {result * 1e6:8.1f} us (median)"
        )


if __name__ == "__main__":
    main()
