"""The write floor: a bare uvloop server that writes one prebuilt frame to every subscriber.

    python bench/ws_baseline_app.py PORT

What fanout.py --baseline measures tourney against. One asyncio protocol serves HTTP/1.1 and the
WebSocket upgrade on any path; then:
- ``POST /fire/MID/live`` with tourney's tick body: a ``live`` frame carrying it, to everyone;
- ``POST /fire/MID/result`` with an ``Idempotency-Key``: an ``event`` frame with that id;
- ``GET /healthz``: 200.
Each frame is built once and written with ``transport.write`` to every socket in a plain loop:
no views, no checks, no slices, no coalescing, nothing stored. Loopback only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import resource
import signal
import struct
import sys

import uvloop

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC11B85"
SUBS: set[Conn] = set()
SEQ = [0]


def text_frame(payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


def fan_out(payload: dict[str, object]) -> None:
    frame = text_frame(json.dumps(payload, separators=(",", ":")).encode())
    for s in SUBS:
        s.transport.write(frame)


def answer(status: str, body: bytes = b"") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\n\r\n").encode() + body  # fmt: skip


class Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = b""
        self.ws = False
        self.transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass

    def connection_lost(self, exc: Exception | None) -> None:
        SUBS.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.ws:
            if len(self.buf) >= 2 and self.buf[0] & 0x0F == 8:  # a close: echo it, hang up
                self.transport.write(b"\x88\x02" + self.buf[6:8])
                self.transport.close()
            self.buf = b""
            return
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head = self.buf[:end].decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
            length = int(headers.get("content-length", "0"))
            if len(self.buf) < end + 4 + length:
                return
            body, self.buf = self.buf[end + 4 : end + 4 + length], self.buf[end + 4 + length :]
            self.request(head[0].split(" "), headers, body)

    def request(self, line: list[str], headers: dict[str, str], body: bytes) -> None:
        method, path = line[0], line[1]
        if headers.get("upgrade", "").lower() == "websocket":
            accept = base64.b64encode(
                hashlib.sha1(headers["sec-websocket-key"].encode() + GUID).digest()
            ).decode()
            head = (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade"
                f"\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            )
            snapshot = text_frame(b'{"type":"snapshot","seq":0,"tournament":{}}')
            self.transport.write(head.encode() + snapshot)
            self.ws = True
            SUBS.add(self)
            return
        if path == "/healthz":
            self.transport.write(answer("200 OK", b'{"ok":true}'))
        elif method == "POST" and path.startswith("/fire/"):
            mid, kind = path.split("/")[2:4]
            SEQ[0] += 1
            if kind == "live":
                tick = json.loads(body)
                match = {"id": mid, "state": "live", "scores": tick["scores"],
                         "live": tick.get("detail")}  # fmt: skip
                fan_out({"type": "live", "seq": SEQ[0], "matches": [match]})
            else:
                event = {"id": headers.get("idempotency-key", f"ev{SEQ[0]}"), "seq": SEQ[0],
                         "type": "match.result", "tournament_id": "t", "data": {}}  # fmt: skip
                fan_out({"type": "event", "seq": SEQ[0], "event": event, "matches": []})
            self.transport.write(answer("202 Accepted", b'{"seq":%d}' % SEQ[0]))
        else:
            self.transport.write(answer("404 Not Found"))


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    server = await loop.create_server(Conn, "127.0.0.1", port, backlog=4096)
    async with server:
        await stop


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    uvloop.install()
    asyncio.run(main(int(sys.argv[1])))
