"""The answers kept for Idempotency-Keys: in memory within a count, a byte budget and their time
to live, and in Redis for as long, so a repeat after memory let go still finds its answer."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from app.pipeline.responses import Responses
from app.pipeline.stream import Stream
from tests.conftest import Valkey


def test_memory_keeps_the_newest_answers_within_the_byte_budget(valkey: Valkey) -> None:
    async def main() -> None:
        client = aioredis.from_url(valkey.url)
        try:
            r = Responses(Stream(client, f"resp-{uuid.uuid4().hex[:6]}:"), 60, max_bytes=10_000)
            for i in range(50):
                r.remember(f"k{i}", "d1.b1", 200, bytes([i]) * 1_000)
            assert r.bytes <= 10_000 and len(r.recent) == 10
            assert list(r.recent) == [f"k{i}" for i in range(40, 50)]
            await asyncio.gather(*r._writes)
            # memory let the oldest go; Redis still has them, whole
            assert await r.recall("k0") == ("d1.b1", 200, bytes([0]) * 1_000)
            assert await r.recall("k49") == ("d1.b1", 200, bytes([49]) * 1_000)
            r.remember("k49", "d1.b1", 201, b"again")  # the same key: counted once
            assert r.bytes == 9 * 1_000 + 5
        finally:
            await client.aclose()

    asyncio.run(main())


def test_an_answer_expires_in_memory_as_in_redis(valkey: Valkey) -> None:
    async def main() -> None:
        client = aioredis.from_url(valkey.url)
        try:
            r = Responses(Stream(client, f"resp-{uuid.uuid4().hex[:6]}:"), 1)
            r.remember("gone", "d1.b1", 200, b"first")
            await asyncio.gather(*r._writes)
            assert await r.recall("gone") == ("d1.b1", 200, b"first")
            await asyncio.sleep(1.3)
            assert await r.recall("gone") is None
            assert not r.recent and r.bytes == 0
        finally:
            await client.aclose()

    asyncio.run(main())
