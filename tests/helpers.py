"""Small API helpers for tests and benchmarks that drive a real server over HTTP."""

from __future__ import annotations

from typing import Any

import httpx


def create_tournament(c: httpx.Client, name: str = "Cup", **fields: Any) -> dict[str, Any]:
    r = c.post("/api/v1/tournaments", json={"name": name, **fields})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def add_players(c: httpx.Client, tid: str, n: int) -> list[dict[str, Any]]:
    r = c.post(
        f"/api/v1/tournaments/{tid}/participants", json=[{"name": f"P{i + 1}"} for i in range(n)]
    )
    assert r.status_code == 201, r.text
    players: list[dict[str, Any]] = r.json()
    return players


def started(c: httpx.Client, n: int = 4, **fields: Any) -> dict[str, Any]:
    t = create_tournament(c, **fields)
    add_players(c, t["id"], n)
    r = c.post(f"/api/v1/tournaments/{t['id']}/start")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def ready_matches(c: httpx.Client, tid: str) -> list[dict[str, Any]]:
    r = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "ready"})
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def play_out(c: httpx.Client, tid: str) -> int:
    """Report every ready match, the first side winning 2-1, until none is ready."""
    played = 0
    while ready := ready_matches(c, tid):
        for m in ready:
            r = c.post(
                f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json={"scores": [2, 1]}
            )
            assert r.status_code == 200, r.text
            played += 1
    return played
