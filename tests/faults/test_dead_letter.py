"""Fault 5: an entry the writer cannot store (not JSON) is injected into the stream during
ingest. It goes to the dead-letter stream with a log line and a metric, the events behind it are
stored, and a restart over a stream that still holds it recovers."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from app.pipeline.redis_server import EmbeddedRedis
from tests.faults.load import (
    ExternalValkey,
    Sender,
    live_tournament,
    metric,
    settle_and_count,
    wait_drained,
)

PREFIX = "tourney:"  # the default key prefix of the embedded server


@pytest.mark.slow
def test_an_entry_the_writer_cannot_store_is_dead_lettered(make_server: Any) -> None:
    server = make_server().start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    sock = EmbeddedRedis(server.data_dir).socket  # the embedded server's own socket
    sender = Sender(server.url, tid, mids, batches=100, prefix="dl")
    sender.start()
    with redis.Redis(unix_socket_path=str(sock), socket_timeout=5) as r:
        try:
            sender.wait_acked(400)
            seq = r.incr(PREFIX + "seq")
            r.xadd(PREFIX + "events", {"s": seq, "e": "{not json"})
            sender.finish()
        finally:
            sender.halt.set()
        deadline = time.monotonic() + 10
        while r.xlen(PREFIX + "dead") < 1:
            assert time.monotonic() < deadline, "nothing reached the dead-letter stream"
            time.sleep(0.1)
        assert r.xlen(PREFIX + "dead") == 1
        ((_, fields),) = r.xrange(PREFIX + "dead")
        assert fields[b"e"] == b"{not json" and b"JSONDecodeError" in fields[b"reason"]
    assert metric(server, "tourney_dead_letters_total") == 1
    assert "event sent to the dead-letter stream" in server.log.read_text()
    settle_and_count("dead letter", server, sender)


@pytest.mark.slow
def test_a_restart_over_an_entry_it_cannot_read_recovers(
    make_server: Any, external_valkey: ExternalValkey, key_prefix: str
) -> None:
    """Trimming is approximate and a kill can come between the dead-letter and the ack, so the
    stream can still hold an unreadable entry when tourney starts: recovery replays the stream
    and must step over it as the writer does. (External Redis here, so the test can write to the
    stream while tourney is down.)"""
    external_valkey.start()
    env = {"TOURNEY_REDIS_URL": external_valkey.url, "TOURNEY_REDIS_KEY_PREFIX": key_prefix}
    server = make_server(env=env).start()
    with server.client() as c:
        tid, mids = live_tournament(c)
    server.stop()
    with redis.Redis(unix_socket_path=str(external_valkey.socket), socket_timeout=5) as r:
        r.xadd(key_prefix + "events", {"s": r.incr(key_prefix + "seq"), "e": "{not json"})
        server.start()  # waits for /readyz 200: recovery got past the entry
        sender = Sender(server.url, tid, mids, batches=10, prefix="dlr")
        sender.start()
        sender.finish(30)
        wait_drained(server)
        assert r.xlen(key_prefix + "dead") == 1
    settle_and_count("restart over an unreadable entry", server, sender)
