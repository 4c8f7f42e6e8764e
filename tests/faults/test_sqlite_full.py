"""Fault 4: SQLite full (a cap on the database's pages gives the writer SQLITE_FULL exactly as a
full disk would). The writer keeps retrying without acknowledging, /readyz says why, writes get
503 once the backlog passes its bound; a graceful stop leaves the entries in the stream and a
restart without the cap stores every one of them.

A read-only database file is not tested: the suite runs as root, for whom chmod does not stop
writes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.faults.load import Sender, live_tournament, metric, readyz, settle_and_count, stored_ids

CAP = {"TOURNEY_PIPELINE_SQLITE_MAX_PAGES": "40", "TOURNEY_PIPELINE_BACKLOG_LIMIT": "2000"}


@pytest.mark.slow
def test_sqlite_full_keeps_every_acknowledged_event_until_there_is_room(
    make_server: Any,
) -> None:
    server = make_server(env=CAP).start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    sender = Sender(server.url, tid, mids, batches=120, size=50, prefix="full")
    sender.start()
    try:
        sender.wait_status(503, timeout=30)  # the backlog passed its bound
        acked_at_bound = len(sender.acked)
        time.sleep(1.0)  # the writer keeps retrying; every write meanwhile is refused
        assert len(sender.acked) == acked_at_bound
        assert metric(server, 'tourney_writer_errors_total{store="sqlite"}') >= 2
        status, body = readyz(server)
        assert status == 503
        assert "database or disk is full" in body["sqlite"], body
        assert body["backlog"] > 2000, body
        acked_when_full = len(sender.acked)
        started = time.monotonic()
        server.stop()  # SIGTERM: the writer cannot drain, the stream keeps it all
        stop_seconds = time.monotonic() - started
        log = server.log.read_text()
        assert "stays in the stream" in log and "Application shutdown complete" in log
        assert stop_seconds < 15, "the stop waited on a writer that cannot commit"
        db = server.data_dir / "tourney.sqlite3"
        stored_when_full = len(stored_ids(db, sender.prefix))
        assert stored_when_full < acked_when_full
        print(
            f"\n[fault SQLite full] at the stop: acknowledged={acked_when_full}"
            f" stored={stored_when_full} readyz.sqlite={body['sqlite']!r}"
            f" backlog={body['backlog']} graceful stop took {stop_seconds:.1f} s"
        )
        for name in CAP:
            del server.env[name]
        server.start()  # same port and data directory, no cap
        sender.finish()
    finally:
        sender.halt.set()
    settle_and_count("SQLite full", server, sender)
