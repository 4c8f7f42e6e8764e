"""The store on a real SQLite file: migrations, downgrade refusal, the online backup."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from app import store as store_mod
from app.backup import backup
from app.domain import engine
from app.domain.models import Event
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
        async with Rig(valkey.url, data / "tourney.sqlite3") as rig:
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
            assert t.to_dict() == rig.svc.tournaments[t.id].to_dict()

    asyncio.run(main())


def test_the_tournament_row_holds_everything_but_the_matches() -> None:
    def event(n: int, kind: str, data: dict[str, object]) -> Event:
        return Event(f"e{n}", n, kind, "t1", "2030-01-01T00:00:00Z", data)

    t = engine.new_tournament(event(1, "tournament.created", engine.create_tournament(
        {"name": "Row", "format": "round_robin"})))  # fmt: skip
    names = [{"name": f"P{i}"} for i in range(4)]
    engine.apply(t, event(2, "participant.added", engine.add_participants(t, names, list("abcd"))))
    engine.apply(t, event(3, "tournament.started", engine.start(t)))
    whole = t.to_dict()
    del whole["matches"]
    assert json.loads(store_mod.tournament_doc(t)) == whole
