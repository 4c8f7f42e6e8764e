"""The hub on a real event loop, driven by the real domain: whatever interleaving of events, ticks,
subscriptions, resumes and sender slices, every subscriber ends up holding the tournament as it
is, and structural events reach it in order without a gap or a repeat (version + 1 each time).

Subscribers here are the hub's ASGI-path type (``QueuedSubscriber``), read the way a client
reads frames; the directly written type is exercised end to end in tests/e2e/test_live.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import uvloop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import hub as hub_mod
from app.config import LiveConfig
from app.domain import commands, state
from app.domain.commands import Input
from app.domain.events import Event, EventType
from app.domain.models import Tournament
from app.domain.results import report_result
from app.hub import Hub, View
from app.metrics import Metrics
from app.subscribers import QueuedSubscriber

SCORE_FIELDS = ("id", "state", "scores", "winner_id", "participants", "live")


class Client:
    """What one subscriber's client holds, folded from the frames it was sent."""

    def __init__(self, sub: QueuedSubscriber, start: dict[str, Any] | None = None) -> None:
        self.sub = sub
        self.version: int | None = start["version"] if start else None
        self.matches: dict[str, dict[str, Any]] = dict(start["matches"]) if start else {}

    def read(self) -> None:
        while (text := self.sub.take()) is not None:
            self.fold(json.loads(text))

    def fold(self, f: dict[str, Any]) -> None:
        kind = f["type"]
        if kind == "snapshot":
            if "tournament" in f:
                self.version = f["tournament"]["version"]
                ms = f["tournament"]["matches"]
            else:
                ms = [f["match"]] if "match" in f else f["matches"]
            self.matches = {m["id"]: dict(m) for m in ms}
        elif kind == "event":
            if self.sub.view.key == (None, False):  # one match's view skips the others' events
                assert self.version is not None and f["version"] == self.version + 1, (
                    f"version {f['version']} after {self.version}"
                )
            self.version = f["version"]
            self.matches.update({m["id"]: dict(m) for m in f["matches"]})
        elif kind == "scores":
            self.matches.update({m["id"]: dict(m) for m in f["matches"]})
        elif kind == "live":
            for patch in f["matches"]:
                self.matches[patch["id"]].update(patch)
        else:
            assert kind in ("heartbeat", "pong"), kind


def expected(t: Tournament, view: View) -> dict[str, dict[str, Any]]:
    ms = [m for m in t.matches.values() if view.match_id in (None, m.id)]
    if view.scores_only:
        return {m.id: {k: m.to_dict()[k] for k in SCORE_FIELDS if k != "participants"} for m in ms}
    return {m.id: m.to_dict() for m in ms}


def held(c: Client) -> dict[str, dict[str, Any]]:
    if c.sub.view.scores_only:
        return {
            i: {k: m[k] for k in SCORE_FIELDS if k != "participants"} for i, m in c.matches.items()
        }
    return c.matches


def tick(t: Tournament, mid: str, scores: list[int]) -> dict[str, Any]:
    return commands.live_tick(t, Input({"scores": scores}, mid))


def rename(t: Tournament, pid: str, name: str) -> dict[str, Any]:
    return commands.update_participant(t, Input({"name": name}, pid))


class World:
    """A tournament folded as the service does, publishing to a hub as the service does."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.seq = 0
        self.names = itertools.count()
        created = self.event("tournament.created", commands.create_tournament({"name": "T"}))
        self.t = state.new_tournament(created)
        self.history: dict[int, dict[str, Any]] = {}
        ids = itertools.count()
        self.emit(
            "participant.added",
            commands.add_participants(
                self.t,
                Input([{"name": f"P{i}"} for i in range(8)], new_id=lambda _p: f"p{next(ids)}"),
            ),
        )
        self.emit("tournament.started", commands.start(self.t, Input()))

    def event(self, etype: str, data: dict[str, Any]) -> Event:
        self.seq += 1
        return Event(f"e{self.seq}", self.seq, EventType(etype), "t1", "2026-01-01T00:00:00Z", data)

    def emit(self, etype: str, data: dict[str, Any]) -> None:
        e = self.event(etype, data)
        changed = state.apply(self.t, e)
        if etype == "match.live":
            for mid in changed:
                self.hub.publish_tick(self.t, mid)
        else:
            self.hub.publish(self.t, e, changed)
        matches = {m.id: m.to_dict() for m in self.t.matches.values()}
        self.history[e.seq] = {"version": self.t.version, "matches": matches}
        for ftype, fdata in commands.followups(self.t, "2026-01-01T00:00:00Z"):
            self.emit(ftype, fdata)

    def open_matches(self) -> list[str]:
        return sorted(m.id for m in self.t.matches.values() if m.state in ("ready", "live"))


VIEWS = st.sampled_from([(None, False), (None, True), (0, False), (1, True)])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("rename"), st.integers(0, 7)),
        st.tuples(st.just("result"), st.integers(0, 7)),
        st.tuples(st.just("tick"), st.integers(0, 7), st.integers(0, 9)),
        st.tuples(st.just("sub"), VIEWS, st.one_of(st.none(), st.integers(0, 40))),
        st.tuples(st.just("resume"), st.integers(0, 30), st.integers(0, 40)),
        st.tuples(st.just("unsub"), st.integers(0, 30)),
        st.tuples(st.just("run"), st.integers(1, 6)),
    ),
    max_size=60,
)


async def play(ops: list[tuple[Any, ...]]) -> None:
    hub = Hub(LiveConfig(tick_interval_ms=5, queue_limit=10_000), Metrics())
    sender = asyncio.create_task(hub.run_sender(lambda tid: world.t))
    world = World(hub)
    clients: list[Client] = []
    for op in ops:
        kind = op[0]
        if kind == "rename":
            world.emit("participant.updated", rename(world.t, f"p{op[1]}", f"N{next(world.names)}"))
        elif kind in ("result", "tick") and (open_ := world.open_matches()):
            mid = open_[op[1] % len(open_)]
            if kind == "result":
                world.emit("match.result", report_result(world.t, mid, {"scores": [2, 1]}))
            else:
                world.emit(
                    "match.live", commands.live_tick(world.t, Input({"scores": [op[2], 0]}, mid))
                )
        elif kind == "sub":
            (which, scores), after = op[1], op[2]
            mid = sorted(world.t.matches)[which] if which is not None else None
            view = View(mid, scores)
            start = world.history.get(after) if after is not None else None
            sub = hub.subscribe(world.t, view, after if start else None)
            assert isinstance(sub, QueuedSubscriber)
            clients.append(Client(sub, start if view.key == (None, False) else None))
        elif kind == "resume" and clients:
            c = clients[op[1] % len(clients)]
            if op[2] in world.history and c.sub.close_code is None:
                c.read()  # a client resumes from what it holds
                start = world.history[op[2]]
                if c.sub.view.key == (None, False):
                    c.version, c.matches = start["version"], dict(start["matches"])
                hub.resume(world.t, c.sub, op[2])
        elif kind == "unsub" and clients:
            c = clients.pop(op[1] % len(clients))
            hub.unsubscribe(c.sub)
        elif kind == "run":
            for _ in range(op[1]):
                await asyncio.sleep(0)
        for c in clients:
            if op[0] == "run":
                c.read()
    await asyncio.sleep(0.03)  # every tick interval has ended
    await hub.idle.wait()
    sender.cancel()
    for c in clients:
        c.read()
        assert held(c) == expected(world.t, c.sub.view)
        if c.sub.view.key == (None, False):
            assert c.version == world.t.version


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_every_subscriber_ends_with_the_tournament_as_it_is(ops: list[tuple[Any, ...]]) -> None:
    chunk, slice_seconds = hub_mod.CHUNK, hub_mod.SLICE_SECONDS
    hub_mod.CHUNK, hub_mod.SLICE_SECONDS = 1, 0.0  # the sender yields after every subscriber
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:  # the server's loop
            runner.run(play(ops))
    finally:
        hub_mod.CHUNK, hub_mod.SLICE_SECONDS = chunk, slice_seconds


def test_a_lone_tick_is_flushed_at_once_and_ticks_inside_the_interval_are_coalesced() -> None:
    async def run() -> list[list[dict[str, Any]]]:
        hub = Hub(LiveConfig(tick_interval_ms=200), Metrics())
        world = World(hub)
        sender = asyncio.create_task(hub.run_sender(lambda tid: world.t))
        sub = hub.subscribe(world.t, View())
        assert isinstance(sub, QueuedSubscriber)
        sub.take()  # the snapshot
        a, b = world.open_matches()[:2]
        loop = asyncio.get_running_loop()
        began = loop.time()
        world.emit("match.live", tick(world.t, a, [1, 0]))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        first = json.loads(sub.take() or "null")  # sent at once: no wait for the interval
        for score in (2, 3):
            world.emit("match.live", tick(world.t, a, [score, 0]))
        world.emit("match.live", tick(world.t, b, [0, 1]))
        await asyncio.sleep(0.05)
        assert sub.take() is None  # inside the interval: held
        sub.wake.clear()
        await asyncio.wait_for(sub.wake.wait(), 5)
        assert loop.time() - began >= 0.19  # (a timer may fire a millisecond early)
        second = json.loads(sub.take() or "null")
        sender.cancel()
        return [first["matches"], second["matches"]]

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        first, second = runner.run(run())
    assert [m["scores"] for m in first] == [[1, 0]]
    assert sorted(m["scores"] for m in second) == [[0, 1], [3, 0]]  # the newest of each


def test_ticks_inside_the_interval_always_go_out_at_its_end() -> None:
    """Round after round, a tick right after a flush waits for the interval's end and then goes
    out, even when the timer fires a hair before the end as the hub computed it (uvloop's clock
    counts in milliseconds, and the end is a float sum)."""

    async def run(interval_ms: int) -> list[int]:
        hub = Hub(LiveConfig(tick_interval_ms=interval_ms), Metrics())
        world = World(hub)
        sender = asyncio.create_task(hub.run_sender(lambda tid: world.t))
        sub = hub.subscribe(world.t, View())
        assert isinstance(sub, QueuedSubscriber)
        sub.take()  # the snapshot
        mid = world.open_matches()[0]
        got = []
        for score in range(12):
            sub.wake.clear()
            world.emit("match.live", tick(world.t, mid, [score, 0]))
            await asyncio.wait_for(sub.wake.wait(), 5)
            got.append(json.loads(sub.take() or "null")["matches"][0]["scores"][0])
        sender.cancel()
        return got

    for interval_ms in (10, 30, 50, 70):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            assert runner.run(run(interval_ms)) == list(range(12)), interval_ms


def test_a_heartbeat_goes_to_views_sent_nothing_since_the_last_sweep() -> None:
    async def run() -> tuple[list[str], list[str]]:
        hub = Hub(LiveConfig(), Metrics())
        world = World(hub)
        sender = asyncio.create_task(hub.run_sender(lambda tid: world.t))
        one_match = View(world.open_matches()[0])  # a rename sends this view nothing
        quiet, busy = hub.subscribe(world.t, one_match), hub.subscribe(world.t, View())
        assert isinstance(quiet, QueuedSubscriber) and isinstance(busy, QueuedSubscriber)
        for sub in (quiet, busy):
            sub.take()  # the snapshots
        hub.sweep(0.0)  # nothing was sent since the room opened: both views are idle
        await hub.idle.wait()
        world.emit("participant.updated",
                   rename(world.t, "p0", "Renamed"))  # fmt: skip
        await hub.idle.wait()
        hub.sweep(1.0)  # the full view was sent the rename, the match's view nothing
        await hub.idle.wait()
        hub.sweep(2.0)  # neither was sent anything since the last sweep
        await hub.idle.wait()
        sender.cancel()
        kinds = [[json.loads(f)["type"] for f in list(s.queue)] for s in (quiet, busy)]
        return kinds[0], kinds[1]

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        quiet, busy = runner.run(run())
    assert quiet == ["heartbeat", "heartbeat", "heartbeat"]
    assert busy == ["heartbeat", "event", "heartbeat"]
