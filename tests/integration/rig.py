"""An in-process tourney on a real Valkey and a real SQLite file, built as the server builds it
(``Runtime``) and driven step by step: the writer runs in burst mode (``drain``)."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any

from app import config
from app.domain.commands import CommandName, Input
from app.runtime import Runtime
from app.service import Outcome, Tick, new_id


class Rig:
    def __init__(
        self,
        url: str,
        data: Path,
        prefix: str | None = None,
        webhooks: dict[str, Any] | None = None,
        **pipeline: Any,
    ) -> None:
        self.url = url
        self.db = data / "tourney.sqlite3"
        self.prefix = prefix or f"t{secrets.token_hex(4)}:"
        base = config.Config()
        self.cfg = dataclasses.replace(
            base,
            server=dataclasses.replace(base.server, data_dir=str(data)),
            redis=dataclasses.replace(base.redis, url=url, key_prefix=self.prefix),
            pipeline=dataclasses.replace(base.pipeline, **pipeline),
            webhooks=dataclasses.replace(base.webhooks, **(webhooks or {})),
        )

    async def __aenter__(self) -> Rig:
        self.rt = Runtime(self.cfg)
        await self.rt.open()
        await self.rt.recover()
        self.svc, self.state, self.store = self.rt.service, self.rt.state, self.rt.store
        self.stream, self.writer, self.redis = self.rt.stream, self.rt.writer, self.rt.redis
        self.dispatcher = self.rt.dispatcher
        await self.stream.ensure_group()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.rt.close()

    async def drain(self) -> int:
        """Burst mode: the writer's pending entries, then new ones, until the stream is empty."""
        total = 0
        while n := await self.writer.step(pending=True):
            total += n
        while n := await self.writer.step(pending=False):
            total += n
        return total

    async def run(
        self,
        name: CommandName,
        tid: str,
        body: Any = None,
        target: str = "",
        key: str | None = None,
    ) -> Outcome:
        return await self.svc.execute(name, tid, Input(body, target, new_id), key)

    async def result(self, tid: str, mid: str, scores: list[int]) -> Outcome:
        return await self.run(CommandName.REPORT_RESULT, tid, {"scores": scores}, mid)

    async def tick(self, tid: str, mid: str, scores: list[int], key: str | None = None) -> Outcome:
        return await self.svc.tick(tid, mid, {"scores": scores}, key)

    async def ticks(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        ticks = [Tick(i, x["tournament_id"], x["match_id"], x.get("id"), x) for i, x in
                 enumerate(items)]  # fmt: skip
        return await self.svc.ticks(ticks)

    async def tournament(self, n: int = 4, **body: Any) -> str:
        out = await self.svc.create({"name": "Cup", **body}, None)
        tid = out.event.tournament_id
        await self.run(CommandName.ADD_PARTICIPANTS, tid, [{"name": f"P{i}"} for i in range(n)])
        await self.run(CommandName.START, tid)
        return tid
