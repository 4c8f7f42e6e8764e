"""Two processes' worth of tourney on one real Valkey (redis.shared): each folds the other's
events, a write decided on an old version is refused and decided again, and the writer's lease
lets one at a time store into the same SQLite file."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from app.domain.commands import CommandName
from app.domain.events import EventType
from tests.conftest import Valkey

from .rig import Rig


class Replica(Rig):
    """A rig with ``redis.shared`` on; ``follow()`` starts folding the other's events."""

    def __init__(self, url: str, data: Path, prefix: str | None = None) -> None:
        super().__init__(url, data, prefix)
        self.cfg = dataclasses.replace(
            self.cfg, redis=dataclasses.replace(self.cfg.redis, shared=True, lease_seconds=1.0)
        )
        self.tasks: list[asyncio.Task[None]] = []

    def follow(self) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(self.rt._follow()))

    async def __aexit__(self, *exc: object) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await super().__aexit__(*exc)


async def within(work: Coroutine[Any, Any, None], seconds: float) -> None:
    """``work``, or a failure that says where it was stuck (never a silent hang)."""
    await asyncio.wait_for(work, seconds)


async def settle(*rigs: Replica, tid: str) -> None:
    """Until every replica holds the same version of ``tid`` (at most 5 s)."""
    for _ in range(500):
        versions = {r.state.tournaments[tid].version for r in rigs if tid in r.state.tournaments}
        if len(versions) == 1 and all(tid in r.state.tournaments for r in rigs):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"replicas disagree: {versions}")


def test_a_write_decided_on_a_stale_replica_is_decided_again(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        async with Replica(valkey.url, tmp_path) as a:
            a.follow()
            tid = await a.tournament(4)
            async with Replica(valkey.url, tmp_path, prefix=a.prefix) as b:
                assert b.state.tournaments[tid].to_dict() == a.state.tournaments[tid].to_dict()
                mid = next(m.id for m in a.state.tournaments[tid].matches.values()
                           if m.state == "ready")  # fmt: skip
                await a.result(tid, mid, [2, 1])  # b has not folded it in yet
                assert b.state.tournaments[tid].version < a.state.tournaments[tid].version
                b.follow()
                pid = next(iter(b.state.tournaments[tid].participants))
                await b.run(CommandName.UPDATE_PARTICIPANT, tid, {"name": "Renamed"}, pid)
                assert b.rt.metrics.stale_appends._value.get() >= 1
                await settle(a, b, tid=tid)
                ta, tb = a.state.tournaments[tid], b.state.tournaments[tid]
                assert ta.to_dict() == tb.to_dict()
                assert ta.participants[pid].name == "Renamed"
                assert ta.matches[mid].scores == [2, 1]
                # the rename went into the stream once, after the result
                events, _ = await a.stream.read_all()
                types = [e.type for e in events if e.tournament_id == tid]
                assert types.count(EventType.PARTICIPANT_UPDATED) == 1
                assert types.index(EventType.MATCH_RESULT) < types.index(
                    EventType.PARTICIPANT_UPDATED
                )

    asyncio.run(within(main(), 120))


def test_live_ticks_from_two_replicas_all_count(valkey: Valkey, tmp_path: Path) -> None:
    """Ticks carry no version: each replica folds the other's, even those with a lower seq
    than one it appended itself, and ends with the newest score of every match."""

    async def main() -> None:
        async with Replica(valkey.url, tmp_path) as a:
            a.follow()
            tid = await a.tournament(8)
            async with Replica(valkey.url, tmp_path, prefix=a.prefix) as b:
                b.follow()
                ready = [m.id for m in a.state.tournaments[tid].matches.values()
                         if m.state == "ready"]  # fmt: skip
                for i in range(20):
                    await asyncio.gather(
                        *(a.tick(tid, mid, [i, 0]) for mid in ready[:2]),
                        *(b.tick(tid, mid, [0, i]) for mid in ready[2:]),
                    )
                await asyncio.sleep(0.3)
                for r in (a, b):
                    t = r.state.tournaments[tid]
                    assert [t.matches[m].scores for m in ready] == [[19, 0]] * 2 + [[0, 19]] * 2

    asyncio.run(within(main(), 120))


def test_the_writer_lease_moves_when_its_holder_stops(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Replica(valkey.url, tmp_path) as a:
            a.follow()
            writing_a = asyncio.get_running_loop().create_task(a.rt._write_while_leased())
            for _ in range(500):
                if a.rt.writing:
                    break
                await asyncio.sleep(0.02)
            assert a.rt.writing
            tid = await a.tournament(4)
            async with Replica(valkey.url, tmp_path, prefix=a.prefix) as b:
                b.follow()
                writing_b = asyncio.get_running_loop().create_task(b.rt._write_while_leased())
                await asyncio.sleep(0.5)
                assert not b.rt.writing  # a holds it
                writing_a.cancel()  # a dies without giving the lease back
                await asyncio.gather(writing_a, return_exceptions=True)
                mid = next(m.id for m in b.state.tournaments[tid].matches.values()
                           if m.state == "ready")  # fmt: skip
                await b.result(tid, mid, [3, 0])
                for _ in range(1000):  # the lease expires after 1 s; then b writes
                    if b.rt.writing and b.rt.writer.committed_seq >= b.rt.appender.appended_seq:
                        break
                    await asyncio.sleep(0.02)
                assert b.rt.writing
                stored = await b.store.load_tournaments()
                assert stored[tid].matches[mid].scores == [3, 0]
                assert await b.stream.committed() >= b.rt.appender.appended_seq
                b.rt._stopping.set()
                await asyncio.wait_for(writing_b, 10)

    asyncio.run(within(main(), 120))
