"""Live at scale, in miniature: a stalled subscriber, the caps, a graceful stop, in-order events."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import ADMIN, Server
from tests.helpers import create_tournament, started


def stalled_socket(port: int, path: str) -> socket.socket:
    """A WebSocket that completes its handshake and then never reads: a tiny receive buffer, so
    the server's writes back up at once."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
         ).encode()
    )  # fmt: skip
    assert b" 101 " in s.recv(200)
    return s


def metric(server: Server, name: str) -> float:
    for line in httpx.get(server.url + "/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_stalled_subscriber_is_closed_and_delays_no_one(make_server: Any) -> None:
    server = make_server(
        env={"TOURNEY_LIVE_QUEUE_LIMIT": "16", "TOURNEY_LIVE_MAX_BUFFERED_BYTES": "16384"}
    ).start()
    with server.client() as c:
        t = started(c, 4)
        tid = t["id"]
        pid = t["participants"][0]["id"]
    path = f"/api/v1/tournaments/{tid}/ws"
    stalled = stalled_socket(server.port, path)

    async def run() -> tuple[int, int]:
        async with websockets.connect(server.ws_url + path) as ws, httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}
        ) as c:  # fmt: skip
            await ws.recv()  # snapshot
            received = 0
            long_name = "x" * 190
            for i in range(3000):
                r = await c.patch(f"/api/v1/tournaments/{tid}/participants/{pid}",
                                  json={"name": f"{long_name}{i}"})  # fmt: skip
                assert r.status_code == 200
                # the healthy subscriber keeps up, event by event
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert frame["event"]["data"]["name"] == f"{long_name}{i}"
                received += 1
                if i % 100 == 99 and metric(server, "tourney_ws_slow_consumer_closes_total"):
                    break
            return received, int(metric(server, "tourney_ws_slow_consumer_closes_total"))

    received, closed = asyncio.run(run())
    stalled.close()
    assert closed == 1, "the stalled subscriber should have been closed with 1013"
    assert received >= 100


def test_caps_refuse_at_once(make_server: Any) -> None:
    server = make_server(env={"TOURNEY_LIVE_MAX_CONNECTIONS_PER_ADDRESS": "3"}).start()
    with server.client() as c:
        tid = create_tournament(c)["id"]
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"

    async def run() -> int:
        held = [await websockets.connect(url) for _ in range(3)]
        started_at = time.monotonic()
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(url, open_timeout=5)
        assert time.monotonic() - started_at < 5  # refused, not left hanging
        for ws in held:
            await ws.close()
        await asyncio.sleep(0.2)
        async with websockets.connect(url) as again:  # room again once they left
            assert json.loads(await again.recv())["type"] == "snapshot"
        return refused.value.response.status_code

    assert asyncio.run(run()) == 503
    assert metric(server, 'tourney_ws_refused_total{reason="cap_address"}') == 1


def test_a_stop_closes_subscribers_with_1001(make_server: Any) -> None:
    server = make_server().start()
    with server.client() as c:
        tid = create_tournament(c)["id"]

    async def run() -> int | None:
        async with websockets.connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws") as ws:
            await ws.recv()
            await asyncio.to_thread(server.stop)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
        return None

    assert asyncio.run(run()) == 1001


def test_structural_events_arrive_in_order_with_version_plus_one(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c)
        tid = t["id"]

        async def run() -> list[dict[str, Any]]:
            async with websockets.connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws") as ws:
                snap = json.loads(await ws.recv())
                for i in range(8):
                    await asyncio.to_thread(c.post, f"/api/v1/tournaments/{tid}/participants",
                                            json={"name": f"P{i}"})  # fmt: skip
                await asyncio.to_thread(c.post, f"/api/v1/tournaments/{tid}/start")
                frames = [snap]
                while len(frames) < 10:
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                return frames

        frames = asyncio.run(run())
    versions = [frames[0]["tournament"]["version"]] + [f["version"] for f in frames[1:]]
    assert versions == list(range(versions[0], versions[0] + 10))
    assert frames[-1]["event"]["type"] == "tournament.started"


def test_a_lone_tick_goes_out_at_once_and_ticks_inside_the_interval_are_coalesced(
    make_server: Any,
) -> None:
    """Per view: a view sent no live frame in the last interval gets a tick at once (the
    interval here is long, so only a leading edge can arrive that soon); later ticks inside the
    interval wait for its end and arrive as one frame with the newest score of each match."""
    server = make_server(env={"TOURNEY_LIVE_TICK_INTERVAL_MS": "6000"}).start()
    with server.client() as c:
        t = started(c, 4)
    tid = t["id"]
    a, b = sorted(m["id"] for m in t["matches"] if m["state"] == "ready")[:2]
    path = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"

    async def run() -> tuple[Any, ...]:
        async with websockets.connect(path) as full, websockets.connect(
            f"{path}?match={b}"
        ) as one, httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}
        ) as c:  # fmt: skip

            async def tick(mid: str, scores: list[int]) -> None:
                r = await c.post(f"/api/v1/tournaments/{tid}/matches/{mid}/live",
                                 json={"scores": scores})  # fmt: skip
                assert r.status_code == 202, r.text

            await full.recv(), await one.recv()  # snapshots
            await tick(a, [1, 0])
            first = json.loads(await asyncio.wait_for(full.recv(), 4))
            first_at = time.monotonic()
            for scores in ([2, 0], [3, 0]):
                await tick(a, scores)
            await tick(b, [0, 1])
            only_b = json.loads(await asyncio.wait_for(one.recv(), 4))  # its view: at once
            second = json.loads(await asyncio.wait_for(full.recv(), 20))
            return first, only_b, second, time.monotonic() - first_at

    first, only_b, second, gap = asyncio.run(run())
    assert first["type"] == "live" and [m["scores"] for m in first["matches"]] == [[1, 0]]
    assert [(m["id"], m["scores"]) for m in only_b["matches"]] == [(b, [0, 1])]
    assert sorted((m["id"], m["scores"]) for m in second["matches"]) == [(a, [3, 0]), (b, [0, 1])]
    assert gap > 4  # held for the rest of the full view's interval
