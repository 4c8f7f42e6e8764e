"""SQLite: every SQL statement lives here. One connection writes (the writer's), one reads.

Tables: ``events`` (every applied event, keyed by id and by seq: a redelivered event is ignored),
``tournaments`` and ``matches`` (the current state the reads and a restart need, as JSON documents,
with the seq of the last event folded into them), ``tokens``, ``webhooks`` (the endpoints, secrets
included), ``meta``; and ``deliveries``, the webhook outbox, whose statements are in outbox.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from .codec import dumps_text, loads
from .domain.endpoints import Endpoint
from .domain.events import Event, public_data
from .domain.models import Match, Tournament

SCHEMA_VERSION = 4

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
  seq INTEGER NOT NULL DEFAULT 0,
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
  revoked_at TEXT,
  station_id TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

WEBHOOK_TABLES = [
    """CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  tournament_id TEXT,
  doc TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS webhooks_by_tournament ON webhooks (tournament_id)",
    # the outbox: one row per message per endpoint, in the order the events came (pos)
    """CREATE TABLE IF NOT EXISTS deliveries (
  pos INTEGER PRIMARY KEY,
  endpoint_id TEXT NOT NULL,
  msg_id TEXT NOT NULL,
  type TEXT NOT NULL,
  seq INTEGER NOT NULL,
  doc TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL,
  next_at REAL NOT NULL,
  first_at REAL,
  last_at REAL,
  last_status INTEGER,
  last_error TEXT,
  done_at REAL,
  UNIQUE (endpoint_id, msg_id)
)""",
    "CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (status, endpoint_id, pos)",
    "CREATE INDEX IF NOT EXISTS deliveries_log ON deliveries (endpoint_id, pos)",
]
SCHEMA += "".join(statement + ";\n" for statement in WEBHOOK_TABLES)

# MIGRATIONS[n]: the statements that take a version n-1 database to version n. A fresh database
# is created at SCHEMA_VERSION directly by SCHEMA; keep the two in step.
MIGRATIONS: dict[int, list[str]] = {
    # the seq of the last event that changed each match: a writer that lost its lease mid-batch
    # can never put an older match over a newer one
    2: ["ALTER TABLE matches ADD COLUMN seq INTEGER NOT NULL DEFAULT 0"],
    3: WEBHOOK_TABLES,  # webhook endpoints and their outbox
    4: ["ALTER TABLE tokens ADD COLUMN station_id TEXT"],  # a referee's token at its station
}


class SchemaTooNew(RuntimeError):
    pass


async def migration_step(db: aiosqlite.Connection, statement: str) -> None:
    """One statement of a migration. A column it adds may be there already: a table missing
    from an old database is made by ``SCHEMA`` as it is now, new columns included."""
    try:
        await db.execute(statement)
    except sqlite3.OperationalError as exc:
        if not (statement.startswith("ALTER TABLE") and "duplicate column" in str(exc)):
            raise


@dataclass
class Batch:
    """What one writer transaction stores."""

    events: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    tournaments: dict[str, Tournament] = field(default_factory=dict)
    matches: dict[str, set[str]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    cleared: set[str] = field(default_factory=set)  # tournaments whose old matches are gone
    tokens: list[dict[str, Any]] = field(default_factory=list)
    revoked: list[tuple[str, str]] = field(default_factory=list)
    webhooks: dict[str, Endpoint | None] = field(default_factory=dict)  # None: deleted


def tournament_doc(t: Tournament) -> str:
    """The tournament's row: everything but its matches, which have rows of their own. Built
    without them: the writer stores this on every batch that touches the tournament, and
    encoding 2,016 matches to drop them held the GIL for milliseconds at a time (the readers'
    latency tail, bench/reads.py)."""
    return dumps_text(t.to_record(matches=False))


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
                await migration_step(db, statement)
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
            for tid in batch.cleared:
                conn.execute("DELETE FROM matches WHERE tournament_id = ?", (tid,))
            for t in batch.tournaments.values():
                conn.execute(
                    "INSERT INTO tournaments (id, seq, doc) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, doc = excluded.doc"
                    " WHERE excluded.seq >= tournaments.seq",
                    (t.id, t.seq, tournament_doc(t)),
                )
                ids = batch.matches.get(t.id)
                if ids:
                    pos = {mid: i for i, mid in enumerate(t.matches)}
                    rows = [(t.id, mid, pos[mid], dumps_text(m.to_dict()), m.seq)
                            for mid in ids if (m := t.matches.get(mid))]  # fmt: skip
                    conn.executemany(
                        "INSERT INTO matches (tournament_id, id, pos, doc, seq)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tournament_id, id)"
                        " DO UPDATE SET doc = excluded.doc, seq = excluded.seq"
                        " WHERE excluded.seq >= matches.seq",
                        rows,
                    )
            for tid in batch.deleted:
                conn.execute("DELETE FROM tournaments WHERE id = ?", (tid,))
                conn.execute("DELETE FROM matches WHERE tournament_id = ?", (tid,))
            Store._write_webhooks(conn, batch.webhooks)
            conn.executemany(
                "INSERT OR IGNORE INTO tokens (id, hash, tournament_id, scope, label, created_at,"
                " expires_at, station_id) VALUES (:id, :hash, :tournament_id, :scope, :label,"
                " :created_at, :expires_at, :station_id)",
                [{"station_id": None, **row} for row in batch.tokens],
            )
            conn.executemany("UPDATE tokens SET revoked_at = ? WHERE id = ?", batch.revoked)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLITE_FULL, IOERR...: SQLite may have rolled it back
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _write_webhooks(conn: sqlite3.Connection, webhooks: dict[str, Endpoint | None]) -> None:
        for eid, ep in webhooks.items():
            if ep is None:
                conn.execute("DELETE FROM webhooks WHERE id = ?", (eid,))
            else:
                conn.execute(
                    "INSERT INTO webhooks (id, tournament_id, doc) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                    (eid, ep.tournament_id, dumps_text(ep.to_doc())),
                )

    # ---- loading at start ---------------------------------------------------------------------

    async def load_tournaments(self, tids: list[str] | None = None) -> dict[str, Tournament]:
        """Every tournament SQLite holds (or those of ``tids``), whole."""
        whole, _ = await self.load_partly(tids)
        return whole

    async def load_partly(
        self, tids: list[str] | None = None, leave: Callable[[Tournament], bool] | None = None
    ) -> tuple[dict[str, Tournament], list[Tournament]]:
        """The tournaments, whole; but those ``leave`` picks come without their matches."""
        db = self._db()
        whole: dict[str, Tournament] = {}
        left: list[Tournament] = []
        sql, args = "SELECT doc FROM tournaments", tuple[str, ...]()
        if tids is not None:
            sql, args = f"{sql} WHERE id IN ({','.join('?' * len(tids))})", tuple(tids)
        async with db.execute(sql, args) as cur:
            async for (doc,) in cur:
                t = Tournament.from_dict(loads(doc))
                if leave is not None and leave(t):
                    left.append(t)
                else:
                    whole[t.id] = t
        if whole:
            await self._load_matches(whole, tids)
        return whole, left

    async def _load_matches(self, into: dict[str, Tournament], tids: list[str] | None) -> None:
        sql, args = "SELECT tournament_id, doc FROM matches", tuple[str, ...]()
        if tids is not None:
            sql, args = f"{sql} WHERE tournament_id IN ({','.join('?' * len(tids))})", tuple(tids)
        async with self._db().execute(sql + " ORDER BY tournament_id, pos", args) as cur:
            async for tid, doc in cur:
                t = into.get(tid)
                if t is not None:
                    m = Match.from_dict(loads(doc))
                    t.matches[m.id] = m
        for t in into.values():
            t.count_open_matches()

    async def load_tokens(self) -> list[dict[str, Any]]:
        db = self._db()
        db.row_factory = aiosqlite.Row
        try:
            async with db.execute("SELECT * FROM tokens") as cur:
                return [dict(row) async for row in cur]
        finally:
            db.row_factory = None

    async def load_webhooks(self) -> list[Endpoint]:
        async with self._db().execute("SELECT doc FROM webhooks ORDER BY rowid") as cur:
            return [Endpoint.from_doc(loads(doc)) async for (doc,) in cur]

    async def events_upto(self, tid: str, seq: int) -> list[Event]:
        """The stored events of tournament ``tid`` (``""``: the server's own, tokens and webhook
        endpoints) up to ``seq``, in seq order, live score ticks left out."""
        sql = ("SELECT seq, doc FROM events WHERE tournament_id = ? AND seq <= ?"
               " AND type != 'match.live' ORDER BY seq")  # fmt: skip
        async with self._db().execute(sql, (tid, seq)) as cur:
            rows: Iterable[Any] = await cur.fetchall()
        return [Event.from_dict({**loads(doc), "seq": s}) for s, doc in rows]

    async def tournaments_after(self, seq: int) -> list[str]:
        """The tournaments with a stored event after ``seq``."""
        sql = "SELECT DISTINCT tournament_id FROM events WHERE seq > ? AND tournament_id != ''"
        async with self._db().execute(sql, (seq,)) as cur:
            return [str(tid) async for (tid,) in cur]

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
        sql = "SELECT seq, doc FROM events WHERE tournament_id = ? AND seq > ? ORDER BY seq LIMIT ?"
        async with self._reader().execute(sql, (tid, after, limit)) as cur:
            rows: Iterable[Any] = await cur.fetchall()
        out = []
        for seq, doc in rows:
            d = loads(doc)
            d["seq"] = seq
            d["data"] = public_data(d.get("data") or {})
            out.append(d)
        return out

    async def event_log(self, tid: str, upto: int) -> list[dict[str, Any]]:
        """A tournament's events up to ``upto``, in seq order, with their private data: what
        an export holds."""
        sql = "SELECT seq, doc FROM events WHERE tournament_id = ? AND seq <= ? ORDER BY seq"
        async with self._reader().execute(sql, (tid, upto)) as cur:
            rows: Iterable[Any] = await cur.fetchall()
        return [{**loads(doc), "seq": seq} for seq, doc in rows]
