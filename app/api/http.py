"""Request and response helpers: JSON bodies with limits, problem+json, auth, ETags."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..auth import Principal, Scope
from ..codec import dumps
from ..domain.models import Tournament, Visibility
from ..runtime import Runtime
from ..service import Service
from .problem import Problem

MAX_IDEMPOTENCY_KEY = 200
MAX_JSON_DEPTH = 32
PRINCIPAL = "tourney.principal"  # the caller, once authenticated, in the request's scope
BODY = "tourney.body"  # the body as read, for the Idempotency-Key's fingerprint


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value), status, headers, media_type="application/json")


def runtime(conn: HTTPConnection) -> Runtime:
    rt: Runtime = conn.app.state.runtime
    return rt


def service(conn: HTTPConnection) -> Service:
    return runtime(conn).service


def depth(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, level by level, looking only at containers; stops once
    past ``limit``."""
    level = [value] if isinstance(value, dict | list) else []
    d = 0
    while level and d <= limit:
        d += 1
        nxt: list[Any] = []
        for v in level:
            nxt += [c for c in (v.values() if isinstance(v, dict) else v)
                    if isinstance(c, dict | list)]  # fmt: skip
        level = nxt
    return d + (1 if level else 0)


async def read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and len(length) < 20 and int(length) > limit:
        raise Problem(413, "Body too large", f"the body is over {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "Body too large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    raw = request.scope[BODY] = b"".join(chunks)
    return raw


def parse_json(raw: bytes) -> Any:
    try:
        value = orjson.loads(raw)  # refuses NaN, Infinity and 1e999, as JSON does
    except (ValueError, RecursionError) as exc:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from None
    if depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Problem(400, "Malformed JSON", f"nesting deeper than {MAX_JSON_DEPTH} levels")
    return value


async def read_json(request: Request, required: bool = True) -> Any:
    """The JSON body; an empty one is a 400, or None when the body is optional."""
    limit: int = request.app.state.config.server.max_body_bytes
    raw = await read_body(request, limit)
    if not raw.strip():
        if not required:
            return None
        raise Problem(400, "Malformed JSON", "the body is empty")
    return parse_json(raw)


# ---- auth ---------------------------------------------------------------------------------------


def bearer(conn: HTTPConnection, allow_query: bool = False) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if allow_query:
        return conn.query_params.get("token") or None
    return None


def principal(conn: HTTPConnection, allow_query: bool = False) -> Principal | None:
    token = bearer(conn, allow_query)
    if token is None:
        return None
    who = runtime(conn).tokens.authenticate(token)
    if who is None:
        raise Problem(401, "Unauthorized", "the token is not valid", headers=CHALLENGE)
    conn.scope[PRINCIPAL] = who
    return who


CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tourney"'}


def require(conn: HTTPConnection, tid: str | None, scope: Scope) -> Principal:
    """A token allowed ``scope`` in ``tid`` (``tid`` None: the admin only)."""
    who = principal(conn, allow_query=conn.scope["type"] == "websocket")
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a token", headers=CHALLENGE)
    if tid is None and not who.admin:
        raise Problem(403, "Forbidden", "this needs the admin token")
    if tid is not None and not who.can(tid, scope):
        raise Problem(403, "Forbidden", f"the token cannot {scope} this tournament")
    return who


def readable(conn: HTTPConnection, tid: str) -> Tournament:
    """The tournament, if the caller may read it: public and unlisted to anyone, private to
    the admin and that tournament's tokens."""
    t = runtime(conn).state.get(tid)
    if t.visibility is not Visibility.PRIVATE:
        return t
    who = principal(conn, allow_query=conn.scope["type"] == "websocket")
    if who is None:
        raise Problem(401, "Unauthorized", "this tournament is private", headers=CHALLENGE)
    if not (who.admin or who.tournament_id == tid):
        raise Problem(403, "Forbidden", "this tournament is private")
    return t


# ---- idempotency ------------------------------------------------------


async def idempotent(
    request: Request,
    tid: str | None,
    run: Callable[[str | None], Awaitable[Response]],
) -> Response:
    """``Idempotency-Key``: a repeat returns the first response and changes nothing.

    A key belongs to its caller (the admin, or one token; an anonymous caller has none to
    share): another caller's same key is another request, never an answer to this one. Within
    one caller, a key names one request: used again for another method, path or tournament it
    is a 409, with another body a 422, and never replays the first answer there. ``run`` is
    given the event id the request's event takes: the key, in the caller's own space.
    """
    key = request.headers.get("idempotency-key")
    if key is None:
        return await run(None)
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not (key.isascii() and key.isprintable()):
        raise Problem(400, "Bad Idempotency-Key", "must be 1 to 200 printable ASCII characters")
    who: Principal | None = request.scope.get(PRINCIPAL)
    if who is None:
        return await run(None)
    slot = who.own(key)
    fingerprint = f"{request_digest(request, tid)}.{body_digest(request)}"
    hit = await runtime(request).responses.recall(slot)
    if hit is not None:
        first, status, body = hit
        if first.partition(".")[0] != fingerprint.partition(".")[0]:
            raise Problem(409, "Idempotency-Key reused", "the key was used for another request")
        if first != fingerprint:
            raise Problem(422, "Idempotency-Key reused",
                          "the key was used with another body")  # fmt: skip
        return Response(body, status, {"Idempotent-Replayed": "true"},
                        media_type="application/json")  # fmt: skip
    response = await run(slot)
    if response.status_code < 400:
        runtime(request).responses.remember(
            slot, fingerprint, response.status_code, bytes(response.body)
        )
    return response


def request_digest(request: Request, tid: str | None = None) -> str:
    """What a request targets (method, path, query, tournaments), hashed: a repeated
    ``Idempotency-Key`` must match it."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    raw = f"{request.method} {request.scope['path']}?{query} {tid or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def body_digest(request: Request) -> str:
    """The request body as read (see ``read_body``), hashed; the empty body if none was."""
    return hashlib.sha256(request.scope.get(BODY, b"")).hexdigest()[:16]
