"""Request and response helpers: JSON bodies with limits, problem+json, auth, ETags."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..auth import Principal
from ..domain.errors import DomainError
from ..domain.models import Tournament
from ..pipeline.appender import Unavailable
from ..service import Service

MAX_IDEMPOTENCY_KEY = 200
MAX_JSON_DEPTH = 32


class Problem(Exception):
    """An HTTP error answered as application/problem+json (RFC 9457)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.reason = reason  # a short label for metrics
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value), status, headers, media_type="application/json")


def problem_response(p: Problem) -> Response:
    body: dict[str, Any] = {
        "type": f"https://tourney.invalid/problems/{p.status}",
        "title": p.title,
        "status": p.status,
        "detail": p.detail or p.title,
    }
    if p.errors:
        body["errors"] = p.errors
    return Response(dumps(body), p.status, p.headers, media_type="application/problem+json")


def from_exception(exc: Exception) -> Problem | None:
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, DomainError):
        return Problem(exc.status, exc.title, exc.detail, exc.errors or None)
    if isinstance(exc, Unavailable):
        return Problem(
            503, "Service unavailable", exc.reason, headers={"Retry-After": str(exc.retry_after)}
        )
    return None


def service(conn: HTTPConnection) -> Service:
    svc: Service = conn.app.state.service
    return svc


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
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise Problem(413, "Body too large", f"the body is over {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "Body too large", f"the body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    try:
        value = orjson.loads(raw)  # refuses NaN, Infinity and 1e999, as JSON does
    except (ValueError, RecursionError) as exc:
        raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from None
    if depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Problem(400, "Malformed JSON", f"nesting deeper than {MAX_JSON_DEPTH} levels")
    return value


async def read_json(request: Request) -> Any:
    limit: int = request.app.state.config.server.max_body_bytes
    raw = await read_body(request, limit)
    if not raw.strip():
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
    who = service(conn).tokens.authenticate(token)
    if who is None:
        raise Problem(401, "Unauthorized", "the token is not valid", headers=CHALLENGE)
    return who


CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tourney"'}


def require(conn: HTTPConnection, tid: str | None, scope: str) -> Principal:
    """A token allowed ``scope`` in ``tid`` (``tid`` None: the admin only)."""
    who = principal(conn, allow_query=conn.scope["type"] == "websocket")
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a token", headers=CHALLENGE)
    if tid is None and who.kind != "admin":
        raise Problem(403, "Forbidden", "this needs the admin token")
    if tid is not None and not who.can(tid, scope):
        raise Problem(403, "Forbidden", f"the token cannot {scope} this tournament")
    return who


def readable(conn: HTTPConnection, tid: str) -> Tournament:
    """The tournament, if the caller may read it: public and unlisted to anyone, private to
    the admin and that tournament's tokens."""
    t = service(conn).get(tid)
    if t.visibility != "private":
        return t
    who = principal(conn, allow_query=conn.scope["type"] == "websocket")
    if who is None:
        raise Problem(401, "Unauthorized", "this tournament is private", headers=CHALLENGE)
    if not (who.kind == "admin" or who.tournament_id == tid):
        raise Problem(403, "Forbidden", "this tournament is private")
    return t


# ---- idempotency ------------------------------------------------------


async def idempotent(
    request: Request,
    tid: str | None,
    run: Callable[[str | None], Awaitable[Response]],
) -> Response:
    """``Idempotency-Key``: a repeat returns the first response and changes nothing.

    A key answers only a repeat of the same method and path (so of the same tournament): a key
    first used elsewhere, say by the admin creating a token, is a 409 here, never its response.
    """
    key = request.headers.get("idempotency-key")
    if key is None:
        return await run(None)
    scope = f"{tid or ''}#{request_digest(request)}"
    if key is not None:
        key = key.strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
            raise Problem(400, "Bad Idempotency-Key", "must be 1 to 200 printable characters")
        hit = await service(request).recall(key)
        if hit is not None:
            first_scope, status, body = hit
            if first_scope != scope:
                raise Problem(409, "Idempotency-Key reused", "the key was used elsewhere")
            return Response(body, status, {"Idempotent-Replayed": "true"},
                            media_type="application/json")  # fmt: skip
    response = await run(key)
    if key is not None and response.status_code < 400:
        service(request).remember(key, scope, response.status_code, bytes(response.body))
    return response


def request_digest(request: Request) -> str:
    """Method and path, hashed: what a repeated ``Idempotency-Key`` must match."""
    raw = f"{request.method} {request.scope['path']}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]
