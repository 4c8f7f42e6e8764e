"""Every door locked: rate limits, security headers, CORS off by default, WebSocket origins,
and no secret in the logs."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.conftest import ADMIN, Server
from tests.helpers import create_tournament, started


def test_rate_limits_answer_429_with_retry_after(make_server: Any) -> None:
    server = make_server(env={
        "TOURNEY_SERVER_RATE_LIMIT_PER_ADDRESS": "5",
        "TOURNEY_SERVER_RATE_LIMIT_BURST_SECONDS": "2",
    }).start()  # fmt: skip
    with server.client() as c:
        answers = [c.get("/api/v1/tournaments") for _ in range(20)]
    limited = [r for r in answers if r.status_code == 429]
    assert answers[0].status_code == 200 and limited
    assert int(limited[0].headers["retry-after"]) >= 1
    assert limited[0].headers["content-type"] == "application/problem+json"
    assert httpx.get(server.url + "/healthz").status_code == 200  # health is never limited


def test_a_token_is_limited_on_writes(make_server: Any) -> None:
    server = make_server(env={
        "TOURNEY_SERVER_RATE_LIMIT_PER_TOKEN": "2",
        "TOURNEY_SERVER_RATE_LIMIT_BURST_SECONDS": "2",
    }).start()  # fmt: skip
    with server.client() as c:
        tid = create_tournament(c)["id"]
        codes = [c.post(f"/api/v1/tournaments/{tid}/participants", json={"name": f"P{i}"}
                        ).status_code for i in range(10)]  # fmt: skip
        assert 429 in codes
        kept = len(c.get(f"/api/v1/tournaments/{tid}").json()["participants"])
    # every refused write changed nothing: exactly the accepted ones are there
    assert kept == codes.count(201)


def test_security_headers(server: Server) -> None:
    with httpx.Client(base_url=server.url) as c:
        index = c.get("/")
        assert "default-src 'self'" in index.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in c.get("/admin").headers["content-security-policy"]
        assert "frame-ancestors *" in c.get("/t/anything").headers["content-security-policy"]
        api = c.get("/api/v1/tournaments")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert api.headers["referrer-policy"] == "no-referrer"


def test_cors_is_off_unless_configured(server: Server, make_server: Any) -> None:
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    r = httpx.options(server.url + "/api/v1/tournaments", headers=preflight)
    assert "access-control-allow-origin" not in r.headers
    other = make_server(env={"TOURNEY_SERVER_CORS_ORIGINS": "https://elsewhere.example"}).start()
    r = httpx.options(other.url + "/api/v1/tournaments", headers=preflight)
    assert r.headers["access-control-allow-origin"] == "https://elsewhere.example"


def test_token_bearing_websockets_refuse_other_sites(server: Server) -> None:
    with server.client() as c:
        tid = started(c, 2)["id"]
    url = f"{server.ws_url}/api/v1/ingest/ws?token={ADMIN}"

    async def run() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await websockets.connect(url, origin="https://evil.example")  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
        own = f"http://127.0.0.1:{server.port}"
        async with websockets.connect(url, origin=own) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps({"tournament_id": tid, "match_id": "nope", "scores": [1, 0]}))
            assert json.loads(await ws.recv())["status"] == 404
        async with websockets.connect(url) as ws:  # a bot: no Origin at all
            await ws.send("[]")
            assert json.loads(await ws.recv())["type"] in ("ack", "error")
        # a public tournament's subscription needs no token and is open to any page
        public = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
        async with websockets.connect(public, origin="https://overlay.example") as ws:  # type: ignore[arg-type]
            assert json.loads(await ws.recv())["type"] == "snapshot"

    asyncio.run(run())


def test_no_token_is_written_to_the_log(server: Server) -> None:
    with server.client() as c:
        t = started(c, 2)
        tok = c.post("/api/v1/tokens", json={"tournament_id": t["id"], "scope": "report"}).json()

    async def run() -> None:
        url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws?token={tok['token']}"
        async with websockets.connect(url) as ws:
            await ws.recv()

    asyncio.run(run())
    httpx.get(server.url + "/api/v1/tournaments", headers={"Authorization": f"Bearer {ADMIN}"})
    log = server.log.read_text()
    assert "/ws?token=[redacted]" in log or "WebSocket" in log
    assert tok["token"] not in log and ADMIN not in log


def test_slow_headers_are_dropped(make_server: Any) -> None:
    """A client that connects and dribbles its headers does not hold a socket (slowloris)."""
    server = make_server(env={"TOURNEY_SERVER_HEADER_TIMEOUT": "1"}).start()
    silent = socket.create_connection(("127.0.0.1", server.port))
    dribbling = socket.create_connection(("127.0.0.1", server.port))
    dribbling.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    for s in (silent, dribbling):
        s.settimeout(10)
        assert s.recv(100) == b""  # closed by the server
        s.close()
    assert time.monotonic() - started < 5
    # a client that sends its request in time is served as usual
    assert httpx.get(server.url + "/healthz").status_code == 200
