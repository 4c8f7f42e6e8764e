"""The first answer to each request sent with an ``Idempotency-Key``, so that a repeat gets it
back: held in memory (the newest ``limit``) and in Redis beside the stream (for
``idempotency_ttl_seconds``), so a repeat to another process, or after a restart, finds it too.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from typing import Any

import redis.asyncio as aioredis

from .stream import Stream


class Responses:
    def __init__(self, stream: Stream, ttl_seconds: int, limit: int = 50_000) -> None:
        self.stream = stream
        self.ttl = ttl_seconds
        self.limit = limit
        self.recent: OrderedDict[str, tuple[str, int, bytes]] = OrderedDict()
        self._writes: set[asyncio.Task[Any]] = set()

    def remember(self, key: str, scope: str, status: int, body: bytes) -> None:
        """Keep the answer (``scope``: what a repeat must match); Redis is written in the
        background, and a failure there only shortens the answer's life to this process's."""
        self.recent[key] = (scope, status, body)
        if len(self.recent) > self.limit:
            self.recent.popitem(last=False)
        value = f"{status} {scope} ".encode() + body
        task = asyncio.get_running_loop().create_task(self._store(key, value))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _store(self, key: str, value: bytes) -> None:
        with contextlib.suppress(aioredis.RedisError, OSError, TimeoutError):
            await self.stream.remember_response(key, value, self.ttl)

    async def recall(self, key: str) -> tuple[str, int, bytes] | None:
        """(scope, status, body) of the first answer, or None (none, or Redis unreachable)."""
        hit = self.recent.get(key)
        if hit is not None:
            return hit
        try:
            raw = await self.stream.response(key)
        except (aioredis.RedisError, OSError, TimeoutError):
            return None
        if raw is None:
            return None
        status, scope, body = raw.split(b" ", 2)
        return (scope.decode(), int(status), body)
