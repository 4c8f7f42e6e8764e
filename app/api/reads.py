"""Public reads, encoded once per version and compressed once for the clients that accept it.

A read of a large tournament (2,016 matches: 700 KB of JSON) costs milliseconds of one core to
build and encode; done on every request, readers queue behind each other and behind everything
else the event loop does, and the latency tail grows with them. Here:

- ``If-None-Match`` is answered before anything is built: a 304 costs a string comparison;
- the body is built and encoded once per ETag (the tournament's ``seq``, or its ``version`` for
  what live ticks do not change), with the garbage collector paused, and kept in a bounded LRU
  of bytes;
- a client that sends ``Accept-Encoding: gzip`` gets the body gzipped, compressed once per ETag,
  at a level that takes about a millisecond for the largest body. In the loop, as the build is:
  a worker thread did no better on a busy machine (the thread waits for a core, and every
  reader of the new version waits for the thread).

A representation's ETag is the read's tag, with ``-gzip`` for the compressed one (each
representation has its own, RFC 9110 8.8.3); ``Vary: Accept-Encoding`` on both.
"""

from __future__ import annotations

import gc
import gzip
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..codec import kept

COMPRESS_MIN_BYTES = 1024  # below this, gzip's header costs more than it saves
# 640 KB of a round robin's matches: level 3 makes 32.6 KB in 1.1 ms; level 6 29.6 KB in 3.1 ms,
# level 1 37 KB in 1.0 ms. A tournament read under live ticks is compressed again at every tick.
GZIP_LEVEL = 3
GZIP_SUFFIX = "-gzip"


@dataclass(slots=True)
class Encoded:
    """One read at one tag: its JSON, and once a reader asked for it, its gzipped form."""

    tag: str
    identity: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.identity) + len(self.gzipped or b"")


class ReadCache:
    """The newest encoding of each read, least recently used dropped past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, Encoded] = OrderedDict()
        self.bytes = 0

    def get(self, key: Hashable, tag: str, build: Callable[[], Any]) -> Encoded:
        entry = self.entries.get(key)
        if entry is not None and entry.tag == tag:
            self.entries.move_to_end(key)
            return entry
        entry = Encoded(tag, encode(build))
        self.store(key, entry)
        return entry

    def gzipped(self, key: Hashable, entry: Encoded) -> bytes:
        """The gzipped body, compressed the first time a reader asks for it."""
        if entry.gzipped is None:
            entry.gzipped = gzip.compress(entry.identity, GZIP_LEVEL, mtime=0)
            if self.entries.get(key) is entry:
                self.store(key, entry)
        return entry.gzipped

    def forget(self, tids: set[str]) -> None:
        """The reads of these tournaments go (they left memory: their next read builds anew).
        Keys are ``(kind, tournament id, ...)``."""
        for key in [k for k in self.entries if isinstance(k, tuple) and k[1] in tids]:
            self.bytes -= self.entries.pop(key).size

    def store(self, key: Hashable, entry: Encoded) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        if entry.size > self.max_bytes:
            return  # kept by nobody: encoded again next time
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= dropped.size


def encode(build: Callable[[], Any]) -> bytes:
    """``build()`` as JSON, with the cyclic garbage collector paused meanwhile.

    Building 2,016 matches allocates some 14,000 dicts and lists, enough to set off a score of
    collections, some of them full ones over every tournament held in memory: measured, the
    collector doubled the median build (4.6 against 1.7 ms) and set its p99 (39 against 7 ms).
    What is built here is freed by reference counting as soon as it is encoded, with no cycles
    for the collector to find, so pausing it costs nothing."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return kept(orjson.dumps(build()))  # held in the cache: its own size, not orjson's
    finally:
        if paused:
            gc.enable()


def accepts_gzip(request: Request) -> bool:
    """Whether ``Accept-Encoding`` lists gzip (or ``*``) with a q-value above zero."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        if coding.lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


def not_modified(request: Request, tag: str) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is None:
        return False
    if inm.strip() == "*":
        return True
    wanted = (f'"{tag}"', f'"{tag}{GZIP_SUFFIX}"')
    return any(x.strip().removeprefix("W/") in wanted for x in inm.split(","))


async def cached_json(
    request: Request, key: Hashable, tag: str, build: Callable[[], Any]
) -> Response:
    """A JSON read with an ETag: answered 304, from the cache, or built (and kept) once."""
    headers = {"Vary": "Accept-Encoding"}
    gz = accepts_gzip(request)
    if not_modified(request, tag):
        headers["ETag"] = f'"{tag}{GZIP_SUFFIX if gz else ""}"'
        return Response(status_code=304, headers=headers)
    cache: ReadCache = request.app.state.read_cache
    entry = cache.get(key, tag, build)
    if gz and len(entry.identity) >= COMPRESS_MIN_BYTES:
        headers["ETag"] = f'"{tag}{GZIP_SUFFIX}"'
        headers["Content-Encoding"] = "gzip"
        body = cache.gzipped(key, entry)
        return Response(body, headers=headers, media_type="application/json")
    headers["ETag"] = f'"{tag}"'
    return Response(entry.identity, headers=headers, media_type="application/json")
