"""Every decoder of client text, fed what breaks decoders: a 4xx problem+json over HTTP, an
error frame (the socket stays open) or a fresh snapshot over WebSockets, never a 500, a dead
socket or a traceback in the log.

The decoders: JSON and NDJSON bodies, Content-Length, the list cursor, integer and enum query
values, the Idempotency-Key and Authorization headers, ``?token=``, the raw path, ``?after=``
and resume messages, subscriber messages and ingest frames. (The request head and WebSocket
frames themselves are in test_wire.py.)
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import ADMIN, Server
from tests.helpers import ready_matches, started
from tests.rawhttp import exchange, problem

DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture(scope="module")
def t(server: Server) -> Iterator[dict[str, Any]]:
    with server.client() as c:
        t = started(c, 4)
        t["mid"] = ready_matches(c, t["id"])[0]["id"]
    yield t
    log = server.log.read_text()
    assert '"level": "error"' not in log, log[-3000:]


def assert_problem(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == status


def cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("value", [
    cursor(DEEP.encode()),  # a RecursionError: it was a 500
    cursor(b'["a", "b"]' + b" " * 600),  # longer than any cursor this server gives
    cursor(b"\xff\xfe"), "not base64 at all!", "%%%", cursor(b"1e99999"), cursor(b"9" * 5000),
])  # fmt: skip
def test_the_list_cursor(server: Server, t: dict[str, Any], value: str) -> None:
    assert_problem(httpx.get(server.url + "/api/v1/tournaments", params={"cursor": value}), 422)


QUERY_INTS = [("/api/v1/tournaments", "limit"), ("/api/v1/tournaments/{tid}/events", "after"),
              ("/api/v1/tournaments/{tid}/events", "limit")]  # fmt: skip
NOT_WHOLE = ["\u0663", "\uff11\uff12", "1_0", " 5", "+5", "5.0", "0x10", "9" * 5000, ""]


@pytest.mark.parametrize(("path", "name"), QUERY_INTS)
@pytest.mark.parametrize("value", NOT_WHOLE)
def test_integer_query_values(
    server: Server, t: dict[str, Any], path: str, name: str, value: str
) -> None:
    r = httpx.get(server.url + path.format(tid=t["id"]), params={name: value})
    assert_problem(r, 422)


def test_enum_query_values(server: Server, t: dict[str, Any]) -> None:
    assert_problem(httpx.get(server.url + "/api/v1/tournaments", params={"state": "¿"}), 422)
    r = httpx.get(f"{server.url}/api/v1/tournaments/{t['id']}/matches", params={"state": "\0"})
    assert r.status_code == 200 and r.json() == []


@pytest.mark.parametrize(("body", "ctype", "status"), [
    (DEEP.encode(), "application/json", 400),
    (b'{"scores": [1, 0], "x": "\xff"}', "application/json", 400),  # not UTF-8
    (b'{"scores": [1, 0]}\n{"scores": [', "application/x-ndjson", 400),
    (DEEP.encode() + b"\n", "application/x-ndjson", 400),
    (b"\n\n", "application/x-ndjson", 422),
    (b'[{"tournament_id": 1e999}]', "application/json", 400),
])  # fmt: skip
def test_bodies(server: Server, t: dict[str, Any], body: bytes, ctype: str, status: int) -> None:
    with server.client() as c:
        assert_problem(c.post("/api/v1/events", content=body, headers={"content-type": ctype}),
                       status)  # fmt: skip


def test_headers(server: Server, t: dict[str, Any]) -> None:
    url = f"/api/v1/tournaments/{t['id']}/matches/{t['mid']}/live"
    tick = b'{"scores": [1, 0]}'
    for key in (b"", b" ", b"k" * 201, b"tab\there", b"\xff\xfe", b"caf\xe9"):
        raw = (
            f"POST {url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN}\r\n"
            f"Content-Length: {len(tick)}\r\nConnection: close\r\nIdempotency-Key: "
        ).encode()
        problem(exchange(server, raw + key + b"\r\n\r\n" + tick), 400)  # fmt: skip
    for auth in (b"Bearer \xff\xfe", b"Bearer " + b"x" * 10_000, b"Bearer", b"Basic Zm9vOmJhcg=="):
        raw = f"POST {url} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(tick)}\r\n".encode()
        problem(exchange(server, raw + b"Connection: close\r\nAuthorization: " + auth
                         + b"\r\n\r\n" + tick), 401)  # fmt: skip
    r = httpx.get(
        f"{server.url}/api/v1/tournaments/{t['id']}", headers={"If-None-Match": 'W/, ,"x'}
    )
    assert r.status_code == 200


def test_paths(server: Server, t: dict[str, Any]) -> None:
    for path in (b"/api/v1/tournaments/\xff\xfe", b"/api/v1/tournaments/%ff%fe/\xc3"):
        problem(exchange(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"), 400)
    assert_problem(httpx.get(server.url + "/api/v1/tournaments/%ff%00"), 404)


# ---- WebSockets --------------------------------------------------------------------------------


async def first_frames(url: str, send: list[str | bytes], n: int) -> list[dict[str, Any]]:
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {ADMIN}"}
    ) as ws:
        for message in send:
            await ws.send(message)
        return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(n)]


@pytest.mark.parametrize("after", ["9" * 5000, "-1", "1e3", "٣", "abc", "", "999999999"])
def test_an_after_that_cannot_be_replayed_from_is_a_snapshot(
    server: Server, t: dict[str, Any], after: str
) -> None:
    """A cursor from the future got nothing at all, and a 5,000-digit one killed the socket."""
    url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws?after={after}"
    (frame,) = asyncio.run(first_frames(url, [], 1))
    assert frame["type"] == "snapshot"


@pytest.mark.parametrize("after", [10**12, -1, "5", 1.5, True, None, [1], 2**80])
def test_a_resume_that_cannot_be_replayed_from_is_a_snapshot(
    server: Server, t: dict[str, Any], after: Any
) -> None:
    url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws"
    resume = json.dumps({"type": "resume", "after": after})
    first, second = asyncio.run(first_frames(url, [resume], 2))
    assert first["type"] == second["type"] == "snapshot"


def test_a_resume_that_can_be_replayed_from_is_replayed(server: Server) -> None:
    with server.client() as c:
        t = started(c, 4)
        mids = [m["id"] for m in ready_matches(c, t["id"])]
    url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws"
    (first,) = asyncio.run(first_frames(url, [], 1))  # a viewer came and went
    for mid in mids:  # two results while it was away
        with server.client() as c:
            r = c.post(f"/api/v1/tournaments/{t['id']}/matches/{mid}/result",
                       json={"scores": [1, 0]})  # fmt: skip
            assert r.status_code == 200
    resume = json.dumps({"type": "resume", "after": first["seq"]})
    _, *by_message = asyncio.run(first_frames(url, [resume], 3))
    by_query = asyncio.run(first_frames(f"{url}?after={first['seq']}", [], 2))
    for frames in (by_message, by_query):
        assert [f["type"] for f in frames] == ["event", "event"]
        assert [f["matches"][0]["id"] for f in frames] == mids


@pytest.mark.parametrize(("message", "status"), [
    ("not json", 400), (DEEP[:4000], 400), (b"\xff\xfe", 400), ("x" * 5000, 413),
    ("[]", 422), ('{"type": "subscribe"}', 422), ("null", 422), ('{"type": 1}', 422),
])  # fmt: skip
def test_subscriber_messages(
    server: Server, t: dict[str, Any], message: str | bytes, status: int
) -> None:
    """Junk was ignored, and nested JSON killed the socket (a RecursionError)."""
    url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws"
    ping = json.dumps({"type": "ping"})
    snapshot, error, pong = asyncio.run(first_frames(url, [message, ping], 3))
    assert snapshot["type"] == "snapshot"
    assert error["type"] == "error" and error["status"] == status, error
    assert pong == {"type": "pong"}  # the socket stays open


@pytest.mark.parametrize(("frame", "status"), [
    (DEEP, 400), (b"\xff\xfe", 400), ("[1e999]", 400), ("{}", 422), ("[[]]", 422),
])  # fmt: skip
def test_ingest_frames(server: Server, t: dict[str, Any], frame: str | bytes, status: int) -> None:
    url = f"{server.ws_url}/api/v1/ingest/ws"
    tick = json.dumps({"tournament_id": t["id"], "match_id": t["mid"], "scores": [0, 0]})
    error, ack = asyncio.run(first_frames(url, [frame, tick], 2))
    assert error["type"] == "error" and error["status"] == status, error
    assert ack["type"] == "ack"


def test_a_token_in_the_query(server: Server, t: dict[str, Any]) -> None:
    async def status(url: str) -> int:
        try:
            async with websockets.connect(url):
                return 101
        except websockets.InvalidStatus as exc:
            return exc.response.status_code

    for token in ("%ff%fe", "x" * 5000, "", "Bearer%20" + ADMIN, ADMIN + "%00"):
        assert asyncio.run(status(f"{server.ws_url}/api/v1/ingest/ws?token={token}")) == 401
