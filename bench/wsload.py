"""WebSocket subscribers for loopback benchmarks, run in several processes (see fanout.py, soak.py).

Each worker process holds many ``websockets`` asyncio clients, connects them at a bounded rate,
timestamps every frame on arrival (wall clock, comparable with the driver's send times on this
machine) and counts every failure by kind. Frames are not parsed as JSON: a few regular
expressions pull out what the benchmarks need, so the load costs far less than the server.

What a subscriber records, keyed so the driver can join it with its own send times:
- an ``event`` frame whose event id (the driver's Idempotency-Key) starts with the driver's
  prefix: ``(key, receive time)`` and the event's ``at`` once per key;
- a ``live`` frame: for every match in it whose live detail carries ``bench_sent``, the newest
  tick's send time, so receive minus send is that tick's delivery latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import multiprocessing as mp
import re
import resource
import time
from collections import Counter
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

EVENT_ID = re.compile(r'"event":\{"id":"([A-Za-z0-9_.:-]+)"')
EVENT_AT = re.compile(r'"at":"([^"]+)"')
SENT = re.compile(r'"bench_sent":([0-9.]+)')


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def iso_epoch(at: str) -> float:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connect_refused"
    if isinstance(exc, ConnectionResetError):
        return "reset"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, InvalidStatus):
        return f"http_{exc.response.status_code}"
    if isinstance(exc, ConnectionClosed):
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        return f"close_{code}"
    if isinstance(exc, InvalidHandshake):
        return f"handshake_{type(exc).__name__}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"oserror_{errno.errorcode.get(exc.errno, exc.errno)}"
    return type(exc).__name__


class Sub:
    """One subscriber: its socket, what it received, how it ended."""

    __slots__ = ("closing", "events", "last_tick", "task", "ws")

    def __init__(self) -> None:
        self.ws: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None
        self.events = 0  # driver events received
        self.last_tick = ""  # bench_sent of the newest tick seen
        self.closing = False  # we are closing it (a 1000 close is then expected)


class Worker:
    """Everything one process records; sent back to the driver as plain data."""

    def __init__(self, prefix: str, bucket_seconds: float, t0: float) -> None:
        self.prefix = prefix
        self.bucket_seconds = bucket_seconds
        self.t0 = t0
        self.errors: Counter[str] = Counter()
        self.error_buckets: dict[int, Counter[str]] = {}
        self.receipts: dict[str, list[float]] = {}  # event key -> receive times
        self.at: dict[str, float] = {}  # event key -> its "at"
        self.tick_lat: dict[int, list[float]] = {}  # bucket -> receive - send of newest ticks
        self.event_lat: dict[int, list[float]] = {}  # bucket -> receive - send (key has it)
        self.tick_receipts: dict[str, list[float]] = {}  # bench_sent -> receive times
        self.keep_tick_receipts = False
        self.attempted = 0
        self.connected = 0
        self.snapshots = 0
        self.connect_times: list[float] = []
        self.frames = 0

    def bucket(self, now: float) -> int:
        return int((now - self.t0) // self.bucket_seconds)

    def error(self, kind: str) -> None:
        self.errors[kind] += 1
        self.error_buckets.setdefault(self.bucket(time.time()), Counter())[kind] += 1

    def on_frame(self, sub: Sub, frame: str, now: float) -> None:
        self.frames += 1
        head = frame[:20]
        if head.startswith('{"type":"event"'):
            m = EVENT_ID.search(frame)
            if m is None or not m.group(1).startswith(self.prefix):
                return
            key = m.group(1)
            sub.events += 1
            self.receipts.setdefault(key, []).append(now)
            if key not in self.at:
                a = EVENT_AT.search(frame)
                if a is not None:
                    self.at[key] = iso_epoch(a.group(1))
            sent = key.rsplit("-", 1)[-1]
            if sent.isdigit():  # soak keys end in the send time in microseconds
                lat = now - int(sent) / 1e6
                self.event_lat.setdefault(self.bucket(now), []).append(lat)
        elif head.startswith('{"type":"live"') or head.startswith('{"type":"scores"'):
            sents = SENT.findall(frame)
            if not sents:
                return
            newest = max(sents, key=float)
            lat = now - float(newest)
            self.tick_lat.setdefault(self.bucket(now), []).append(lat)
            if self.keep_tick_receipts and newest != sub.last_tick:
                self.tick_receipts.setdefault(newest, []).append(now)
            sub.last_tick = newest
        elif head.startswith('{"type":"snapshot"'):
            self.snapshots += 1

    def result(self) -> dict[str, Any]:
        return {
            "errors": dict(self.errors),
            "error_buckets": {k: dict(v) for k, v in self.error_buckets.items()},
            "receipts": self.receipts,
            "at": self.at,
            "tick_lat": self.tick_lat,
            "event_lat": self.event_lat,
            "tick_receipts": self.tick_receipts,
            "attempted": self.attempted,
            "connected": self.connected,
            "snapshots": self.snapshots,
            "connect_times": self.connect_times,
            "frames": self.frames,
        }


async def run_sub(
    w: Worker,
    sub: Sub,
    uri: str,
    compression: str | None,
    sem: asyncio.Semaphore,
    open_timeout: float,
    opened: asyncio.Event | None = None,
) -> None:
    w.attempted += 1
    started = time.perf_counter()
    try:
        async with sem:
            sub.ws = await connect(
                uri,
                open_timeout=open_timeout,
                compression=compression,
                ping_interval=None,
                close_timeout=5,
                max_size=16 << 20,
                max_queue=64,
            )
    except BaseException as exc:  # every failure is counted by kind
        if isinstance(exc, asyncio.CancelledError):
            raise
        w.error(error_kind(exc))
        return
    finally:
        if opened is not None:
            opened.set()
    w.connected += 1
    w.connect_times.append(time.perf_counter() - started)
    ws = sub.ws
    try:
        async for frame in ws:
            w.on_frame(sub, frame if isinstance(frame, str) else frame.decode(), time.time())
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        if not (sub.closing and code == 1000):
            w.error(error_kind(exc))
        return
    except Exception as exc:
        w.error(error_kind(exc))
        return
    # the iterator ends quietly on a 1000 close: unexpected unless we asked for it
    if not sub.closing:
        w.error("close_1000_by_server")


async def close_all(subs: list[Sub], concurrency: int = 200) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def one(s: Sub) -> None:
        s.closing = True
        if s.ws is not None:
            async with sem:
                with contextlib.suppress(Exception):
                    await s.ws.close(1000)
        if s.task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(s.task, 10)

    await asyncio.gather(*(one(s) for s in subs))


def alive(subs: list[Sub]) -> int:
    return sum(1 for s in subs if s.task is not None and not s.task.done() and s.ws is not None)


# ---- fan-out: connect K, hold them until told to stop -------------------------------------------


def hold_worker(args: dict[str, Any], out: Any, stop: Any) -> None:
    raise_nofile()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_hold(args, out, stop))


async def _hold(args: dict[str, Any], out: Any, stop: Any) -> None:
    w = Worker(args["prefix"], 1e9, time.time())
    w.keep_tick_receipts = True
    sem = asyncio.Semaphore(args["in_flight"])
    subs: list[Sub] = []
    gap = 1 / args["rate"]
    began = time.monotonic()
    connect_deadline = began + args["connect_seconds"]
    for i in range(args["count"]):
        if time.monotonic() > connect_deadline:
            w.errors["not_attempted_connect_time_cap"] += args["count"] - i
            break
        s = Sub()
        s.task = asyncio.create_task(
            run_sub(w, s, args["uri"], args["compression"], sem, args["open_timeout"])
        )
        subs.append(s)
        await asyncio.sleep(max(0.0, began + (i + 1) * gap - time.monotonic()))
    # wait until every attempt has either connected or failed (bounded)
    while time.monotonic() < connect_deadline + args["open_timeout"]:
        if w.connected + sum(w.errors.values()) >= len(subs):
            break
        await asyncio.sleep(0.05)
    out.put(
        {
            "phase": "connected",
            "worker": args["worker"],
            "attempted": w.attempted,
            "connected": w.connected,
            "alive": alive(subs),
            "errors": dict(w.errors),
            "seconds": time.monotonic() - began,
        }
    )
    await asyncio.get_running_loop().run_in_executor(None, stop.wait, args["hold_seconds"])
    still = alive(subs)
    got_all = sum(1 for s in subs if s.events >= args["expect_events"] and s.ws is not None)
    await close_all(subs)
    res = w.result()
    res.update(
        {
            "phase": "done",
            "worker": args["worker"],
            "alive_at_end": still,
            "got_all_events": got_all,
        }
    )
    out.put(res)


def start_holders(
    uri: str,
    total: int,
    procs: int,
    rate: float,
    compression: str | None,
    prefix: str,
    expect_events: int,
    connect_seconds: float,
    hold_seconds: float,
    in_flight: int = 100,
    open_timeout: float = 30,
) -> tuple[list[Any], Any, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    stop = ctx.Event()
    procs_ = []
    for p in range(procs):
        count = total // procs + (1 if p < total % procs else 0)
        args = {
            "worker": p,
            "uri": uri,
            "count": count,
            "rate": rate / procs,
            "compression": compression,
            "prefix": prefix,
            "expect_events": expect_events,
            "connect_seconds": connect_seconds,
            "hold_seconds": hold_seconds,
            "in_flight": max(1, in_flight // procs),
            "open_timeout": open_timeout,
        }
        procs_.append(ctx.Process(target=hold_worker, args=(args, out, stop), daemon=True))
    return procs_, out, stop


# ---- soak: hold N, churn some every second, follow the current tournament ------------------------


def churn_worker(args: dict[str, Any], out: Any, stop: Any, current: Any) -> None:
    raise_nofile()
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_churn(args, out, stop, current))


async def _churn(args: dict[str, Any], out: Any, stop: Any, current: Any) -> None:
    w = Worker(args["prefix"], args["bucket_seconds"], args["t0"])
    sem = asyncio.Semaphore(50)
    subs: list[Sub] = []
    base = args["base"]

    def uri() -> str:
        return f"{base}/api/v1/tournaments/{current.value.decode()}/ws"

    def add() -> None:
        s = Sub()
        s.task = asyncio.create_task(run_sub(w, s, uri(), args["compression"], sem, 10))
        subs.append(s)

    for _ in range(args["held"]):
        add()
        await asyncio.sleep(0.002)
    hard = time.monotonic() + args["seconds"] + 30
    churn_carry = 0.0
    while not stop.is_set() and time.monotonic() < hard:
        await asyncio.sleep(1)
        subs = [s for s in subs if s.task is not None and not s.task.done()]
        churn_carry += args["churn"]
        n = int(churn_carry)
        churn_carry -= n
        leaving, subs = subs[:n], subs[n:]
        for s in leaving:
            s.closing = True
            if s.ws is not None:
                asyncio.create_task(s.ws.close(1000))  # noqa: RUF006
        while len(subs) < args["held"]:
            add()
        bucket = w.bucket(time.time())
        w.connect_times = w.connect_times[-2000:]
        out.put({"phase": "tick", "worker": args["worker"], "bucket": bucket, "alive": alive(subs)})
    await close_all(subs)
    res = w.result()
    res.update({"phase": "done", "worker": args["worker"]})
    out.put(res)
