"""The director's Swiss end to end: a real server on loopback, a Swiss of N rated players
played round by round over HTTP (every result a POST), each next round previewed
(``POST .../rounds?dry_run=1``) and paired (``POST .../rounds``) as the director would; then
the TRF exported and imported back (``GET .../export.trf``, ``POST .../import.trf``).

Each request's wall time as the client saw it, beside the server's CPU and the client's over
that request (the server's from /proc), so the figure is the server's.

    .venv/bin/python bench/director.py --players 200 1000 --rounds 9
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from common import Tourney, cpu_seconds

Timed = tuple[httpx.Response, float, float, float]


def timed(server: Tourney, call: Callable[[], httpx.Response]) -> Timed:
    """(answer, wall s, server CPU s, client CPU s) of one request."""
    s0, c0, w0 = cpu_seconds(server.pid), time.process_time(), time.perf_counter()
    r = call()
    wall = time.perf_counter() - w0
    return r, wall, cpu_seconds(server.pid) - s0, time.process_time() - c0


def play_round(c: httpx.Client, tid: str, rng: random.Random) -> None:
    ready = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "ready"}).json()
    for m in ready:
        a, b = (s["participant_id"] for s in m["slots"])
        x = rng.random()
        body: dict[str, Any] = (
            {"forfeit": a} if x < 0.03 else {"scores": [0.5, 0.5]} if x < 0.33
            else {"winner_id": a if x < 0.66 else b}
        )  # fmt: skip
        r = c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json=body)
        assert r.status_code == 200, r.text


def run(players: int, rounds: int) -> None:
    rng = random.Random(players)
    with Tourney() as server, server.client() as c:
        t = c.post("/api/v1/tournaments", json={"name": f"Bench {players}", "format": "swiss",
                                                "settings": {"rounds": rounds}}).json()  # fmt: skip
        rows = [{"name": f"Player {i:04d}", "rating": 2700 - 1500 * i / players}
                for i in range(players)]  # fmt: skip
        c.post(f"/api/v1/tournaments/{t['id']}/participants", json=rows)
        r, wall, server_cpu, client_cpu = timed(server, lambda: c.post(
            f"/api/v1/tournaments/{t['id']}/start"))  # fmt: skip
        assert r.status_code == 200
        preview, paired = [], [(wall, server_cpu, client_cpu)]
        for rnd in range(2, rounds + 1):
            play_round(c, t["id"], rng)
            base = f"/api/v1/tournaments/{t['id']}/rounds"
            r, *p = timed(server, lambda base=base: c.post(base + "?dry_run=1"))
            assert r.status_code == 200, r.text
            preview.append(tuple(p))
            r, *p = timed(server, lambda base=base, rnd=rnd: c.post(base, json={"round": rnd}))
            assert r.status_code == 201, r.text
            paired.append(tuple(p))
        play_round(c, t["id"], rng)
        r, *out = timed(server, lambda: c.get(f"/api/v1/tournaments/{t['id']}/export.trf"))
        text = r.text
        plain = {"Content-Type": "text/plain"}
        r, *back = timed(server, lambda: c.post("/api/v1/tournaments/import.trf",
                                                content=text.encode(), headers=plain))  # fmt: skip
        assert r.status_code == 201, r.text
        same = c.get(f"/api/v1/tournaments/{r.json()['id']}/export.trf").text == text
        show(players, rounds, preview, paired, out, back, len(text), same)


def show(
    players: int, rounds: int, preview: list[Any], paired: list[Any], out: list[float],
    back: list[float], size: int, same: bool,
) -> None:  # fmt: skip
    def line(what: str, samples: list[Any]) -> str:
        walls, servers, clients = zip(*samples, strict=True)
        return (
            f"  {what:<34} wall median {statistics.median(walls):6.3f} s, max "
            f"{max(walls):6.3f} s; server CPU median {statistics.median(servers):6.3f} s, "
            f"max {max(servers):6.3f} s; client CPU max {max(clients):5.3f} s"
        )

    print(f"{players} players, {rounds} rounds")
    print(line("start (round 1 paired)", paired[:1]))
    print(line("POST .../rounds?dry_run=1 (2-9)", preview))
    print(line("POST .../rounds (2-9)", paired[1:]))
    print(line(f"GET .../export.trf ({size // 1024} KiB)", [tuple(out)]))
    print(line("POST .../import.trf", [tuple(back)]))
    print(f"  export -> import -> export identical: {same}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    for n in args.players:
        run(n, args.rounds)


if __name__ == "__main__":
    main()
