"""The store on a real SQLite file: migrations, downgrade refusal, the online backup."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from app import store as store_mod
from app.backup import backup
from app.domain import commands, state
from app.domain.commands import Input
from app.domain.events import Event, EventType
from app.store import SchemaTooNew, Store
from tests.conftest import Valkey

from .rig import Rig


def test_a_database_from_a_newer_tourney_is_refused(tmp_path: Path) -> None:
    async def main() -> None:
        s = Store(tmp_path / "t.db")
        await s.open()
        await s.set_meta("schema_version", str(store_mod.SCHEMA_VERSION + 1))
        await s.close()
        again = Store(tmp_path / "t.db")
        with pytest.raises(SchemaTooNew):
            await again.open()
        await again.close()

    asyncio.run(main())


def test_migrations_run_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> None:
        s = Store(tmp_path / "t.db")
        await s.open()
        await s.close()
        v = store_mod.SCHEMA_VERSION
        monkeypatch.setattr(store_mod, "SCHEMA_VERSION", v + 2)
        monkeypatch.setattr(store_mod, "MIGRATIONS", {
            v + 1: ["CREATE TABLE extra (x INTEGER)"],
            v + 2: ["INSERT INTO extra VALUES (42)"],
        })  # fmt: skip
        for _ in range(2):  # the second open finds nothing to do
            s = Store(tmp_path / "t.db")
            await s.open()
            assert await s.get_meta("schema_version") == str(v + 2)
            await s.close()
        with sqlite3.connect(tmp_path / "t.db") as db:
            assert db.execute("SELECT x FROM extra").fetchall() == [(42,)]

    asyncio.run(main())


def test_backup_while_writing_is_a_consistent_copy(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        data = tmp_path / "data"
        async with Rig(valkey.url, data) as rig:
            await rig.tournament(16)
            await rig.drain()
            out = backup(data, tmp_path / "copy.sqlite3")
            assert out["check"] == "ok" and out["tournaments"] == 1
            assert out["events"] == rig.svc.appender.appended_seq
            restored = Store(tmp_path / "copy.sqlite3")
            await restored.open()
            loaded = await restored.load_tournaments()
            await restored.close()
            (t,) = loaded.values()
            assert t.to_dict() == rig.state.tournaments[t.id].to_dict()

    asyncio.run(main())


def test_a_first_version_database_is_migrated(tmp_path: Path) -> None:
    """A database written by the first tourney (schema 1: matches without their seq)."""
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.executescript(
            "CREATE TABLE matches (tournament_id TEXT NOT NULL, id TEXT NOT NULL,"
            " pos INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (tournament_id, id))"
            " WITHOUT ROWID;"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema_version', '1');"
            "INSERT INTO matches VALUES ('t1', 'm1', 0, '{}');"
        )

    async def main() -> None:
        s = Store(tmp_path / "t.db")
        await s.open()
        assert await s.get_meta("schema_version") == str(store_mod.SCHEMA_VERSION)
        await s.close()

    asyncio.run(main())
    with sqlite3.connect(tmp_path / "t.db") as db:
        assert db.execute("SELECT id, seq FROM matches").fetchall() == [("m1", 0)]


def test_a_tournament_underway_at_a_restart_still_completes(valkey: Valkey, tmp_path: Path) -> None:
    """The matches left to play were not counted when a tournament was loaded from SQLite, so
    its last result did not complete it (nor would a Swiss round have been paired)."""

    async def main() -> None:
        async with Rig(valkey.url, tmp_path) as rig:
            tid = await rig.tournament(8)
            first = [m.id for m in rig.state.tournaments[tid].matches.values()][:2]
            for mid in first:
                await rig.result(tid, mid, [2, 1])
            await rig.drain()
        async with Rig(valkey.url, tmp_path, rig.prefix) as again:
            assert again.state.tournaments[tid].open_matches == 5
            while mids := [m.id for m in again.state.tournaments[tid].matches.values()
                           if m.state == "ready"]:  # fmt: skip
                await again.result(tid, mids[0], [2, 1])
            assert again.state.tournaments[tid].state == "complete"

    asyncio.run(main())


def test_the_tournament_row_holds_everything_but_the_matches() -> None:
    def event(n: int, kind: EventType, data: dict[str, object]) -> Event:
        return Event(f"e{n}", n, kind, "t1", "2030-01-01T00:00:00Z", data)

    created = commands.create_tournament({"name": "Row", "format": "round_robin"})
    t = state.new_tournament(event(1, EventType.TOURNAMENT_CREATED, created))
    ids = iter("abcd")
    names = Input([{"name": f"P{i}"} for i in range(4)], new_id=lambda _p: next(ids))
    state.apply(t, event(2, EventType.PARTICIPANT_ADDED, commands.add_participants(t, names)))
    state.apply(t, event(3, EventType.TOURNAMENT_STARTED, commands.start(t, Input())))
    whole = t.to_record()
    del whole["matches"]
    assert t.matches and json.loads(store_mod.tournament_doc(t)) == json.loads(json.dumps(whole))
