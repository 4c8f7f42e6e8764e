"""Webhook delivery: how fast the messages of many tournaments reach their endpoints, and how
late after the result that made them.

T tournaments of N players (single elimination), each with one webhook endpoint on a receiver on
loopback (an asyncio HTTP server in a process of its own, answering 204, keeping connections alive).
Every result of every
tournament is reported as fast as the load generator goes (one thread per tournament, one POST
at a time); then the run waits until every message arrived. Printed: messages per second over
the whole run, the latency of each result's message from the POST's send to its arrival at the
receiver (p50, p99, max), whether every endpoint got its messages complete and in order, and the
CPU seconds of the server, the receiver and the load generator.

    .venv/bin/python bench/webhooks.py --tournaments 16 --players 64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import resource
import statistics
import threading
import time
from typing import Any

from common import Tourney, cpu_seconds, free_port


def receive(port: int, ready: Any, done: Any, out: Any) -> None:
    """The receiver: each request's arrival time, path and body; answered 204, then closed."""
    got: list[tuple[float, str, str, bytes]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # kept alive: one request after another
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                path = lines[0].split(" ")[1]
                headers = dict(x.lower().split(": ", 1) for x in lines[1:] if ": " in x)
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                got.append((time.time(), path, headers.get("webhook-id", ""), body))
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
        ready.set()
        while not done.is_set():  # noqa: ASYNC110 (a process's event, not asyncio's)
            await asyncio.sleep(0.05)
        server.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out.send((got, usage.ru_utime + usage.ru_stime))

    asyncio.run(main())


def play(t: Tourney, tid: str, sent: dict[str, float]) -> None:
    """Report every ready match of one tournament, one POST at a time, until it is over."""
    with t.client() as c:
        while True:
            ready = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "ready"}).json()
            if not ready:
                return
            for m in ready:
                sent[m["id"]] = time.time()
                r = c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result",
                           json={"scores": [2, 1]})  # fmt: skip
                assert r.status_code == 200, r.text


def delivered(c: Any, tid: str, wid: str) -> list[str]:
    """An endpoint's messages as its delivery log has them, oldest first."""
    url = f"/api/v1/tournaments/{tid}/webhooks/{wid}/deliveries"
    return [d["id"] for d in c.get(url, params={"limit": 200}).json()["items"]][::-1]


def setup(t: Tourney, n_tournaments: int, players: int, port: int | None
          ) -> list[tuple[str, str]]:  # fmt: skip
    out = []
    with t.client() as c:
        for i in range(n_tournaments):
            tid = c.post("/api/v1/tournaments", json={"name": f"Bench {i}"}).json()["id"]
            hook = {"id": ""}
            if port is not None:
                hook = c.post(f"/api/v1/tournaments/{tid}/webhooks",
                              json={"url": f"http://127.0.0.1:{port}/t/{i}"}).json()  # fmt: skip
            names = [{"name": f"P{k}"} for k in range(players)]
            assert c.post(f"/api/v1/tournaments/{tid}/participants", json=names).status_code == 201
            assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
            out.append((tid, hook["id"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tournaments", type=int, default=16)
    ap.add_argument("--players", type=int, default=64)
    ap.add_argument(
        "--no-webhooks",
        action="store_true",
        help="the same play with no endpoint: the server's CPU without deliveries",
    )
    a = ap.parse_args()
    port = free_port()
    ready, done = mp.Event(), mp.Event()
    mine, theirs = mp.Pipe()
    rx = mp.Process(target=receive, args=(port, ready, done, theirs), daemon=True)
    rx.start()
    ready.wait(10)
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8"}
    per = 1 + 1 + 2 * (a.players - 1) + 1  # added, started, ready and result per match, completed
    expected = a.tournaments * per
    print(f"machine: {os.cpu_count()} cores; {a.tournaments} tournaments x {a.players} players,"
          f" one endpoint each: {expected} messages")  # fmt: skip
    if a.no_webhooks:
        expected = 0
    with Tourney(env) as t:
        hooks = setup(t, a.tournaments, a.players, None if a.no_webhooks else port)
        cpu0, started = cpu_seconds(t.pid), time.time()
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        sent: dict[str, float] = {}
        threads = [threading.Thread(target=play, args=(t, tid, sent)) for tid, _ in hooks]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        played = time.time()
        deadline = played + 300
        with t.client() as c:
            while expected and time.time() < deadline:
                counts = [c.get(f"/api/v1/tournaments/{tid}/webhooks/{wid}").json()["deliveries"]
                          for tid, wid in hooks]  # fmt: skip
                if sum(x["delivered"] for x in counts) >= expected:
                    break
                time.sleep(0.2)
            logs = {wid: delivered(c, tid, wid) for tid, wid in hooks} if expected else {}
        finished = time.time()
        cpu1 = cpu_seconds(t.pid)
        me1 = resource.getrusage(resource.RUSAGE_SELF)
    done.set()
    got, rx_cpu = mine.recv()
    rx.join(10)
    if expected:
        report(a, hooks, logs, got, sent, expected, started, played, finished)
    load_cpu = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
    print(f"CPU seconds: server {cpu1 - cpu0:.1f}, receiver {rx_cpu:.1f}, load generator"
          f" {load_cpu:.1f} (wall {finished - started:.1f} s)")  # fmt: skip


def report(a: Any, hooks: list[tuple[str, str]], logs: dict[str, list[str]], got: list[Any],
           sent: dict[str, float], expected: int, started: float, played: float,
           finished: float) -> None:  # fmt: skip
    by_path: dict[str, list[str]] = {}
    latency = []
    for at, path, mid, body in got:
        if mid in by_path.setdefault(path, []):
            continue
        by_path[path].append(mid)
        doc = json.loads(body)
        if doc["type"] == "match.result" and doc["data"]["match"]["id"] in sent:
            latency.append(at - sent[doc["data"]["match"]["id"]])
    received = sum(len(v) for v in by_path.values())
    during = sum(1 for x in got if x[0] >= started)
    in_order = all(by_path.get(f"/t/{i}", []) == logs[wid][-len(by_path.get(f"/t/{i}", [])):]
                   for i, (_, wid) in enumerate(hooks))  # fmt: skip
    latency.sort()
    print(f"results reported in {played - started:.1f} s; every message received"
          f" {finished - started:.1f} s after the first result")  # fmt: skip
    print(f"messages: {received} of {expected} received (distinct), {len(got)} requests;"
          f" in order per endpoint: {in_order}")  # fmt: skip
    print(f"throughput: {during / (finished - started):.0f} messages/s (those sent after the"
          " first result)")  # fmt: skip
    if latency:
        p50 = statistics.median(latency)
        p99 = latency[min(len(latency) - 1, int(len(latency) * 0.99))]
        print(f"result → its message at the receiver: p50 {p50 * 1000:.1f} ms,"
              f" p99 {p99 * 1000:.1f} ms, max {latency[-1] * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
