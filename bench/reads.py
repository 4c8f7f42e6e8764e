"""The public read of a large round robin: latency percentiles, with and without live ticks.

    .venv/bin/python bench/reads.py [--players 64] [--seconds 15] [--connections 4]
                                    [--tick-rate 50] [--path tournament|matches|standings]

A 64-player round robin has 2,016 matches; half of them are reported before the reads start.
Then ``--connections`` keep-alive connections (one load-generator process, raw sockets, one
request in flight each) read ``GET /api/v1/tournaments/{tid}`` at ``--rate`` reads/s in all
(each timed from when it was due; ``--rate 0``: back to back) for ``--seconds`` per phase:

- ``quiet``: nothing else happens; identity, gzip (``Accept-Encoding: gzip``) and conditional
  (``If-None-Match`` with the ETag of the first answer: 304s) in turn;
- ``live``: the same reads while live score ticks arrive at ``--tick-rate`` per second and a
  result every second, so the tournament changes under the readers (its ETag with it).

Each phase prints requests/s, latency p50/p95/p99/max, bytes per answer, the server's CPU and
the load generator's CPU over the phase, and how busy the whole machine was (all cores,
``/proc/stat``) with the load average, so a run on a shared machine says what else was running;
then the same percentiles of each read's own time in the server (its access log): the
difference is time spent waiting for a CPU or for the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import threading
import time
from typing import Any

import httpx
from common import ADMIN, Tourney, cpu_seconds
from loadgen import pct

PATHS = {
    "tournament": "/api/v1/tournaments/{tid}",
    "matches": "/api/v1/tournaments/{tid}/matches",
    "standings": "/api/v1/tournaments/{tid}/standings",
}


async def read_loop(
    port: int, path: str, headers: dict[str, str], deadline: float, interval: float,
    out: dict[str, Any],
) -> None:  # fmt: skip
    """Reads on one connection: back to back (``interval`` 0), or one every ``interval`` s,
    timed from when each was due, so a late answer also counts against the reads behind it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
    due = time.perf_counter() + random.random() * interval
    try:
        while time.monotonic() < deadline:
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            began = due if interval else time.perf_counter()
            due += interval
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            out["latencies"].append(time.perf_counter() - began)
            out["statuses"][status] = out["statuses"].get(status, 0) + 1
            out["bytes"] += length
    finally:
        writer.close()


def reader_process(args: dict[str, Any], queue: Any) -> None:
    out: dict[str, Any] = {"latencies": [], "statuses": {}, "bytes": 0}

    async def main() -> None:
        deadline = time.monotonic() + args["seconds"]
        await asyncio.gather(*(
            read_loop(args["port"], args["path"], args["headers"], deadline, args["interval"],
                      out)
            for _ in range(args["connections"])
        ))  # fmt: skip

    began = time.perf_counter()
    asyncio.run(main())
    out["seconds"] = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = usage.ru_utime + usage.ru_stime
    queue.put(out)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as f:
        fields = [float(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Ticker(threading.Thread):
    """Live ticks at ``rate``/s and a result every second, until stopped."""

    def __init__(self, url: str, tid: str, rate: float) -> None:
        super().__init__(daemon=True)
        self.url, self.tid, self.rate = url, tid, rate
        self.stop = threading.Event()
        self.sent = 0
        self.results = 0
        self.cpu = 0.0

    def run(self) -> None:
        began = time.thread_time()
        headers = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=30) as c:
            ready = [m["id"] for m in c.get(f"/api/v1/tournaments/{self.tid}/matches",
                                            params={"state": "ready"}).json()]  # fmt: skip
            live, last_result = ready[:40], time.monotonic()
            interval = 1 / self.rate
            while not self.stop.is_set() and live:
                mid = random.choice(live)
                detail = {
                    "map": random.choice(["Inferno", "Nuke", "Ancient"]),
                    "clock": f"{random.randint(0, 59)}:{random.randint(0, 59):02}",
                }
                c.post(f"/api/v1/tournaments/{self.tid}/matches/{mid}/live",
                       json={"scores": [random.randint(0, 9), random.randint(0, 9)],
                             "detail": detail})  # fmt: skip
                self.sent += 1
                if time.monotonic() - last_result >= 1 and len(live) > 1:
                    done = live.pop()
                    c.post(f"/api/v1/tournaments/{self.tid}/matches/{done}/result",
                           json={"scores": [2, 1]})  # fmt: skip
                    self.results += 1
                    last_result = time.monotonic()
                self.stop.wait(interval)
        self.cpu = time.thread_time() - began


def handled_ms(t: Tourney, start: int, route: str) -> list[float]:
    """The server's own time per read (its access log: from the request's start to its last
    byte handed to the socket), for the log lines written since byte ``start``."""
    out = []
    with open(t.dir / "server.log", "rb") as f:
        f.seek(start)
        for line in f:
            if b'"request"' in line:
                entry = json.loads(line)
                if entry.get("route") == route and entry.get("method") == "GET":
                    out.append(float(entry["ms"]))
    return sorted(out)


def log_size(t: Tourney) -> int:
    return (t.dir / "server.log").stat().st_size


def phase(t: Tourney, name: str, a: argparse.Namespace, path: str, headers: dict[str, str],
          ticker: Ticker | None = None) -> None:  # fmt: skip
    logged = log_size(t)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    interval = a.connections / a.rate if a.rate else 0.0
    args = {"port": t.port, "path": path, "headers": headers, "seconds": a.seconds,
            "connections": a.connections, "interval": interval}  # fmt: skip
    proc = ctx.Process(target=reader_process, args=(args, queue))
    cpu0, (busy0, total0), load0 = cpu_seconds(t.pid), machine_busy(), os.getloadavg()[0]
    if ticker:
        ticker.start()
    proc.start()
    out = queue.get()
    proc.join()
    if ticker:
        ticker.stop.set()
        ticker.join()
    cpu1, (busy1, total1), load1 = cpu_seconds(t.pid), machine_busy(), os.getloadavg()[0]
    lat = sorted(out["latencies"])
    n = len(lat)
    cores = os.cpu_count() or 1
    busy = (busy1 - busy0) / max(1.0, total1 - total0) * cores
    statuses = ",".join(f"{k}:{v}" for k, v in sorted(out["statuses"].items()))
    ms = [pct(lat, q) * 1000 for q in (0.5, 0.95, 0.99)] + [lat[-1] * 1000 if lat else 0]
    print(f"{name:<22} {n / out['seconds']:7.0f}/s  {ms[0]:6.1f} {ms[1]:6.1f} {ms[2]:6.1f}"
          f" {ms[3]:7.1f} ms  {out['bytes'] / max(n, 1) / 1024:7.1f} KiB  server"
          f" {cpu1 - cpu0:5.2f} s  loadgen {out['cpu']:5.2f} s  machine {busy:4.2f} of {cores}"
          f" cores busy, load {load0:.1f}->{load1:.1f}  [{statuses}]", flush=True)  # fmt: skip
    own = handled_ms(t, logged, PATHS[a.path])
    if own:
        print(f"{'':<22} in the server: {pct(own, 0.5):.1f} {pct(own, 0.95):.1f}"
              f" {pct(own, 0.99):.1f} {own[-1]:.1f} ms (p50 p95 p99 max)", flush=True)  # fmt: skip
    if ticker:
        print(f"{'':<22} ticks sent {ticker.sent}, results {ticker.results}, ticker CPU"
              f" {ticker.cpu:.2f} s", flush=True)  # fmt: skip


def prepare(t: Tourney, players: int) -> tuple[str, str]:
    with t.client() as c:
        r = c.post("/api/v1/tournaments", json={"name": "Read bench", "format": "round_robin"})
        tid = r.json()["id"]
        c.post(f"/api/v1/tournaments/{tid}/participants",
               json=[{"name": f"Player number {i}"} for i in range(players)])  # fmt: skip
        c.post(f"/api/v1/tournaments/{tid}/start")
        matches = c.get(f"/api/v1/tournaments/{tid}/matches").json()
        for m in matches[: len(matches) // 2]:
            if m["state"] == "ready":
                c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result",
                       json={"scores": [random.randint(0, 3), random.randint(0, 3)]})  # fmt: skip
        r = c.get(f"/api/v1/tournaments/{tid}")
        print(f"round robin, {players} players, {len(r.json()['matches'])} matches,"
              f" {len(r.content) / 1024:.0f} KiB as JSON", flush=True)  # fmt: skip
        return tid, r.headers["etag"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--players", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--rate", type=float, default=200, help="reads/s in all; 0: back to back")
    ap.add_argument("--tick-rate", type=float, default=50)
    ap.add_argument("--path", choices=sorted(PATHS), default="tournament")
    a = ap.parse_args()
    # the access log is on: each read's own time in the server, beside the client's
    with Tourney({"TOURNEY_SERVER_ACCESS_LOG": "1", "TOURNEY_SERVER_LOG_LEVEL": "info"}) as t:
        print(f"server pid {t.pid} (to profile: py-spy record -p {t.pid})", flush=True)
        tid, _ = prepare(t, a.players)
        path = PATHS[a.path].format(tid=tid)
        etag = httpx.get(t.url + path).headers["etag"]
        rate = f"{a.rate:.0f} reads/s" if a.rate else "back to back"
        print(f"{a.connections} connections, {rate}, {a.seconds:.0f} s a phase,"
              f" GET {PATHS[a.path]}")  # fmt: skip
        print(f"{'phase':<22} {'reads':>9}  {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}")
        gzip = {"Accept-Encoding": "gzip"}
        phase(t, "quiet identity", a, path, {})
        phase(t, "quiet gzip", a, path, gzip)
        phase(t, "quiet If-None-Match", a, path, {"If-None-Match": etag, **gzip})
        phase(t, "live identity", a, path, {}, Ticker(t.url, tid, a.tick_rate))
        phase(t, "live gzip", a, path, gzip, Ticker(t.url, tid, a.tick_rate))


if __name__ == "__main__":
    main()
