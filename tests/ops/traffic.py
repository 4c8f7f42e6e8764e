"""A little of everything a real event does, so that every dashboard panel has something to show."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.helpers import add_players, create_tournament, ready_matches


@contextlib.contextmanager
def subscribe(ws_base: str, tid: str) -> Iterator[ClientConnection]:
    """A WebSocket subscription whose first frame, checked here, is the tournament's snapshot."""
    with connect(f"{ws_base}/api/v1/tournaments/{tid}/ws", open_timeout=10) as ws:
        first = json.loads(ws.recv(timeout=10))
        assert first["type"] == "snapshot", first
        assert first["tournament"]["id"] == tid
        yield ws


def next_event(ws: ClientConnection, etype: str) -> dict[str, Any]:
    """The next frame carrying an event of this type (live frames and heartbeats are skipped)."""
    for _ in range(100):
        frame = json.loads(ws.recv(timeout=10))
        if frame.get("type") == "event" and frame["event"]["type"] == etype:
            return frame  # type: ignore[no-any-return]
    raise AssertionError(f"no {etype} event in 100 frames")


def started_cup(c: httpx.Client, players: int = 4) -> str:
    t = create_tournament(c, "Ops Cup", format="single_elimination")
    add_players(c, t["id"], players)
    r = c.post(f"/api/v1/tournaments/{t['id']}/start")
    assert r.status_code == 200, r.text
    return str(t["id"])


def live_ticks(c: httpx.Client, tid: str, mid: str, n: int = 20) -> None:
    """Score ticks in one batch (so some are coalesced), then one through the single-tick route."""
    batch = [{"tournament_id": tid, "match_id": mid, "scores": [i // 2, i // 3]} for i in range(n)]
    r = c.post("/api/v1/events", params={"tournament_id": tid}, json=batch)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == n
    r = c.post(f"/api/v1/tournaments/{tid}/matches/{mid}/live", json={"scores": [n, n]})
    assert r.status_code == 202, r.text


@contextlib.contextmanager
def event_day(c: httpx.Client, ws_base: str) -> Iterator[ClientConnection]:
    """Create, fill and start a cup; a subscriber watches; live ticks, a result, reads and a 404.
    The subscription stays open until the caller leaves the ``with`` block."""
    tid = started_cup(c)
    with subscribe(ws_base, tid) as ws:
        yield play_a_little(c, ws, tid)


def play_a_little(c: httpx.Client, ws: ClientConnection, tid: str) -> ClientConnection:
    first, second = ready_matches(c, tid)[:2]
    live_ticks(c, tid, first["id"])
    r = c.post(f"/api/v1/tournaments/{tid}/matches/{first['id']}/result", json={"scores": [2, 1]})
    assert r.status_code == 200, r.text
    next_event(ws, "match.result")
    live_ticks(c, tid, second["id"], 5)
    for path in ("", "/matches", "/standings", "/events"):
        assert c.get(f"/api/v1/tournaments/{tid}{path}").status_code == 200
    assert c.get("/api/v1/tournaments/t_nonexistent").status_code == 404
    assert c.get("/api/v1/tournaments").status_code == 200
    return ws
