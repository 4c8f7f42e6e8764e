"""A bare WebSocket fan-out server: the floor fanout.py --baseline measures tourney against.

    python bench/ws_baseline_app.py PORT [deflate|none]

The ``websockets`` asyncio server, nothing else: every subscriber gets a small snapshot, then
``GET /fire/KEY`` sends one event frame (in tourney's shape, with KEY as the event id and ``at``
stamped now) to every subscriber with ``websockets.broadcast`` (no per-subscriber task, no
await). ``GET /healthz`` answers 200. Loopback only.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import UTC, datetime
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

CLIENTS: set[ServerConnection] = set()
MATCH = {"id": "m1", "state": "complete", "scores": [2, 1], "winner_id": "p1", "slots": []}


async def handler(ws: ServerConnection) -> None:
    CLIENTS.add(ws)
    try:
        await ws.send('{"type":"snapshot","seq":0,"tournament":{}}')
        await ws.wait_closed()
    finally:
        CLIENTS.discard(ws)


def process_request(conn: ServerConnection, request: Request) -> Response | None:
    if request.path == "/healthz":
        return conn.respond(HTTPStatus.OK, "ok\n")
    if request.path.startswith("/fire/"):
        key = request.path.removeprefix("/fire/")
        at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        event = {
            "id": key,
            "seq": 1,
            "type": "match.result",
            "tournament_id": "t",
            "at": at,
            "data": {},
        }
        frame = json.dumps(
            {"type": "event", "seq": 1, "event": event, "matches": [MATCH]}, separators=(",", ":")
        )
        broadcast(CLIENTS, frame)
        return conn.respond(HTTPStatus.OK, f"{len(CLIENTS)}\n")
    return None


async def main(port: int, compression: str | None) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(
        handler,
        "127.0.0.1",
        port,
        process_request=process_request,
        compression=compression,
        ping_interval=20,
        backlog=2048,
    ):
        await stop


if __name__ == "__main__":
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    comp = None if len(sys.argv) > 2 and sys.argv[2] == "none" else "deflate"
    asyncio.run(main(int(sys.argv[1]), comp))
