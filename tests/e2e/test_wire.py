"""Below the app: the request head's bounds (414, 431), requests that are not HTTP (400), and
client protocol mistakes on WebSockets (1002, 1007, 1009): each answered as problem+json or a
close code, counted in tourney_client_protocol_errors_total, and logged on one info line."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import websockets
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from tests.conftest import Server
from tests.helpers import started
from tests.rawhttp import exchange, problem

UPGRADE = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


def mistakes(server: Server) -> dict[str, float]:
    text = httpx.get(server.url + "/metrics").text
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "tourney_client_protocol_errors":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[sample.labels["kind"]] = sample.value
    return out


def rss(server: Server) -> int:
    assert server.proc is not None
    with open(f"/proc/{server.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")  # pragma: no cover


def test_an_oversized_header_is_431_and_costs_no_memory(server: Server) -> None:
    """It was accepted with 200, and grew the server by twice its size."""
    before = rss(server)
    for _ in range(4):  # 32 MB in all
        r = httpx.get(server.url + "/healthz", headers={"X-Big": "a" * 8_000_000}, timeout=30)
        assert r.status_code == 431, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["connection"] == "close"
        assert r.json()["status"] == 431
    assert rss(server) - before < 8_000_000
    assert mistakes(server)["header_too_large"] >= 4


def test_the_head_is_bounded_in_all_and_its_line_alone(server: Server) -> None:
    many = b"".join(b"X-Header-%d: %s\r\n" % (i, b"v" * 100) for i in range(700))  # ~80 KiB
    problem(exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n"), 431)
    long_line = b"GET /healthz?q=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    problem(exchange(server, long_line), 414)
    # a pipelined second request, in the same packet as the first, is measured as well
    first = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    second = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    raw = exchange(server, first + second)
    problem(raw[raw.index(b"HTTP/1.1 431") :], 431)
    # just under both bounds: served as usual
    assert httpx.get(server.url + "/healthz", headers={"X-Near": "n" * 64_000}).status_code == 200
    assert httpx.get(server.url + "/healthz?q=" + "a" * 16_000).status_code == 200


def test_the_bounds_are_settings(make_server: Any) -> None:
    server = make_server(env={
        "TOURNEY_SERVER_MAX_HEADER_BYTES": "4096",
        "TOURNEY_SERVER_MAX_REQUEST_LINE_BYTES": "1024",
    }).start()  # fmt: skip
    assert httpx.get(server.url + "/healthz", headers={"X-A": "a" * 3000}).status_code == 200
    assert httpx.get(server.url + "/healthz", headers={"X-A": "a" * 5000}).status_code == 431
    assert httpx.get(server.url + "/healthz?q=" + "a" * 900).status_code == 200
    assert httpx.get(server.url + "/healthz?q=" + "a" * 1100).status_code == 414


def test_what_is_not_http_is_a_400(server: Server) -> None:
    for raw in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 40,  # a TLS hello
                b"GET /api/v1/tournaments/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
                b"POST /api/v1/tournaments HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n",
                b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"):  # fmt: skip
        problem(exchange(server, raw), 400)
    assert mistakes(server)["malformed_request"] >= 4


def test_a_websocket_upgrade_over_the_handshake_bounds_is_answered(server: Server) -> None:
    """websockets' own bounds (a header line over 8 KiB, over 128 headers) left the socket open
    and unanswered."""
    with server.client() as c:
        tid = started(c, 2)["id"]
    head = UPGRADE.format(path=f"/api/v1/tournaments/{tid}/ws").encode()
    problem(exchange(server, head + b"X-Long: " + b"a" * 10_000 + b"\r\n\r\n", timeout=5), 431)
    lots = b"".join(b"X-%d: a\r\n" % i for i in range(200))
    problem(exchange(server, head + lots + b"\r\n", timeout=5), 431)
    assert mistakes(server)["ws_bad_handshake"] >= 2


async def send_raw_frame(url: str, frame: Frame | bytes) -> tuple[int, str]:
    """Open a socket, take the first frame, send ``frame`` as is (bytes: as they are, unchecked);
    the close the server sent."""
    async with websockets.connect(url) as ws:
        await ws.recv()
        if isinstance(frame, bytes):
            ws.transport.write(frame)
        else:
            ws.protocol.send_frame(frame)
            ws.send_data()
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as exc:
            assert exc.rcvd is not None
            return exc.rcvd.code, exc.rcvd.reason
    raise AssertionError("not closed")  # pragma: no cover


def test_websocket_protocol_mistakes_are_one_info_line(make_server: Any) -> None:
    """Invalid UTF-8 was logged at error level with a traceback, once per frame, by anyone."""
    server = make_server().start()
    with server.client() as c:
        tid = started(c, 2)["id"]
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"

    async def run() -> list[tuple[int, str]]:
        out = [await send_raw_frame(url, Frame(Opcode.TEXT, b"\xff\xfe not utf-8"))
               for _ in range(30)]  # fmt: skip
        out.append(await send_raw_frame(url, b"\x83\x80\0\0\0\0"))  # opcode 3 is reserved
        return out

    closes = asyncio.run(run())
    assert closes[:30] == [(1007, "text is not UTF-8")] * 30
    assert closes[30][0] == 1002
    counted = mistakes(server)
    assert counted["ws_invalid_utf8"] == 30 and counted["ws_protocol_error"] == 1
    time.sleep(1.1)  # the next mistake closes the one-second window of log lines
    asyncio.run(send_raw_frame(url, Frame(Opcode.TEXT, b"\xc3")))
    server.stop()
    # the log's lines (standard error), not the welcome printed once ready (standard output)
    text = server.log.read_text().splitlines()
    lines = [json.loads(line) for line in text if line.startswith("{")]
    fresh = "a new data directory: a new, empty instance"  # the start's own, on a new directory
    noisy = [x for x in lines if x["level"] in ("error", "warning", "critical")]
    assert not [x for x in noisy if x["message"] != fresh], lines
    assert not [x for x in lines if "error" in x and "Traceback" in str(x["error"])]
    logged = [x for x in lines if x["message"] == "client protocol error"]
    assert 0 < len(logged) <= 12 and all(x["level"] == "info" for x in logged)
    assert {x["kind"] for x in logged} >= {"ws_invalid_utf8"}
    summary = [x for x in lines if x["message"] == "client protocol errors not logged"]
    assert summary and sum(x["count"] for x in summary) == 32 - len(logged)


def test_a_message_over_the_size_bound_is_1009(server: Server) -> None:
    with server.client() as c:
        tid = started(c, 2)["id"]
    url = f"{server.ws_url}/api/v1/tournaments/{tid}/ws"
    code, _ = asyncio.run(send_raw_frame(url, Frame(Opcode.BINARY, b"x" * 2_000_000)))
    assert code == 1009
    assert mistakes(server)["ws_message_too_big"] >= 1
