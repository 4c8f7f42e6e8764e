"""The Redis side of the pipeline: every key name, the atomic append, the writer's reads.

Keys (all under the configured prefix):
- ``events``: the stream; each entry ``{s: seq, e: event JSON without seq}``.
- ``seq``: the global sequence counter.
- ``id:{event id}``: "seq tournament_id" of an event already appended (expires; dedupes retries).
- ``resp:{event id}``: the first response to a request with an ``Idempotency-Key``.
- ``dead``: events the writer could not store, for an operator to look at.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from ..codec import dumps, dumps_text, loads
from ..domain.events import Event

log = logging.getLogger("tourney.stream")

GROUP = "writer"  # the writer's consumer group
WEBHOOKS = "webhooks"  # the webhook dispatcher's
GROUPS = (GROUP, WEBHOOKS)  # every group the stream is read by: trimming waits for each

# One round trip appends a whole batch atomically. ARGV[2] is a JSON array of
# [id, id ttl, tournament id, event JSON]; for each, a repeated id answers the first append's
# "d<seq> <tournament id>", a new one gets the next seq and is added. One string comes back,
# comma-separated: packing and parsing thousands of arguments and replies costs more than this.
APPEND_LUA = """
local items = cjson.decode(ARGV[2])
local out = {}
for i, item in ipairs(items) do
  local idkey = ARGV[1] .. item[1]
  local prev = redis.call('GET', idkey)
  if prev then
    out[i] = 'd' .. prev
  else
    local seq = redis.call('INCR', KEYS[2])
    redis.call('XADD', KEYS[1], '*', 's', seq, 'e', item[4])
    redis.call('SET', idkey, seq .. ' ' .. item[3], 'EX', item[2])
    out[i] = seq
  end
end
return table.concat(out, ',')
"""

# The counter never goes below what SQLite already holds (a Redis that lost its data must not
# hand out a seq twice).
FLOOR_LUA = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1] end
return tostring(cur)
"""


@dataclass(frozen=True, slots=True)
class Appended:
    """The outcome of one append: a new ``seq``, or ``duplicate`` of an earlier event."""

    seq: int
    duplicate: bool
    tournament_id: str = ""


@dataclass(frozen=True)
class Keys:
    prefix: str

    @property
    def stream(self) -> str:
        return self.prefix + "events"

    @property
    def seq(self) -> str:
        return self.prefix + "seq"

    @property
    def ids(self) -> str:
        return self.prefix + "id:"

    def response(self, event_id: str) -> str:
        return self.prefix + "resp:" + event_id

    @property
    def dead(self) -> str:
        return self.prefix + "dead"


def encode(event: Event) -> str:
    d = event.to_dict()
    del d["seq"]
    return dumps_text(d)


def decode(fields: dict[bytes, bytes]) -> Event:
    d: dict[str, Any] = loads(fields[b"e"])
    d["seq"] = int(fields[b"s"])
    return Event.from_dict(d)


class Stream:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.redis = client
        self.keys = Keys(prefix)
        self._append = client.register_script(APPEND_LUA)
        self._floor = client.register_script(FLOOR_LUA)

    async def append(self, events: list[tuple[Event, int]]) -> list[Appended]:
        """Append ``(event, id ttl seconds)`` pairs in order, atomically, in one round trip."""
        if not events:
            return []
        items = [[e.id, ttl, e.tournament_id, encode(e)] for e, ttl in events]
        args: list[str | bytes] = [self.keys.ids, dumps(items)]
        raw: Any = await self._append(keys=[self.keys.stream, self.keys.seq], args=args)
        out = []
        for text in raw.decode().split(","):
            if text[0] == "d":
                seq, _, tid = text[1:].partition(" ")
                out.append(Appended(int(seq), True, tid))
            else:
                out.append(Appended(int(text), False))
        return out

    async def set_floor(self, seq: int) -> int:
        return int(await self._floor(keys=[self.keys.seq], args=[seq]))

    async def ensure_group(self, group: str = GROUP) -> None:
        try:
            await self.redis.xgroup_create(self.keys.stream, group, id="0", mkstream=True)
        except aioredis.ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    async def read_all(self, count: int = 5000) -> list[tuple[bytes, Event]]:
        """Every entry still in the stream, oldest first (recovery). One that cannot be decoded
        is skipped: the writer sends it to the dead-letter stream (or already has: trimming is
        approximate, so the stream can still hold it)."""
        out: list[tuple[bytes, Event]] = []
        start = "-"
        while True:
            batch: Any = await self.redis.xrange(self.keys.stream, min=start, count=count)
            if not batch:
                return out
            for eid, fields in batch:
                try:
                    out.append((eid, decode(fields)))
                except Exception as exc:
                    log.warning("recovery skips an unreadable stream entry",
                                extra={"entry": eid.decode(), "error": repr(exc)})  # fmt: skip
            if len(batch) < count:
                return out
            start = "(" + batch[-1][0].decode()

    async def read_group(
        self, consumer: str, count: int, block_ms: int | None, pending: bool, group: str = GROUP
    ) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """A batch for a consumer: its own pending entries (``pending``), else new ones."""
        reply: Any = await self.redis.xreadgroup(
            group,
            consumer,
            {self.keys.stream: "0" if pending else ">"},
            count=count,
            block=None if pending else block_ms,
        )
        if not reply:
            return []
        entries: list[tuple[bytes, dict[bytes, bytes]]] = reply[0][1]
        return [(eid, fields) for eid, fields in entries if fields]

    async def ack_and_trim(self, ids: list[bytes], group: str = GROUP) -> None:
        """Acknowledge a handled batch, then trim what every group is done with. MINID keeps
        every entry at or after the oldest one still pending or unread in any group, so
        nothing unwritten (or not yet turned into webhooks) is ever trimmed."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xack(self.keys.stream, group, *ids)
            pipe.xinfo_groups(self.keys.stream)
            for name in GROUPS:
                pipe.xpending(self.keys.stream, name)
            _, groups, *pending = await pipe.execute(raise_on_error=False)
        if isinstance(groups, Exception):
            raise groups
        summaries = dict(zip(GROUPS, pending, strict=True))
        floor: tuple[int, int] | None = None
        for info in groups:
            name = as_text(info["name"])
            summary = summaries.get(name)
            if isinstance(summary, dict) and summary.get("pending"):
                first = parse_id(summary["min"])
            elif name in summaries:
                ms, n = parse_id(info["last-delivered-id"])
                first = (ms, n + 1)
            else:
                continue  # a group of someone else's: not ours to wait for
            floor = first if floor is None else min(floor, first)
        if floor is not None and floor > (0, 1):
            await self.redis.xtrim(self.keys.stream, minid=f"{floor[0]}-{floor[1]}",
                                   approximate=True)  # fmt: skip

    async def dead_letter(self, fields: dict[bytes, bytes], reason: str) -> None:
        entry: Any = {**fields, b"reason": reason.encode()}
        await self.redis.xadd(self.keys.dead, entry)

    async def remember_response(self, event_id: str, body: bytes, ttl: int) -> None:
        await self.redis.set(self.keys.response(event_id), body, ex=ttl)

    async def response(self, event_id: str) -> bytes | None:
        value: Any = await self.redis.get(self.keys.response(event_id))
        return bytes(value) if value is not None else None

    async def length(self) -> int:
        return int(await self.redis.xlen(self.keys.stream))

    async def pending_count(self, group: str = GROUP) -> int:
        info = await self.redis.xpending(self.keys.stream, group)
        return int(info.get("pending", 0)) if info else 0


def as_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def parse_id(value: Any) -> tuple[int, int]:
    """A stream entry id ``ms-n`` as a pair that orders as the stream does."""
    ms, _, n = as_text(value).partition("-")
    return int(ms), int(n or 0)
