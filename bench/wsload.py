"""WebSocket subscribers for loopback benchmarks: raw asyncio protocols on uvloop, in processes.

Each subscriber is an ``asyncio.Protocol`` that writes the upgrade request itself and reads
frames with the least parsing a benchmark needs: the frame header, then a few ``bytes.find``
calls on the payload, never a JSON decode. A full client library cost more CPU per frame than
the server did, so a fan-out benchmark built on one measured mostly its clients; these cost a
few microseconds a frame (the figure is printed beside the server's by fanout.py).

What a process records, keyed so the driver can join it with its own send times:
- an ``event`` frame whose event id (the driver's Idempotency-Key) starts with the driver's
  prefix: its receive time under that key;
- a ``live`` or ``scores`` frame: the newest ``bench_sent`` in it (the send time of the newest
  tick it carries) and the receive time, once per tick and subscriber;
- every frame and byte, in counters the driver reads while the processes run (phase by phase);
- every failure by kind: refused, reset, timed out, an HTTP answer instead of 101, a close code.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import multiprocessing as mp
import os
import re
import resource
import time
from array import array
from collections import Counter
from typing import Any

EVENT_ID = b'"event":{"id":"'
SENT = re.compile(rb'"bench_sent":([0-9.eE+-]+)')
CLOSE_1000 = b"\x88\x82\x00\x00\x00\x00\x03\xe8"  # a masked close frame, code 1000


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def masked(opcode: int, payload: bytes) -> bytes:
    """A client frame (clients must mask; a zero key leaves the payload as it is)."""
    assert len(payload) < 126
    return bytes((0x80 | opcode, 0x80 | len(payload))) + b"\0\0\0\0" + payload


def upgrade_request(host: str, port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


class Recorder:
    """Everything one process records; sent back to the driver as plain data."""

    def __init__(self, prefix: str, bucket_seconds: float = 1e9, t0: float = 0.0) -> None:
        self.prefix = prefix.encode()
        self.bucket_seconds = bucket_seconds
        self.t0 = t0
        self.errors: Counter[str] = Counter()
        self.error_buckets: dict[int, Counter[str]] = {}
        self.receipts: dict[str, array[float]] = {}  # event key -> receive times
        self.tick_sent = array("d")  # a tick's send time ...
        self.tick_recv = array("d")  # ... and when one subscriber received it
        self.key_has_send_time = False  # soak: a key ends in its send time in microseconds
        self.event_lat: dict[int, list[float]] = {}  # bucket -> receive - send
        self.tick_lat: dict[int, list[float]] = {}  # bucket -> receive - send (newest tick)
        self.attempted = 0
        self.connected = 0
        self.snapshots = 0
        self.connect_times: list[float] = []
        self.frames = 0
        self.bytes = 0

    def bucket(self, now: float) -> int:
        return int((now - self.t0) // self.bucket_seconds)

    def error(self, kind: str) -> None:
        self.errors[kind] += 1
        self.error_buckets.setdefault(self.bucket(time.time()), Counter())[kind] += 1

    def on_frame(self, conn: Conn, payload: bytes, now: float) -> None:
        self.frames += 1
        self.bytes += len(payload)
        kind = payload[9:12]  # '{"type":"<kind>...'
        if kind == b"eve":
            i = payload.find(EVENT_ID)
            if i < 0 or not payload.startswith(self.prefix, i + 15):
                return
            key = payload[i + 15 : payload.find(b'"', i + 15)].decode()
            conn.events += 1
            got = self.receipts.get(key)
            if got is None:
                got = self.receipts[key] = array("d")
            got.append(now)
            if self.key_has_send_time:
                sent = key.rsplit("-", 1)[-1]
                if sent.isdigit():
                    lat = now - int(sent) / 1e6
                    self.event_lat.setdefault(self.bucket(now), []).append(lat)
        elif kind == b"liv" or kind == b"sco":
            newest = newest_sent(payload)
            if newest is None or newest == conn.last_tick:
                return
            conn.last_tick = newest
            self.tick_sent.append(newest)
            self.tick_recv.append(now)
            if self.key_has_send_time:
                self.tick_lat.setdefault(self.bucket(now), []).append(now - newest)
        elif kind == b"sna":
            self.snapshots += 1

    def result(self) -> dict[str, Any]:
        return {
            "errors": dict(self.errors),
            "error_buckets": {k: dict(v) for k, v in self.error_buckets.items()},
            "receipts": {k: v.tobytes() for k, v in self.receipts.items()},
            "tick_sent": self.tick_sent.tobytes(),
            "tick_recv": self.tick_recv.tobytes(),
            "event_lat": self.event_lat,
            "tick_lat": self.tick_lat,
            "attempted": self.attempted,
            "connected": self.connected,
            "snapshots": self.snapshots,
            "connect_times": self.connect_times,
            "frames": self.frames,
            "bytes": self.bytes,
            "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }


def floats(raw: bytes) -> array[float]:
    out = array("d")
    out.frombytes(raw)
    return out


def newest_sent(payload: bytes) -> float | None:
    """The largest ``bench_sent`` in a live frame (each ticked match carries its newest)."""
    found = SENT.findall(payload)
    if not found:
        return None
    return float(found[0]) if len(found) == 1 else max(map(float, found))


class Conn(asyncio.Protocol):
    """One subscriber: the upgrade, then frames. Pings are answered, a close is echoed."""

    def __init__(self, rec: Recorder, request: bytes) -> None:
        self.rec = rec
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.buf = b""
        self.events = 0  # prefixed events received
        self.last_tick = 0.0
        self.closing = False  # we asked for the close: a 1000 is then expected
        self.close_code: int | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if not self.open:
            self.buf += data
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.buf[9:12]
            if status != b"101":
                self.fail(f"http_{status.decode(errors='replace')}")
                return
            self.open = True
            data, self.buf = self.buf[end + 4 :], b""
            if not self.opened.done():
                self.opened.set_result(None)
            if not data:
                return
        self.frames(self.buf + data if self.buf else data)

    def frames(self, buf: bytes) -> None:
        pos, end, now = 0, len(buf), time.time()
        while end - pos >= 2:
            n, head = buf[pos + 1] & 0x7F, 2
            if n == 126:
                if end - pos < 4:
                    break
                n, head = (buf[pos + 2] << 8) | buf[pos + 3], 4
            elif n == 127:
                if end - pos < 10:
                    break
                n, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if end - pos < head + n:
                break
            opcode = buf[pos] & 0x0F
            payload = buf[pos + head : pos + head + n]
            pos += head + n
            if opcode == 1 or opcode == 2:
                self.rec.on_frame(self, payload, now)
            elif opcode == 8:
                self.on_close(payload)
            elif opcode == 9 and self.transport is not None:
                self.transport.write(masked(0xA, payload))
        self.buf = buf[pos:] if pos < end else b""

    def on_close(self, payload: bytes) -> None:
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
        self.close_code = code
        if not (self.closing and code == 1000):
            self.rec.error(f"close_{code}")
        if self.transport is not None:
            if not self.closing:
                self.transport.write(masked(0x8, payload[:2]))
            self.transport.close()

    def fail(self, kind: str) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(kind))
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("eof_before_101"))
        elif self.close_code is None and not self.closing:
            self.rec.error(error_kind(exc) if exc else "eof_without_close")
        if not self.done.done():
            self.done.set_result(None)

    def close(self) -> None:
        self.closing = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(CLOSE_1000)


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connect_refused"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"oserror_{errno.errorcode.get(exc.errno, exc.errno)}"
    if isinstance(exc, ConnectionError) and exc.args:
        return str(exc.args[0])
    return type(exc).__name__


async def open_conn(
    rec: Recorder, host: str, port: int, path: str, sem: asyncio.Semaphore, timeout: float
) -> Conn | None:
    """Connect and upgrade one subscriber; None (the failure counted) if it did not open."""
    rec.attempted += 1
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    conn: Conn | None = None
    try:
        async with sem, asyncio.timeout(timeout):
            request = upgrade_request(host, port, path)
            _, conn = await loop.create_connection(lambda: Conn(rec, request), host, port)
            await conn.opened
    except Exception as exc:
        rec.error(error_kind(exc))
        if conn is not None and conn.transport is not None:
            conn.transport.abort()
        return None
    rec.connected += 1
    rec.connect_times.append(time.perf_counter() - started)
    return conn


async def close_all(conns: list[Conn], timeout: float = 10) -> None:
    for c in conns:
        c.close()
    pending = [c.done for c in conns if not c.done.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)
    for c in conns:
        if not c.done.done() and c.transport is not None:
            c.transport.abort()


def alive(conns: list[Conn]) -> int:
    return sum(1 for c in conns if not c.done.done())


def start_loop() -> None:
    raise_nofile()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()


async def publish_counters(rec: Recorder, counters: Any) -> None:
    """Frames and bytes so far, where the driver reads them (shared memory, no lock)."""
    while True:
        counters[0], counters[1] = rec.frames, rec.bytes
        await asyncio.sleep(0.05)


# ---- fan-out: connect K, hold them until told to stop -------------------------------------------


def hold_worker(args: dict[str, Any], out: Any, stop: Any, counters: Any) -> None:
    start_loop()
    asyncio.run(_hold(args, out, stop, counters))


async def _hold(args: dict[str, Any], out: Any, stop: Any, counters: Any) -> None:
    rec = Recorder(args["prefix"])
    sem = asyncio.Semaphore(args["in_flight"])
    gap = 1 / args["rate"]
    began = time.monotonic()
    deadline = began + args["connect_seconds"]
    tasks = []
    publisher = asyncio.create_task(publish_counters(rec, counters))
    for i in range(args["count"]):
        if time.monotonic() > deadline:
            rec.errors["not_attempted_connect_time_cap"] += args["count"] - i
            break
        tasks.append(
            asyncio.create_task(
                open_conn(rec, args["host"], args["port"], args["path"], sem, args["open_timeout"])
            )
        )
        await asyncio.sleep(max(0.0, began + (i + 1) * gap - time.monotonic()))
    conns = [c for c in await asyncio.gather(*tasks) if c is not None]
    out.put({"phase": "connected", "worker": args["worker"], "attempted": rec.attempted,
             "connected": rec.connected, "alive": alive(conns), "errors": dict(rec.errors),
             "seconds": time.monotonic() - began})  # fmt: skip
    await asyncio.get_running_loop().run_in_executor(None, stop.wait, args["hold_seconds"])
    still = alive(conns)
    got_all = sum(1 for c in conns if c.events >= args["expect_events"] and not c.done.done())
    await close_all(conns)
    publisher.cancel()
    res = rec.result()
    res.update({"phase": "done", "worker": args["worker"], "alive_at_end": still,
                "got_all_events": got_all})  # fmt: skip
    out.put(res)


def start_holders(
    host: str,
    port: int,
    path: str,
    total: int,
    procs: int,
    rate: float,
    prefix: str,
    expect_events: int,
    connect_seconds: float,
    hold_seconds: float,
    in_flight: int = 200,
    open_timeout: float = 30,
) -> tuple[list[Any], Any, Any, list[Any]]:
    """``procs`` processes holding ``total`` subscribers between them (not started yet), the
    queue they answer on, the event that stops them, and each one's frame/byte counters."""
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    workers, counters = [], []
    for p in range(procs):
        count = total // procs + (1 if p < total % procs else 0)
        args = {"worker": p, "host": host, "port": port, "path": path, "count": count,
                "rate": rate / procs, "prefix": prefix, "expect_events": expect_events,
                "connect_seconds": connect_seconds, "hold_seconds": hold_seconds,
                "in_flight": max(1, in_flight // procs), "open_timeout": open_timeout}  # fmt: skip
        shared = ctx.RawArray("d", 2)
        counters.append(shared)
        workers.append(ctx.Process(target=hold_worker, args=(args, out, stop, shared), daemon=True))
    return workers, out, stop, counters


# ---- soak: hold N, churn some every second, follow the current tournament ------------------------


def churn_worker(args: dict[str, Any], out: Any, stop: Any, current: Any) -> None:
    start_loop()
    asyncio.run(_churn(args, out, stop, current))


async def _churn(args: dict[str, Any], out: Any, stop: Any, current: Any) -> None:
    rec = Recorder(args["prefix"], args["bucket_seconds"], args["t0"])
    rec.key_has_send_time = True
    sem = asyncio.Semaphore(50)
    host, port = args["host"], args["port"]
    conns: list[Conn] = []
    opening: set[asyncio.Task[Conn | None]] = set()

    def add() -> None:
        path = f"/api/v1/tournaments/{current.value.decode()}/ws"
        task = asyncio.create_task(open_conn(rec, host, port, path, sem, 10))
        opening.add(task)
        task.add_done_callback(lambda t: landed(t))

    def landed(task: asyncio.Task[Conn | None]) -> None:
        opening.discard(task)
        if not task.cancelled() and task.result() is not None:
            conns.append(task.result())  # type: ignore[arg-type]

    for _ in range(args["held"]):
        add()
        await asyncio.sleep(0.002)
    hard = time.monotonic() + args["seconds"] + 30
    carry = 0.0
    while not stop.is_set() and time.monotonic() < hard:
        await asyncio.sleep(1)
        conns[:] = [c for c in conns if not c.done.done()]
        carry += args["churn"]
        n = int(carry)
        carry -= n
        for c in conns[:n]:
            c.close()
        del conns[:n]
        while len(conns) + len(opening) < args["held"]:
            add()
        rec.connect_times = rec.connect_times[-2000:]
        out.put({"phase": "tick", "worker": args["worker"], "bucket": rec.bucket(time.time()),
                 "alive": alive(conns)})  # fmt: skip
    if opening:
        await asyncio.wait(opening, timeout=15)
    await close_all(conns)
    res = rec.result()
    res.update({"phase": "done", "worker": args["worker"]})
    out.put(res)
