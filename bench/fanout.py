"""Live fan-out at scale: K WebSocket subscribers to one tournament, then updates to all of them.

    .venv/bin/python bench/fanout.py [--subscribers 10000] [--procs 4] [--rate 500]
                                     [--results 20] [--result-interval 0.2] [--ticks 100]
                                     [--compression deflate|none]

Phases: start tourney (embedded defaults, loopback); create a 64-player bracket; connect K
subscribers from ``--procs`` processes at ``--rate`` connections/s (total cap
``--connect-seconds``); settle; report ``--results`` results one every ``--result-interval`` s,
then ``--ticks`` live ticks at ``--tick-rate``/s on one other match; settle; close everything.
A separate process samples ``GET /healthz`` throughout.

Latency of a result = subscriber receive time - the driver's send time of the POST (includes the
HTTP round trip and the write pipeline), and separately receive - the event's ``at`` (stamped when
the server built the event). A tick's latency = receive - its send time, for the newest tick of
each live frame (ticks are coalesced, so older ones are never delivered).
Targets (issue 4): 10,000 subscribers at <= 32 KiB server memory each; one update to 5,000
subscribers at p99 <= 100 ms; zero connection errors; /healthz p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from common import Tourney, cpu_seconds, free_port, open_fds, rss_kib, tournament, wait_ready
from loadgen import pct
from wsload import raise_nofile, start_holders

LIMITS = {
    "TOURNEY_LIVE_MAX_CONNECTIONS": "20000",
    "TOURNEY_LIVE_MAX_CONNECTIONS_PER_ADDRESS": "20000",
}


class Baseline:
    """bench/ws_baseline_app.py as a subprocess, shaped like ``Tourney`` for this script."""

    def __init__(self, compression: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.compression = compression
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Baseline:
        app = Path(__file__).parent / "ws_baseline_app.py"
        self.proc = subprocess.Popen([sys.executable, str(app), str(self.port), self.compression])
        wait_ready(self.url + "/healthz", self.proc)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


def healthz_sampler(url: str, interval: float, out: Any, stop: Any, seconds: float) -> None:
    """GET /healthz every ``interval`` s on one keep-alive connection; a new one after errors."""
    lat: list[tuple[float, float]] = []
    errors: Counter[str] = Counter()
    hard = time.monotonic() + seconds
    client = httpx.Client(timeout=5)
    while not stop.is_set() and time.monotonic() < hard:
        started = time.perf_counter()
        try:
            r = client.get(url)
            took = time.perf_counter() - started
            if r.status_code != 200:
                errors[f"http_{r.status_code}"] += 1
            lat.append((time.time(), took))
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
            client.close()
            client = httpx.Client(timeout=5)
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    client.close()
    out.put({"lat": lat, "errors": dict(errors)})


def ms(values: list[float], q: float) -> float:
    return pct(values, q) * 1000


def line(name: str, values: list[float]) -> str:
    v = sorted(values)
    if not v:
        return f"{name:<44} n=0"
    return (
        f"{name:<44} n={len(v):>8}  p50 {ms(v, 0.5):8.1f} ms  p99 {ms(v, 0.99):8.1f} ms"
        f"  max {v[-1] * 1000:8.1f} ms"
    )


def wait_rss_settle(pid: int, seconds: float) -> int:
    time.sleep(seconds)
    return rss_kib(pid)


def main() -> None:  # noqa: C901
    ap = argparse.ArgumentParser()
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--rate", type=float, default=500, help="connections per second, in total")
    ap.add_argument("--connect-seconds", type=float, default=180, help="cap on the connect phase")
    ap.add_argument("--results", type=int, default=20)
    ap.add_argument("--result-interval", type=float, default=0.2)
    ap.add_argument("--ticks", type=int, default=100)
    ap.add_argument("--tick-rate", type=float, default=100)
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--players", type=int, default=64)
    ap.add_argument(
        "--compression",
        default="deflate",
        choices=["deflate", "none"],
        help="what the clients offer; browsers offer permessage-deflate",
    )
    ap.add_argument(
        "--baseline",
        action="store_true",
        help="measure bench/ws_baseline_app.py (bare websockets.broadcast) instead of tourney",
    )
    ap.add_argument(
        "--no-limits-env",
        action="store_true",
        help="do not pass TOURNEY_LIVE_MAX_CONNECTIONS*=20000",
    )
    a = ap.parse_args()
    assert a.results <= a.players // 2 - 1, "a result needs a round-1 match"
    nofile = raise_nofile()
    print(
        f"machine: {os.cpu_count()} cores; {a.subscribers} subscribers from {a.procs} processes"
        f" at {a.rate:.0f}/s, compression={a.compression}, client RLIMIT_NOFILE={nofile}"
    )
    env = {} if a.no_limits_env else dict(LIMITS)
    if a.baseline:
        a.ticks = 0
        print("BASELINE: bench/ws_baseline_app.py (bare websockets.broadcast), not tourney")
    server = Baseline(a.compression) if a.baseline else Tourney(env)
    with server as t, t.client() as c:
        if a.baseline:
            tid, ready = "", ["m"] * (a.results + 1)
        else:
            tt = tournament(c, a.players)
            tid = tt["id"]
            ready = [m["id"] for m in tt["matches"] if m["state"] == "ready"]
        tick_mid, result_mids = ready[0], ready[1 : 1 + a.results]
        c.get("/healthz")
        time.sleep(1)
        rss0, cpu0, fd0 = rss_kib(t.pid), cpu_seconds(t.pid), open_fds(t.pid)
        print(f"server pid {t.pid}: before subscribers RSS {rss0} KiB, fds {fd0}")

        ctx = mp.get_context("spawn")
        hz_out, hz_stop = ctx.Queue(), ctx.Event()
        budget = a.connect_seconds + 300
        hz = ctx.Process(
            target=healthz_sampler,
            args=(t.url + "/healthz", 0.05, hz_out, hz_stop, budget),
            daemon=True,
        )
        hz.start()

        uri = f"ws://127.0.0.1:{t.port}/api/v1/tournaments/{tid}/ws"
        if a.baseline:
            uri = f"ws://127.0.0.1:{t.port}/"
        final_tick_holder: dict[str, str] = {}
        procs, out, stop = start_holders(
            uri,
            a.subscribers,
            a.procs,
            a.rate,
            None if a.compression == "none" else "deflate",
            "FO-",
            a.results,
            a.connect_seconds,
            budget,
        )
        t_connect = time.perf_counter()
        for p in procs:
            p.start()
        connected = []
        for _ in procs:
            connected.append(out.get(timeout=a.connect_seconds + 120))
        connect_s = time.perf_counter() - t_connect
        held = sum(r["alive"] for r in connected)
        conn_errors: Counter[str] = Counter()
        for r in connected:
            conn_errors.update(r["errors"])
        print(
            f"connect phase: {sum(r['connected'] for r in connected)} of "
            f"{sum(r['attempted'] for r in connected)} attempts connected in {connect_s:.1f} s;"
            f" {held} alive; errors {dict(conn_errors) or 0}"
        )
        rss1 = wait_rss_settle(t.pid, a.settle)
        cpu1, fd1 = cpu_seconds(t.pid), open_fds(t.pid)
        per_sub = (rss1 - rss0) / held if held else 0.0
        print(
            f"after connect: RSS {rss1} KiB (+{rss1 - rss0} KiB, {per_sub:.1f} KiB per"
            f" subscriber), fds {fd1}, server CPU for the connect phase {cpu1 - cpu0:.1f} s"
        )

        # ---- updates -----------------------------------------------------------------------
        sent: dict[str, float] = {}
        http_lat: list[float] = []
        statuses: Counter[int] = Counter()
        t_updates = time.perf_counter()
        for i, mid in enumerate(result_mids):
            key = f"FO-r{i}"
            began = time.perf_counter()
            sent[key] = time.time()
            if a.baseline:
                r = c.get(f"/fire/{key}")
            else:
                r = c.post(
                    f"/api/v1/tournaments/{tid}/matches/{mid}/result",
                    json={"scores": [2, 1]},
                    headers={"Idempotency-Key": key},
                )
            http_lat.append(time.perf_counter() - began)
            statuses[r.status_code] += 1
            time.sleep(max(0.0, a.result_interval - (time.perf_counter() - began)))
        tick_sent: dict[str, float] = {}
        last = ""
        for k in range(a.ticks):
            began = time.perf_counter()
            now = time.time()
            last = repr(now)
            tick_sent[last] = now
            r = c.post(
                "/api/v1/events",
                json=[
                    {
                        "tournament_id": tid,
                        "match_id": tick_mid,
                        "scores": [k + 1, 0],
                        "detail": {"bench_sent": now},
                    }
                ],
            )
            http_lat.append(time.perf_counter() - began)
            statuses[r.status_code] += 1
            time.sleep(max(0.0, 1 / a.tick_rate - (time.perf_counter() - began)))
        final_tick_holder["tick"] = last
        update_s = time.perf_counter() - t_updates
        time.sleep(a.settle)
        rss2, cpu2, fd2 = rss_kib(t.pid), cpu_seconds(t.pid), open_fds(t.pid)
        print(
            f"updates: {a.results} results + {a.ticks} ticks in {update_s:.1f} s; POST statuses"
            f" {dict(statuses)}; after: RSS {rss2} KiB, fds {fd2}, server CPU for updates +"
            f" settle {cpu2 - cpu1:.1f} s"
        )

        # ---- stop, collect ---------------------------------------------------------------------
        stop.set()
        done = [out.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(30)
        hz_stop.set()
        hzr = hz_out.get(timeout=30)
        hz.join(10)
        time.sleep(3)
        rss3, cpu3, fd3 = rss_kib(t.pid), cpu_seconds(t.pid), open_fds(t.pid)

    # ---- figures -----------------------------------------------------------------------------
    errors: Counter[str] = Counter()
    receipts: dict[str, list[float]] = {}
    at: dict[str, float] = {}
    tick_receipts: dict[str, list[float]] = {}
    for r in done:
        errors.update(r["errors"])
        for k, v in r["receipts"].items():
            receipts.setdefault(k, []).extend(v)
        at.update(r["at"])
        for k, v in r["tick_receipts"].items():
            tick_receipts.setdefault(k, []).extend(v)
    got_all = sum(r["got_all_events"] for r in done)
    alive_end = sum(r["alive_at_end"] for r in done)
    connect_times = sorted(x for r in done for x in r["connect_times"])
    print()
    got_final = len(tick_receipts.get(final_tick_holder["tick"], []))
    print(
        f"subscribers: target {a.subscribers}, held after connect {held}, alive at the end"
        f" {alive_end}, received all {a.results} results {got_all}, saw the final tick"
        f" {got_final}"
    )
    print(f"connection errors by kind: {dict(errors) or 'none'}")
    print(line("handshake (connect → open), per subscriber", connect_times))
    all_lat: list[float] = []
    all_at: list[float] = []
    per_update = []
    for i in range(a.results):
        key = f"FO-r{i}"
        rec = receipts.get(key, [])
        lat = sorted(x - sent[key] for x in rec)
        all_lat.extend(lat)
        if key in at:
            all_at.extend(x - at[key] for x in rec)
        per_update.append(
            (
                key,
                len(rec),
                ms(lat, 0.5),
                ms(lat, 0.99),
                lat[-1] * 1000 if lat else 0,
                (at[key] - sent[key]) * 1000 if key in at else float("nan"),
            )
        )
    print("per result (send → receive over all subscribers; at-send = server stamp - POST send):")
    for key, n, p50, p99, mx, at_send in per_update:
        print(
            f"  {key:<8} delivered {n:>6}  p50 {p50:8.1f}  p99 {p99:8.1f}  max {mx:8.1f} ms"
            f"  at-send {at_send:6.1f} ms"
        )
    print(line("result delivery, POST send → receive", all_lat))
    print(line("result delivery, event.at → receive", all_at))
    first = receipts.get("FO-r0", [])
    print(line("first result alone, POST send → receive", [x - sent["FO-r0"] for x in first]))
    tick_lat = [x - tick_sent[k] for k, v in tick_receipts.items() if k in tick_sent for x in v]
    print(line("tick delivery (newest per frame), send → receive", tick_lat))
    fin = tick_receipts.get(final_tick_holder["tick"], [])
    print(
        line("final tick, send → receive", [x - tick_sent[final_tick_holder["tick"]] for x in fin])
    )
    print(line("POST latency (results and ticks)", http_lat))
    hz_lat = sorted(x for _, x in hzr["lat"])
    print(line("/healthz during the run", hz_lat))
    print(f"/healthz errors: {hzr['errors'] or 'none'}")
    print(
        f"server RSS KiB: before {rss0}, subscribers connected {rss1}, after updates {rss2},"
        f" after all closed {rss3}; per subscriber {per_sub:.1f} KiB"
    )
    print(f"server fds: before {fd0}, connected {fd1}, after updates {fd2}, after close {fd3}")
    print(
        f"server CPU s: connect phase {cpu1 - cpu0:.1f}, updates+settle {cpu2 - cpu1:.1f},"
        f" close {cpu3 - cpu2:.1f}, total {cpu3 - cpu0:.1f}"
    )
    p99_all = pct(sorted(all_lat), 0.99) * 1000
    verdict = {
        "memory_per_sub_le_32KiB": per_sub <= 32,
        "update_p99_le_100ms": p99_all <= 100,
        "zero_connection_errors": not errors and held == a.subscribers,
        "healthz_p99_le_50ms": pct(hz_lat, 0.99) * 1000 <= 50,
    }
    print("targets:", json.dumps(verdict))


if __name__ == "__main__":
    main()
