"""The README's walkthrough, end to end: a real server, real HTTP, a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from typing import Any

import httpx
import websockets

from tests.conftest import Server
from tests.helpers import add_players, create_tournament, play_out, ready_matches


def test_walkthrough_over_http_and_websocket(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c, "Friday Cup", settings={"third_place_match": True})
        tid = t["id"]
        assert t["state"] == "pending" and t["version"] == 1
        players = add_players(c, tid, 6)
        assert [p["seed"] for p in players] == [1, 2, 3, 4, 5, 6]
        started = c.post(f"/api/v1/tournaments/{tid}/start").json()
        assert started["state"] == "underway"
        # 6 players in an 8 bracket: seeds 1 and 2 get byes; 2 first-round matches are ready
        assert len(ready_matches(c, tid)) == 2

        frames_seen: list[dict[str, Any]] = []

        async def watch() -> list[dict[str, Any]]:
            url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
            async with websockets.connect(url) as ws:
                frames_seen.append(json.loads(await ws.recv()))
                player = asyncio.create_task(asyncio.to_thread(play_out, c, tid))
                async with asyncio.timeout(20):
                    while True:
                        f = json.loads(await ws.recv())
                        frames_seen.append(f)
                        if f["type"] == "event" and f["event"]["type"] == "tournament.completed":
                            break
                await player
            return frames_seen

        frames = asyncio.run(watch())
    snapshot, events = frames[0], [f for f in frames[1:] if f["type"] == "event"]
    assert snapshot["type"] == "snapshot" and snapshot["tournament"]["id"] == tid
    seqs = [f["seq"] for f in events]
    assert seqs == sorted(set(seqs)) and seqs[0] > snapshot["seq"]
    # every structural event arrives, in order: 6 results, then the completion
    kinds = [f["event"]["type"] for f in events]
    assert kinds.count("match.result") == 6 and kinds[-1] == "tournament.completed"

    with server.client(token=None) as anon:
        final = anon.get(f"/api/v1/tournaments/{tid}").json()
        assert final["state"] == "complete" and final["version"] == snapshot["tournament"][
            "version"
        ] + len(events)
        standings = anon.get(f"/api/v1/tournaments/{tid}/standings").json()
        assert [row["rank"] for row in standings][:4] == [1, 2, 3, 4]
        # the event log (catch-up) has everything once the writer has stored it
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            log = anon.get(f"/api/v1/tournaments/{tid}/events", params={"limit": 1000}).json()
            if log and log[-1]["type"] == "tournament.completed":
                break
            time.sleep(0.1)
        assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
        assert log[0]["type"] == "tournament.created"
        assert anon.get(f"/api/v1/tournaments/{tid}/events", params={"after": log[-2]["seq"]}
                        ).json() == log[-1:]  # fmt: skip
    # and it is all in SQLite
    with sqlite3.connect(server.data_dir / "tourney.sqlite3") as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM events WHERE tournament_id = ?", (tid,)
        ).fetchone()
        (doc,) = db.execute("SELECT doc FROM tournaments WHERE id = ?", (tid,)).fetchone()
    assert count == len(log)
    assert json.loads(doc)["state"] == "complete"


def test_resume_replays_exactly_what_was_missed(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c)
        tid = t["id"]
        add_players(c, tid, 8)
        c.post(f"/api/v1/tournaments/{tid}/start")

        async def watch_then_leave() -> int:
            async with websockets.connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws") as ws:
                seq: int = json.loads(await ws.recv())["seq"]
                return seq

        # a viewer watches, drops off; three results happen while it is away
        seq_before = asyncio.run(watch_then_leave())
        first = ready_matches(c, tid)[:3]
        for m in first:
            c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json={"scores": [1, 0]})

    async def resume() -> list[dict[str, Any]]:
        url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws?after={seq_before}"
        async with websockets.connect(url) as ws:
            return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(3)]

    frames = asyncio.run(resume())
    assert [f["type"] for f in frames] == ["event"] * 3
    assert [f["matches"][0]["id"] for f in frames] == [m["id"] for m in first]


def test_live_ticks_reach_subscribers_coalesced(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c)
        tid = t["id"]
        add_players(c, tid, 2)
        c.post(f"/api/v1/tournaments/{tid}/start")
        (m,) = ready_matches(c, tid)

        async def run() -> list[dict[str, Any]]:
            url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
            async with websockets.connect(url) as ws:
                await ws.recv()  # snapshot
                ticks = [{"tournament_id": tid, "match_id": m["id"], "scores": [i, 0]}
                         for i in range(1, 201)]  # fmt: skip
                r = await asyncio.to_thread(c.post, "/api/v1/events", json=ticks)
                assert r.status_code == 202, r.text
                assert r.json()["accepted"] == 200
                got = []
                async with asyncio.timeout(5):
                    while not got or got[-1]["matches"][0]["scores"] != [200, 0]:
                        got.append(json.loads(await ws.recv()))
                return got

        frames = asyncio.run(run())
    # 200 ticks, but far fewer frames, and the last one carries the newest score
    assert frames[-1]["type"] == "live"
    assert len(frames) < 50


def test_health_ready_metrics_openapi(server: Server) -> None:
    with httpx.Client(base_url=server.url) as c:
        health = c.get("/healthz").json()
        assert health["status"] == "ok" and health["process"]
        ready = c.get("/readyz").json()
        assert ready["ok"] and ready["redis"] == "ok" and ready["sqlite"] == "ok"
        text = c.get("/metrics").text
        for name in ("tourney_http_requests_total", "tourney_events_appended_total",
                     "tourney_writer_batch_size", "tourney_writer_lag_seconds",
                     "tourney_stream_length", "tourney_ws_subscribers"):  # fmt: skip
            assert name in text
        spec = c.get("/openapi.json").json()
        assert "/api/v1/tournaments/{tid}/matches/{mid}/result" in spec["paths"]
