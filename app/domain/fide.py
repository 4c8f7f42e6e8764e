"""What a FIDE rating report (TRF) needs beyond the tournament itself: a player's FIDE record
(``Participant.fide``) and the report's header lines (``Tournament.trf_header``)."""

from __future__ import annotations

import re
from typing import Any

from .errors import Invalid
from .validation import obj, only_keys

FIDE_KEYS = {"id", "federation", "sex", "birth"}
# the lines an export writes from the tournament itself (never taken from the header)
WRITTEN = {"001", "012", "062", "072", "XXR", "XXC", "BBW", "BBD", "BBL", "BBZ", "BBF", "BBU"}
CODE = re.compile(r"[0-9A-Z]{3}")
MAX_HEADER_LINES = 40
MAX_HEADER_TEXT = 200


def fide_record(value: Any, field: str) -> dict[str, str] | None:
    """``{"id": FIDE id (digits), "federation": "POR", "sex": "m" | "w", "birth": "1990/05/17"
    or "1990"}``, every key optional; null or {} for none."""
    if value is None:
        return None
    value = obj(value, field)
    only_keys(value, FIDE_KEYS, f"{field}.")
    rules = {
        "id": (r"[0-9]{1,11}", "must be a FIDE id: 1 to 11 digits"),
        "federation": (r"[A-Z]{3}", "must be a federation's three capital letters"),
        "sex": (r"[mw]", "must be m or w"),
        "birth": (r"[0-9]{4}(/[0-9]{2}/[0-9]{2})?", "must be YYYY/MM/DD or YYYY"),
    }
    out = {}
    for key, (pattern, message) in rules.items():
        v = value.get(key)
        if v is None or v == "":
            continue
        if not isinstance(v, str) or not re.fullmatch(pattern, v):
            raise Invalid.field(f"{field}.{key}", message)
        out[key] = v
    return out or None


def trf_header(value: Any, field: str = "trf_header") -> dict[str, str]:
    """The report's header lines by TRF code (``{"022": "Lisbon", "102": "A. Arbiter"}``): a
    code is three capitals or digits; the lines written from the tournament itself (its name,
    counts, rounds, colours, points) are not given here; an empty text removes a line."""
    value = obj(value, field)
    if len(value) > MAX_HEADER_LINES:
        raise Invalid.field(field, f"holds at most {MAX_HEADER_LINES} lines")
    out = {}
    for code, text in value.items():
        where = f"{field}.{code}"
        if not CODE.fullmatch(code):
            raise Invalid.field(where, "a TRF code is three capital letters or digits")
        if code in WRITTEN:
            raise Invalid.field(where, "is written from the tournament itself")
        if not isinstance(text, str) or len(text) > MAX_HEADER_TEXT or not text.isprintable():
            raise Invalid.field(where, f"must be one line of at most {MAX_HEADER_TEXT} characters")
        out[code] = text.strip()
    return out
