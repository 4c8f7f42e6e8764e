"""What every Challonge endpoint does the same way: its parameters, its API key, its ids, its
answer, and its errors (``{"errors": [...]}``: 422 for a request the state or the rules refuse,
401 for a missing, bad or insufficient key, 404 for an id that names nothing)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...auth import Scope
from ...codec import dumps
from ...domain.commands import CommandName, Input
from ...domain.errors import DomainError
from ...domain.models import Match, Tournament
from ...service import Outcome, new_id
from ..http import idempotent, read_body, readable, require, runtime, service
from ..problem import Problem, from_exception
from . import ids
from .params import flag, parse

Handler = Callable[["Call"], Awaitable[Response]]
STATUSES = {400: 422, 409: 422, 403: 401}  # Challonge answers these as 422 and 401


@dataclass
class Call:
    """One request: the request (its key as a bearer token), its parameters merged, and the
    path's ids as given."""

    request: Request
    params: dict[str, Any]

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def include(self, name: str) -> bool:
        return name in self.params and flag(self.params[name], name)


def answer(value: Any) -> Response:
    return Response(dumps(value), 200, media_type="application/json")


def errors_response(p: Problem) -> Response:
    status = STATUSES.get(p.status, p.status)
    messages = [f"{e['field']} {e['message']}".strip() for e in p.errors or []]
    if not messages or p.detail not in ("", p.title):
        messages.insert(0, p.detail or p.title)
    headers = {k: v for k, v in p.headers.items() if k.lower() == "retry-after"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="tourney"'
    return Response(dumps({"errors": messages}), status, headers, media_type="application/json")


def endpoint(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    """``fn`` as a Starlette endpoint: parameters read, key taken, errors answered as
    Challonge's."""

    async def handle(request: Request) -> Response:
        try:
            return await fn(await read_call(request))
        except (Problem, DomainError) as exc:
            problem = from_exception(exc)
            assert problem is not None
            return errors_response(problem)

    handle.__name__ = handle.__qualname__ = f"challonge_{fn.__name__}"
    return handle


async def read_call(request: Request) -> Call:
    body = b""
    if request.method != "GET":
        body = await read_body(request, request.app.state.config.server.max_body_bytes)
    try:
        params = parse(request.url.query, body, request.headers.get("content-type", ""))
    except ValueError:  # too many fields
        raise Problem(400, "Malformed body", "too many parameters") from None
    key = params.pop("api_key", None)
    return Call(keyed(request, key if isinstance(key, str) else None), params)


def keyed(request: Request, api_key: str | None) -> Request:
    """The request with its Challonge API key (HTTP Basic's password, else ``api_key``) as the
    bearer token the rest of the server reads; a bearer token sent as such stays."""
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"authorization"]
    given = request.headers.get("authorization", "")
    scheme, _, rest = given.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else None
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(rest.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Problem(401, "Unauthorized", "the Basic credentials are malformed") from None
        user, _, password = pair.partition(":")
        token = password or user
    token = token or api_key
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode("latin-1", "replace")))
    request.scope["headers"] = headers
    return Request(request.scope, request.receive)


# ---- ids ---------------------------------------------------------------------------------------


async def tournament_id(call: Call) -> str:
    """The tourney id of the path's tournament (its integer, or its tourney id, which is also
    the ``url`` this API gives it), brought back into memory if it had left."""
    raw = call.path("tid")
    n = ids.parse(raw)
    rt = runtime(call.request)
    tid = raw if n is None else ids.from_int(n, "t_", rt.state.tournaments)
    if tid is None:
        raise Problem(404, "Not found", f"no tournament {raw}")
    await rt.ensure(tid)
    if rt.state.lookup(tid) is None:
        raise Problem(404, "Not found", f"no tournament {raw}")
    return tid


async def readable_tournament(call: Call) -> Tournament:
    return readable(call.request, await tournament_id(call))


async def managed(call: Call, scope: Scope = Scope.MANAGE) -> str:
    tid = await tournament_id(call)
    require(call.request, tid, scope)
    return tid


def participant_id(t: Tournament, raw: str) -> str:
    n = ids.parse(raw)
    everyone = [*t.participants, *t.day.entries]
    pid = raw if n is None else ids.from_int(n, "p_", everyone)
    if pid is None or pid not in t.participants:
        raise Problem(404, "Not found", f"no participant {raw} in this tournament")
    return pid


def match_of(t: Tournament, raw: str) -> Match:
    n = ids.parse(raw)
    mid = raw if n is None else ids.from_int(n, "m_", t.matches)
    m = t.matches.get(mid or "")
    if m is None:
        raise Problem(404, "Not found", f"no match {raw} in this tournament")
    return m


# ---- running a command -------------------------------------------------------------------------


Reply = Callable[[Tournament | None, Outcome | None], Any]


async def run(
    call: Call, tid: str, name: CommandName, reply: Reply, body: Any = None, target: str = ""
) -> Response:
    """Run ``name`` on ``tid`` (honouring an ``Idempotency-Key``); answer ``reply`` of the
    tournament after it (None once deleted)."""
    inp = Input(body, target, new_id)

    async def once(key: str | None) -> Response:
        out = await service(call.request).execute(name, tid, inp, key)
        return answer(reply(runtime(call.request).state.lookup(tid), out))

    return await idempotent(call.request, tid, once)
