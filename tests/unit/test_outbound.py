"""The pieces of a webhook delivery that need no network: the signature (checked by the
Standard Webhooks library, not by us), which addresses the guard lets through, Retry-After,
the backoff schedule, and telling live ticks apart in the raw stream."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import ipaddress
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from app.config import WebhooksConfig
from app.domain.events import Event, EventType
from app.outbound import Guard, Refused, networks, new_secret, retry_after, sign
from app.pipeline.dispatcher import backoff, is_tick
from app.pipeline.stream import encode


def test_signatures_verify_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    body = '{"type":"match.result","data":{"name":"Zoë ⚽"}}'.encode()
    now = int(time.time())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now),
               "webhook-signature": sign(secret, "msg_1", now, body)}  # fmt: skip
    assert Webhook(secret).verify(body.decode(), headers) == {
        "type": "match.result", "data": {"name": "Zoë ⚽"}}  # fmt: skip
    for tamper in ({"webhook-id": "msg_2"}, {"webhook-timestamp": str(now - 1)}):
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body.decode(), {**headers, **tamper})
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body.decode(), headers)
    # the library's own signer agrees byte for byte
    assert Webhook(secret).sign("msg_1", datetime.fromtimestamp(now, UTC), body.decode()) == \
        headers["webhook-signature"]  # fmt: skip


@pytest.mark.parametrize(("address", "allowed"), [
    ("93.184.215.14", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.20", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("255.255.255.255", False), ("::1", False), ("fe80::1", False), ("fd00::1", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("::", False),
    ("192.0.2.1", False),
])  # fmt: skip
def test_the_guard_lets_only_public_addresses_through(address: str, allowed: bool) -> None:
    assert Guard().permits(ipaddress.ip_address(address)) is allowed


def test_allowed_networks_open_what_they_name() -> None:
    guard = Guard(networks("192.168.1.0/24, 127.0.0.1/32"))
    assert guard.permits(ipaddress.ip_address("192.168.1.50"))
    assert guard.permits(ipaddress.ip_address("127.0.0.1"))
    assert guard.permits(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not guard.permits(ipaddress.ip_address("192.168.2.1"))
    assert not guard.permits(ipaddress.ip_address("127.0.0.2"))


def test_the_guard_resolves_names_and_refuses_local_ones() -> None:
    async def main() -> None:
        with pytest.raises(Refused, match="private or local"):
            await Guard().addresses("http://localhost:8080/hook")
        with pytest.raises(Refused, match="private or local"):
            await Guard().addresses("http://[::1]/hook")
        with pytest.raises(Refused, match="does not resolve"):
            await Guard().addresses("https://no-such-host.invalid/hook")
        loopback = Guard(networks("127.0.0.0/8,::1/128"))
        found = await loopback.addresses("http://localhost:8080/hook")
        assert ipaddress.ip_address("127.0.0.1") in found
        assert await Guard().addresses("https://93.184.215.14/x") == [
            ipaddress.ip_address("93.184.215.14")]  # fmt: skip

    asyncio.run(main())


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = 1_700_000_000.0
    assert retry_after("120", now) == 120.0
    assert retry_after("1.5", now) == 1.5
    assert retry_after("-3", now) == 0.0
    assert retry_after(None, now) is None and retry_after("soon", now) is None
    date = "Tue, 14 Nov 2023 22:14:20 GMT"  # 1_700_000_060
    assert retry_after(date, now) == pytest.approx(60.0)


def test_backoff_doubles_up_to_its_cap_and_spans_about_a_day() -> None:
    cfg = WebhooksConfig()
    waits = [backoff(cfg, n, None) for n in range(1, 40)]
    assert waits[:4] == [5.0, 10.0, 20.0, 40.0]
    assert max(waits) == cfg.retry_max_interval_seconds
    total, attempts = 0.0, 0
    while total + backoff(cfg, attempts + 1, None) <= cfg.retry_window_seconds:
        attempts += 1
        total += backoff(cfg, attempts, None)
    assert 15 <= attempts <= 30 and total > 20 * 3600  # retried for most of a day
    assert backoff(cfg, 1, 600.0) == 600.0  # the receiver's Retry-After, when longer
    assert backoff(cfg, 1, 1e9) == cfg.retry_max_interval_seconds
    fast = dataclasses.replace(cfg, retry_initial_seconds=0.1, retry_max_interval_seconds=0.4)
    assert [backoff(fast, n, None) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.4, 0.4]


@pytest.mark.parametrize(("etype", "eid", "data"), [
    ("match.live", "tk_1", {"match_id": "m", "scores": [1, 0], "detail": {"type": "x"}}),
    ("match.live", 'odd "type":"match.result" id', {"match_id": "m", "scores": [1, 0]}),
    ("match.result", "ev_1", {"match_id": "m", "detail": {"type": "match.live"}}),
    ("match.result", 'odd "type":"match.live" id', {"match_id": "m"}),
    ("tournament.updated", "ev_2", {"settings": {"type": "match.live"}}),
])  # fmt: skip
def test_ticks_are_told_apart_in_the_raw_stream(
    etype: str, eid: str, data: dict[str, object]
) -> None:
    e = Event(eid, 1, EventType(etype), "t1", "2026-01-01T00:00:00Z", data)
    raw = {b"s": b"1", b"e": encode(e).encode()}
    assert is_tick(raw) is (etype == "match.live")
