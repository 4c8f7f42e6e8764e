"""The first answer to each request sent with an ``Idempotency-Key``, so that a repeat gets it
back: held in Redis beside the stream for ``idempotency_ttl_seconds``, so a repeat to another
process, or after a restart, finds it too; and the newest in memory, for as long (within a
count and a byte budget), so a repeat is answered without a round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from typing import Any

import redis.asyncio as aioredis

from ..codec import kept
from .stream import Stream


class Responses:
    def __init__(
        self, stream: Stream, ttl_seconds: int, limit: int = 50_000, max_bytes: int = 4 << 20
    ) -> None:
        self.stream = stream
        self.ttl = ttl_seconds
        self.limit = limit
        self.max_bytes = max_bytes
        # key -> (scope, status, body, expiry on the monotonic clock), oldest first
        self.recent: OrderedDict[str, tuple[str, int, bytes, float]] = OrderedDict()
        self.bytes = 0
        self._writes: set[asyncio.Task[Any]] = set()

    def remember(self, key: str, scope: str, status: int, body: bytes) -> None:
        """Keep the answer (``scope``: what a repeat must match); Redis is written in the
        background, and a failure there only shortens the answer's life to this process's."""
        now = time.monotonic()
        self._forget(key)
        body = kept(body)
        self.recent[key] = (scope, status, body, now + self.ttl)
        self.bytes += len(body)
        self._trim(now)
        value = f"{status} {scope} ".encode() + body
        task = asyncio.get_running_loop().create_task(self._store(key, value))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    def _forget(self, key: str) -> None:
        old = self.recent.pop(key, None)
        if old is not None:
            self.bytes -= len(old[2])

    def _trim(self, now: float) -> None:
        """The oldest answers go past the count or the bytes, and once expired (all share one
        time to live, so the oldest expire first)."""
        recent = self.recent
        while recent and (len(recent) > self.limit or self.bytes > self.max_bytes
                          or next(iter(recent.values()))[3] <= now):  # fmt: skip
            _, (_, _, body, _) = recent.popitem(last=False)
            self.bytes -= len(body)

    async def _store(self, key: str, value: bytes) -> None:
        with contextlib.suppress(aioredis.RedisError, OSError, TimeoutError):
            await self.stream.remember_response(key, value, self.ttl)

    async def recall(self, key: str) -> tuple[str, int, bytes] | None:
        """(scope, status, body) of the first answer, or None (none, or Redis unreachable)."""
        hit = self.recent.get(key)
        if hit is not None:
            if hit[3] > time.monotonic():
                return hit[:3]
            self._trim(time.monotonic())  # expired here as in Redis
        try:
            raw = await self.stream.response(key)
        except (aioredis.RedisError, OSError, TimeoutError):
            return None
        if raw is None:
            return None
        status, scope, body = raw.split(b" ", 2)
        return (scope.decode(), int(status), body)
