"""The hub's write loop alone, against a bare loop writing the same frame to the same sockets.

    .venv/bin/python bench/writeloop.py [--sockets 10000] [--rounds 30] [--procs 2]

Opens ``--sockets`` loopback TCP connections to reader processes that discard what they get (raw
uvloop protocols), then alternates, ``--rounds`` times each, a frame to every socket written by:
- bare: ``for t in transports: t.write(frame)``, the floor on this machine (the kernel's send
  and, over loopback, the receive side too, plus waking the reader);
- hub: ``Hub.fan_out`` to ``DirectSubscriber``s on the same transports, as the server does it
  (its checks, its seq skip, its slices).
Prints the CPU of this process per delivery, user and system, for each, and the difference: what
the hub adds to the floor. No HTTP and no WebSocket handshake: the protocol objects are stand-ins
that only say no close frame was sent, so the figures are the loop's and the kernel's only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import time
from typing import Any

import uvloop
from common import ROOT  # noqa: F401  (puts the app on sys.path)
from wsload import raise_nofile

from app.config import LiveConfig
from app.hub import Group, Hub, View
from app.metrics import Metrics
from app.subscribers import DirectSubscriber, Frame


class Sink(asyncio.Protocol):
    def data_received(self, data: bytes) -> None:
        pass


def reader(port: int, count: int) -> None:
    raise_nofile()
    uvloop.install()

    async def hold() -> None:
        loop = asyncio.get_running_loop()
        held = [await loop.create_connection(Sink, "127.0.0.1", port) for _ in range(count)]
        await asyncio.sleep(3600)
        del held

    asyncio.run(hold())


class Accepted(asyncio.Protocol):
    transports: list[Any] = []
    wanted = 0
    all_in: asyncio.Event

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        Accepted.transports.append(transport)
        if len(Accepted.transports) >= Accepted.wanted:
            Accepted.all_in.set()


class Proto:
    """What a DirectSubscriber asks of the connection's WebSocket protocol."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.close_sent = False
        self.on_close_sent: Any = None


def cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


async def main(a: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    Accepted.wanted, Accepted.all_in = a.sockets // a.procs * a.procs, asyncio.Event()
    server = await loop.create_server(Accepted, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=reader, args=(port, a.sockets // a.procs), daemon=True)
             for _ in range(a.procs)]  # fmt: skip
    for p in procs:
        p.start()
    await Accepted.all_in.wait()
    transports = Accepted.transports
    hub = Hub(LiveConfig(), Metrics())
    group = Group(View())
    for t in transports:
        group.subs[DirectSubscriber("t", View(), Proto(t), 262_144)] = None
    frame = Frame('{"type":"live","seq":1,"matches":[{"id":"m1","state":"live","scores":[3,2],'
                  '"live":{"bench_sent":1764000000.123456}}]}')  # fmt: skip
    spent = {"bare": [0.0, 0.0], "hub": [0.0, 0.0]}
    await asyncio.sleep(1)
    for r in range(a.rounds):
        for name in ("bare", "hub"):
            u0, s0 = cpu()
            if name == "bare":
                for t in transports:
                    t.write(frame.wire)
            else:
                await hub.fan_out(group, [(r + 1, frame)])
            u1, s1 = cpu()
            spent[name][0] += u1 - u0
            spent[name][1] += s1 - s0
            await asyncio.sleep(a.gap)  # the readers drain
    n = len(transports) * a.rounds
    print(f"{len(transports)} sockets x {a.rounds} rounds each, frame {len(frame.wire)} bytes;"
          " this process's CPU per delivery:")  # fmt: skip
    for name, (user, system) in spent.items():
        print(f"  {name:<5} {(user + system) / n * 1e6:6.2f} us  (user {user / n * 1e6:5.2f},"
              f" system {system / n * 1e6:5.2f})")  # fmt: skip
    extra = sum(spent["hub"]) - sum(spent["bare"])
    print(f"  the hub adds {extra / n * 1e6:+.2f} us per delivery to the bare loop")
    for p in procs:
        p.kill()
    server.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--procs", type=int, default=2, help="reader processes")
    ap.add_argument("--gap", type=float, default=0.1, help="seconds between rounds")
    args = ap.parse_args()
    raise_nofile()
    started = time.perf_counter()
    uvloop.install()
    asyncio.run(main(args))
    print(f"({time.perf_counter() - started:.0f} s in all)")
