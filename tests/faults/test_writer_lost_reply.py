"""The fault behind case 3's one flaky loss, made deterministic: Redis dies after it recorded an
XREADGROUP delivery but before the writer got the reply. The entries sit in the writer's pending
list; the writer must read that list again once Redis is back, not only at its next start."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import redis

from tests.faults.load import ExternalValkey, stored_ids
from tests.integration.rig import Rig


def test_entries_delivered_by_a_lost_read_reply_are_stored(
    external_valkey: ExternalValkey, tmp_path: Path
) -> None:
    external_valkey.start()

    async def main() -> None:
        async with Rig(external_valkey.url, tmp_path) as rig:
            tid = await rig.tournament(4)
            await rig.drain()
            mid = next(m.id for m in rig.state.tournaments[tid].matches.values())
            ticks = [{"id": f"lost-{i}", "tournament_id": tid, "match_id": mid,
                      "scores": [i, 0]} for i in range(30)]  # fmt: skip
            await rig.ticks(ticks)
            # The delivery Redis made (and wrote to its append-only file) whose reply was lost:
            with redis.Redis(unix_socket_path=str(external_valkey.socket)) as r:
                r.xreadgroup("writer", rig.writer.consumer, {rig.prefix + "events": ">"}, 10)
            external_valkey.stop(signal.SIGKILL)
            assert await rig.writer.step() == 0  # the read fails: Redis is gone
            external_valkey.start()
            for _ in range(10):  # as Writer.run does once it has passed its start
                await rig.writer.step()
            with redis.Redis(unix_socket_path=str(external_valkey.socket)) as r:
                assert r.xpending(rig.prefix + "events", "writer")["pending"] == 0

    asyncio.run(main())
    stored = stored_ids(tmp_path / "tourney.sqlite3", "lost")
    assert len(stored) == 30, f"{30 - len(stored)} acknowledged ticks were never stored"
