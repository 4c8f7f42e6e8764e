"""The authorisation matrix over time: a token's rights on a WebSocket it already opened.

A socket opened with a token that is then revoked, or that expires, is closed with 4401 within
a second (an idle socket too), nothing it sends afterwards is acted on, and nothing more of a
private tournament is sent on it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.conftest import ADMIN, Server
from tests.helpers import ready_matches, started

UNAUTHORIZED = 4401
LIFETIME = 2.0  # seconds an expiring token lives


def admin_client(server: Server) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"})


def private_tournament(c: httpx.Client) -> tuple[str, list[str]]:
    t = started(c, 8, visibility="private")
    return t["id"], [m["id"] for m in ready_matches(c, t["id"])]


def make_token(c: httpx.Client, tid: str, scope: str, expiring: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"tournament_id": tid, "scope": scope}
    if expiring:
        body["expires_at"] = (datetime.now(UTC) + timedelta(seconds=LIFETIME)).isoformat()
    r = c.post("/api/v1/tokens", json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def closed_within(ws: Any, deadline: float) -> tuple[int, str, list[dict[str, Any]]]:
    """Read until the server closes the socket (by ``deadline``, loop time); the close code,
    its reason, and every frame that came first."""
    frames = []
    try:
        async with asyncio.timeout_at(deadline):
            while True:
                frames.append(json.loads(await ws.recv()))
    except ConnectionClosed as exc:
        assert exc.rcvd is not None, "closed without a close frame"
        return exc.rcvd.code, exc.rcvd.reason, frames
    raise AssertionError("not closed in time")  # pragma: no cover


async def lose_token(server: Server, tok: dict[str, Any], how: str) -> float:
    """Revoke the token, or wait for it to expire; the loop time it stopped working."""
    loop = asyncio.get_running_loop()
    if how == "revoke":
        async with admin_client(server) as c:
            assert (await c.delete(f"/api/v1/tokens/{tok['id']}")).status_code == 204
        return loop.time()
    left = datetime.fromisoformat(tok["expires_at"]) - datetime.now(UTC)
    return loop.time() + left.total_seconds()


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_an_ingest_socket_loses_its_token(server: Server, how: str) -> None:
    with server.client() as c:
        tid, (m1, m2, *_) = private_tournament(c)
        tok = make_token(c, tid, "report", expiring=how == "expire")

    def tick(mid: str, scores: list[int]) -> str:
        return json.dumps({"tournament_id": tid, "match_id": mid, "scores": scores})

    async def run() -> tuple[int, str, float]:
        headers = {"Authorization": f"Bearer {tok['token']}"}
        async with websockets.connect(f"{server.ws_url}/api/v1/ingest/ws",
                                      additional_headers=headers) as ws:  # fmt: skip
            await ws.send(tick(m1, [1, 0]))
            assert json.loads(await ws.recv())["type"] == "ack"
            lost = await lose_token(server, tok, how)
            if how == "revoke":  # at once: this frame must not be acted on
                with pytest.raises(ConnectionClosed):
                    await ws.send(tick(m2, [7, 7]))
                    await ws.recv()
            code, reason, frames = await closed_within(ws, lost + 1.0)
            assert not [f for f in frames if f.get("type") == "ack"]
            return code, reason, asyncio.get_running_loop().time() - lost

    code, reason, _ = asyncio.run(run())
    assert code == UNAUTHORIZED, (code, reason)
    assert reason in ("the token was revoked", "the token has expired")
    with server.client() as c:
        scores = {m["id"]: m["scores"] for m in c.get(f"/api/v1/tournaments/{tid}/matches").json()}
    assert scores[m1] == [1, 0] and scores[m2] != [7, 7]


@pytest.mark.parametrize(("how", "by_query"), [("revoke", False), ("expire", True)])
def test_a_private_subscription_loses_its_token(server: Server, how: str, by_query: bool) -> None:
    with server.client() as c:
        tid, (m1, m2, *_) = private_tournament(c)
        tok = make_token(c, tid, "manage", expiring=how == "expire")
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
    headers = {} if by_query else {"Authorization": f"Bearer {tok['token']}"}
    if by_query:
        url += f"?token={tok['token']}"

    async def run() -> tuple[int, str, list[dict[str, Any]]]:
        async with (
            websockets.connect(url, additional_headers=headers) as ws,
            admin_client(server) as admin,
        ):
            assert json.loads(await ws.recv())["type"] == "snapshot"
            result = f"/api/v1/tournaments/{tid}/matches/{m1}/result"
            assert (await admin.post(result, json={"scores": [2, 0]})).status_code == 200
            assert json.loads(await ws.recv())["event"]["type"] == "match.result"
            lost = await lose_token(server, tok, how)
            if how == "expire":  # the server's timer fires at the expiry: give it a moment
                await asyncio.sleep(max(0.0, lost + 0.3 - asyncio.get_running_loop().time()))
            # private events after the token stopped working must not reach the socket
            later = f"/api/v1/tournaments/{tid}/matches/{m2}/result"
            assert (await admin.post(later, json={"scores": [0, 2]})).status_code == 200
            return await closed_within(ws, lost + 1.0)

    code, reason, frames = asyncio.run(run())
    assert code == UNAUTHORIZED, (code, reason)
    assert reason in ("the token was revoked", "the token has expired")
    assert not [f for f in frames if f.get("type") in ("event", "live", "snapshot")], frames


def test_a_token_revoked_while_its_socket_opens_gets_nothing(server: Server) -> None:
    """Revoked between the upgrade's check and the first frame: closed before any frame."""
    with server.client() as c:
        tid, _ = private_tournament(c)
        toks = [make_token(c, tid, "report", expiring=False) for _ in range(20)]

    async def run() -> list[tuple[int, list[dict[str, Any]]]]:
        out = []
        async with admin_client(server) as admin:
            for tok in toks:  # the revocation races the upgrade: both orders must hold
                headers = {"Authorization": f"Bearer {tok['token']}"}
                revoke = asyncio.create_task(admin.delete(f"/api/v1/tokens/{tok['id']}"))
                try:
                    async with websockets.connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws",
                                                  additional_headers=headers) as ws:  # fmt: skip
                        await revoke
                        loop = asyncio.get_running_loop()
                        code, _, frames = await closed_within(ws, loop.time() + 1.0)
                        out.append((code, frames))
                except websockets.InvalidStatus as exc:
                    assert exc.response.status_code == 401  # revoked before the upgrade
                    await revoke
        return out

    for code, frames in asyncio.run(run()):
        assert code == UNAUTHORIZED
        assert [f["type"] for f in frames] in ([], ["snapshot"])  # sent before the revocation


def test_the_admin_and_public_subscribers_are_not_cut_off(server: Server) -> None:
    """Only sockets that hold the token lose it."""
    with server.client() as c:
        tid, (m1, *_) = private_tournament(c)
        tok = make_token(c, tid, "manage", expiring=False)

    async def run() -> dict[str, Any]:
        url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
        headers = {"Authorization": f"Bearer {ADMIN}"}
        async with (
            websockets.connect(url, additional_headers=headers) as ws,
            admin_client(server) as admin,
        ):
            await ws.recv()
            assert (await admin.delete(f"/api/v1/tokens/{tok['id']}")).status_code == 204
            result = f"/api/v1/tournaments/{tid}/matches/{m1}/result"
            assert (await admin.post(result, json={"scores": [2, 0]})).status_code == 200
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
            return frame

    assert asyncio.run(run())["type"] == "event"


def test_a_tournament_made_private_closes_the_sockets_opened_while_public(server: Server) -> None:
    """Anonymous sockets opened while it was public get nothing of it once private: closed with
    4403 before the change's own frame; a socket opened on it while private stays open."""
    with server.client() as c:
        t = started(c, 8)
        tid, (m1, *_) = t["id"], [m["id"] for m in ready_matches(c, t["id"])]
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"

    async def run() -> tuple[int, str, list[dict[str, Any]], dict[str, Any], int]:
        async with (
            websockets.connect(url) as anon,
            admin_client(server) as admin,
        ):
            assert json.loads(await anon.recv())["type"] == "snapshot"
            patch = await admin.patch(f"/api/v1/tournaments/{tid}", json={"visibility": "private"})
            assert patch.status_code == 200, patch.text
            headers = {"Authorization": f"Bearer {ADMIN}"}
            async with websockets.connect(url, additional_headers=headers) as kept:
                assert json.loads(await kept.recv())["type"] == "snapshot"
                result = f"/api/v1/tournaments/{tid}/matches/{m1}/result"
                assert (await admin.post(result, json={"scores": [2, 0]})).status_code == 200
                code, reason, frames = await closed_within(
                    anon, asyncio.get_running_loop().time() + 2.0
                )
                seen = json.loads(await asyncio.wait_for(kept.recv(), 5))
            try:
                async with websockets.connect(url):
                    refused = 101
            except websockets.InvalidStatus as exc:
                refused = exc.response.status_code
            return code, reason, frames, seen, refused

    code, reason, frames, seen, refused = asyncio.run(run())
    assert code == 4403 and "private" in reason, (code, reason)
    assert frames == [], frames
    assert seen["type"] == "event" and seen["event"]["type"] == "match.result"
    assert refused in (401, 403, 404)


def test_a_participant_link_replaced_cuts_off_its_socket(server: Server) -> None:
    """A private tournament watched through a participant link: a new link for that participant
    closes the old link's socket with 4401, and nothing more is sent on it."""
    with server.client() as c:
        tid, (m1, *_) = private_tournament(c)
        pid = c.get(f"/api/v1/tournaments/{tid}").json()["participants"][0]["id"]
        r = c.post(f"/api/v1/tournaments/{tid}/participants/{pid}/link")
        assert r.status_code == 201, r.text
        link = r.json()["token"]
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws?token={link}"

    async def run() -> tuple[int, str, list[dict[str, Any]]]:
        async with websockets.connect(url) as ws, admin_client(server) as admin:
            assert json.loads(await ws.recv())["type"] == "snapshot"
            again = await admin.post(f"/api/v1/tournaments/{tid}/participants/{pid}/link")
            assert again.status_code == 201, again.text
            result = f"/api/v1/tournaments/{tid}/matches/{m1}/result"
            assert (await admin.post(result, json={"scores": [2, 0]})).status_code == 200
            return await closed_within(ws, asyncio.get_running_loop().time() + 1.0)

    code, reason, frames = asyncio.run(run())
    assert code == UNAUTHORIZED and reason == "the participant link was replaced", (code, reason)
    assert not [f for f in frames if f.get("type") in ("event", "live", "snapshot")], frames
