"""Live fan-out: subscribers per tournament, each with a bounded queue. No Redis, no SQL here.

- A structural event is serialised once per view (full, one match, scores only) and the same
  string is queued for every subscriber of that view, in seq order, never dropped: a subscriber
  whose queue passes ``queue_limit`` is closed with 1013 and resumes later.
- Live score ticks only mark their match dirty. Every ``tick_interval_ms`` one frame per view
  carries the newest score of each dirty match (the "delta"), and a subscriber that missed a
  delta gets the "full" frame of every live match instead: the newest score, never a backlog.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .codec import dumps_text as dumps
from .config import LiveConfig
from .domain.events import Event
from .domain.models import Match, Tournament
from .domain.names import names
from .metrics import Metrics


def score_view(t: Tournament, m: Match) -> dict[str, Any]:
    """A light frame's match: ``names`` beside the ``participants`` ids, so a bot needs no
    second lookup."""
    return {
        "id": m.id, "state": m.state, "scores": m.scores, "winner_id": m.winner_id,
        "participants": m.participants, "names": names(t, m), "live": m.live_detail,
        "station": m.station,
    }  # fmt: skip


def live_patch(m: Match) -> dict[str, Any]:
    return {"id": m.id, "state": m.state, "scores": m.scores, "live": m.live_detail}


class View:
    """What one kind of subscriber sees: every match, or one; whole matches, or scores only."""

    __slots__ = ("match_id", "scores_only")

    def __init__(self, match_id: str | None = None, scores_only: bool = False) -> None:
        self.match_id = match_id
        self.scores_only = scores_only

    @property
    def key(self) -> tuple[str | None, bool]:
        return (self.match_id, self.scores_only)

    def pick(self, t: Tournament, ids: Iterable[str]) -> list[dict[str, Any]]:
        ms = [t.matches[i] for i in ids if i in t.matches]
        if self.match_id is not None:
            ms = [m for m in ms if m.id == self.match_id]
        return [score_view(t, m) if self.scores_only else m.to_dict() for m in ms]

    def event_frame(self, t: Tournament, e: Event, changed: list[str]) -> str | None:
        matches = self.pick(t, changed)
        if self.match_id is not None and not matches:
            return None
        if self.scores_only:
            return dumps({"type": "scores", "seq": e.seq, "event": e.type, "matches": matches})
        return dumps({"type": "event", "seq": e.seq, "version": t.version, "event": e.public(),
                      "matches": matches})  # fmt: skip

    def live_frame(self, t: Tournament, ids: Iterable[str]) -> str | None:
        """Live ticks change only a match's state, scores and live detail: a live frame carries
        just those, a patch to the match the client already holds (a tenth of the bytes)."""
        if self.scores_only:
            matches = self.pick(t, ids)
        else:
            ms = [t.matches[i] for i in ids if i in t.matches]
            if self.match_id is not None:
                ms = [m for m in ms if m.id == self.match_id]
            matches = [live_patch(m) for m in ms]
        if not matches:
            return None
        kind = "scores" if self.scores_only else "live"
        return dumps({"type": kind, "seq": t.seq, "matches": matches})

    def snapshot(self, t: Tournament) -> str:
        if self.scores_only:
            ids = [self.match_id] if self.match_id else list(t.matches)
            return dumps({"type": "snapshot", "seq": t.seq, "matches": self.pick(t, ids)})
        if self.match_id is not None:
            m = t.matches[self.match_id]
            return dumps({"type": "snapshot", "seq": t.seq, "match": m.to_dict()})
        return dumps({"type": "snapshot", "seq": t.seq, "tournament": t.to_dict()})


SLOW = 1013  # try again later: the subscriber fell too far behind
GOING_AWAY = 1001  # the server is stopping
NORMAL = 1000


def ws_text_frame(text: str) -> bytes:
    """``text`` as one unmasked WebSocket text frame (RFC 6455 section 5.2), built once and
    written as is to every subscriber that takes it."""
    data = text.encode()
    n = len(data)
    if n < 126:
        head = bytes((0x81, n))
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 127, n)
    return head + data


class Direct(Protocol):
    """A subscriber's socket, written to at once: ``write`` answers False when the socket has
    too much waiting already (the subscriber fell behind); ``behind`` when anything waits."""

    def write(self, data: bytes) -> bool: ...

    def behind(self) -> bool: ...


class Subscriber:
    __slots__ = ("busy", "close_code", "direct", "live_tail", "on_close", "on_slow", "queue",
                 "tid", "view", "wake")  # fmt: skip

    def __init__(self, tid: str, view: View, direct: Direct | None = None) -> None:
        self.tid = tid
        self.view = view
        self.direct = direct  # frames go straight to the socket; else through the queue
        self.on_close: Callable[[int], Any] | None = None  # a direct subscriber's closer
        self.queue: deque[str] = deque()
        self.wake = asyncio.Event()
        self.close_code: int | None = None  # set: send what is queued, then close with it
        self.on_slow: Callable[[], Any] | None = None  # called once when it falls behind
        self.busy = False  # sent something since the last heartbeat sweep
        # queued: the newest queued frame is a live frame not yet sent; direct: a live frame
        # was skipped while it was behind, so the next one carries every live match
        self.live_tail = False

    def take(self) -> str | None:
        """The next frame to send, or None."""
        if not self.queue:
            return None
        frame = self.queue.popleft()
        if not self.queue:
            self.live_tail = False
        return frame


class Room:
    """One tournament's subscribers, its recent structural frames, and its dirty live matches."""

    def __init__(self, floor: int, replay: int) -> None:
        self.subs: set[Subscriber] = set()
        self.ring: deque[tuple[int, str]] = deque(maxlen=replay)
        self.floor = floor  # every structural event after this seq is in the ring
        self.dirty: set[str] = set()
        self.ticks = 0  # ticks since the last flush
        self.empty_since: float | None = None  # no subscribers since then: forgotten later
        self.snapshots: dict[tuple[str | None, bool], tuple[int, str]] = {}


class Gate:
    """Open WebSockets, in all and per client address: past a cap, a new one is refused at once
    (socket exhaustion is prevented by refusing, never by hanging)."""

    def __init__(self, total: int, per_address: int) -> None:
        self.total = total
        self.per_address = per_address
        self.open = 0
        self.by_address: dict[str, int] = {}
        self.sockets: set[Any] = set()  # open ingest sockets, closed with 1001 on a stop
        self.idle = asyncio.Event()  # set while none is open
        self.idle.set()

    def admit(self, address: str) -> str | None:
        """None if admitted (then ``release`` it), else why not."""
        if self.open >= self.total:
            return "cap_total"
        if self.by_address.get(address, 0) >= self.per_address:
            return "cap_address"
        self.open += 1
        self.idle.clear()
        self.by_address[address] = self.by_address.get(address, 0) + 1
        return None

    def release(self, address: str) -> None:
        self.open -= 1
        if not self.open:
            self.idle.set()
        left = self.by_address.get(address, 1) - 1
        if left:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)


class Hub:
    def __init__(self, cfg: LiveConfig, metrics: Metrics) -> None:
        self.cfg = cfg
        self.metrics = metrics
        self.rooms: dict[str, Room] = {}
        self.gate = Gate(cfg.max_connections, cfg.max_connections_per_address)
        self.count = 0
        self._flush_wake = asyncio.Event()

    def room(self, t: Tournament) -> Room:
        room = self.rooms.get(t.id)
        if room is None:
            room = self.rooms[t.id] = Room(t.seq, self.cfg.replay_events)
        return room

    def subscribe(
        self, t: Tournament, view: View, after: int | None = None, direct: Direct | None = None
    ) -> Subscriber:
        """Register a subscriber and queue its first frames: the events after ``after`` when
        they are all still held, else a snapshot. Nothing can slip in between: no await here."""
        room = self.room(t)
        room.empty_since = None
        sub = Subscriber(t.id, view, direct)
        room.subs.add(sub)
        self.count += 1
        self.metrics.subscribers.set(self.count)
        self.resume(t, sub, after)
        return sub

    def resume(self, t: Tournament, sub: Subscriber, after: int | None) -> None:
        room = self.room(t)
        if after is not None and after >= room.floor and sub.view.key == (None, False):
            for seq, frame in room.ring:
                if seq > after:
                    self.push(sub, frame)
            if t.seq > after and any(m.state == "live" for m in t.matches.values()):
                self.push(
                    sub,
                    sub.view.live_frame(t, [m.id for m in t.matches.values() if m.state == "live"])
                    or "",
                )
            return
        self.push(sub, self.snapshot(t, room, sub.view))

    def snapshot(self, t: Tournament, room: Room, view: View) -> str:
        cached = room.snapshots.get(view.key)
        if cached is not None and cached[0] == t.seq:
            return cached[1]
        frame = view.snapshot(t)
        room.snapshots[view.key] = (t.seq, frame)
        return frame

    def unsubscribe(self, sub: Subscriber) -> None:
        room = self.rooms.get(sub.tid)
        if room is not None and sub in room.subs:
            room.subs.discard(sub)
            if not room.subs:
                room.empty_since = time.monotonic()
        self.count -= 1
        self.metrics.subscribers.set(self.count)

    def close(self, sub: Subscriber, code: int) -> None:
        if sub.close_code is None:
            sub.close_code = code
        if code == SLOW:
            sub.queue.clear()  # nothing more is sent to a subscriber that fell behind
            if sub.on_slow is not None:
                sub.on_slow()
                sub.on_slow = None
        if sub.on_close is not None:
            closer, sub.on_close = sub.on_close, None
            closer(code)
        sub.wake.set()

    def push(self, sub: Subscriber, frame: str, wire: bytes | None = None) -> None:
        """Send ``frame`` (``wire``: the same as a WebSocket frame, if already built)."""
        if not frame or sub.close_code is not None:
            return
        if sub.direct is not None:
            if not sub.direct.write(wire or ws_text_frame(frame)):
                self.close(sub, SLOW)
                return
            sub.busy = True
            self.metrics.frames[frame[9 : frame.find('"', 9)]] += 1  # '{"type":"<kind>"...'
            return
        if len(sub.queue) >= self.cfg.queue_limit:
            self.close(sub, SLOW)  # its pump closes it with 1013
        else:
            sub.queue.append(frame)
            sub.live_tail = False
        sub.wake.set()

    def publish(self, t: Tournament, e: Event, changed: list[str]) -> None:
        """Fan a structural event out: one serialisation per view present."""
        room = self.rooms.get(t.id)
        if room is None:
            return  # nobody watches: nothing to serialise
        started = time.perf_counter()
        room.dirty.difference_update(changed)  # the event frame carries them whole
        full = View().event_frame(t, e, changed)
        assert full is not None
        if len(room.ring) == room.ring.maxlen and room.ring:
            room.floor = room.ring[0][0]
        room.ring.append((e.seq, full))
        frames: dict[tuple[str | None, bool], str | None] = {(None, False): full}
        wires: dict[tuple[str | None, bool], bytes] = {}
        for sub in room.subs:
            key = sub.view.key
            if key not in frames:
                frames[key] = sub.view.event_frame(t, e, changed)
            frame = frames[key]
            if frame is None:
                continue
            if sub.direct is not None and key not in wires:
                wires[key] = ws_text_frame(frame)
            self.push(sub, frame, wires.get(key))
        self.metrics.fanout_seconds.observe(time.perf_counter() - started)

    def publish_tick(self, t: Tournament, match_id: str) -> None:
        room = self.rooms.get(t.id)
        if room is not None and room.subs:
            room.ticks += 1
            room.dirty.add(match_id)
            self._flush_wake.set()

    def drop(self, tid: str) -> None:
        """A deleted tournament: its subscribers are told and closed."""
        room = self.rooms.pop(tid, None)
        if room is None:
            return
        for sub in room.subs:
            self.close(sub, NORMAL)

    def going_away(self) -> None:
        """The server is stopping: every subscriber gets what is queued, then 1001."""
        for room in self.rooms.values():
            for sub in room.subs:
                self.close(sub, GOING_AWAY)

    async def run_sweeper(self, lookup: Callable[[str], Tournament | None]) -> None:
        """Every heartbeat interval: a heartbeat to each subscriber that was sent nothing since
        the last sweep (one frame per room), and rooms unwatched for a while are forgotten."""
        while True:
            await asyncio.sleep(self.cfg.heartbeat_seconds)
            self.sweep(lookup, time.monotonic())

    def sweep(self, lookup: Callable[[str], Tournament | None], now: float) -> None:
        linger = self.cfg.replay_linger_seconds
        for tid, room in list(self.rooms.items()):
            if room.empty_since is not None and now - room.empty_since > linger:
                del self.rooms[tid]
                continue
            t = lookup(tid)
            frame = dumps({"type": "heartbeat", "seq": t.seq if t else 0})
            for sub in room.subs:
                if not sub.busy:
                    self.push(sub, frame)
                sub.busy = False

    async def run_flusher(self, lookup: Callable[[str], Tournament | None]) -> None:
        """Every tick interval, turn dirty matches into one live frame per view and room."""
        interval = self.cfg.tick_interval_ms / 1000
        while True:
            await self._flush_wake.wait()
            self._flush_wake.clear()
            await asyncio.sleep(interval)
            self.flush(lookup)

    def flush(self, lookup: Callable[[str], Tournament | None]) -> None:  # noqa: C901
        for tid, room in list(self.rooms.items()):
            if not room.dirty:
                continue
            t = lookup(tid)
            dirty, room.dirty = room.dirty, set()
            self.metrics.ticks_coalesced.inc(max(0, room.ticks - len(dirty)))
            room.ticks = 0
            if t is None or not room.subs:
                continue
            delta: dict[tuple[str | None, bool], str | None] = {}
            full: dict[tuple[str | None, bool], str | None] = {}
            wires: dict[tuple[bool, tuple[str | None, bool]], bytes] = {}
            live: list[str] | None = None
            for sub in room.subs:
                if sub.close_code is not None:
                    continue
                key = sub.view.key
                if sub.direct is not None:
                    if sub.direct.behind():  # skip this one; the next carries every live match
                        sub.live_tail = True
                        continue
                    cache = full if sub.live_tail else delta
                    if key not in cache:
                        ids: Iterable[str] = dirty
                        if sub.live_tail:
                            ids = live = live or [m.id for m in t.matches.values()
                                                  if m.state == "live"]  # fmt: skip
                        cache[key] = sub.view.live_frame(t, ids)
                    frame = cache[key]
                    if frame is not None:
                        wkey = (sub.live_tail, key)
                        if wkey not in wires:
                            wires[wkey] = ws_text_frame(frame)
                        self.push(sub, frame, wires[wkey])
                    sub.live_tail = False
                    continue
                if sub.live_tail:  # its last live frame is still queued: replace it whole
                    if key not in full:
                        if live is None:
                            live = [m.id for m in t.matches.values() if m.state == "live"]
                        full[key] = sub.view.live_frame(t, live)
                    frame = full[key]
                    if frame is not None:
                        sub.queue[-1] = frame
                    continue
                if key not in delta:
                    delta[key] = sub.view.live_frame(t, dirty)
                frame = delta[key]
                if frame is not None:
                    sub.queue.append(frame)
                    sub.live_tail = True
                    sub.wake.set()
