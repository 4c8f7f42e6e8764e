"""What clients send on the WebSockets, decoded: every failure is a Problem, answered with an
error frame (the socket stays open), and a resume cursor that cannot be replayed from is a
fresh snapshot."""

from __future__ import annotations

from typing import Any

from ..codec import dumps_text
from ..domain.models import Tournament
from .http import parse_json
from .problem import Problem

MAX_CLIENT_MESSAGE = 4096  # a subscriber sends only resume and ping


def frame_bytes(message: Any) -> bytes:
    """A frame's payload: a text frame's text as UTF-8, a binary frame's bytes as they came
    (the JSON decoder refuses bytes that are not UTF-8)."""
    if message.get("text") is not None:
        return str(message["text"]).encode()
    return bytes(message.get("bytes") or b"")


def client_message(raw: bytes) -> dict[str, Any]:
    """A subscriber's message, or the Problem that says what is wrong with it."""
    if len(raw) > MAX_CLIENT_MESSAGE:
        raise Problem(413, "Message too large", f"a message is at most {MAX_CLIENT_MESSAGE} bytes")
    msg = parse_json(raw)
    if not isinstance(msg, dict) or msg.get("type") not in ("resume", "ping"):
        raise Problem(422, "Invalid message", 'expected {"type": "resume" or "ping", ...}')
    return msg


def error_frame(p: Problem) -> str:
    return dumps_text({"type": "error", "status": p.status, "detail": p.detail})


def resume_point(t: Tournament, after: Any) -> int | None:
    """A resume cursor (``?after=`` or a resume message's ``after``) as a seq this tournament
    has reached; None, so a fresh snapshot, for anything else: not a whole number, negative,
    or past the tournament's newest event (a client of another server, or of a lost one)."""
    if isinstance(after, str):
        if not (after.isascii() and after.isdigit()) or len(after) > 18:
            return None
        after = int(after)
    if isinstance(after, bool) or not isinstance(after, int):
        return None
    return after if 0 <= after <= t.seq else None
