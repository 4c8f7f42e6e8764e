"""The webhook dispatcher on a real Valkey and a real SQLite file, sending to a real HTTP server
on loopback, driven step by step (burst mode): order, signatures, retries, giving up, restarts
on either side of SQLite, trimming, and the address check at delivery."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from app import store as store_mod
from app.domain.commands import CommandName
from app.domain.endpoints import Endpoint
from app.domain.events import EventType
from app.outbound import new_secret
from app.outbox import Queued
from app.pipeline.stream import WEBHOOKS
from app.service import new_id
from app.store import Store
from tests.conftest import Valkey
from tests.receiver import Receiver, firsts

from .rig import Rig

LOOPBACK = {"allowed_networks": "127.0.0.0/8"}
FAST = {**LOOPBACK, "retry_initial_seconds": 0.05, "retry_max_interval_seconds": 0.2}
NIGHT = [  # a four-player single elimination, as its webhooks tell it
    "participant.added", "tournament.started", "match.ready", "match.ready", "match.result",
    "match.result", "match.ready", "match.result", "tournament.completed",
]  # fmt: skip


async def endpoint(rig: Rig, url: str, tid: str | None, **fields: Any) -> Endpoint:
    data = {"id": new_id("wh_"), "tournament_id": tid, "url": url, "format": "standard",
            "types": ["*"], "secret": new_secret(), "description": "", "enabled": True,
            **fields}  # fmt: skip
    await rig.svc.record(EventType.WEBHOOK_CREATED, data, None)
    return rig.rt.webhooks.by_id[data["id"]]


async def pending_tournament(rig: Rig, n: int = 4) -> str:
    """A new tournament of ``n``; first, the dispatcher starts (as the runtime starts it), so
    what follows is news to it."""
    await rig.dispatcher.step()
    out = await rig.svc.create({"name": "Friday Cup"}, None)
    tid = out.event.tournament_id
    if n:
        await rig.run(CommandName.ADD_PARTICIPANTS, tid, [{"name": f"P{i + 1}"} for i in range(n)])
    return tid


def ready(rig: Rig, tid: str) -> list[str]:
    return [m.id for m in rig.state.tournaments[tid].matches.values() if m.state == "ready"]


async def play(rig: Rig, tid: str, count: int = 1000) -> None:
    for _ in range(count):
        mids = ready(rig, tid)
        if not mids:
            return
        await rig.result(tid, mids[0], [2, 1])


async def until(rig: Rig, done: Any, timeout: float = 15.0) -> None:
    """Step the dispatcher (and the writer) until ``done()``."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await rig.drain()
        await rig.dispatcher.step()
        await asyncio.sleep(0.02)


def types(received: list[Any]) -> list[str]:
    return [r.json()["type"] for r in received]


def test_a_night_reaches_the_receiver_in_order_and_signed(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
                tid = await pending_tournament(rig, 0)
                ep = await endpoint(rig, rx.url, tid)
                other = await endpoint(rig, rx.url + "?results", None, types=["match.result"])
                await rig.run(CommandName.ADD_PARTICIPANTS, tid,
                              [{"name": f"P{i + 1}"} for i in range(4)])  # fmt: skip
                await rig.run(CommandName.START, tid)
                await play(rig, tid)
                await until(rig, lambda: len(rx.accepted()) == len(NIGHT) + 3)
                mine = [r for r in rx.accepted() if r.path == "/hook"]
                assert types(mine) == NIGHT
                for r in mine:
                    body = r.verified(ep.secret)
                    assert body["data"]["tournament"]["id"] == tid
                    assert r.headers["content-type"] == "application/json"
                results = [r for r in rx.accepted() if r.path == "/hook?results"]
                assert types(results) == ["match.result"] * 3
                assert [r.verified(other.secret)["data"]["match"]["id"] for r in results] == [
                    r.json()["data"]["match"]["id"] for r in mine if r.json()["type"] ==
                    "match.result"]  # fmt: skip
                log = await rig.rt.outbox.log(ep.id, None, 100, None)
                assert [d.status for d in log] == ["delivered"] * len(NIGHT)
                assert [d.msg_id for d in reversed(log)] == [r.headers["webhook-id"] for r in mine]

    asyncio.run(main())


def test_stored_but_unacknowledged_messages_are_sent_once_after_a_restart(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
                tid = await pending_tournament(rig)
                await endpoint(rig, rx.url, tid)
                await rig.dispatcher.step()  # the endpoint's creation is behind it
                await rig.run(CommandName.START, tid)
                await play(rig, tid)
                d = rig.dispatcher
                # read a batch and store its messages, then "die" before acknowledging it
                entries = await rig.stream.read_group(d.consumer, 1000, None, False, WEBHOOKS)
                rows, dropped, top, _ = d.messages(entries)
                await d.outbox.enqueue(rows, top, dropped, time.time())
                assert await rig.stream.pending_count(WEBHOOKS) == len(entries)
            async with Rig(valkey.url, tmp_path, rig.prefix, webhooks=LOOPBACK) as again:
                await until(again, lambda: len(rx.accepted()) >= len(NIGHT) - 1)
                await again.dispatcher.step()
                assert await again.stream.pending_count(WEBHOOKS) == 0
                assert types(rx.accepted()) == NIGHT[1:]  # each once: none stored twice
                with sqlite3.connect(again.db) as db:
                    assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone() == (
                        len(NIGHT) - 1,)  # fmt: skip

    asyncio.run(main())


def test_a_dispatcher_behind_sqlite_refolds_what_it_missed(valkey: Valkey, tmp_path: Path) -> None:
    """The writer stored every result; the dispatcher saw none before the restart. The matches
    that became ready in between are still announced (the state is refolded at its seq)."""

    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
                tid = await pending_tournament(rig)
                await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await until(rig, lambda: len(rx.accepted()) == 3)  # started, 2 ready
                await play(rig, tid)
                await rig.drain()
                assert (await rig.rt.outbox.checkpoint() or 0) < await rig.store.max_seq()
            async with Rig(valkey.url, tmp_path, rig.prefix, webhooks=LOOPBACK) as again:
                await until(again, lambda: len(rx.accepted()) == len(NIGHT) - 1)
                assert types(rx.accepted()) == NIGHT[1:]
                final = rx.accepted()[-3].json()["data"]["match"]
                assert final["label"] == "Final" and final["state"] == "ready"

    asyncio.run(main())


def test_a_dispatcher_ahead_of_sqlite_sends_nothing_twice(valkey: Valkey, tmp_path: Path) -> None:
    """The dispatcher handled every event; the writer stored none before the restart."""

    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
                tid = await pending_tournament(rig)
                ep = await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await play(rig, tid, 2)  # the semifinals
                while await rig.dispatcher.step():
                    pass
                assert len(rx.accepted()) == 6
                assert await rig.store.max_seq() == 0
            async with Rig(valkey.url, tmp_path, rig.prefix, webhooks=LOOPBACK) as again:
                assert again.dispatcher.checkpoint == 0
                await again.dispatcher.step()
                assert again.dispatcher.checkpoint > await again.store.max_seq()
                matches = again.state.tournaments[tid].matches.values()
                semi = next(m for m in matches if m.round == 1)
                await again.run(CommandName.REOPEN, tid, None, semi.id)
                await play(again, tid)
                await until(again, lambda: len(rx.accepted()) >= 12)
                got = types(rx.accepted())
                assert got[:6] == NIGHT[1:7]
                assert got[6:] == [
                    "match.reopened", "match.ready", "match.result", "match.ready",
                    "match.result", "tournament.completed",
                ]  # fmt: skip
                assert len(firsts(rx.accepted())) == len(rx.accepted())
                assert all(r.verified(ep.secret) for r in rx.accepted())

    asyncio.run(main())


def test_a_failing_receiver_is_retried_in_order_and_loses_nothing(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        calls = {"n": 0}

        def flaky(_r: Any) -> int:
            calls["n"] += 1
            return 503 if calls["n"] <= 4 else 204

        with Receiver() as rx:
            rx.answer = flaky
            async with Rig(valkey.url, tmp_path, webhooks=FAST) as rig:
                tid = await pending_tournament(rig)
                ep = await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await play(rig, tid)
                await until(rig, lambda: len(rx.accepted()) == len(NIGHT) - 1)
                assert types(rx.accepted()) == NIGHT[1:]
                assert [r.status for r in rx.got[:5]] == [503] * 4 + [204]
                assert len({r.headers["webhook-id"] for r in rx.got[:5]}) == 1  # the same one
                log = await rig.rt.outbox.log(ep.id, None, 100, None)
                first = log[-1]
                assert (first.status, first.attempts, first.last_status) == ("delivered", 5, 204)
                assert first.last_error is None
                assert all(d.attempts == 1 for d in log[:-1])

    asyncio.run(main())


def test_retry_after_is_honoured(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        with Receiver() as rx:
            rx.answer = lambda _r: 429
            rx.headers = {"Retry-After": "30"}
            async with Rig(valkey.url, tmp_path, webhooks=FAST) as rig:
                tid = await pending_tournament(rig)
                ep = await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await until(rig, lambda: len(rx.got) == 1)
                await rig.dispatcher.step()
                head = (await rig.rt.outbox.log(ep.id, "pending", 10, None))[-1]
                assert head.last_error == "HTTP 429: no" and head.attempts == 1
                assert head.last_at is not None and head.next_at - head.last_at >= 0.2
                assert len(rx.got) == 1  # not retried before its time (the cap, 0.2 s here)

    asyncio.run(main())


def test_a_delivery_failing_past_its_window_disables_the_endpoint(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        with Receiver() as rx:
            rx.answer = lambda _r: 500
            async with Rig(valkey.url, tmp_path,
                           webhooks={**FAST, "retry_window_seconds": 0.3}) as rig:  # fmt: skip
                tid = await pending_tournament(rig)
                ep = await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await until(rig, lambda: not rig.rt.webhooks.by_id[ep.id].enabled)
                disabled = rig.rt.webhooks.by_id[ep.id]
                assert disabled.disabled_reason is not None
                assert "HTTP 500" in disabled.disabled_reason
                assert rig.rt.metrics.webhook_disabled._value.get() == 1
                failed = await rig.rt.outbox.log(ep.id, "failed", 10, None)
                assert [d.type for d in failed] == ["tournament.started"]
                tries = len(rx.got)
                await play(rig, tid, 1)  # nothing is queued for a disabled endpoint
                await rig.drain()
                await rig.dispatcher.step()
                assert len(rx.got) == tries
                held = await rig.rt.outbox.log(ep.id, "pending", 10, None)
                assert [d.type for d in reversed(held)] == ["match.ready", "match.ready"]
                # fixed and enabled again: what was held goes, in order
                rx.answer = lambda _r: 204
                await rig.svc.record(EventType.WEBHOOK_UPDATED, {"id": ep.id, "enabled": True},
                                     None)  # fmt: skip
                await until(rig, lambda: len(rx.accepted()) == 2)
                assert types(rx.accepted()) == ["match.ready", "match.ready"]
                with sqlite3.connect(rig.db) as db:  # the writer stored the endpoint's changes
                    (doc,) = db.execute("SELECT doc FROM webhooks").fetchone()
                    assert '"enabled":true' in doc

    asyncio.run(main())


def test_private_addresses_are_refused_at_delivery(valkey: Valkey, tmp_path: Path) -> None:
    """A name that resolved to a public address when the endpoint was made and resolves to a
    local one now (DNS rebinding) gets nothing: the check runs before every attempt."""

    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks={"retry_initial_seconds": 0.05}) as rig:
                tid = await pending_tournament(rig)
                port = rx.url.split(":")[2].split("/")[0]
                ep = await endpoint(rig, f"http://localhost:{port}/hook", tid)
                await rig.run(CommandName.START, tid)
                await rig.drain()
                for _ in range(3):
                    await rig.dispatcher.step()
                    await asyncio.sleep(0.1)
                assert rx.got == []
                head = (await rig.rt.outbox.log(ep.id, "pending", 10, None))[-1]
                assert head.last_error is not None and "private or local" in head.last_error
                assert rig.rt.metrics.webhook_attempts.labels("refused")._value.get() >= 1

    asyncio.run(main())


def test_trimming_waits_for_every_group(valkey: Valkey, tmp_path: Path) -> None:
    async def main() -> None:
        async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
            await rig.stream.ensure_group(WEBHOOKS)
            tid = await rig.tournament(2)
            mid = ready(rig, tid)[0]
            for i in range(600):
                await rig.tick(tid, mid, [i, 0])
            await rig.drain()
            assert await rig.stream.length() > 600  # the dispatcher has read none of them
            await rig.dispatcher.step()
            assert await rig.stream.length() < 300
            for i in range(600):
                await rig.tick(tid, mid, [i, 1])
            await rig.dispatcher.step()
            assert await rig.stream.length() >= 600  # now the writer is behind
            await rig.drain()
            assert await rig.stream.length() < 300

    asyncio.run(main())


def test_deleting_an_endpoint_or_its_tournament_removes_it_everywhere(
    valkey: Valkey, tmp_path: Path
) -> None:
    async def main() -> None:
        with Receiver() as rx:
            rx.answer = lambda _r: 500
            async with Rig(valkey.url, tmp_path, webhooks=FAST) as rig:
                tid = await pending_tournament(rig)
                gone = await endpoint(rig, rx.url, tid)
                kept = await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await until(rig, lambda: len(rx.got) >= 2)
                await rig.svc.record(EventType.WEBHOOK_DELETED, {"id": gone.id}, None)
                await rig.drain()
                await rig.dispatcher.step()
                assert await rig.rt.outbox.log(gone.id, None, 10, None) == []
                assert await rig.rt.outbox.log(kept.id, None, 10, None) != []
                await rig.run(CommandName.DELETE_TOURNAMENT, tid)
                await rig.drain()
                await rig.dispatcher.step()
                assert rig.rt.webhooks.by_id == {} and rig.dispatcher.endpoints.by_id == {}
                assert rig.writer.endpoints.by_id == {}
                assert await rig.rt.outbox.log(kept.id, None, 10, None) == []
                with sqlite3.connect(rig.db) as db:
                    assert db.execute("SELECT COUNT(*) FROM webhooks").fetchone() == (0,)

    asyncio.run(main())


def test_a_version_1_database_gains_the_webhook_tables(tmp_path: Path) -> None:
    def tables(path: Path) -> list[tuple[str, str]]:
        with sqlite3.connect(path) as db:
            return sorted(db.execute("SELECT type, name FROM sqlite_master"))

    async def main() -> None:
        old = tmp_path / "old.sqlite3"
        with sqlite3.connect(old) as db:  # what tourney 1 made: no webhooks, matches no seq
            first = store_mod.SCHEMA.split("CREATE TABLE IF NOT EXISTS webhooks")[0]
            first = first.replace("  seq INTEGER NOT NULL DEFAULT 0,\n", "")
            db.executescript(first.replace(",\n  station_id TEXT", ""))  # tokens had none
            db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        s = Store(old)
        await s.open()
        assert await s.get_meta("schema_version") == str(store_mod.SCHEMA_VERSION) == "4"
        await s.close()
        fresh = Store(tmp_path / "fresh.sqlite3")
        await fresh.open()
        await fresh.close()
        assert tables(old) == tables(tmp_path / "fresh.sqlite3")
        assert ("table", "deliveries") in tables(old)
        with sqlite3.connect(old) as db:  # and a referee's token has its station (schema 4)
            assert "station_id" in {row[1] for row in db.execute("PRAGMA table_info(tokens)")}

    asyncio.run(main())


def test_queued_rows_are_stored_once(tmp_path: Path) -> None:
    async def main() -> None:
        from app.outbox import Outbox

        s = Store(tmp_path / "t.db")
        await s.open()
        box = Outbox(s)
        row = Queued("wh_1", "msg_1", "match.ready", 5, {"type": "match.ready", "timestamp": "t",
                                                         "data": {}, "text": ""})  # fmt: skip
        await box.enqueue([row, row], 5, [], time.time())
        await box.enqueue([row], 6, [], time.time())
        assert len(await box.log("wh_1", None, 10, None)) == 1
        assert await box.checkpoint() == 6
        await s.close()

    asyncio.run(main())


def test_an_idle_tournament_leaves_the_observer_and_a_reopen_still_speaks(
    valkey: Valkey, tmp_path: Path
) -> None:
    """Memory bounded by what is active: a tournament complete for a while leaves the
    dispatcher's copy; a reopen of it later is folded anew from its stored events, and its
    messages (the reopen, the match ready again) go out as if it had never left."""

    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK,
                           unload_after_seconds=0.01) as rig:  # fmt: skip
                tid = await pending_tournament(rig, 0)
                await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.ADD_PARTICIPANTS, tid,
                              [{"name": f"P{i + 1}"} for i in range(4)])  # fmt: skip
                await rig.run(CommandName.START, tid)
                await play(rig, tid)
                await until(rig, lambda: len(rx.accepted()) == len(NIGHT))
                await asyncio.sleep(0.05)
                await rig.dispatcher._sweep(now=True)
                assert tid in rig.dispatcher.let_go
                assert rig.dispatcher.observer is not None
                assert tid not in rig.dispatcher.observer.tournaments
                final = max(rig.state.tournaments[tid].matches.values(), key=lambda m: m.round)
                await rig.run(CommandName.REOPEN, tid, None, final.id)
                await until(rig, lambda: len(rx.accepted()) == len(NIGHT) + 2)
                assert types(rx.accepted()[len(NIGHT) :]) == ["match.reopened", "match.ready"]
                assert tid not in rig.dispatcher.let_go

    asyncio.run(main())


def test_a_restart_after_batches_of_ticks_only_sends_the_rest_once(
    valkey: Valkey, tmp_path: Path
) -> None:
    """A batch of live ticks is acknowledged without storing the checkpoint at once; a restart
    then starts from the older checkpoint and still sends each message once, in order."""

    async def main() -> None:
        with Receiver() as rx:
            async with Rig(valkey.url, tmp_path, webhooks=LOOPBACK) as rig:
                tid = await pending_tournament(rig)
                await endpoint(rig, rx.url, tid)
                await rig.run(CommandName.START, tid)
                await until(rig, lambda: len(rx.accepted()) >= 3)  # started, two matches ready
                with sqlite3.connect(rig.db) as db:
                    before = db.execute("SELECT value FROM meta WHERE key = 'webhooks_seq'"
                                        ).fetchone()  # fmt: skip
                first = ready(rig, tid)[0]
                for i in range(50):
                    await rig.tick(tid, first, [i, 0])
                await rig.dispatcher.step()  # ticks only: acknowledged, checkpoint as it was
                assert await rig.stream.pending_count(WEBHOOKS) == 0
                with sqlite3.connect(rig.db) as db:
                    assert db.execute("SELECT value FROM meta WHERE key = 'webhooks_seq'"
                                      ).fetchone() == before  # fmt: skip
                assert rig.dispatcher.checkpoint > int(before[0])
            async with Rig(valkey.url, tmp_path, rig.prefix, webhooks=LOOPBACK) as again:
                await again.result(tid, first, [2, 1])  # the live match
                await play(again, tid)
                await until(again, lambda: len(rx.accepted()) >= len(NIGHT) - 1)
                await asyncio.sleep(0.2)
                await again.dispatcher.step()
                assert types(rx.accepted()) == NIGHT[1:]

    asyncio.run(main())
