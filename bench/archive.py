"""A whole tournament as a file, and the Challonge API's cost beside the native one.

Two servers on loopback. On the first, two double-elimination tournaments of ``--players`` are
played out, every match with ``--ticks`` live scores first: one through the native API (POST
.../result), one through the Challonge API (PUT /challonge/v1/.../matches/{id} with winner_id and
scores_csv). Then the first is exported (``--exports`` times), imported on the second server,
and exported there; the two files must be the same bytes.

Prints: per-result time and server CPU on each API, the file's size, export and import times,
and the CPU of both servers and of this load generator.

    .venv/bin/python bench/archive.py --players 256 --ticks 2 --exports 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import httpx
from common import ADMIN, Tourney, cpu_seconds, tournament


def ready(c: httpx.Client, tid: str) -> list[dict[str, Any]]:
    r = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "ready"})
    out: list[dict[str, Any]] = r.json()
    return out


def play_native(c: httpx.Client, tid: str, ticks: int) -> list[float]:
    times = []
    while todo := ready(c, tid):
        for m in todo:
            url = f"/api/v1/tournaments/{tid}/matches/{m['id']}"
            for i in range(ticks):
                c.post(url + "/live", json={"scores": [i, 0]})
            began = time.perf_counter()
            r = c.post(url + "/result", json={"scores": [2, 1]})
            times.append(time.perf_counter() - began)
            assert r.status_code == 200, r.text
    return times


def play_challonge(c: httpx.Client, tid: str, ticks: int) -> list[float]:
    times = []
    base = f"/challonge/v1/tournaments/{tid}/matches"
    while todo := [x["match"] for x in c.get(base + ".json", params={"state": "open"}).json()]:
        for m in todo:
            url = f"{base}/{m['id']}.json"
            for i in range(ticks):
                c.put(url, data={"match[scores_csv]": f"{i}-0"})
            began = time.perf_counter()
            r = c.put(url, data={"match[scores_csv]": "2-1", "match[winner_id]": m["player1_id"]})
            times.append(time.perf_counter() - began)
            assert r.status_code == 200, r.text
    return times


def ms(xs: list[float]) -> str:
    qs = statistics.quantiles(xs, n=100) if len(xs) > 1 else xs * 99
    return f"median {statistics.median(xs) * 1000:.2f} ms, p99 {qs[98] * 1000:.2f} ms"


def phase(server: Tourney, work: Any) -> tuple[Any, float, float]:
    """``work()``, with the server's CPU seconds and this process's over it."""
    s0, me0 = cpu_seconds(server.pid), time.process_time()
    out = work()
    return out, cpu_seconds(server.pid) - s0, time.process_time() - me0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=256)
    ap.add_argument("--ticks", type=int, default=2)
    ap.add_argument("--exports", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with Tourney() as a, Tourney() as b, a.client() as ca, b.client() as cb:
        native = tournament(ca, args.players, "double_elimination")
        times, cpu, me = phase(a, lambda: play_native(ca, native["id"], args.ticks))
        print(
            f"native results: {len(times)}, {ms(times)}; server CPU {cpu / len(times) * 1000:.2f}"
            f" ms a result (with its {args.ticks} ticks), load generator {me:.1f} s"
        )
        bot = httpx.Client(base_url=a.url, auth=("bench", ADMIN), timeout=30)
        other = tournament(ca, args.players, "double_elimination")
        times, cpu, me = phase(a, lambda: play_challonge(bot, other["id"], args.ticks))
        print(
            f"Challonge results: {len(times)}, {ms(times)}; server CPU"
            f" {cpu / len(times) * 1000:.2f} ms a result, load generator {me:.1f} s"
        )
        a.drained()
        tid = native["id"]
        walls = []
        for _ in range(args.exports):
            began = time.perf_counter()
            body = ca.get(f"/api/v1/tournaments/{tid}/export").content
            walls.append(time.perf_counter() - began)
        events = body.count(b'"n": ')
        print(f"export: {len(body) / 1e6:.2f} MB, {events} events, {ms(walls)}")
        began = time.perf_counter()
        (r, cpu, me) = phase(b, lambda: cb.post("/api/v1/import", content=body))
        wall = time.perf_counter() - began
        assert r.status_code == 201, r.text
        print(
            f"import: {wall * 1000:.0f} ms, server CPU {cpu * 1000:.0f} ms,"
            f" load generator {me * 1000:.0f} ms"
        )
        b.drained()
        again = cb.get(f"/api/v1/tournaments/{tid}/export").content
        print(f"export on the other server: {'identical' if again == body else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
