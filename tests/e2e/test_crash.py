"""kill -9 during ingest: every acknowledged event is in SQLite exactly once after a restart."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ADMIN
from tests.helpers import ready_matches, started


class Sender(threading.Thread):
    """Sends live ticks with ids in batches; on any error, retries the same batch (same ids)."""

    def __init__(self, url: str, tid: str, mids: list[str], batches: int) -> None:
        super().__init__(daemon=True)
        self.url, self.tid, self.mids, self.batches = url, tid, mids, batches
        self.acked: set[str] = set()
        self.sent: set[str] = set()
        self.errors = 0
        self.stop_at = time.monotonic() + 60

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=2) as c:
            for b in range(self.batches):
                ticks = [{"id": f"tick-{b}-{i}", "tournament_id": self.tid,
                          "match_id": self.mids[i % len(self.mids)], "scores": [b, i]}
                         for i in range(20)]  # fmt: skip
                while time.monotonic() < self.stop_at:
                    self.sent.update(t["id"] for t in ticks)
                    try:
                        r = c.post("/api/v1/events", json=ticks)
                        if r.status_code == 202:
                            self.acked.update(t["id"] for t in ticks)
                            break
                    except httpx.HTTPError:
                        pass
                    self.errors += 1
                    time.sleep(0.05)


def stored(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM events WHERE id LIKE 'tick-%'")]


def test_kill_9_during_ingest_loses_and_duplicates_nothing(
    make_server: Any, tmp_path: Path
) -> None:
    server = make_server().start()
    with server.client() as c:
        t = started(c, 8)
        mids = [m["id"] for m in ready_matches(c, t["id"])]
    sender = Sender(server.url, t["id"], mids, batches=150)
    sender.start()
    while len(sender.acked) < 600 and sender.is_alive():
        time.sleep(0.01)
    server.kill()  # SIGKILL: no drain, no goodbye; the embedded Valkey follows its parent
    time.sleep(0.5)
    server.start()  # same data directory: recovery re-applies what SQLite lacks
    sender.join(90)
    assert not sender.is_alive()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready = httpx.get(server.url + "/readyz").json()
        if ready["backlog"] == 0:
            break
        time.sleep(0.2)
    server.stop()
    ids = stored(server.data_dir / "tourney.sqlite3")
    assert len(sender.acked) == 150 * 20
    assert len(ids) == len(set(ids)), "an event was stored twice"
    missing = sender.acked - set(ids)
    assert not missing, f"{len(missing)} acknowledged events lost"
    assert sender.errors > 0, "the kill should have interrupted the sender"
