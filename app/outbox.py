"""The webhook outbox in SQLite (table ``deliveries``, created by store.py's schema): every
message for every endpoint, in the order its events came, with its delivery log.

The dispatcher writes through the store's write connection (one thread: its statements never
interleave with a writer transaction); the API reads the log through the read connection.
A multi-statement transaction runs in one hop to the connection's thread, as the writer's do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from .codec import dumps_text, loads
from .store import Store

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
COLUMNS = ("pos, endpoint_id, msg_id, type, seq, doc, status, attempts, created_at, next_at,"
           " first_at, last_at, last_status, last_error, done_at")  # fmt: skip


@dataclass(slots=True)
class Delivery:
    pos: int
    endpoint_id: str
    msg_id: str
    type: str
    seq: int
    doc: dict[str, Any]
    status: str
    attempts: int
    created_at: float
    next_at: float
    first_at: float | None
    last_at: float | None
    last_status: int | None
    last_error: str | None
    done_at: float | None

    @classmethod
    def from_row(cls, row: Iterable[Any]) -> Delivery:
        values = list(row)
        values[5] = loads(values[5])
        return cls(*values)


@dataclass(frozen=True, slots=True)
class Queued:
    """A message to enqueue for one endpoint."""

    endpoint_id: str
    msg_id: str
    type: str
    seq: int
    doc: dict[str, Any]


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _db(self) -> aiosqlite.Connection:
        assert self.store.db is not None, "store not open"
        return self.store.db

    def _reader(self) -> aiosqlite.Connection:
        assert self.store.reader is not None, "store not open"
        return self.store.reader

    async def enqueue(self, rows: list[Queued], checkpoint: int, dropped: list[str],
                      now: float) -> None:  # fmt: skip
        """In one transaction: the new messages (a message already there is kept as it is),
        the deliveries of endpoints that are gone removed, and the seq the dispatcher has
        handled (``webhooks_seq``)."""
        db = self._db()
        run_in_thread: Any = db._execute
        await run_in_thread(self._enqueue_sync, db._conn, rows, checkpoint, dropped, now)

    @staticmethod
    def _enqueue_sync(conn: sqlite3.Connection, rows: list[Queued], checkpoint: int,
                      dropped: list[str], now: float) -> None:  # fmt: skip
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO deliveries (endpoint_id, msg_id, type, seq, doc, status,"
                " created_at, next_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                [(r.endpoint_id, r.msg_id, r.type, r.seq, dumps_text(r.doc), now, now)
                 for r in rows],
            )  # fmt: skip
            conn.executemany("DELETE FROM deliveries WHERE endpoint_id = ?",
                             [(eid,) for eid in dropped])  # fmt: skip
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('webhooks_seq', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(checkpoint),),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    async def checkpoint(self) -> int | None:
        value = await self.store.get_meta("webhooks_seq")
        return int(value) if value is not None else None

    async def heads(self) -> list[Delivery]:
        """The oldest pending delivery of each endpoint: the one that goes next."""
        sql = (f"SELECT {COLUMNS} FROM deliveries WHERE pos IN (SELECT MIN(pos) FROM deliveries"
               " WHERE status = 'pending' GROUP BY endpoint_id)")  # fmt: skip
        async with self._db().execute(sql) as cur:
            return [Delivery.from_row(r) async for r in cur]

    async def head(self, endpoint_id: str) -> Delivery | None:
        sql = (f"SELECT {COLUMNS} FROM deliveries WHERE status = 'pending' AND endpoint_id = ?"
               " ORDER BY pos LIMIT 1")  # fmt: skip
        async with self._db().execute(sql, (endpoint_id,)) as cur:
            row = await cur.fetchone()
        return Delivery.from_row(row) if row is not None else None

    async def record(self, d: Delivery) -> None:
        """Store an attempt's outcome (``d`` as the dispatcher updated it)."""
        await self._db().execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, first_at = ?,"
            " last_at = ?, last_status = ?, last_error = ?, done_at = ? WHERE pos = ?",
            (d.status, d.attempts, d.next_at, d.first_at, d.last_at, d.last_status,
             d.last_error, d.done_at, d.pos),
        )  # fmt: skip

    async def prune(self, endpoint_id: str, keep: int) -> None:
        """Keep the newest ``keep`` finished deliveries of an endpoint (pending ones stay)."""
        await self._db().execute(
            "DELETE FROM deliveries WHERE endpoint_id = ? AND status != 'pending' AND pos <="
            " (SELECT pos FROM deliveries WHERE endpoint_id = ? AND status != 'pending'"
            " ORDER BY pos DESC LIMIT 1 OFFSET ?)",
            (endpoint_id, endpoint_id, keep),
        )

    async def backlog(self, endpoint_ids: list[str]) -> tuple[int, float | None]:
        """Pending deliveries of these endpoints, and when the oldest of them was first
        attempted (or stored, if not attempted yet)."""
        if not endpoint_ids:
            return 0, None
        marks = ",".join("?" * len(endpoint_ids))
        sql = ("SELECT COUNT(*), MIN(COALESCE(first_at, created_at)) FROM deliveries"
               f" WHERE status = 'pending' AND endpoint_id IN ({marks})")  # fmt: skip
        async with self._db().execute(sql, endpoint_ids) as cur:
            row = await cur.fetchone()
        return (int(row[0]), row[1]) if row else (0, None)

    # ---- the API's reads ----------------------------------------------------------------------

    async def log(self, endpoint_id: str, status: str | None, limit: int,
                  before: int | None) -> list[Delivery]:  # fmt: skip
        """An endpoint's deliveries, newest first (``before``: a ``pos`` to page from)."""
        sql = f"SELECT {COLUMNS} FROM deliveries WHERE endpoint_id = ?"
        args: list[Any] = [endpoint_id]
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if before is not None:
            sql += " AND pos < ?"
            args.append(before)
        sql += " ORDER BY pos DESC LIMIT ?"
        args.append(limit)
        async with self._reader().execute(sql, args) as cur:
            return [Delivery.from_row(r) async for r in cur]

    async def counts(self, endpoint_ids: list[str]) -> dict[str, dict[str, int]]:
        """Deliveries by status, per endpoint."""
        out: dict[str, dict[str, int]] = {eid: {PENDING: 0, DELIVERED: 0, FAILED: 0}
                                          for eid in endpoint_ids}  # fmt: skip
        if not endpoint_ids:
            return out
        marks = ",".join("?" * len(endpoint_ids))
        sql = (f"SELECT endpoint_id, status, COUNT(*) FROM deliveries WHERE endpoint_id IN"
               f" ({marks}) GROUP BY endpoint_id, status")  # fmt: skip
        async with self._reader().execute(sql, endpoint_ids) as cur:
            async for eid, status, n in cur:
                out[eid][status] = int(n)
        return out
