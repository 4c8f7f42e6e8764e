"""The Redis side of the pipeline: every key name, the atomic append, the writer's reads.

Keys (all under the configured prefix):
- ``events``: the stream; each entry ``{s: seq, e: event JSON without seq}``.
- ``seq``: the global sequence counter.
- ``versions``: per tournament, the version its newest structural event made (the append refuses
  a structural event decided on an older version: another process changed the tournament first).
- ``committed``: the newest seq the writer has stored in SQLite (for every process's backlog).
- ``lease:writer``: which process drains the stream into SQLite (a key with a TTL).
- ``id:{event id}``: "seq tournament_id" of an event already appended (expires; dedupes retries).
- ``resp:{event id}``: the first response to a request with an ``Idempotency-Key``.
- ``dead``: events the writer could not store, for an operator to look at.
"""

from __future__ import annotations

import logging
import time
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
# [id, id ttl, tournament id, event JSON, expected version]; for each, a repeated id answers the
# first append's "d<seq> <tournament id>"; a structural event (expected version >= 0) whose
# tournament's version is not the one it was decided on answers "s<current version>" and is not
# added; else it gets the next seq and is added (and the version moves on by one). One string
# comes back, comma-separated: packing and parsing thousands of arguments and replies costs more.
APPEND_LUA = """
local items = cjson.decode(ARGV[2])
local out = {}
for i, item in ipairs(items) do
  local idkey = ARGV[1] .. item[1]
  local prev = redis.call('GET', idkey)
  local want = item[5]
  local cur = 0
  if prev then
    out[i] = 'd' .. prev
  elseif want >= 0 then
    cur = tonumber(redis.call('HGET', KEYS[3], item[3]) or '0')
    if cur ~= want then out[i] = 's' .. cur end
  end
  if out[i] == nil then
    local seq = redis.call('INCR', KEYS[2])
    redis.call('XADD', KEYS[1], '*', 's', seq, 'e', item[4])
    redis.call('SET', idkey, seq .. ' ' .. item[3], 'EX', item[2])
    if want >= 0 then redis.call('HSET', KEYS[3], item[3], cur + 1) end
    out[i] = seq
  end
end
return table.concat(out, ',')
"""

# Versions never go below what this process's state holds (a Redis that lost its data, or a
# stream written before versions were kept). ARGV[1]: a JSON object {tournament id: version}.
VERSIONS_FLOOR_LUA = """
local floor = cjson.decode(ARGV[1])
for tid, v in pairs(floor) do
  local cur = tonumber(redis.call('HGET', KEYS[1], tid) or '0')
  if cur < v then redis.call('HSET', KEYS[1], tid, v) end
end
return 1
"""

# The counter never goes below what SQLite already holds (a Redis that lost its data must not
# hand out a seq twice).
FLOOR_LUA = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1] end
return tostring(cur)
"""


# A lease: taken if free, renewed if ours; 1 if we hold it now.
LEASE_LUA = """
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""

UNLEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


@dataclass(frozen=True, slots=True)
class Appended:
    """The outcome of one append: a new ``seq``, or ``duplicate`` of an earlier event, or
    ``stale``: refused, the tournament being at that version already (``seq`` is 0)."""

    seq: int
    duplicate: bool
    tournament_id: str = ""
    stale: int | None = None


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

    @property
    def versions(self) -> str:
        return self.prefix + "versions"

    @property
    def committed(self) -> str:
        return self.prefix + "committed"

    @property
    def writer_lease(self) -> str:
        return self.prefix + "lease:writer"


def encode(event: Event) -> str:
    d = event.to_dict()
    del d["seq"]
    return dumps_text(d)


def decode_or_skip(eid: bytes, fields: dict[bytes, bytes]) -> Event | None:
    """The entry's event, or None (logged) for one this server cannot read."""
    try:
        return decode(fields)
    except Exception as exc:
        log.warning("skipping an unreadable stream entry",
                    extra={"entry": eid.decode(), "error": repr(exc)})  # fmt: skip
        return None


def decode(fields: dict[bytes, bytes]) -> Event:
    d: dict[str, Any] = loads(fields[b"e"])
    d["seq"] = int(fields[b"s"])
    return Event.from_dict(d)


def trim_floor(groups: Any, summaries: dict[str, Any]) -> tuple[int, int] | None:
    """The oldest entry any of our groups still needs: its oldest pending entry, else the one
    after the last it was given (None: no group of ours yet)."""
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
    return floor


class Stream:
    def __init__(self, client: aioredis.Redis, prefix: str, keep_seconds: float = 0) -> None:
        self.redis = client
        self.keys = Keys(prefix)
        self.keep_ms = int(keep_seconds * 1000)  # trim nothing younger than this
        self._append = client.register_script(APPEND_LUA)
        self._floor = client.register_script(FLOOR_LUA)
        self._versions_floor = client.register_script(VERSIONS_FLOOR_LUA)
        self._lease = client.register_script(LEASE_LUA)
        self._unlease = client.register_script(UNLEASE_LUA)

    async def append(self, events: list[tuple[Event, int, int]]) -> list[Appended]:
        """Append ``(event, id ttl seconds, expected version or -1)`` in order, atomically, in
        one round trip."""
        if not events:
            return []
        items = [[e.id, ttl, e.tournament_id, encode(e), want] for e, ttl, want in events]
        args: list[str | bytes] = [self.keys.ids, dumps(items)]
        keys = [self.keys.stream, self.keys.seq, self.keys.versions]
        raw: Any = await self._append(keys=keys, args=args)
        out = []
        for text in raw.decode().split(","):
            if text[0] == "d":
                seq, _, tid = text[1:].partition(" ")
                out.append(Appended(int(seq), True, tid))
            elif text[0] == "s":
                out.append(Appended(0, False, stale=int(text[1:])))
            else:
                out.append(Appended(int(text), False))
        return out

    async def floor_versions(self, versions: dict[str, int]) -> None:
        if versions:
            await self._versions_floor(keys=[self.keys.versions], args=[dumps(versions)])

    async def set_floor(self, seq: int) -> int:
        return int(await self._floor(keys=[self.keys.seq], args=[seq]))

    async def ensure_group(self, group: str = GROUP) -> None:
        try:
            await self.redis.xgroup_create(self.keys.stream, group, id="0", mkstream=True)
        except aioredis.ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    async def read_all(self, count: int = 5000) -> tuple[list[Event], bytes]:
        """Every entry still in the stream, oldest first (recovery), and the id of the last
        one. One that cannot be decoded is skipped: the writer sends it to the dead-letter
        stream (or already has: trimming is approximate, so the stream can still hold it)."""
        out: list[Event] = []
        start, last = "-", b"0-0"
        while True:
            batch: Any = await self.redis.xrange(self.keys.stream, min=start, count=count)
            if not batch:
                return out, last
            for eid, fields in batch:
                event = decode_or_skip(eid, fields)
                if event is not None:
                    out.append(event)
            last = batch[-1][0]
            if len(batch) < count:
                return out, last
            start = "(" + last.decode()

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

    async def ack_and_trim(
        self, ids: list[bytes], group: str = GROUP, committed: int | None = None
    ) -> None:
        """Acknowledge a handled batch (the writer's also says how far SQLite holds, for every
        process), then trim what every group is done with. MINID keeps every entry at or after
        the oldest one still pending or unread in any group, so nothing unwritten (or not yet
        turned into webhooks) is ever trimmed; with other processes following the stream, nor
        anything younger than ``keep_seconds``."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xack(self.keys.stream, group, *ids)
            pipe.xinfo_groups(self.keys.stream)
            for name in GROUPS:
                pipe.xpending(self.keys.stream, name)
            if committed is not None:
                pipe.set(self.keys.committed, committed)
            _, groups, *rest = await pipe.execute(raise_on_error=False)
        if isinstance(groups, Exception):
            raise groups
        floor = trim_floor(groups, dict(zip(GROUPS, rest[: len(GROUPS)], strict=True)))
        if floor is not None and self.keep_ms:
            floor = min(floor, (int(time.time() * 1000) - self.keep_ms, 0))
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

    async def committed(self) -> int:
        """The newest seq the writer (in whichever process) has stored in SQLite."""
        value: Any = await self.redis.get(self.keys.committed)
        return int(value) if value is not None else 0

    async def take_lease(self, key: str, owner: str, seconds: float, force: bool) -> bool:
        """Hold (or renew) the lease ``key`` for ``owner``; ``force``: take it whoever holds it
        (a process that knows it is alone)."""
        ms = int(seconds * 1000)
        if force:
            await self.redis.set(key, owner, px=ms)
            return True
        held: Any = await self._lease(keys=[key], args=[owner, ms])
        return bool(held)

    async def drop_lease(self, key: str, owner: str) -> None:
        await self._unlease(keys=[key], args=[owner])

    async def tail(
        self, after: bytes, count: int, block_ms: int
    ) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries after the entry id ``after`` (XREAD), waiting up to ``block_ms`` for one."""
        reply: Any = await self.redis.xread({self.keys.stream: after}, count=count, block=block_ms)
        if not reply:
            return []
        entries: list[tuple[bytes, dict[bytes, bytes]]] = reply[0][1]
        return entries

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
