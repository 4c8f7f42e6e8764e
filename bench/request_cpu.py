"""Server CPU per request, for a few request shapes: what the guards on each request cost.

One keep-alive client sends ``--requests`` requests of each shape, one after another; the figure
is the server process's CPU time (user + system, from /proc) over the count, beside the client's
own CPU per request. CPU time, not wall time, so a busy machine moves the figures less; run it
with nothing else busy all the same. Then the request-head meter alone, in this process: the
time ``HeadMeter.feed`` takes for one head (it runs on every request before the HTTP parser).

    .venv/bin/python bench/request_cpu.py --requests 3000 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from common import Tourney, cpu_seconds, tournament

from app.wire import HeadMeter

HEAD = (
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nAccept: */*\r\nConnection: keep-alive\r\n"
    b"User-Agent: python-httpx/0.28.1\r\nAuthorization: Bearer " + b"t" * 40 + b"\r\n\r\n"
)


def shapes(tid: str, mid: str) -> dict[str, Callable[[httpx.Client, int], httpx.Response]]:
    tick = f"/api/v1/tournaments/{tid}/matches/{mid}/live"
    big = {"Cookie": "c=" + "x" * 8000}  # a browser with heavy cookies: 8 KB of headers
    return {
        "GET /healthz": lambda c, i: c.get("/healthz"),
        "GET /healthz, 8 KB of headers": lambda c, i: c.get("/healthz", headers=big),
        "POST live tick": lambda c, i: c.post(tick, json={"scores": [i % 50, 0]}),
        "POST live tick, Idempotency-Key": lambda c, i: c.post(
            tick, json={"scores": [i % 50, 0]}, headers={"Idempotency-Key": uuid.uuid4().hex}
        ),
    }


def measure(
    server: Tourney, send: Callable[[httpx.Client, int], Any], n: int
) -> tuple[float, float]:
    """Server and client CPU per request, in microseconds."""
    with server.client() as c:
        for i in range(50):  # warm the connection and the caches
            send(c, i)
        server_before, client_before = cpu_seconds(server.pid), time.process_time()
        for i in range(n):
            r = send(c, i)
            assert r.status_code < 300, r.text
        server_cpu = cpu_seconds(server.pid) - server_before
        client_cpu = time.process_time() - client_before
    return server_cpu / n * 1e6, client_cpu / n * 1e6


def meter_us(head: bytes, n: int = 200_000) -> float:
    meter = HeadMeter(16_384, 65_536)
    started = time.perf_counter()
    for _ in range(n):
        meter.reset()
        meter.feed(head)
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with Tourney() as server:
        with server.client() as c:
            t = tournament(c, 16)
            mid = next(m["id"] for m in t["matches"] if m["state"] == "ready")
        results: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.rounds):
            for name, send in shapes(t["id"], mid).items():
                results.setdefault(name, []).append(measure(server, send, args.requests))
    print(f"{'shape':34} {'server µs/request':>18} {'client µs/request':>18}")
    for name, runs in results.items():
        srv = statistics.median(r[0] for r in runs)
        cli = statistics.median(r[1] for r in runs)
        print(f"{name:34} {srv:18.0f} {cli:18.0f}")
    big = HEAD[:-2] + b"Cookie: c=" + b"x" * 8000 + b"\r\n\r\n"
    print(f"HeadMeter.feed: {meter_us(HEAD):.2f} µs for a {len(HEAD)}-byte head, "
          f"{meter_us(big):.2f} µs for an {len(big)}-byte one")  # fmt: skip


if __name__ == "__main__":
    main()
