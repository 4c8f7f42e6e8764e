"""Tournaments, participants, matches, standings, events and tokens over HTTP.

Every command endpoint is one line of ``command(...)``: who may call it, which command of
``domain.commands.COMMANDS`` it runs, and how its answer is shaped. ``command`` does the rest
the same way each time: the token's scope, the body, the ``Idempotency-Key``, the service.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import auth
from ..auth import Scope
from ..codec import dumps, loads
from ..domain.commands import COMMANDS, CommandName, Input
from ..domain.corrections import live_in
from ..domain.errors import Invalid
from ..domain.events import EventType
from ..domain.formats import get_format
from ..domain.models import Match, Tournament, TournamentState, Visibility
from ..domain.names import EXPANDABLE, expanded
from ..service import Outcome, new_id
from ..shelf import Shelved
from . import links
from .http import (
    idempotent,
    json_response,
    read_json,
    readable,
    require,
    runtime,
    service,
)
from .problem import Problem
from .reads import cached_json

PAGE = 50

Endpoint = Callable[[Request], Awaitable[Response]]
Reply = Callable[[Request, Outcome, Input], Response]


def tid_of(request: Request) -> str:
    return str(request.path_params["tid"])


def tournament_tag(t: Tournament) -> str:
    return f"{t.id}-{t.seq}"


def current(request: Request) -> Tournament:
    return runtime(request).state.get(tid_of(request))


# ---- the command endpoints ---------------------------------------------------------------------


def command(
    name: CommandName, scope: Scope, reply: Reply, target: str = "", body: bool | None = True
) -> Endpoint:
    """An endpoint that runs ``name`` on the tournament in the path (``target``: the path
    parameter naming its participant, match or station), answering with ``reply``. ``body``:
    a JSON body is required (True), ignored (False) or optional (None)."""

    async def endpoint(request: Request) -> Response:
        tid = tid_of(request)
        who = require(request, tid, scope)
        what = str(request.path_params[target]) if target else ""
        payload = await read_json(request, required=body is True) if body is not False else None
        window = request.app.state.config.referee.correction_window_seconds
        referee = who.scope is Scope.REPORT
        inp = Input(payload, what, new_id, actor=actor_of(who), referee=referee,
                    correction_window=window)  # fmt: skip

        async def run(key: str | None) -> Response:
            out = await service(request).execute(name, tid, inp, key)
            return reply(request, out, inp)

        return await idempotent(request, tid, run)

    endpoint.__name__ = endpoint.__qualname__ = str(name)
    return endpoint


def actor_of(who: auth.Principal) -> str:
    """Who a result is remembered as reported by: the token's id, or "admin"."""
    return who.token_id or "admin"


def whole_tournament(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).to_dict())


def the_participant(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).participants[inp.target].to_dict())


def the_match(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).matches[inp.target].to_dict())


def no_content(request: Request, out: Outcome, inp: Input) -> Response:
    return Response(status_code=204)


def participants_added(request: Request, out: Outcome, inp: Input) -> Response:
    """The participants added (an array for an array); a repeat whose first answer is gone gets
    every participant."""
    t = current(request)
    if out.duplicate:
        return json_response([p.to_dict() for p in t.participant_list()], 201)
    added = [t.participants[p["id"]].to_dict() for p in out.event.data["participants"]]
    return json_response(added if isinstance(inp.body, list) else added[0], 201)


def matches_reset(request: Request, out: Outcome, inp: Input) -> Response:
    t = current(request)
    reset = out.event.data.get("reset", [inp.target])
    return json_response({"match_id": inp.target, "reset": reset,
                          "matches": [t.matches[x].to_dict() for x in reset]})  # fmt: skip


MANAGE, REPORT = Scope.MANAGE, Scope.REPORT
C = CommandName
patch_tournament = command(C.UPDATE_TOURNAMENT, MANAGE, whole_tournament)
delete_tournament = command(C.DELETE_TOURNAMENT, MANAGE, no_content, body=False)
add_participants = command(C.ADD_PARTICIPANTS, MANAGE, participants_added)
patch_participant = command(C.UPDATE_PARTICIPANT, MANAGE, the_participant, "pid")
delete_participant = command(C.REMOVE_PARTICIPANT, MANAGE, no_content, "pid", body=False)
disqualify = command(C.DISQUALIFY, MANAGE, the_participant, "pid", body=False)
start = command(C.START, MANAGE, whole_tournament, body=False)
reset = command(C.RESET, MANAGE, whole_tournament, body=False)
report_result = command(C.REPORT_RESULT, REPORT, the_match, "mid")
correct_result = command(C.CORRECT_RESULT, REPORT, the_match, "mid")
reopen_match = command(C.REOPEN, MANAGE, matches_reset, "mid", body=False)


async def reopen(request: Request) -> Response:
    """``?dry_run=1``: the matches a reopen would reset (and of them, those being played live:
    ``live``, a line each in ``warnings``), and nothing changes."""
    if request.query_params.get("dry_run") not in ("1", "true"):
        return await reopen_match(request)
    require(request, tid_of(request), MANAGE)
    mid = str(request.path_params["mid"])
    t = current(request)
    plan = COMMANDS[C.REOPEN].decide(t, Input(None, mid))
    return json_response({"match_id": mid, **live_in(t, plan["reset"]), "dry_run": True})


async def live_tick(request: Request) -> Response:
    tid, mid = tid_of(request), str(request.path_params["mid"])
    require(request, tid, REPORT)
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        out = await service(request).tick(tid, mid, body, key)
        return json_response({"seq": out.event.seq, "duplicate": out.duplicate}, 202)

    return await idempotent(request, tid, run)


async def create_tournament(request: Request) -> Response:
    require(request, None, MANAGE)
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        out = await service(request).create(body, key)
        tid = out.event.tournament_id
        t = runtime(request).state.get(tid)
        return json_response(t.to_dict(), 201, {"Location": f"/api/v1/tournaments/{tid}"})

    return await idempotent(request, None, run)


# ---- reads -------------------------------------------------------------------------------------


async def list_tournaments(request: Request) -> Response:
    state = request.query_params.get("state")
    if state is not None and state not in tuple(TournamentState):
        raise Problem(422, "Invalid query", "state must be pending, underway or complete")
    limit = query_int(request, "limit", PAGE, 1, 200)
    cursor = request.query_params.get("cursor")
    after = decode_cursor(cursor) if cursor else None
    rt = runtime(request)
    listed: list[tuple[str, str, Tournament | Shelved]] = [
        *((t.created_at, t.id, t) for t in rt.state.tournaments.values()),
        *rt.shelf.listed(),
    ]
    items = sorted(
        (x for x in listed if x[2].visibility is Visibility.PUBLIC
         and (not state or x[2].state == state) and (after is None or x[:2] < after)),
        key=lambda x: x[:2], reverse=True,
    )  # fmt: skip
    page = items[:limit]
    body: dict[str, Any] = {"items": [summary(x) for _, _, x in page], "next_cursor": None}
    if len(items) > limit:
        body["next_cursor"] = base64.urlsafe_b64encode(dumps(list(page[-1][:2]))).decode()
    return json_response(body)


def summary(x: Tournament | Shelved) -> dict[str, Any]:
    """A list item: a tournament in memory, or one on the shelf."""
    return x.summary() if isinstance(x, Tournament) else x.summary_dict()


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (created_at, id) a page ended at, from the opaque cursor this server gave."""
    try:
        after = loads(base64.urlsafe_b64decode(cursor.encode())) if len(cursor) < 512 else None
    except (ValueError, TypeError, binascii.Error, RecursionError):  # RecursionError: deep JSON
        after = None
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(x, str) for x in after)):
        raise Problem(422, "Invalid query", "cursor is not one this server gave")
    return after[0], after[1]


async def get_tournament(request: Request) -> Response:
    t = readable(request, tid_of(request))
    return await cached_json(request, ("tournament", t.id), tournament_tag(t), t.to_dict)


async def list_matches(request: Request) -> Response:
    """``?state=`` to pick; ``?expand=participants``: each slot's participant written out."""
    t = readable(request, tid_of(request))
    state = request.query_params.get("state")
    shape = match_shape(request)

    def build() -> list[dict[str, Any]]:
        return [shape(t, m) for m in t.matches.values() if state is None or m.state == state]

    full = shape is expanded
    tag = tournament_tag(t) + ("-p" if full else "")
    return await cached_json(request, ("matches", t.id, state, full), tag, build)


async def get_match(request: Request) -> Response:
    t = readable(request, tid_of(request))
    return json_response(match_shape(request)(t, t.match(str(request.path_params["mid"]))))


def match_shape(request: Request) -> Callable[[Tournament, Match], dict[str, Any]]:
    """The match JSON as ``?expand=`` asks: as is, or with its participants written out."""
    asked = request.query_params.get("expand")
    if asked is None:
        return lambda _t, m: m.to_dict()
    if asked not in EXPANDABLE:
        raise Problem(422, "Invalid query", "expand must be participants")
    return expanded


async def standings(request: Request) -> Response:
    """``?stage=groups`` (or ``?group=N``, one group): the group stage's tables, each row with
    its ``group``, also once a playoff has started. Standings change only with structural
    events, so their ETag follows the tournament's ``version``: live ticks leave it alone."""
    t = readable(request, tid_of(request))
    stage = request.query_params.get("stage", "final")
    if stage not in ("final", "groups"):
        raise Problem(422, "Invalid query", "stage must be final or groups")
    group = query_int(request, "group", 0, 1, 10_000) or None
    fmt = get_format(t.format)
    if group is not None or stage == "groups":
        stage = "groups"
        if not fmt.has_group_stage:
            raise Problem(422, "Invalid query", f"a {t.format} tournament has no group stage")

    def build() -> list[dict[str, Any]]:
        if stage == "final":
            return fmt.standings(t)
        rows = fmt.group_standings(t)
        return [r for r in rows if group is None or r.get("group") == group]

    tag = f"{t.id}-v{t.version}-{stage}{group or ''}"
    return await cached_json(request, ("standings", t.id, stage, group), tag, build)


async def events(request: Request) -> Response:
    t = readable(request, tid_of(request))
    after = query_int(request, "after", 0, 0, 2**62)
    limit = query_int(request, "limit", 100, 1, 1000)
    return json_response(await runtime(request).store.events_after(t.id, after, limit))


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 32:
        raise Problem(422, "Invalid query", f"{name} must be a whole number")
    value = int(raw)
    if not low <= value <= high:
        raise Problem(422, "Invalid query", f"{name} must be from {low} to {high}")
    return value


# ---- tokens ------------------------------------------------------------------------------------


async def create_token(request: Request) -> Response:
    require(request, None, MANAGE)
    body = await read_json(request)
    if isinstance(body, dict) and isinstance(body.get("tournament_id"), str):
        await runtime(request).ensure(body["tournament_id"])
    data = token_fields(request, body)
    token = auth.new_token("tt")
    data.update(id=new_id("tok_"), hash=auth.digest(token))

    async def run(key: str | None) -> Response:
        out = await service(request).record(EventType.TOKEN_CREATED, data, key)
        if out.duplicate:
            raise Problem(409, "Repeated request", "this token was already created")
        record = auth.TokenRecord(**data, created_at=out.event.at)
        link = links.referee_page(request, record.tournament_id, token)
        return json_response({**record.public(), "token": token, "link": link}, 201)

    return await idempotent(request, "", run)


def token_fields(request: Request, body: Any) -> dict[str, Any]:
    """``{"tournament_id", "scope", "label", "expires_at", "station_id"}``, checked."""
    if not isinstance(body, dict):
        raise Invalid.field("body", "must be an object")
    unknown = set(body) - {"tournament_id", "scope", "label", "expires_at", "station_id"}
    if unknown:
        raise Invalid.field(sorted(unknown)[0], "is not a known field")
    tid = body.get("tournament_id")
    if not isinstance(tid, str) or runtime(request).state.lookup(tid) is None:
        raise Invalid.field("tournament_id", "is not a tournament")
    scope = body.get("scope")
    if scope not in auth.TOKEN_SCOPES:
        raise Invalid.field("scope", "must be manage or report")
    label = body.get("label", "")
    if not isinstance(label, str) or len(label) > 200:
        raise Invalid.field("label", "must be a string of at most 200 characters")
    expires = body.get("expires_at")
    data = {"tournament_id": tid, "scope": scope, "label": label,
            "expires_at": None if expires is None else future_time(expires)}  # fmt: skip
    station = body.get("station_id")
    if station is not None:
        if scope != Scope.REPORT:
            raise Invalid.field("station_id", "only a report token has a station")
        stations = runtime(request).state.get(tid).day.stations
        if not isinstance(station, str) or station not in stations:
            raise Invalid.field("station_id", "is not a station of the tournament")
        data["station_id"] = station
    return data


def future_time(value: Any) -> str:
    """An ISO-8601 time in the future, as UTC; a naive time is taken as UTC."""
    message = "must be an ISO-8601 time, such as 2030-01-31T12:00:00Z"
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid.field("expires_at", message)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        raise Invalid.field("expires_at", message) from None
    if when <= datetime.now(UTC):
        raise Invalid.field("expires_at", "must be in the future")
    return when.isoformat()


async def revoke_token(request: Request) -> Response:
    require(request, None, MANAGE)
    token_id = str(request.path_params["token_id"])
    if token_id not in runtime(request).tokens.by_id:
        raise Problem(404, "Not found", f"no token {token_id!r}")
    await service(request).record(EventType.TOKEN_REVOKED, {"id": token_id}, None)
    return Response(status_code=204)
