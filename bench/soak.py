"""Soak: minutes of mixed load on one server; per-minute latency, memory and descriptors.

    .venv/bin/python bench/soak.py [--minutes 10] [--tick-rate 2000] [--held 500] [--churn 50]

Load, all on loopback, all bounded: live ticks on POST /api/v1/events at a steady rate (batches of
``--tick-batch``, each tick carrying its send time in ``detail``); results reported one every
``--result-interval`` s (Idempotency-Key ``SK-<send time in µs>``), a new 32-player bracket when
one completes; reads (GET tournament, GET standings) at ``--read-rate``/s; ``--held`` WebSocket
subscribers to the current tournament from ``--procs`` processes, ``--churn`` of them replaced
every second. Each minute: HTTP latency by kind, WS delivery latency (result: subscriber receive -
POST send; tick: receive - send of the newest tick in each live frame), server RSS, descriptors,
CPU and errors. At the end: the RSS and descriptor slopes after the first minute, flat or not.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing as mp
import os
import queue
import time
from collections import Counter
from typing import Any

import httpx
from common import ADMIN, Tourney, cpu_seconds, open_fds, rss_kib
from loadgen import pct
from wsload import churn_worker, raise_nofile

LIMITS = {
    "TOURNEY_LIVE_MAX_CONNECTIONS": "20000",
    "TOURNEY_LIVE_MAX_CONNECTIONS_PER_ADDRESS": "20000",
}


def q(values: list[float]) -> str:
    v = sorted(values)
    if not v:
        return "      -/      -/      -"
    return f"{pct(v, 0.5) * 1000:7.1f}/{pct(v, 0.99) * 1000:7.1f}/{v[-1] * 1000:7.1f}"


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minutes, value)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


class Driver:
    def __init__(self, t: Tourney, a: argparse.Namespace, t0: float, current: Any) -> None:
        self.t, self.a, self.t0, self.current = t, a, t0, current
        self.lat: dict[int, dict[str, list[float]]] = {}
        self.status: dict[int, Counter[str]] = {}
        self.tid = ""
        self.tickable: list[str] = []
        self.spare_tid = ""
        self.spare: list[str] = []
        self.tournaments = 0
        self.completed = 0
        self.skipped_ticks = 0
        self.end = t0 + a.minutes * 60

    def bucket(self) -> int:
        return int((time.time() - self.t0) // 60)

    def record(self, kind: str, began: float, status: int | str) -> None:
        b = self.bucket()
        self.lat.setdefault(b, {}).setdefault(kind, []).append(time.perf_counter() - began)
        self.status.setdefault(b, Counter())[f"{kind}:{status}"] += 1

    async def call(
        self, c: httpx.AsyncClient, kind: str, method: str, url: str, **kw: Any
    ) -> httpx.Response | None:
        began = time.perf_counter()
        try:
            r = await c.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.record(kind, began, type(exc).__name__)
            return None
        self.record(kind, began, r.status_code)
        return r

    async def new_tournament(self, c: httpx.AsyncClient, players: int) -> tuple[str, list[str]]:
        r = await c.post(
            "/api/v1/tournaments", json={"name": "Soak", "format": "single_elimination"}
        )
        tid = r.json()["id"]
        await c.post(
            f"/api/v1/tournaments/{tid}/participants",
            json=[{"name": f"P{i}"} for i in range(players)],
        )
        r = await c.post(f"/api/v1/tournaments/{tid}/start")
        self.tournaments += 1
        return tid, [m["id"] for m in r.json()["matches"] if m["state"] == "ready"]

    async def results(self, c: httpx.AsyncClient) -> None:
        while time.time() < self.end:
            began = time.perf_counter()
            r = await self.call(c, "read_matches", "GET", f"/api/v1/tournaments/{self.tid}/matches")
            open_ = [
                m["id"]
                for m in (r.json() if r is not None and r.status_code == 200 else [])
                if m["state"] in ("ready", "live")
            ]
            if not open_:
                self.completed += 1
                tid, ready = await self.new_tournament(c, self.a.players)
                self.tid, self.tickable = tid, ready
                self.current.value = tid.encode()
                await asyncio.sleep(self.a.result_interval)
                continue
            mid = open_[0]
            # no tick may be in flight for this match when its result lands (a 409 otherwise)
            self.tickable = [m for m in open_ if m != mid]
            await asyncio.sleep(0.25)
            key = f"SK-{int(time.time() * 1e6)}"
            await self.call(
                c,
                "result",
                "POST",
                f"/api/v1/tournaments/{self.tid}/matches/{mid}/result",
                json={"scores": [2, 1]},
                headers={"Idempotency-Key": key},
            )
            await asyncio.sleep(max(0.0, self.a.result_interval - (time.perf_counter() - began)))

    async def ticks(self, c: httpx.AsyncClient) -> None:
        per_second = self.a.tick_rate / self.a.tick_batch
        sem = asyncio.Semaphore(32)
        tasks: set[asyncio.Task[None]] = set()
        counter = itertools.count()
        began = time.monotonic()

        async def one(body: list[dict[str, Any]]) -> None:
            async with sem:
                await self.call(c, "ingest", "POST", "/api/v1/events", json=body)

        for i in itertools.count():
            if time.time() >= self.end:
                break
            tid, mids = (self.tid, self.tickable) if self.tickable else (self.spare_tid, self.spare)
            if not self.tickable:
                self.skipped_ticks += self.a.tick_batch
            now = time.time()
            body = [
                {
                    "tournament_id": tid,
                    "match_id": mids[next(counter) % len(mids)],
                    "scores": [i % 50, 0],
                    "detail": {"bench_sent": now},
                }
                for _ in range(self.a.tick_batch)
            ]
            if sem.locked():
                self.record("ingest", time.perf_counter(), "client_backlog_skip")
            else:
                task = asyncio.create_task(one(body))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(max(0.0, began + (i + 1) / per_second - time.monotonic()))
        if tasks:
            await asyncio.wait(tasks, timeout=30)

    async def reads(self, c: httpx.AsyncClient) -> None:
        began = time.monotonic()
        for i in itertools.count():
            if time.time() >= self.end:
                break
            if i % 2:
                await self.call(
                    c, "read_standings", "GET", f"/api/v1/tournaments/{self.tid}/standings"
                )
            else:
                await self.call(c, "read_tournament", "GET", f"/api/v1/tournaments/{self.tid}")
            await asyncio.sleep(max(0.0, began + (i + 1) / self.a.read_rate - time.monotonic()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--tick-rate", type=float, default=2000)
    ap.add_argument("--tick-batch", type=int, default=20)
    ap.add_argument("--result-interval", type=float, default=0.5)
    ap.add_argument("--read-rate", type=float, default=20)
    ap.add_argument("--held", type=int, default=500)
    ap.add_argument("--churn", type=float, default=50, help="subscribers replaced per second")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--players", type=int, default=32)
    ap.add_argument(
        "--unload-after",
        type=float,
        default=None,
        help="the server's pipeline.unload_after_seconds (default: its own, 600)",
    )
    a = ap.parse_args()
    assert 0 < a.minutes <= 60, "--minutes is bounded: at most 60"
    raise_nofile()
    print(
        f"machine: {os.cpu_count()} cores; soak {a.minutes:g} min: ticks {a.tick_rate:.0f}/s in"
        f" batches of {a.tick_batch}, a result every {a.result_interval} s, reads"
        f" {a.read_rate:.0f}/s, {a.held} subscribers held with {a.churn:.0f}/s churning"
        f" ({a.procs} client processes)"
    )
    env = dict(LIMITS)
    if a.unload_after is not None:
        env["TOURNEY_PIPELINE_UNLOAD_AFTER_SECONDS"] = str(a.unload_after)
    with Tourney(env) as t:
        ctx = mp.get_context("spawn")
        current = ctx.Array("c", 64)
        t0 = time.time() + 3  # minute 0 starts once the load is up
        d = Driver(t, a, t0, current)
        asyncio.run(run(t, a, d, ctx, current))


async def run(t: Tourney, a: argparse.Namespace, d: Driver, ctx: Any, current: Any) -> None:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=t.url, headers=headers, timeout=10, limits=limits) as c:
        d.spare_tid, d.spare = await d.new_tournament(c, 64)
        d.tid, d.tickable = await d.new_tournament(c, a.players)
        current.value = d.tid.encode()
        out, stop = ctx.Queue(), ctx.Event()
        procs = []
        for p in range(a.procs):
            args = {
                "worker": p,
                "host": "127.0.0.1",
                "port": t.port,
                "prefix": "SK-",
                "held": a.held // a.procs,
                "churn": a.churn / a.procs,
                "t0": d.t0,
                "bucket_seconds": 60,
                "seconds": a.minutes * 60 + 5,
            }
            procs.append(
                ctx.Process(target=churn_worker, args=(args, out, stop, current), daemon=True)
            )
        for p in procs:
            p.start()
        await asyncio.sleep(max(0.0, d.t0 - time.time()))
        cpu_prev = cpu_seconds(t.pid)
        samples: list[tuple[float, int, int]] = []  # (minutes, rss KiB, fds)
        per_min: dict[int, dict[str, Any]] = {}
        loads = [asyncio.create_task(x) for x in (d.results(c), d.ticks(c), d.reads(c))]
        alive: dict[int, int] = {}
        print(
            f"{'min':>3} {'RSS KiB':>9} {'fds':>5} {'cpu s':>6} {'in mem':>7} {'subs':>5}"
            f" {'ticks/s':>7}  "
            f"{'ingest p50/p99/max ms':>23}  {'result':>23}  {'reads':>23}  HTTP statuses"
        )
        last_printed = -1
        while time.time() < d.end:
            await asyncio.sleep(5)
            now_min = (time.time() - d.t0) / 60
            samples.append((now_min, rss_kib(t.pid), open_fds(t.pid)))
            with_q(out, alive)
            b = d.bucket() - 1
            if b > last_printed and b >= 0:
                cpu = cpu_seconds(t.pid)
                per_min[b] = {
                    "rss": samples[-1][1],
                    "fds": samples[-1][2],
                    "cpu": cpu - cpu_prev,
                    "held": await in_memory(c),
                }
                cpu_prev = cpu
                print_http(b, per_min[b], d, sum(alive.values()))
                last_printed = b
        await asyncio.gather(*loads)
        b = d.bucket()
        cpu = cpu_seconds(t.pid)
        if b not in per_min and b > last_printed and (time.time() - d.t0) / 60 - b > 0.2:
            per_min[b] = {
                "rss": rss_kib(t.pid),
                "fds": open_fds(t.pid),
                "cpu": cpu - cpu_prev,
                "held": await in_memory(c),
            }
            print_http(b, per_min[b], d, sum(alive.values()))
        stop.set()
        done = []
        deadline = time.monotonic() + 120
        while len(done) < len(procs) and time.monotonic() < deadline:
            try:
                msg = out.get(timeout=1)
            except queue.Empty:
                continue
            if msg["phase"] == "done":
                done.append(msg)
        for p in procs:
            p.join(30)
        await asyncio.sleep(3)
        rss_end, fds_end = rss_kib(t.pid), open_fds(t.pid)
        report(a, d, per_min, samples, done, rss_end, fds_end)


async def in_memory(c: httpx.AsyncClient) -> str:
    """Tournaments in the server's memory / made so far (from /metrics)."""
    text = (await c.get("/metrics")).text
    got = {}
    for line in text.splitlines():
        if line.startswith(("tourney_tournaments_in_memory ", "tourney_tournaments{")):
            name, value = line.rsplit(" ", 1)
            got[name] = float(value)
    loaded = int(got.pop("tourney_tournaments_in_memory", 0))
    return f"{loaded}/{int(sum(got.values()))}"


def with_q(out: Any, alive: dict[int, int]) -> None:
    while True:
        try:
            msg = out.get_nowait()
        except queue.Empty:
            return
        if msg["phase"] == "tick":
            alive[msg["worker"]] = msg["alive"]


def print_http(b: int, m: dict[str, Any], d: Driver, subs: int) -> None:
    lat = d.lat.get(b, {})
    reads = lat.get("read_tournament", []) + lat.get("read_standings", [])
    bad = {k: v for k, v in d.status.get(b, {}).items() if not k.endswith((":200", ":202", ":201"))}
    ok = sum(v for k, v in d.status.get(b, {}).items() if k.endswith((":200", ":202", ":201")))
    rate = d.status.get(b, {}).get("ingest:202", 0) * d.a.tick_batch / 60
    print(
        f"{b:>3} {m['rss']:>9} {m['fds']:>5} {m['cpu']:>6.1f} {m['held']:>7} {subs:>5}"
        f" {rate:>7.0f}  "
        f"{q(lat.get('ingest', []))}  {q(lat.get('result', []))}  {q(reads)}  "
        f"ok {ok} other {bad or 0}",
        flush=True,
    )


def report(
    a: argparse.Namespace,
    d: Driver,
    per_min: dict[int, dict[str, Any]],
    samples: list[tuple[float, int, int]],
    done: list[dict[str, Any]],
    rss_end: int,
    fds_end: int,
) -> None:
    print()
    print(
        "per minute, WebSocket side (p50/p99/max ms; result = POST send → receive,"
        " tick = newest tick's send → receive):"
    )
    print(
        f"{'min':>3} {'result deliveries':>18} {'result latency':>23} {'tick frames':>12}"
        f" {'tick latency':>23}  errors"
    )
    total_err: Counter[str] = Counter()
    for b in sorted(per_min):
        ev = [x for r in done for x in r["event_lat"].get(b, [])]
        tk = [x for r in done for x in r["tick_lat"].get(b, [])]
        err: Counter[str] = Counter()
        for r in done:
            err.update(r["error_buckets"].get(b, {}))
        total_err.update(err)
        print(f"{b:>3} {len(ev):>18} {q(ev)} {len(tk):>12} {q(tk)}  {dict(err) or 0}")
    for r in done:  # errors after the last full minute (closing)
        for k, v in r["error_buckets"].items():
            if int(k) not in per_min:
                total_err.update(v)
    attempted = sum(r["attempted"] for r in done)
    connected = sum(r["connected"] for r in done)
    http_err: Counter[str] = Counter()
    for c in d.status.values():
        http_err.update({k: v for k, v in c.items() if not k.endswith((":200", ":202", ":201"))})
    print(
        f"subscribers: {attempted} connects attempted, {connected} opened; WS errors by kind:"
        f" {dict(total_err) or 'none'}"
    )
    print(
        f"HTTP non-2xx/errors over the run: {dict(http_err) or 'none'}; ticks sent to the spare"
        f" tournament while the current had no open match: {d.skipped_ticks}"
    )
    print(f"tournaments created {d.tournaments} (completed {d.completed})")
    # flatness: from minute 1 on (minute 0 is warm-up); for short runs, the second half
    start = 1.0 if a.minutes >= 3 else a.minutes / 2
    window = [s for s in samples if s[0] >= start]
    rs = slope([(x, r) for x, r, _ in window])
    fs = slope([(x, f) for x, _, f in window])
    first = per_min[min(per_min)] if per_min else {"rss": 0, "fds": 0}
    second = per_min.get(1, first)
    last = per_min[max(per_min)] if per_min else first
    rss_growth = last["rss"] - second["rss"]
    flat_rss = abs(rs) * a.minutes <= 0.05 * max(1, last["rss"])
    flat_fds = abs(fs) * a.minutes <= max(10, 0.1 * (a.held + 30))
    print(
        f"RSS KiB: minute 1 {second['rss']}, last minute {last['rss']} ({rss_growth:+d}),"
        f" slope {rs:+.0f} KiB/min over {len(window)} samples from minute {start:g};"
        f" after the load stopped {rss_end} → {'flat' if flat_rss else 'GROWING'}"
    )
    print(
        f"fds: minute 1 {second['fds']}, last minute {last['fds']}, slope {fs:+.1f}/min;"
        f" after the load stopped {fds_end} → {'flat' if flat_fds else 'GROWING'}"
    )


if __name__ == "__main__":
    main()
