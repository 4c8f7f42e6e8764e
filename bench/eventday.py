"""The event day's costs: what stations add to each result (pure domain), and sign-ups per second
through a real server (the door a crowd rushes when a sign-up link is posted).

Run: ``.venv/bin/python bench/eventday.py`` (from the repository root). Prints:
1. per result in a 1,024-player double elimination, the median time of the command's checks, the
   fold and the follow-ups, without stations and with 32 (each result then also frees a station
   and calls the next match: a second event);
2. sign-ups per second from 16 concurrent connections on loopback (each a new participant link,
   until the capacity is reached, then the waiting list), with the server's CPU beside the load
   generator's.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import commands, state
from app.domain.commands import COMMANDS, CommandName, Input
from app.domain.events import Event, EventType
from app.domain.models import MatchState, Tournament
from app.domain.results import report_result
from bench.common import Tourney, cpu_seconds


class Log:
    def __init__(self) -> None:
        self.n = 0

    def apply(self, t: Tournament, etype: EventType, data: dict[str, Any]) -> None:
        self.n += 1
        at = "2026-01-01T00:00:00.000Z"
        state.apply(t, Event(f"e{self.n}", self.n, etype, t.id, at, data))


def drawn(players: int, stations: int) -> tuple[Tournament, Log]:
    log = Log()
    data = commands.create_tournament({"name": "B", "format": "double_elimination"})
    t = state.new_tournament(Event("e0", 0, EventType.TOURNAMENT_CREATED, "b", "", data))
    ids = iter(range(10**9))

    def new_id(prefix: str) -> str:
        return f"{prefix}{next(ids)}"

    for etype, body in ((CommandName.ADD_STATIONS, [{"name": f"S{i}"} for i in range(stations)]),
                        (CommandName.ADD_PARTICIPANTS,
                         [{"name": f"P{i}"} for i in range(players)])):  # fmt: skip
        if body:
            cmd = COMMANDS[etype]
            log.apply(t, cmd.event, cmd.decide(t, Input(body, new_id=new_id)))
    log.apply(t, EventType.TOURNAMENT_STARTED, commands.start(t, Input()))
    settle(t, log)
    return t, log


def settle(t: Tournament, log: Log) -> None:
    now = "2026-01-01T00:00:00.000Z"
    while todo := commands.followups(t, now):
        log.apply(t, *todo[0])


def per_result(players: int, stations: int, results: int) -> float:
    t, log = drawn(players, stations)
    times = []
    for _ in range(results):
        called = [m for m in t.matches.values() if m.state is MatchState.READY and
                  (m.station is not None or not stations)]  # fmt: skip
        if not called:
            break
        m = called[0]
        started = time.perf_counter()
        data = report_result(t, m.id, {"winner_id": m.participants[0]})
        log.apply(t, EventType.MATCH_RESULT, data)
        settle(t, log)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def sign_ups(n: int, concurrency: int) -> dict[str, float]:
    with Tourney() as server, server.client() as c:
        t = c.post("/api/v1/tournaments", json={
            "name": "Rush", "signup": {"enabled": True, "capacity": n // 2}}).json()  # fmt: skip
        url = f"/api/v1/tournaments/{t['id']}/signup"
        latencies: list[float] = []
        counter = iter(range(n))
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as ac:

            async def worker() -> None:
                for i in counter:
                    started = time.perf_counter()
                    r = await ac.post(url, json={"name": f"Player {i}"})
                    assert r.status_code == 201, r.text
                    latencies.append(time.perf_counter() - started)

            cpu0, mine0, wall0 = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            wall = time.perf_counter() - wall0
            server_cpu = cpu_seconds(server.pid) - cpu0
            loadgen_cpu = time.process_time() - mine0
        final = c.get(f"/api/v1/tournaments/{t['id']}").json()
        assert len(final["participants"]) == n // 2 and len(final["waiting_list"]) == n - n // 2
    latencies.sort()
    return {"per_second": n / wall, "p50_ms": latencies[len(latencies) // 2] * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
            "server_cpu_s": server_cpu, "loadgen_cpu_s": loadgen_cpu, "wall_s": wall}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--players", type=int, default=1024)
    p.add_argument("--results", type=int, default=500)
    p.add_argument("--signups", type=int, default=3000)
    p.add_argument("--concurrency", type=int, default=16)
    args = p.parse_args()
    for stations in (0, 32):
        ms = per_result(args.players, stations, args.results) * 1000
        print(f"one result, {args.players} players, {stations:>2} stations: {ms:.3f} ms (median)")
    got = asyncio.run(sign_ups(args.signups, args.concurrency))
    print(f"sign-ups: {args.signups} from {args.concurrency} connections: "
          f"{got['per_second']:,.0f}/s, p50 {got['p50_ms']:.1f} ms, p99 {got['p99_ms']:.1f} ms; "
          f"server CPU {got['server_cpu_s']:.1f} s, load generator CPU "
          f"{got['loadgen_cpu_s']:.1f} s, over {got['wall_s']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
