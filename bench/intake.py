"""What the webhook dispatcher costs the stream's events: the CPU the writer and the dispatcher
each spend per event, on the same events, measured in-process (a tourney built as the server
builds it, on its embedded Valkey and a fresh SQLite file).

A 256-player single elimination is started, then E live ticks (in batches of 1,000, as a
scoreboard bot sends them) and every result are appended with both consumers stopped; then the
writer drains the stream, then the dispatcher does (with one webhook endpoint subscribed to every
type, and deliveries off, so only the intake is measured). CPU time of this process, from
``time.process_time``: Valkey runs apart and is not counted.

    .venv/bin/python bench/intake.py --ticks 100000
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from common import ROOT  # noqa: F401 (puts the repository on sys.path)

from app import config
from app.domain.commands import CommandName, Input
from app.domain.events import EventType
from app.outbound import new_secret
from app.runtime import Runtime
from app.service import Tick, new_id


async def run(ticks: int, players: int) -> None:
    base = config.Config()
    data = Path(tempfile.mkdtemp(prefix="tourney-intake-"))
    cfg = dataclasses.replace(
        base,
        server=dataclasses.replace(base.server, data_dir=str(data)),
        webhooks=dataclasses.replace(base.webhooks, deliver=False),
    )
    rt = Runtime(cfg)
    await rt.open()
    try:
        await rt.recover()
        await rt.stream.ensure_group()
        await rt.dispatcher.step()  # creates its group, loads, reads nothing yet
        svc = rt.service
        tid = (await svc.create({"name": "Intake"}, None)).event.tournament_id
        await svc.record(EventType.WEBHOOK_CREATED, {
            "id": new_id("wh_"), "tournament_id": tid, "url": "https://example.com/hook",
            "format": "standard", "types": ["*"], "secret": new_secret(), "description": "",
            "enabled": True}, None)  # fmt: skip
        rows = [{"name": f"P{i}"} for i in range(players)]
        await svc.execute(CommandName.ADD_PARTICIPANTS, tid, Input(rows, "", new_id), None)
        await svc.execute(CommandName.START, tid, Input(None, "", new_id), None)
        t = rt.state.tournaments[tid]
        ready = [m.id for m in t.matches.values() if m.state == "ready"]
        for start in range(0, ticks, 1000):
            batch = [Tick(i, tid, ready[i % len(ready)], None, {"scores": [i % 7, 1]})
                     for i in range(start, min(ticks, start + 1000))]  # fmt: skip
            await svc.ticks(batch)
        results = 0
        while mids := [m.id for m in t.matches.values() if m.state in ("ready", "live")]:
            for mid in mids:
                body = {"scores": [2, 1]}
                await svc.execute(CommandName.REPORT_RESULT, tid, Input(body, mid, new_id), None)
                results += 1
        events = await rt.stream.length()
        print(f"machine: {os.cpu_count()} cores; {events} stream entries: {ticks} live ticks,"
              f" {results} results, the rest set-up and follow-ups")  # fmt: skip
        cpu, wall = time.process_time(), time.perf_counter()
        stored = 0
        while n := await rt.writer.step(pending=False):
            stored += n
        w_cpu, w_wall = time.process_time() - cpu, time.perf_counter() - wall
        cpu, wall = time.process_time(), time.perf_counter()
        read = await rt.dispatcher.step()
        d_cpu, d_wall = time.process_time() - cpu, time.perf_counter() - wall
        counts = await rt.outbox.counts(list(rt.webhooks.by_id))
        count = sum(sum(x.values()) for x in counts.values())
        print(f"writer: {stored} entries stored, {w_cpu:.2f} s CPU ({w_cpu / stored * 1e6:.1f}"
              f" µs an entry), {w_wall:.2f} s wall")  # fmt: skip
        print(f"webhook dispatcher: {read} entries read, {count} messages stored,"
              f" {d_cpu:.2f} s CPU ({d_cpu / max(read, 1) * 1e6:.1f} µs an entry),"
              f" {d_wall:.2f} s wall")  # fmt: skip
        print(f"the dispatcher adds {d_cpu / w_cpu:.0%} to the writer's CPU for these events")
        assert await rt.stream.length() < events, "the stream was not trimmed"
    finally:
        await rt.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ticks", type=int, default=100_000)
    ap.add_argument("--players", type=int, default=256)
    a = ap.parse_args()
    asyncio.run(run(a.ticks, a.players))


if __name__ == "__main__":
    main()
