"""An in-process tourney pipeline on a real Valkey and a real SQLite file, driven step by step."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from app import config
from app.domain import engine
from app.hub import Hub
from app.metrics import Metrics
from app.pipeline.stream import Stream
from app.pipeline.writer import Writer
from app.service import Service
from app.store import Store


class Rig:
    def __init__(self, url: str, db: Path, prefix: str | None = None, **pipeline: Any) -> None:
        self.url = url
        self.db = db
        self.prefix = prefix or f"t{secrets.token_hex(4)}:"
        base = config.Config()
        self.cfg = dataclasses.replace(
            base,
            redis=dataclasses.replace(base.redis, url=url, key_prefix=self.prefix),
            pipeline=dataclasses.replace(base.pipeline, **pipeline),
        )

    async def __aenter__(self) -> Rig:
        self.metrics = Metrics()
        self.redis = aioredis.Redis.from_url(self.url, socket_timeout=2)
        self.store = Store(self.db)
        await self.store.open()
        self.stream = Stream(self.redis, self.prefix)
        self.hub = Hub(self.cfg.live, self.metrics)
        self.svc = Service(self.cfg, self.stream, self.store, self.hub, self.metrics)
        await self.svc.recover()
        self.writer = Writer(
            self.stream, self.store, await self.store.load_tournaments(), self.cfg.pipeline,
            self.metrics,
        )  # fmt: skip
        self.writer.committed_seq = await self.store.max_seq()
        self.svc.writer = self.writer
        await self.stream.ensure_group()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.store.close()
        await self.redis.aclose()

    async def drain(self) -> int:
        """Burst mode: the writer's pending entries, then new ones, until the stream is empty."""
        total = 0
        while n := await self.writer.step(pending=True):
            total += n
        while n := await self.writer.step(pending=False):
            total += n
        return total

    async def tournament(self, n: int = 4, **body: Any) -> str:
        tid = "t_" + secrets.token_hex(4)
        await self.svc.command(
            tid, "tournament.created",
            lambda _t: engine.create_tournament({"name": "Cup", **body}), create=True,
        )  # fmt: skip
        ids = [f"p{i}_{tid}" for i in range(n)]
        players = [{"name": f"P{i}"} for i in range(n)]
        await self.svc.command(
            tid, "participant.added", lambda t: engine.add_participants(need(t), players, ids)
        )
        await self.svc.command(tid, "tournament.started", lambda t: engine.start(need(t)))
        return tid


def need(t: Any) -> Any:
    assert t is not None
    return t
