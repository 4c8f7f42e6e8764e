"""Live fan-out: subscribers per tournament and view, and one sender that writes to them.
No Redis, no SQL here.

- A structural event is serialised once per view present (whole tournament, one match, scores
  only) when it is applied, and kept in the tournament's room until the sender writes it to
  every subscriber of that view, in seq order, never dropped: a subscriber that falls behind is
  closed with 1013 and resumes later.
- Live score ticks only mark their match dirty in each view that shows it. A view that was sent
  no live frame in the last ``tick_interval_ms`` is flushed at once (the leading edge); ticks
  inside the interval are coalesced into one frame at its end with the newest score of each
  dirty match. The interval counts from the end of the last live frame's writing, so a view too
  big to write within one still rests an interval between frames. A subscriber that missed a
  live frame gets every live match in its next one.
- The sender writes in slices of a few milliseconds and yields to the event loop between
  them, so a fan-out to thousands never holds up requests (or the POST that caused it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from .codec import dumps_text as dumps
from .config import LiveConfig
from .domain.events import Event, EventType
from .domain.models import Tournament, Visibility
from .metrics import Metrics
from .subscribers import (
    GOING_AWAY,
    NORMAL,
    PRIVATE_NOW,
    SLOW,
    DirectSubscriber,
    Frame,
    Gate,
    LiveFrames,
    QueuedSubscriber,
    Subscriber,
)
from .views import FULL, View, ViewKey

__all__ = ["GOING_AWAY", "NORMAL", "PRIVATE_NOW", "SLOW", "Gate", "Hub", "Subscriber", "View"]

log = logging.getLogger("tourney.hub")

CHUNK = 256  # subscribers written between two looks at the clock
SLICE_SECONDS = 0.004  # once this much time has passed, the sender yields to the event loop
WRITING = float("inf")  # a group's ``due`` while its live frame is being written


class Group:
    """The subscribers of one view in one room, and that view's live ticks."""

    __slots__ = ("busy", "dirty", "due", "sent_at", "subs", "view")

    def __init__(self, view: View) -> None:
        self.view = view
        self.subs: dict[Subscriber, None] = {}  # in the order they came
        self.dirty: set[str] = set()  # matches ticked since its last live frame
        self.due: float | None = None  # when its dirty matches go out (loop time)
        self.sent_at = float("-inf")  # when its last live frame went out
        self.busy = False  # sent something since the last heartbeat sweep


class Room:
    """One tournament's subscribers by view, its recent structural frames, what is to be sent."""

    def __init__(self, tid: str, floor: int, replay: int) -> None:
        self.tid = tid
        self.groups: dict[ViewKey, Group] = {}
        self.ring: deque[tuple[int, str]] = deque(maxlen=replay)
        self.floor = floor  # every structural event after this seq is in the ring
        self.outbox: deque[tuple[int, dict[ViewKey, Frame], float]] = deque()
        self.ticks = 0  # ticks since the last live flush
        self.heartbeat: list[Group] = []  # groups owed a heartbeat
        self.queued = False  # waiting for the sender
        self.empty_since: float | None = None  # no subscribers since then: forgotten later
        self.snapshots: dict[ViewKey, tuple[int, Frame]] = {}


def live_ids(t: Tournament) -> list[str]:
    return [m.id for m in t.matches.values() if m.state == "live"]


class Hub:
    def __init__(self, cfg: LiveConfig, metrics: Metrics) -> None:
        self.cfg = cfg
        self.metrics = metrics
        self.interval = cfg.tick_interval_ms / 1000
        self.rooms: dict[str, Room] = {}
        self.gate = Gate(cfg.max_connections, cfg.max_connections_per_address)
        self.count = 0
        self.ready: deque[Room] = deque()  # rooms with something to send, in turn
        self._wake = asyncio.Event()
        self.idle = asyncio.Event()  # set while the sender has nothing to do
        self.idle.set()

    # ---- subscriptions ----------------------------------------------------------------------

    def room(self, t: Tournament) -> Room:
        room = self.rooms.get(t.id)
        if room is None:
            room = self.rooms[t.id] = Room(t.id, t.seq, self.cfg.replay_events)
        return room

    def subscribe(
        self, t: Tournament, view: View, after: int | None = None, direct: Any = None
    ) -> Subscriber:
        """Register a subscriber and send its first frames: the events after ``after`` when
        they are all still held, else a snapshot. ``direct``: the connection's WebSocket
        protocol when tourney's server offers it (frames are then written to its transport)."""
        room = self.room(t)
        room.empty_since = None
        sub: Subscriber
        if direct is not None:
            sub = DirectSubscriber(t.id, view, direct, self.cfg.max_buffered_bytes)
        else:
            sub = QueuedSubscriber(t.id, view, self.cfg.queue_limit)
        group = room.groups.get(view.key)
        if group is None:
            group = room.groups[view.key] = Group(view)
        group.subs[sub] = None
        self.count += 1
        self.metrics.subscribers.set(self.count)
        self.resume(t, sub, after)
        return sub

    def resume(self, t: Tournament, sub: Subscriber, after: int | None) -> None:
        """Send what ``sub`` lacks: the held events after ``after``, else a snapshot. Frames
        still waiting for the sender are then skipped for it (``sub.seq``)."""
        room = self.room(t)
        sub.seq = t.seq
        if after is not None and after >= room.floor and sub.view.key == FULL:
            for seq, text in room.ring:
                if seq > after:
                    self.push(sub, text)
            live = live_ids(t)
            if t.seq > after and live:
                self.push(sub, sub.view.live_frame(t, live) or "")
            return
        self.push(sub, self.snapshot(t, room, sub.view))

    def snapshot(self, t: Tournament, room: Room, view: View) -> Frame:
        cached = room.snapshots.get(view.key)
        if cached is not None and cached[0] == t.seq:
            return cached[1]
        frame = Frame(view.snapshot(t))
        room.snapshots[view.key] = (t.seq, frame)
        return frame

    def unsubscribe(self, sub: Subscriber) -> None:
        room = self.rooms.get(sub.tid)
        group = room.groups.get(sub.view.key) if room is not None else None
        if room is not None and group is not None and sub in group.subs:
            del group.subs[sub]
            if not group.subs:
                del room.groups[sub.view.key]
            if not room.groups:
                room.empty_since = time.monotonic()
        self.count -= 1
        self.metrics.subscribers.set(self.count)

    def close(self, sub: Subscriber, code: int) -> None:
        sub.closed(code)

    def push(self, sub: Subscriber, frame: Frame | str) -> None:
        """Send one frame to one subscriber now (a snapshot, a replay, a pong)."""
        if isinstance(frame, str):
            if not frame:
                return
            frame = Frame(frame)
        if sub.send(frame):
            for kind in frame.kinds:
                self.metrics.frames[kind] += 1
        else:
            self.close(sub, SLOW)

    def _seal(self, room: Room) -> None:
        """The tournament is private now: the subscribers that opened it while it was public
        are closed before this event (they hold no token being watched); a client with a token
        that reads it subscribes again."""
        for group in room.groups.values():
            for sub in group.subs:
                if not sub.guarded:
                    self.close(sub, PRIVATE_NOW)

    def drop(self, tid: str) -> None:
        """A deleted tournament: its subscribers are told and closed."""
        room = self.rooms.pop(tid, None)
        if room is None:
            return
        for group in room.groups.values():
            for sub in group.subs:
                self.close(sub, NORMAL)

    async def going_away(self) -> None:
        """The server is stopping: every subscriber gets what is waiting for it, then 1001."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.cfg.shutdown_grace_seconds):
                await self.idle.wait()
        for room in self.rooms.values():
            for group in room.groups.values():
                for sub in group.subs:
                    self.close(sub, GOING_AWAY)

    # ---- what is published ------------------------------------------------------------------

    def publish(self, t: Tournament, e: Event, changed: list[str]) -> None:
        """A structural event: serialised now, once per view present; sent by the sender."""
        room = self.rooms.get(t.id)
        if room is None:
            return  # nobody watches: nothing to serialise
        if e.type is EventType.TOURNAMENT_UPDATED and t.visibility is Visibility.PRIVATE:
            self._seal(room)
        full = View().event_frame(t, e, changed)
        assert full is not None
        if len(room.ring) == room.ring.maxlen and room.ring:
            room.floor = room.ring[0][0]
        room.ring.append((e.seq, full))
        frames: dict[ViewKey, Frame] = {}
        for key, group in room.groups.items():
            group.dirty.difference_update(changed)  # the event frame carries them whole
            text = full if key == FULL else group.view.event_frame(t, e, changed)
            if text is not None:
                frames[key] = Frame(text)
        if frames:
            room.outbox.append((e.seq, frames, time.perf_counter()))
            self._ready(room)

    def publish_tick(self, t: Tournament, match_id: str) -> None:
        """A live tick: its match is dirty in every view showing it; a view sent no live frame
        in the last interval is flushed at once, any other at the end of its interval."""
        room = self.rooms.get(t.id)
        if room is None or not room.groups:
            return
        room.ticks += 1
        now = asyncio.get_running_loop().time()
        for group in room.groups.values():
            if not group.view.covers(match_id):
                continue
            group.dirty.add(match_id)
            if group.due is None:  # else already on its way
                self._schedule(room, group, now)

    def _schedule(self, room: Room, group: Group, now: float) -> None:
        """The group's dirty matches go out at once if its last live frame was written more
        than an interval ago, else an interval after it was."""
        group.due = max(now, group.sent_at + self.interval)
        if group.due <= now:
            self._ready(room)
        else:
            loop = asyncio.get_running_loop()
            loop.call_at(group.due, self._due, room, group, group.due)

    def _due(self, room: Room, group: Group, due: float) -> None:
        """A group's interval ended. The timer may fire a little early (uvloop counts in
        milliseconds): it is due now, unless it was flushed meanwhile."""
        if group.due == due:
            group.due = min(due, asyncio.get_running_loop().time())
            self._ready(room)

    def _ready(self, room: Room) -> None:
        if not room.queued:
            room.queued = True
            self.ready.append(room)
            self.idle.clear()
            self._wake.set()

    # ---- the sender -------------------------------------------------------------------------

    async def run_sender(self, lookup: Callable[[str], Tournament | None]) -> None:
        """Write what is ready, room by room: structural frames in order, then live frames
        built from the state as it is now, then heartbeats owed."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.ready:
                room = self.ready.popleft()
                room.queued = False
                try:
                    await self.serve(room, lookup)
                except Exception:  # a bug here must not end every live update
                    log.exception("fan-out failed", extra={"tournament_id": room.tid})
            if not self.ready:
                self.idle.set()

    async def serve(self, room: Room, lookup: Callable[[str], Tournament | None]) -> None:
        if room.outbox:
            # everything published meanwhile goes out together: one write per subscriber
            pending, published = list(room.outbox), room.outbox[0][2]
            room.outbox.clear()
            for key, group in list(room.groups.items()):
                ours = [(seq, by_view[key]) for seq, by_view, _ in pending if key in by_view]
                if ours:
                    await self.fan_out(group, ours)
            self.metrics.fanout_seconds.observe(time.perf_counter() - published)
        t = lookup(room.tid)
        if t is None:
            return
        now = asyncio.get_running_loop().time()
        due = [g for g in room.groups.values() if g.due is not None and g.due <= now]
        flushed: set[str] = set()
        for group in due:
            flushed |= group.dirty
            await self.flush_live(t, room, group)
        if due:
            self.metrics.ticks_coalesced.inc(max(0, room.ticks - len(flushed)))
            room.ticks = 0
        if room.heartbeat:
            beat = Frame(dumps({"type": "heartbeat", "seq": t.seq}))
            owed, room.heartbeat = room.heartbeat, []
            for group in owed:
                if room.groups.get(group.view.key) is group:
                    await self.beat(group, beat)

    async def fan_out(self, group: Group, frames: list[tuple[int, Frame]]) -> None:
        """Structural frames, in seq order, to every subscriber of ``group``: each gets those
        past its ``seq`` (a snapshot or a replay may have brought it past some) in one write."""
        first, last = frames[0][0], frames[-1][0]
        whole = Frame.joined([f for _, f in frames])
        tails: dict[int, Frame] = {}
        slow = []
        sent = 0
        group.busy = True
        async for chunk in in_slices(list(group.subs)):
            for sub in chunk:
                have = sub.seq
                if have >= last:
                    continue
                sub.seq = last
                frame = whole if have < first else tail(frames, have, tails)
                if not sub.send(frame):
                    slow.append(sub)
                sent += 1
        for kind in whole.kinds:
            self.metrics.frames[kind] += sent - len(slow)
        for sub in slow:
            self.close(sub, SLOW)

    async def beat(self, group: Group, frame: Frame) -> None:
        slow = []
        async for chunk in in_slices(list(group.subs)):
            slow += [sub for sub in chunk if not sub.send(frame)]
        for sub in slow:
            self.close(sub, SLOW)

    async def flush_live(self, t: Tournament, room: Room, group: Group) -> None:
        """One live frame to every subscriber of ``group``: the newest score of each dirty match
        (or of every live match, to one that missed a live frame). The interval to the next one
        counts from the end of this one, so a view too big to write in an interval gets a frame
        per interval of rest, never back to back."""
        dirty, group.dirty = group.dirty, set()
        group.due = WRITING  # ticks meanwhile wait for the end of this frame
        try:
            await self.write_live(t, group, dirty)
        finally:
            group.due = None
            if group.dirty:
                self._schedule(room, group, group.sent_at)

    async def write_live(self, t: Tournament, group: Group, dirty: set[str]) -> None:
        text = group.view.live_frame(t, dirty)
        if text is None:
            return
        view = group.view

        def full() -> Frame | None:
            whole = view.live_frame(t, live_ids(t))
            return Frame(whole) if whole is not None else None

        frames = LiveFrames(Frame(text), full)
        subs = list(group.subs)
        group.busy = True
        async for chunk in in_slices(subs):
            for sub in chunk:
                sub.send_live(frames)
        group.sent_at = asyncio.get_running_loop().time()
        self.metrics.frames[frames.delta.kinds[0]] += len(subs)

    # ---- heartbeats and forgetting ----------------------------------------------------------

    async def run_sweeper(self) -> None:
        """Every heartbeat interval: a heartbeat to each view that was sent nothing since the
        last sweep, and rooms unwatched for a while are forgotten."""
        while True:
            await asyncio.sleep(self.cfg.heartbeat_seconds)
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> None:
        linger = self.cfg.replay_linger_seconds
        for tid, room in list(self.rooms.items()):
            if room.empty_since is not None and now - room.empty_since > linger:
                del self.rooms[tid]
                continue
            idle = [g for g in room.groups.values() if not g.busy]
            for group in room.groups.values():
                group.busy = False
            if idle:
                room.heartbeat = idle
                self._ready(room)


async def in_slices(subs: list[Subscriber]) -> AsyncIterator[list[Subscriber]]:
    """``subs`` a chunk at a time, yielding to the event loop whenever a slice of time is spent:
    a fan-out to thousands never holds up requests (or the POST that caused it)."""
    began = time.perf_counter()
    for lo in range(0, len(subs), CHUNK):
        yield subs[lo : lo + CHUNK]
        if time.perf_counter() - began > SLICE_SECONDS:
            await asyncio.sleep(0)
            began = time.perf_counter()


def tail(frames: list[tuple[int, Frame]], have: int, cache: dict[int, Frame]) -> Frame:
    """The frames after seq ``have``, joined (for a subscriber that already has the rest)."""
    start = next(i for i, (seq, _) in enumerate(frames) if seq > have)
    if start not in cache:
        cache[start] = Frame.joined([f for _, f in frames[start:]])
    return cache[start]
