"""``tourney serve --workers 2``: two real processes on one port and one embedded Valkey. Every
subscriber sees the same events in order, whichever process it reached and whichever process
took each write; a worker killed with SIGKILL is started again, its subscribers resume on the
other without a gap, and the writer's lease moves on."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import time
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.conftest import ADMIN, Server
from tests.helpers import started

H = {"Authorization": f"Bearer {ADMIN}", "Connection": "close"}


def workers(server: Server, tries: int = 40) -> dict[int, bool]:
    """The worker processes answering on the port (pid -> holds the writer's lease), from
    /readyz over fresh connections (the kernel spreads them over the workers)."""
    seen: dict[int, bool] = {}
    for _ in range(tries):
        with httpx.Client(headers={"Connection": "close"}) as c:
            r = c.get(server.url + "/readyz")
        p = r.json()["process"]
        seen[p["pid"]] = p["writer"]
    return seen


class Watcher:
    """A subscriber that reconnects with ``resume`` after a drop and checks there is no gap:
    every event frame's version is the one before + 1, or a snapshot starts it over."""

    def __init__(self, server: Server, tid: str) -> None:
        self.url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
        self.seq = 0
        self.version = 0
        self.events: list[tuple[int, str]] = []
        self.drops = 0
        self.complete = False
        self.done = asyncio.Event()

    async def run(self) -> None:
        while not self.done.is_set():
            url = self.url + (f"?after={self.seq}" if self.seq else "")
            try:
                async with websockets.connect(url) as ws:
                    while not self.done.is_set():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), 0.2)
                        except TimeoutError:
                            continue
                        self.take(json.loads(raw))
            except (ConnectionClosed, OSError):
                self.drops += 1
                await asyncio.sleep(0.1)

    def take(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            self.version = frame["tournament"]["version"]
            self.seq = frame["seq"]
            self.complete = frame["tournament"]["state"] == "complete"
        elif frame["type"] == "event":
            assert frame["version"] == self.version + 1, (frame["version"], self.version)
            self.version = frame["version"]
            self.seq = frame["seq"]
            self.events.append((frame["seq"], frame["event"]["type"]))
            self.complete = frame["event"]["type"] == "tournament.completed"


async def play_round(server: Server, tid: str, rng: random.Random) -> bool:
    """Report every ready match, each through a fresh connection (so through either worker);
    False when none was ready. Waits until every worker has the round's results."""
    async with httpx.AsyncClient(base_url=server.url, headers=H, timeout=10) as c:
        r = await c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "ready"})
        ready = r.json()
        for m in ready:
            body = {"scores": rng.choice([[2, 1], [1, 2], [2, 0]])}
            r = await c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json=body)
            assert r.status_code == 200, r.text
    await agree(server, tid)
    return bool(ready)


async def agree(server: Server, tid: str) -> int:
    """Until every worker answers with the same version (each replica has caught up)."""
    for _ in range(200):
        versions = set()
        for _ in range(8):
            async with httpx.AsyncClient(headers=H) as c:
                versions.add(
                    (await c.get(f"{server.url}/api/v1/tournaments/{tid}")).json()["version"]
                )
        if len(versions) == 1:
            return versions.pop()
        await asyncio.sleep(0.05)
    raise AssertionError("the workers do not agree")


def two_workers(make_server: Any) -> Server:
    server = make_server(env={"TOURNEY_SERVER_WORKERS": "2", "TOURNEY_REDIS_LEASE_SECONDS": "2"})
    server.start(timeout=60)
    for _ in range(50):  # both workers up, one of them writing
        seen = workers(server)
        if len(seen) == 2 and sum(seen.values()) == 1:
            return server
        time.sleep(0.2)
    raise AssertionError(f"workers: {seen}")


def test_every_subscriber_sees_every_event_in_order_from_either_worker(make_server: Any) -> None:
    server = two_workers(make_server)
    with server.client() as c:
        tid = started(c, 16)["id"]

    async def main() -> list[Watcher]:
        watchers = [Watcher(server, tid) for _ in range(10)]
        tasks = [asyncio.create_task(w.run()) for w in watchers]
        await asyncio.sleep(0.5)
        rng = random.Random(1)
        while await play_round(server, tid, rng):
            pass
        await asyncio.sleep(0.5)
        for w in watchers:
            w.done.set()
        await asyncio.gather(*tasks)
        return watchers

    watchers = asyncio.run(main())
    first = watchers[0].events
    assert [t for _, t in first].count("match.result") == 15
    assert first[-1][1] == "tournament.completed"
    for w in watchers:
        assert w.events == first
        assert w.drops == 0
    with httpx.Client(headers=H) as c:
        stored = c.get(f"{server.url}/api/v1/tournaments/{tid}/events", params={"limit": 1000})
    assert [e["type"] for e in stored.json()][-1] == "tournament.completed"


@pytest.mark.slow
def test_a_killed_worker_is_replaced_its_subscribers_resume_and_the_lease_moves(
    make_server: Any,
) -> None:
    server = two_workers(make_server)
    with server.client() as c:
        tid = started(c, 32)["id"]
    holder = next(pid for pid, writing in workers(server).items() if writing)

    async def main() -> list[Watcher]:
        watchers = [Watcher(server, tid) for _ in range(12)]
        tasks = [asyncio.create_task(w.run()) for w in watchers]
        await asyncio.sleep(0.5)
        rng = random.Random(2)
        await play_round(server, tid, rng)
        os.kill(holder, signal.SIGKILL)
        while await play_round_retrying(server, tid, rng):
            pass
        await asyncio.sleep(0.5)
        for w in watchers:
            w.done.set()
        await asyncio.gather(*tasks)
        return watchers

    watchers = asyncio.run(main())
    assert sum(w.drops for w in watchers) > 0, "no subscriber was on the killed worker"
    # each ends at the last version, complete (a resumed one maybe by a snapshot)
    assert {(w.version, w.complete) for w in watchers} == {(watchers[0].version, True)}
    seen = workers(server)
    assert holder not in seen and len(seen) == 2  # it was started again, with a new pid
    assert sum(seen.values()) == 1  # and one worker writes SQLite
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with httpx.Client(headers=H) as c:
            stored = c.get(f"{server.url}/api/v1/tournaments/{tid}/events", params={"limit": 1000})
        types = [e["type"] for e in stored.json()]
        if types and types[-1] == "tournament.completed":
            break
        time.sleep(0.2)
    assert types.count("match.result") == 31 and types[-1] == "tournament.completed"


async def play_round_retrying(server: Server, tid: str, rng: random.Random) -> bool:
    """A round while a worker may be down: a connection refused or reset is tried again (the
    kernel sends the next one to the worker still listening)."""
    for _ in range(50):
        try:
            return await play_round(server, tid, rng)
        except httpx.TransportError:
            await asyncio.sleep(0.1)
            with contextlib.suppress(httpx.TransportError):
                await agree(server, tid)  # what reached a worker, every worker knows
    raise AssertionError("the server did not answer")
