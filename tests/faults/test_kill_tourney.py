"""Fault 1: SIGKILL of tourney mid-ingest, restart on the same data directory."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.faults.load import Sender, live_tournament, settle_and_count


@pytest.mark.slow
def test_sigkill_of_tourney_mid_ingest_loses_nothing_acknowledged(make_server: Any) -> None:
    server = make_server().start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    sender = Sender(server.url, tid, mids, batches=150, prefix="kill")
    sender.start()
    try:
        sender.wait_acked(600)
        server.kill()  # no drain, no goodbye; the embedded Valkey dies with its parent
        time.sleep(0.5)
        server.start()  # same data directory and port: recovery re-applies what SQLite lacks
        sender.finish()
    finally:
        sender.halt.set()
    assert sender.conn_errors > 0, "the kill should have interrupted the sender"
    settle_and_count("tourney SIGKILL", server, sender)
