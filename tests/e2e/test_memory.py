"""Memory bounded by what is active, through a real server: a complete tournament nobody
watches leaves memory, stays in the list, and comes back whole on its next read, subscription
or write; one that is watched stays."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import websockets

from tests.conftest import Server
from tests.helpers import play_out, started


def metric(server: Server, name: str) -> float:
    for line in httpx.get(server.url + "/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name}")


def wait_for(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_an_idle_tournament_leaves_memory_and_comes_back(make_server: Any) -> None:
    env = {"TOURNEY_PIPELINE_UNLOAD_AFTER_SECONDS": "1", "TOURNEY_LIVE_HEARTBEAT_SECONDS": "1",
           "TOURNEY_LIVE_REPLAY_LINGER_SECONDS": "1"}  # fmt: skip
    server = make_server(env=env).start()
    with server.client() as c:
        done = started(c, 8)
        play_out(c, done["id"])
        whole = c.get(f"/api/v1/tournaments/{done['id']}").json()
        watched = started(c, 4)
        play_out(c, watched["id"])

    async def watch_until_both_idle() -> None:
        url = f"{server.ws_url}/api/v1/tournaments/{watched['id']}/ws"
        async with websockets.connect(url) as ws:
            json.loads(await ws.recv())
            await asyncio.to_thread(
                wait_for, lambda: metric(server, "tourney_tournaments_in_memory") == 1
            )

    asyncio.run(watch_until_both_idle())  # the watched one stayed
    with server.client() as c:
        listed = c.get("/api/v1/tournaments", params={"state": "complete"}).json()["items"]
        assert {t["id"] for t in listed} == {done["id"], watched["id"]}
        assert c.get(f"/api/v1/tournaments/{done['id']}").json() == whole
        assert metric(server, "tourney_tournaments_in_memory") == 2
        wait_for(lambda: metric(server, "tourney_tournaments_in_memory") == 0)
        # a write brings it back too, and is stored
        final = max(whole["matches"], key=lambda m: m["round"])
        r = c.post(f"/api/v1/tournaments/{done['id']}/matches/{final['id']}/reopen")
        assert r.status_code == 200, r.text
        assert c.get(f"/api/v1/tournaments/{done['id']}").json()["state"] == "underway"
