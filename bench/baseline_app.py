"""The bare baseline: the least an app can do for the same job, to measure tourney against.

POST /tick: parse the JSON body, XADD it to a Redis stream, answer 202. A background task drains
the stream in batches into SQLite and acknowledges after the commit. No validation, no state, no
fan-out. Run: python bench/baseline_app.py PORT REDIS_URL SQLITE_PATH
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

STREAM, GROUP = "baseline:events", "writer"


async def tick(request: Request) -> Response:
    body = json.loads(await request.body())
    seq = await request.app.state.redis.xadd(STREAM, {"e": json.dumps(body)})
    return Response(json.dumps({"seq": seq.decode()}), 202, media_type="application/json")


async def drain(r: aioredis.Redis, db: sqlite3.Connection) -> None:
    with contextlib.suppress(aioredis.ResponseError):
        await r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    while True:
        reply = await r.xreadgroup(GROUP, "w", {STREAM: ">"}, count=2000, block=50)
        if not reply:
            continue
        entries = reply[0][1]
        rows = [(json.loads(f[b"e"]).get("id") or eid.decode(), f[b"e"].decode())
                for eid, f in entries]  # fmt: skip
        await asyncio.to_thread(store, db, rows)
        await r.xack(STREAM, GROUP, *[eid for eid, _ in entries])


def store(db: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    with db:
        db.executemany("INSERT OR IGNORE INTO events (id, data) VALUES (?, ?)", rows)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    r = aioredis.Redis.from_url(sys.argv[2])
    db = sqlite3.connect(sys.argv[3], check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, data TEXT)")
    app.state.redis = r
    task = asyncio.create_task(drain(r, db))
    yield
    task.cancel()
    await r.aclose()


app = Starlette(routes=[Route("/tick", tick, methods=["POST"])], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
                log_level="warning")  # fmt: skip
