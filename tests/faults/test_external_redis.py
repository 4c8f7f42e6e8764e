"""Fault 3: an external Redis (a valkey-server the test runs on a Unix socket) unreachable at
start, and lost mid-ingest. Reads are served throughout; writes get 503 with Retry-After and
/readyz is 503 while it is away; recovery is automatic when it is back."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from tests.conftest import Server
from tests.faults.load import (
    ExternalValkey,
    Sender,
    live_tournament,
    readyz,
    settle_and_count,
    start_unready,
    wait_ready,
)


def external(make_server: Any, valkey: ExternalValkey, prefix: str) -> Server:
    server: Server = make_server(
        env={"TOURNEY_REDIS_URL": valkey.url, "TOURNEY_REDIS_KEY_PREFIX": prefix}
    )
    return server


def one_tick(tid: str, mid: str, n: int) -> list[dict[str, Any]]:
    return [{"id": f"probe-{n}", "tournament_id": tid, "match_id": mid, "scores": [n, 0]}]


@pytest.mark.slow
def test_external_redis_unreachable_at_start(
    make_server: Any, external_valkey: ExternalValkey, key_prefix: str
) -> None:
    external_valkey.start()
    server = external(make_server, external_valkey, key_prefix).start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    server.stop()
    external_valkey.stop()  # SIGTERM: its append-only file is complete

    start_unready(server)  # Redis is down: reads come from SQLite's state
    with server.client() as c:
        r = c.get(f"/api/v1/tournaments/{tid}")
        assert r.status_code == 200, r.text
        assert {m["id"] for m in r.json()["matches"]} >= set(mids)
        assert tid in {t["id"] for t in c.get("/api/v1/tournaments").json()["items"]}
        r = c.post("/api/v1/events", json=one_tick(tid, mids[0], 1))
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
    status, body = readyz(server)
    assert status == 503
    assert body["recovered"] is False
    assert body["redis"].startswith("unreachable"), body

    sender = Sender(server.url, tid, mids, batches=50, prefix="xstart")
    sender.start()
    try:
        sender.wait_status(503, timeout=10)
        time.sleep(0.5)  # a few more refused retries
        external_valkey.start()  # same --dir, appendonly yes: its stream and group are back
        body = wait_ready(server, timeout=20)  # no restart of tourney: recovery is automatic
        assert body["recovered"] is True and body["redis"] == "ok"
        sender.finish()
    finally:
        sender.halt.set()
    assert "missing" not in sender.retry_after
    settle_and_count("external Redis down at start", server, sender)


@pytest.mark.slow
def test_external_redis_lost_mid_ingest(
    make_server: Any, external_valkey: ExternalValkey, key_prefix: str
) -> None:
    external_valkey.start()
    server = external(make_server, external_valkey, key_prefix).start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    sender = Sender(server.url, tid, mids, batches=200, prefix="xkill")
    sender.start()
    try:
        sender.wait_acked(600)
        external_valkey.stop(signal.SIGKILL)
        sender.wait_status(503, timeout=10)
        with server.client() as c:
            r = c.get(f"/api/v1/tournaments/{tid}")
            assert r.status_code == 200, r.text
            r = c.post("/api/v1/events", json=one_tick(tid, mids[0], 1))
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) >= 1
        assert readyz(server)[0] == 503
        time.sleep(0.5)  # a few more refused retries
        external_valkey.start()  # appendfsync always: nothing it acknowledged was lost
        wait_ready(server, timeout=20)
        sender.finish()
    finally:
        sender.halt.set()
    assert "missing" not in sender.retry_after
    settle_and_count("external Redis SIGKILL", server, sender)
