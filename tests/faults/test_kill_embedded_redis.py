"""Fault 2: SIGKILL of the embedded Valkey mid-ingest; its supervisor restarts it from its
append-only file and the client's retries go through."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.faults.load import Sender, live_tournament, metric, settle_and_count, wait_ready


def redis_pid(data_dir: Path) -> int:
    return int((data_dir / "redis" / "redis.pid").read_text().strip())


@pytest.mark.slow
def test_sigkill_of_embedded_redis_mid_ingest_loses_nothing_acknowledged(
    make_server: Any,
) -> None:
    server = make_server().start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    before = redis_pid(server.data_dir)
    sender = Sender(server.url, tid, mids, batches=200, prefix="vkill")
    sender.start()
    try:
        sender.wait_acked(600)
        os.kill(before, signal.SIGKILL)
        sender.wait_status(503, timeout=10)
        body = wait_ready(server, timeout=20)  # the supervisor restarted it
        assert body["redis"] == "ok"
        sender.finish()
    finally:
        sender.halt.set()
    after = redis_pid(server.data_dir)
    assert after != before
    deadline = time.monotonic() + 5  # the metric is refreshed every 2 s
    while metric(server, "tourney_embedded_redis_restarts_total") < 1:
        assert time.monotonic() < deadline, "the restart was not counted"
        time.sleep(0.2)
    assert set(sender.retry_after) <= {"1"}, sender.retry_after
    settle_and_count("embedded Valkey SIGKILL", server, sender)
