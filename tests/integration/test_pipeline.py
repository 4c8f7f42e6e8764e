"""The event path on a real Valkey and a real SQLite file: exactly once, redelivery, recovery."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from app.domain.commands import CommandName
from app.domain.errors import Conflict, Unavailable
from app.pipeline.stream import Stream
from tests.conftest import Valkey

from .rig import Rig


def stored_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM events ORDER BY seq")]


def ready(rig: Rig, tid: str) -> list[str]:
    return [m.id for m in rig.state.tournaments[tid].matches.values() if m.state == "ready"]


async def play(rig: Rig, tid: str) -> None:
    while mids := ready(rig, tid):
        for mid in mids:
            await rig.result(tid, mid, [3, 1])


def test_every_event_reaches_sqlite_exactly_once(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(8)
            await play(rig, tid)
            assert rig.state.tournaments[tid].state == "complete"
            await rig.drain()
            ids = stored_ids(rig.db)
            assert len(ids) == len(set(ids)) == rig.svc.appender.appended_seq
            # the projection written beside the events is the state the service holds
            loaded = await rig.store.load_tournaments()
            assert loaded[tid].to_dict() == rig.state.tournaments[tid].to_dict()

    asyncio.run(main())


def test_writer_stopped_between_commit_and_ack_redelivers_without_duplicates(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(4)
            await play(rig, tid)
            # read a batch and commit it to SQLite, then "die" before XACK
            entries = await rig.stream.read_group("writer-1", 1000, None, pending=False)
            assert entries
            from app.pipeline.stream import decode
            from app.store import Batch

            batch = Batch()
            for _, fields in entries:
                rig.writer.fold(batch, decode(fields), fields[b"e"].decode())
            await rig.store.write_batch(batch)
            before = stored_ids(rig.db)
            assert await rig.stream.pending_count() == len(entries)
        # a new process: its writer redelivers the pending entries; nothing is stored twice
        async with Rig(valkey.url, tmp_path, prefix=rig.prefix) as again:
            assert await again.drain() == len(entries)
            assert await again.stream.pending_count() == 0
            assert stored_ids(again.db) == before
            loaded = await again.store.load_tournaments()
            assert loaded[tid].to_dict() == again.state.tournaments[tid].to_dict()
            assert again.state.tournaments[tid].state == "complete"

    asyncio.run(main())


def test_restart_recovers_entries_not_yet_in_sqlite(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(8)
            await rig.drain()  # the draw is stored ...
            await play(rig, tid)  # ... the results are only in the stream
            expected = rig.state.tournaments[tid].to_dict()
            appended = rig.svc.appender.appended_seq
        async with Rig(valkey.url, tmp_path, prefix=rig.prefix) as again:
            # state is whole before the writer has stored anything
            assert again.state.tournaments[tid].to_dict() == expected
            await again.drain()
            assert len(stored_ids(again.db)) == appended
            assert (await again.store.load_tournaments())[tid].to_dict() == expected

    asyncio.run(main())


def test_a_repeated_event_id_is_applied_once(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(2)
            (mid,) = ready(rig, tid)
            first = await rig.tick(tid, mid, [1, 0], "tick-1")
            again = await rig.tick(tid, mid, [1, 0], "tick-1")
            assert not first.duplicate and again.duplicate
            assert again.event.seq == first.event.seq
            out = await rig.ticks(
                [{"id": "tick-1", "tournament_id": tid, "match_id": mid, "scores": [1, 0]},
                 {"id": "tick-2", "tournament_id": tid, "match_id": mid, "scores": [2, 0]},
                 {"id": "tick-2", "tournament_id": tid, "match_id": mid, "scores": [2, 0]}],
            )  # fmt: skip
            assert out["accepted"] == 3 and out["duplicates"] == 2
            await rig.drain()
            ids = stored_ids(rig.db)
            assert ids.count("tick-1") == 1 and ids.count("tick-2") == 1

    asyncio.run(main())


def test_an_id_from_another_tournament_is_refused(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            a, b = await rig.tournament(2), await rig.tournament(2)
            (ma,), (mb,) = ready(rig, a), ready(rig, b)
            await rig.tick(a, ma, [1, 0], "shared")
            with pytest.raises(Conflict):
                await rig.tick(b, mb, [1, 0], "shared")

    asyncio.run(main())


def test_backlog_over_its_bound_refuses_writes_and_changes_nothing(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path, backlog_limit=5) as rig:
            tid = await rig.tournament(4)  # 3 events, none written yet
            (mid, *_) = ready(rig, tid)
            for i in range(3):
                await rig.tick(tid, mid, [i, 0])
            before = rig.state.tournaments[tid].to_dict()
            with pytest.raises(Unavailable) as err:
                await rig.result(tid, mid, [2, 0])
            assert err.value.retry_after >= 1
            assert rig.state.tournaments[tid].to_dict() == before
            await rig.drain()  # once written, writes flow again
            await rig.result(tid, mid, [2, 0])

    asyncio.run(main())


def test_unreachable_redis_answers_unavailable_and_changes_nothing(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(2)
            (mid,) = ready(rig, tid)
            before = rig.state.tournaments[tid].to_dict()
            dead = type(rig.redis).from_url(f"unix://{tmp_path}/nothing.sock", socket_timeout=0.5)
            rig.svc.appender.stream = Stream(dead, rig.prefix)
            with pytest.raises(Unavailable):
                await rig.result(tid, mid, [2, 0])
            assert rig.state.tournaments[tid].to_dict() == before
            await dead.aclose()
            rig.svc.appender.stream = rig.stream  # Redis is back: writes flow again
            await rig.result(tid, mid, [2, 0])

    asyncio.run(main())


def test_a_tournament_loaded_from_sqlite_mid_way_completes(valkey: Valkey, tmp_path: Path) -> None:
    """What SQLite holds of a tournament under way is enough to finish it after a restart: its
    open matches are counted again (the draw is stored, some results are not)."""

    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(8)
            first = ready(rig, tid)[0]
            await rig.result(tid, first, [3, 1])
            await rig.drain()
        async with Rig(valkey.url, tmp_path, prefix=rig.prefix) as again:
            t = again.state.tournaments[tid]
            assert t.open_matches == sum(1 for m in t.matches.values() if m.state != "complete")
            await play(again, tid)
            assert again.state.tournaments[tid].state == "complete"

    asyncio.run(main())


def test_an_idle_tournament_leaves_memory_and_comes_back_whole(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path, unload_after_seconds=0.01) as rig:
            tid = await rig.tournament(8)
            await play(rig, tid)
            whole = rig.state.tournaments[tid].to_dict()
            told: list[set[str]] = []
            rig.rt.on_unload = told.append  # the app drops their cached reads
            assert rig.rt.unload_idle() == 0  # not in SQLite yet
            await rig.drain()
            await asyncio.sleep(0.05)
            assert rig.rt.unload_idle() == 1
            assert told == [{tid}]
            assert tid not in rig.state.tournaments and tid in rig.rt.shelf
            assert tid not in rig.writer.projection
            await rig.rt.ensure(tid)
            assert rig.state.tournaments[tid].to_dict() == whole
            # and it can change again: a reopen, stored by a writer that let it go too
            final = next(m for m in rig.state.tournaments[tid].matches.values()
                         if m.round == 3)  # fmt: skip
            assert rig.rt.unload_idle() == 1
            await rig.run(CommandName.REOPEN, tid, None, final.id)
            assert rig.state.tournaments[tid].state == "underway"
            await rig.drain()
            stored = await rig.store.load_tournaments([tid])
            assert stored[tid].to_dict() == rig.state.tournaments[tid].to_dict()

    asyncio.run(main())


def test_a_reset_is_stored_without_its_old_matches(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(4)
            await play(rig, tid)
            await rig.run(CommandName.RESET, tid)
            await rig.drain()
            stored = await rig.store.load_tournaments([tid])
            assert stored[tid].state == "pending" and not stored[tid].matches
            await rig.run(CommandName.START, tid)  # reset and start again in one batch
            await rig.run(CommandName.RESET, tid)
            await rig.run(CommandName.START, tid)
            await rig.drain()
            stored = await rig.store.load_tournaments([tid])
            assert stored[tid].to_dict() == rig.state.tournaments[tid].to_dict()

    asyncio.run(main())
