"""The two kinds of subscriber the hub writes to, each in its own small type.

- ``DirectSubscriber``: a socket served by tourney's own WebSocket protocol (the ``tourney.direct``
  extension, see app/serving.py). Frames are built once as WebSocket bytes and written straight
  to its transport: no task, no queue, no ASGI send per subscriber per frame. More than
  ``limit`` bytes waiting in the transport means it fell behind.
- ``QueuedSubscriber``: any other server; a queue that the subscription's task sends through the
  ASGI path. More than ``limit`` structural frames queued means it fell behind.

Both answer ``send`` with False when the subscriber fell behind; the hub then closes it with 1013.
Live frames go through ``send_live``: a subscriber that cannot take one now gets, next time, the
frame with every live match instead (the newest scores, never a backlog).

``Gate`` caps how many may be open, in all and per client address.
"""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from collections.abc import Callable
from typing import Any

from .views import View

SLOW = 1013  # try again later: the subscriber fell too far behind
GOING_AWAY = 1001  # the server is stopping
NORMAL = 1000
PRIVATE_NOW = 4403  # the tournament became private: subscribe again with a token that reads it


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


class Frame:
    """Frames as text (for the ASGI path) and as WebSocket bytes (for the direct path): one
    frame, or several in a row, written to a socket at once."""

    __slots__ = ("kinds", "texts", "wire")

    def __init__(self, text: str) -> None:
        self.texts: tuple[str, ...] = (text,)
        self.wire = ws_text_frame(text)
        self.kinds: tuple[str, ...] = (text[9 : text.find('"', 9)],)  # '{"type":"<kind>"...'

    @classmethod
    def joined(cls, frames: list[Frame]) -> Frame:
        if len(frames) == 1:
            return frames[0]
        out = cls.__new__(cls)
        out.texts = tuple(t for f in frames for t in f.texts)
        out.wire = b"".join(f.wire for f in frames)
        out.kinds = tuple(k for f in frames for k in f.kinds)
        return out


class LiveFrames:
    """A live flush for one view: the delta (the matches that changed) and, built only if a
    subscriber needs it, the frame with every live match."""

    __slots__ = ("_build_full", "_full", "delta")

    def __init__(self, delta: Frame, build_full: Callable[[], Frame | None]) -> None:
        self.delta = delta
        self._build_full = build_full
        self._full: Frame | bool | None = False

    @property
    def full(self) -> Frame | None:
        if self._full is False:
            self._full = self._build_full()
        return self._full  # type: ignore[return-value]


class Subscriber:
    """What both kinds share: the tournament and view, the newest structural ``seq`` it has
    (a snapshot or a replay can get ahead of the frames still to fan out), and how it ends."""

    __slots__ = ("close_code", "guarded", "live_tail", "on_close", "on_slow", "seq", "tid", "view")

    def __init__(self, tid: str, view: View) -> None:
        self.tid = tid
        self.view = view
        self.seq = 0
        # opened on a private tournament with a token that is watched (else: opened while public)
        self.guarded = False
        self.close_code: int | None = None  # set: send what is queued, then close with it
        self.on_slow: Callable[[], Any] | None = None  # called once when it falls behind
        self.on_close: Callable[[int], Any] | None = None  # closes a direct subscriber's socket
        # a live frame was skipped (or is still queued): the next one carries every live match
        self.live_tail = False

    def send(self, frame: Frame) -> bool:
        raise NotImplementedError

    def send_live(self, frames: LiveFrames) -> bool:
        raise NotImplementedError

    def gone(self) -> None:
        """The peer went away: nothing more is sent."""
        self.close_code = self.close_code or NORMAL

    def closed(self, code: int) -> None:
        """The hub closes it with ``code``."""
        if self.close_code is None:
            self.close_code = code
        if code == SLOW and self.on_slow is not None:
            self.on_slow()
            self.on_slow = None
        if self.on_close is not None:
            closer, self.on_close = self.on_close, None
            closer(code)


class DirectSubscriber(Subscriber):
    """Written to at once. ``proto`` is the connection's WebSocket protocol: it says when a
    close frame went out (after which nothing more may be written); ``transport`` is the socket
    under it, the one object the write loop touches besides this one."""

    __slots__ = ("limit", "transport")

    def __init__(self, tid: str, view: View, proto: Any, limit: int) -> None:
        super().__init__(tid, view)
        self.transport = proto.transport
        self.limit = limit
        proto.on_close_sent = self.gone
        if proto.close_sent:
            self.gone()

    def send(self, frame: Frame) -> bool:
        tr = self.transport
        if self.close_code is not None or tr.is_closing():
            return True  # closing: nothing more goes out, and nothing is wrong
        if tr.get_write_buffer_size() > self.limit:
            return False
        tr.write(frame.wire)
        return True

    def send_live(self, frames: LiveFrames) -> bool:
        tr = self.transport
        if self.close_code is not None or tr.is_closing():
            return True
        if tr.get_write_buffer_size():  # still writing: skip; the next carries every live match
            self.live_tail = True
            return True
        frame = frames.full if self.live_tail else frames.delta
        self.live_tail = False
        if frame is not None:
            tr.write(frame.wire)
        return True


class QueuedSubscriber(Subscriber):
    """Sent by its subscription's task through the ASGI path, from a bounded queue."""

    __slots__ = ("limit", "queue", "wake")

    def __init__(self, tid: str, view: View, limit: int) -> None:
        super().__init__(tid, view)
        self.limit = limit
        self.queue: deque[str] = deque()
        self.wake = asyncio.Event()

    def send(self, frame: Frame) -> bool:
        if self.close_code is not None:
            return True
        if len(self.queue) + len(frame.texts) > self.limit:
            return False
        self.queue.extend(frame.texts)
        self.live_tail = False
        self.wake.set()
        return True

    def send_live(self, frames: LiveFrames) -> bool:
        if self.close_code is not None:
            return True
        if self.live_tail:  # its last live frame is still queued: replace it whole
            full = frames.full
            if full is not None:
                self.queue[-1] = full.texts[0]
            return True
        self.queue.append(frames.delta.texts[0])
        self.live_tail = True
        self.wake.set()
        return True

    def take(self) -> str | None:
        """The next frame to send, or None."""
        if not self.queue:
            return None
        frame = self.queue.popleft()
        if not self.queue:
            self.live_tail = False
        return frame

    def gone(self) -> None:
        super().gone()
        self.queue.clear()
        self.wake.set()

    def closed(self, code: int) -> None:
        super().closed(code)
        if code in (SLOW, PRIVATE_NOW):
            self.queue.clear()  # nothing more is sent to a subscriber that fell behind
        self.wake.set()


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
