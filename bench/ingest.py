"""Ingest throughput, end to end (accepted → in SQLite), against a bare baseline in the same run.

    .venv/bin/python bench/ingest.py [--requests 20000] [--procs 2] [--conns 16]

Phases: one live tick per POST; batches of ticks on POST /api/v1/events; the same one-per-POST
load on the bare baseline (bench/baseline_app.py: Starlette + XADD + batch writer, nothing else).
Every event is checked in SQLite afterwards. Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Tourney, free_port, tournament, wait_ready
from loadgen import dumps, pct, run

from app.pipeline.redis_server import find_binary


def split(items: list[bytes], procs: int, conns: int) -> list[list[list[bytes]]]:
    lanes = procs * conns
    per = [items[i::lanes] for i in range(lanes)]
    return [per[p * conns : (p + 1) * conns] for p in range(procs)]


def report(name: str, res: dict[str, object], events: int) -> float:
    rate = events / float(res["seconds"])  # type: ignore[arg-type]
    print(f"{name:<28} {events:>8} events  {rate:>9.0f} ev/s  p50 {res['p50_ms']:.2f} ms"
          f"  p99 {res['p99_ms']:.2f} ms  max {res['max_ms']:.1f} ms  statuses {res['statuses']}"
          f"  errors {len(res['errors'])}")  # type: ignore[arg-type]  # fmt: skip
    return rate


def single_posts(t: Tourney, n: int, procs: int, conns: int, mode: str) -> float:
    with t.client() as c:
        tt = tournament(c, 64)
        mids = [m["id"] for m in tt["matches"] if m["state"] == "ready"]
    bodies = [dumps({"scores": [i, 0]}) for i in range(n)]
    lanes = split(bodies, procs, conns)
    # each connection posts to its own match, so ticks of one match stay in order
    results = []
    for p, proc_lanes in enumerate(lanes):
        for k, lane in enumerate(proc_lanes):
            results.append((mids[(p * conns + k) % len(mids)], lane))
    res = run_per_path(t, tt["id"], results, procs, conns)
    t.drained()
    stored = t.stored("SELECT COUNT(*) FROM events WHERE tournament_id = ? AND type = 'match.live'",
                      (tt["id"],))  # fmt: skip
    ok = res["statuses"].get(202, 0)  # type: ignore[union-attr]
    print(f"  stored in SQLite: {stored} of {ok} acknowledged")
    assert stored == ok, "an acknowledged event is missing from SQLite"
    return report(f"tourney one per POST ({mode})", res, ok)


def run_per_path(t: Tourney, tid: str, lanes: list[tuple[str, list[bytes]]], procs: int,
                 conns: int) -> dict[str, object]:  # fmt: skip
    """One loadgen run where every connection has its own path (its match's /live)."""
    import loadgen

    by_proc: list[list[tuple[str, list[bytes]]]] = [lanes[p * conns:(p + 1) * conns]
                                                      for p in range(procs)]  # fmt: skip
    return loadgen.run_paths(t.port, {"Authorization": "Bearer bench-admin-token"},
                             [[(f"/api/v1/tournaments/{tid}/matches/{mid}/live", b)
                               for mid, b in proc] for proc in by_proc])  # fmt: skip


def batches(t: Tourney, n: int, size: int, procs: int, conns: int, subscribers: int = 0) -> float:
    with t.client() as c:
        tt = tournament(c, 64)
        mids = [m["id"] for m in tt["matches"] if m["state"] == "ready"]
    tid = tt["id"]
    bodies = [
        dumps([{"id": f"b{b}-{i}", "tournament_id": tid, "match_id": mids[i % len(mids)],
                "scores": [b, i]} for i in range(size)])
        for b in range(n // size)
    ]  # fmt: skip
    proc, out = with_watchers(t, tid, subscribers, 600) if subscribers else (None, None)
    res = run("127.0.0.1", t.port, "/api/v1/events", {"Authorization": "Bearer bench-admin-token"},
              split(bodies, procs, conns))  # fmt: skip
    stop_watchers(proc, out)
    t.drained()
    ok = res["statuses"].get(202, 0) * size
    stored = t.stored("SELECT COUNT(*) FROM events WHERE tournament_id = ? AND type = 'match.live'",
                      (tid,))  # fmt: skip
    print(f"  stored in SQLite: {stored} of {ok} acknowledged")
    assert stored == ok, "an acknowledged event is missing from SQLite"
    return report(f"tourney batches of {size}, {subscribers} watching", res, ok)


def watchers(port: int, tid: str, n: int, seconds: float, out: Any, ready: Any) -> None:
    """``n`` WebSocket subscribers on ``tid``, counting frames, until ``seconds`` pass."""
    import asyncio

    import websockets

    async def one(counts: list[int], errors: list[str], all_in: asyncio.Event) -> None:
        try:
            async with websockets.connect(f"ws://127.0.0.1:{port}/api/v1/tournaments/{tid}/ws",
                                          compression=None, max_size=None) as ws:  # fmt: skip
                counts[1] += 1
                if counts[1] + len(errors) == n:
                    all_in.set()
                async for _ in ws:
                    counts[0] += 1
        except (OSError, websockets.WebSocketException) as exc:
            errors.append(type(exc).__name__)
            if counts[1] + len(errors) == n:
                all_in.set()

    async def main() -> None:
        counts, errors = [0, 0], []  # frames, connected
        all_in = asyncio.Event()
        tasks = []
        for _ in range(n):
            tasks.append(asyncio.create_task(one(counts, errors, all_in)))
            await asyncio.sleep(0.002)
        await all_in.wait()
        ready.set()
        await asyncio.sleep(seconds)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.put({"frames": counts[0], "connected": counts[1], "errors": errors})

    asyncio.run(main())


def with_watchers(t: Tourney, tid: str, n: int, seconds: float) -> tuple[Any, Any]:
    ctx = mp.get_context("spawn")
    out, ready = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=watchers, args=(t.port, tid, n, seconds, out, ready))
    proc.start()
    ready.wait(120)
    return proc, out


def ingest_ws(t: Tourney, n: int, size: int, conns: int, subscribers: int) -> float:
    """Frames of ``size`` ticks over the ingest WebSocket, one in flight per connection."""
    with t.client() as c:
        tt = tournament(c, 64)
        mids = [m["id"] for m in tt["matches"] if m["state"] == "ready"]
    tid = tt["id"]
    frames = [
        dumps([{"id": f"w{b}-{i}", "tournament_id": tid, "match_id": mids[i % len(mids)],
                "scores": [b, i]} for i in range(size)]).decode()
        for b in range(n // size)
    ]  # fmt: skip
    proc, out = with_watchers(t, tid, subscribers, 600) if subscribers else (None, None)
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    lanes = [frames[i::conns] for i in range(conns)]
    procs = [ctx.Process(target=ws_sender, args=(t.port, lane, q)) for lane in lanes]
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    began = min(r["began"] for r in results)
    ended = max(r["ended"] for r in results)
    acked = sum(r["acked"] for r in results)
    lat = sorted(x for r in results for x in r["latencies"])
    t.drained()
    stored = t.stored("SELECT COUNT(*) FROM events WHERE tournament_id = ? AND type = 'match.live'",
                      (tid,))  # fmt: skip
    print(f"  stored in SQLite: {stored} of {acked} acknowledged")
    assert stored == acked, "an acknowledged event is missing from SQLite"
    res = {"seconds": ended - began, "p50_ms": pct(lat, 0.5) * 1000,
           "p99_ms": pct(lat, 0.99) * 1000, "max_ms": lat[-1] * 1000 if lat else 0,
           "statuses": {"ack": len(lat)},
           "errors": [e for r in results for e in r["errors"]]}  # fmt: skip
    stop_watchers(proc, out)
    return report(f"tourney ingest WS, {size}/frame", res, acked)


def ws_sender(port: int, frames: list[str], q: Any) -> None:
    import asyncio
    import json

    import websockets

    async def main() -> None:
        lat: list[float] = []
        errors: list[str] = []
        acked = 0
        began = time.time()
        url = f"ws://127.0.0.1:{port}/api/v1/ingest/ws?token=bench-admin-token"
        async with websockets.connect(url, compression=None, max_size=None) as ws:
            for frame in frames:
                sent = time.perf_counter()
                await ws.send(frame)
                reply = json.loads(await ws.recv())
                lat.append(time.perf_counter() - sent)
                if reply["type"] == "ack":
                    acked += reply["accepted"]
                else:
                    errors.append(str(reply.get("status")))
        q.put({"latencies": lat, "errors": errors, "acked": acked, "began": began,
               "ended": time.time()})  # fmt: skip

    asyncio.run(main())


def stop_watchers(proc: Any, out: Any) -> None:
    if proc is None:
        return
    proc.terminate()
    proc.join(10)


def baseline(n: int, procs: int, conns: int) -> float:
    workdir = Path(tempfile.mkdtemp(prefix="baseline-"))
    sock = workdir / "v.sock"
    valkey = subprocess.Popen([find_binary(), "--port", "0", "--unixsocket", str(sock), "--dir",
                               str(workdir), "--save", "", "--appendonly", "yes"],
                              stdout=subprocess.DEVNULL)  # fmt: skip
    port = free_port()
    time.sleep(0.3)
    app = subprocess.Popen([sys.executable, str(Path(__file__).parent / "baseline_app.py"),
                            str(port), f"unix://{sock}", str(workdir / "b.db")])  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}/", app)
        bodies = [dumps({"id": f"x{i}", "match_id": "m", "scores": [i, 0]}) for i in range(n)]
        res = run("127.0.0.1", port, "/tick", {}, split(bodies, procs, conns))
        ok = res["statuses"].get(202, 0)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(workdir / "b.db") as db:
                stored = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            if stored >= ok:
                break
            time.sleep(0.1)
        print(f"  stored in SQLite: {stored} of {ok} acknowledged")
        return report("bare baseline one per POST", res, ok)
    finally:
        app.terminate()
        app.wait(10)
        valkey.terminate()
        valkey.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--batched-events", type=int, default=200_000)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--durability", default="fast", choices=["fast", "strict"])
    ap.add_argument("--subscribers", type=int, default=1000, help="watching during batches")
    ap.add_argument("--ws-conns", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3, help="baseline/tourney pairs, alternated")
    ap.add_argument("--workers", type=int, default=1, help="tourney serve --workers N")
    ap.add_argument(
        "--server-root",
        default=str(Path(__file__).resolve().parent.parent),
        help="the checkout whose app is measured (to compare two versions)",
    )
    a = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; load: {a.procs} processes x {a.conns} connections;"
          f" tourney with {a.workers} worker(s)")  # fmt: skip
    env = {"TOURNEY_PIPELINE_DURABILITY": a.durability} if a.durability != "fast" else {}
    if a.workers > 1:
        env["TOURNEY_SERVER_WORKERS"] = str(a.workers)
    ratios = []
    with Tourney(env, Path(a.server_root).resolve()) as t:
        # alternated rounds, so a noisy moment on a shared machine hits both sides alike
        for _ in range(a.rounds):
            base = baseline(a.requests, a.procs, a.conns)
            one = single_posts(t, a.requests, a.procs, a.conns, a.durability)
            ratios.append(one / base)
            print(f"  round: tourney at {one / base:.0%} of the baseline")
        batches(t, a.batched_events, a.batch, a.procs, a.conns, a.subscribers)
        ingest_ws(t, a.batched_events, a.batch, a.ws_conns, a.subscribers)
    ratios.sort()
    if not ratios:
        return
    print(f"tourney one-per-POST rate is {ratios[len(ratios) // 2]:.0%} of the bare baseline's"
          f" (median of {len(ratios)} alternated rounds; all: "
          f"{', '.join(f'{r:.0%}' for r in ratios)})")  # fmt: skip


if __name__ == "__main__":
    main()
