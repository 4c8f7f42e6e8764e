"""SQLite: every SQL statement lives here. One connection writes (the writer's), one reads.

Tables: ``events`` (every applied event, keyed by id and by seq: a redelivered event is ignored),
``tournaments`` and ``matches`` (the current state the reads and a restart need, as JSON documents,
with the seq of the last event folded into them), ``tokens`` and ``meta``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

from .domain.models import Match, Tournament

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tournament_id TEXT NOT NULL,
  type TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_tournament ON events (tournament_id, seq);
CREATE TABLE IF NOT EXISTS tournaments (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
  tournament_id TEXT NOT NULL,
  id TEXT NOT NULL,
  pos INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (tournament_id, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  tournament_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


# MIGRATIONS[n]: the statements that take a version n-1 database to version n. A fresh database
# is created at SCHEMA_VERSION directly by SCHEMA; keep the two in step.
MIGRATIONS: dict[int, list[str]] = {}


class SchemaTooNew(RuntimeError):
    pass


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass
class Batch:
    """What one writer transaction stores."""

    events: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    tournaments: dict[str, Tournament] = field(default_factory=dict)
    matches: dict[str, set[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    revoked: list[tuple[str, str]] = field(default_factory=list)


def tournament_doc(t: Tournament) -> str:
    """The tournament's row: everything but its matches, which have rows of their own. Built
    without them: the writer stores this on every batch that touches the tournament, and
    encoding 2,016 matches to drop them held the GIL for milliseconds at a time (the readers'
    latency tail, bench/reads.py)."""
    d = t.summary()
    del d["participants_count"]
    d["participants"] = [p.to_dict() for p in t.participant_list()]
    return dumps(d)


class Store:
    def __init__(self, path: Path, synchronous: str = "NORMAL", max_pages: int = 0) -> None:
        self.path = path
        self.synchronous = synchronous.upper()
        self.max_pages = max_pages
        self.db: aiosqlite.Connection | None = None
        self.reader: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = await aiosqlite.connect(self.path, isolation_level=None)
        await self.db.execute("PRAGMA journal_mode=WAL")
        await self.db.execute(f"PRAGMA synchronous={self.synchronous}")
        await self.db.execute("PRAGMA busy_timeout=5000")
        await self.db.executescript(SCHEMA)
        if self.max_pages:
            await self.db.execute(f"PRAGMA max_page_count={int(self.max_pages)}")
        await self.migrate()
        self.reader = await aiosqlite.connect(self.path, isolation_level=None)
        await self.reader.execute("PRAGMA busy_timeout=5000")
        await self.reader.execute("PRAGMA query_only=ON")

    async def migrate(self) -> None:
        """Bring the schema to ``SCHEMA_VERSION``, one migration at a time, each in its own
        transaction; refuse a database written by a newer tourney (no silent downgrade)."""
        db = self._db()
        await db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        version = int(await self.get_meta("schema_version") or SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{self.path} has schema {version}; this tourney knows up to {SCHEMA_VERSION}"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            await db.execute("BEGIN IMMEDIATE")
            for statement in MIGRATIONS[target]:
                await db.execute(statement)
            await self.set_meta("schema_version", str(target))
            await db.execute("COMMIT")

    async def close(self) -> None:
        for conn in (self.reader, self.db):
            if conn is not None:
                await conn.close()
        self.db = self.reader = None

    def _db(self) -> aiosqlite.Connection:
        assert self.db is not None, "store not open"
        return self.db

    def _reader(self) -> aiosqlite.Connection:
        assert self.reader is not None, "store not open"
        return self.reader

    # ---- the writer's one transaction per batch ---------------------------------------------

    async def write_batch(self, batch: Batch) -> None:
        """Store a batch in one transaction, in one hop to the connection's thread."""
        db = self._db()
        run_in_thread: Any = db._execute
        await run_in_thread(self._write_batch_sync, db._conn, batch)

    @staticmethod
    def _write_batch_sync(conn: sqlite3.Connection, batch: Batch) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO events (seq, id, tournament_id, type, doc)"
                " VALUES (?, ?, ?, ?, ?)",
                batch.events,
            )
            for t in batch.tournaments.values():
                conn.execute(
                    "INSERT INTO tournaments (id, seq, doc) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, doc = excluded.doc",
                    (t.id, t.seq, tournament_doc(t)),
                )
                ids = batch.matches.get(t.id)
                if ids:
                    pos = {mid: i for i, mid in enumerate(t.matches)}
                    conn.executemany(
                        "INSERT INTO matches (tournament_id, id, pos, doc) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (tournament_id, id) DO UPDATE SET doc = excluded.doc",
                        [(t.id, m, pos[m], dumps(t.matches[m].to_dict())) for m in ids],
                    )
            for tid in batch.deleted:
                conn.execute("DELETE FROM tournaments WHERE id = ?", (tid,))
                conn.execute("DELETE FROM matches WHERE tournament_id = ?", (tid,))
            conn.executemany(
                "INSERT OR IGNORE INTO tokens (id, hash, tournament_id, scope, label, created_at,"
                " expires_at) VALUES (:id, :hash, :tournament_id, :scope, :label, :created_at,"
                " :expires_at)",
                batch.tokens,
            )
            conn.executemany("UPDATE tokens SET revoked_at = ? WHERE id = ?", batch.revoked)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLITE_FULL, IOERR...: SQLite may have rolled it back
                conn.execute("ROLLBACK")
            raise

    # ---- loading at start ---------------------------------------------------------------------

    async def load_tournaments(self) -> dict[str, Tournament]:
        db = self._db()
        out: dict[str, Tournament] = {}
        async with db.execute("SELECT doc FROM tournaments") as cur:
            async for (doc,) in cur:
                t = Tournament.from_dict(orjson.loads(doc))
                out[t.id] = t
        sql = "SELECT tournament_id, doc FROM matches ORDER BY tournament_id, pos"
        async with db.execute(sql) as cur:
            async for tid, doc in cur:
                if tid in out:
                    m = Match.from_dict(orjson.loads(doc))
                    out[tid].matches[m.id] = m
        return out

    async def load_tokens(self) -> list[dict[str, Any]]:
        db = self._db()
        db.row_factory = aiosqlite.Row
        try:
            async with db.execute("SELECT * FROM tokens") as cur:
                return [dict(row) async for row in cur]
        finally:
            db.row_factory = None

    async def max_seq(self) -> int:
        async with self._db().execute("SELECT COALESCE(MAX(seq), 0) FROM events") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def get_meta(self, key: str) -> str | None:
        async with self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self._db().execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # ---- reads ------------------------------------------------------------------------------

    async def events_after(self, tid: str, after: int, limit: int) -> list[dict[str, Any]]:
        sql = (
            "SELECT seq, doc FROM events"
            " WHERE tournament_id = ? AND seq > ? AND type NOT LIKE 'token.%'"
            " ORDER BY seq LIMIT ?"
        )
        async with self._reader().execute(sql, (tid, after, limit)) as cur:
            rows: Iterable[Any] = await cur.fetchall()
        out = []
        for seq, doc in rows:
            d = orjson.loads(doc)
            d["seq"] = seq
            out.append(d)
        return out

    async def count_events(self, ids: list[str] | None = None) -> int:
        """How many events are stored (or how many of ``ids``): for tests and benchmarks."""
        reader = self._reader()
        if ids is None:
            sql, args = "SELECT COUNT(*) FROM events", ()
            async with reader.execute(sql, args) as cur:
                row = await cur.fetchone()
            return int(row[0]) if row else 0
        total = 0
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            sql = f"SELECT COUNT(*) FROM events WHERE id IN ({','.join('?' * len(chunk))})"
            async with reader.execute(sql, chunk) as cur:
                row = await cur.fetchone()
            total += int(row[0]) if row else 0
        return total

    async def writable(self) -> bool:
        try:
            await self._db().execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('ping', '1')"
            )
            return True
        except sqlite3.Error:
            return False
