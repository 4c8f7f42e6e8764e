"""Challonge's integer ids for tourney's string ids.

A tourney id made by this server is a prefix and 12 hex digits (``t_4f1c0a9e3b21``): its integer
is those 48 bits, and back again, with nothing stored. Any other id (a match's, or one brought in
by an import) gets 48 bits of its BLAKE2 hash with bit 48 set, so the two kinds never meet; such
an integer is found again by looking through the ids it could stand for. Every integer stays
below 2**53, exact in JavaScript and in JSON readers that use doubles.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

HEX_ID = re.compile(r"^([a-z]+_)([0-9a-f]{12})$")
HASHED = 1 << 48


def to_int(sid: str) -> int:
    m = HEX_ID.match(sid)
    if m is not None:
        return int(m.group(2), 16)
    digest = hashlib.blake2b(sid.encode(), digest_size=6).digest()
    return HASHED | int.from_bytes(digest, "big")


def to_int_or_none(sid: str | None) -> int | None:
    return None if sid is None else to_int(sid)


def from_int(n: int, prefix: str, candidates: Iterable[str]) -> str | None:
    """The id among ``candidates`` whose integer is ``n`` (a prefixed hex id needs no search)."""
    if 0 <= n < HASHED:
        sid = f"{prefix}{n:012x}"
        return sid
    return next((c for c in candidates if to_int(c) == n), None)


def parse(raw: str) -> int | None:
    """A path's id as an integer, or None if it is not one."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 16 else None
