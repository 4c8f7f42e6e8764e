"""Tournaments, participants, matches, standings, events and tokens over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import auth
from ..domain import engine
from ..domain.errors import Invalid
from ..domain.formats import get_format
from ..domain.models import Tournament
from ..service import Outcome, new_id
from .http import Problem, idempotent, json_response, read_json, readable, require, service
from .reads import cached_json

PAGE = 50


def tid_of(request: Request) -> str:
    return str(request.path_params["tid"])


def tournament_tag(t: Tournament) -> str:
    return f"{t.id}-{t.seq}"


# ---- tournaments -------------------------------------------------------------------------------


async def list_tournaments(request: Request) -> Response:
    state = request.query_params.get("state")
    if state is not None and state not in ("pending", "underway", "complete"):
        raise Problem(422, "Invalid query", "state must be pending, underway or complete")
    limit = query_int(request, "limit", PAGE, 1, 200)
    items = [t for t in service(request).tournaments.values() if t.visibility == "public"]
    if state:
        items = [t for t in items if t.state == state]
    items.sort(key=lambda t: (t.created_at, t.id), reverse=True)
    cursor = request.query_params.get("cursor")
    if cursor:
        after = decode_cursor(cursor)
        items = [t for t in items if (t.created_at, t.id) < after]
    page = items[:limit]
    body: dict[str, Any] = {"items": [t.summary() for t in page], "next_cursor": None}
    if len(items) > limit:
        last = page[-1]
        raw = json.dumps([last.created_at, last.id]).encode()
        body["next_cursor"] = base64.urlsafe_b64encode(raw).decode()
    return json_response(body)


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (created_at, id) a page ended at, from the opaque cursor this server gave."""
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        after = None
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(x, str) for x in after)):
        raise Problem(422, "Invalid query", "cursor is not one this server gave")
    return after[0], after[1]


async def create_tournament(request: Request) -> Response:
    require(request, None, "manage")
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        tid = new_id("t_")
        out = await service(request).command(
            tid, "tournament.created", lambda _t: engine.create_tournament(body), key, create=True
        )
        return created(request, out)

    return await idempotent(request, None, run)


def created(request: Request, out: Outcome) -> Response:
    """201 with the tournament; for a repeat whose first answer is gone, its current state."""
    tid = out.event.tournament_id
    t = service(request).get(tid)
    return json_response(t.to_dict(), 201, {"Location": f"/api/v1/tournaments/{tid}"})


async def get_tournament(request: Request) -> Response:
    t = readable(request, tid_of(request))
    return await cached_json(request, ("tournament", t.id), tournament_tag(t), t.to_dict)


async def patch_tournament(request: Request) -> Response:
    tid = tid_of(request)
    require(request, tid, "manage")
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        await service(request).command(
            tid, "tournament.updated", lambda t: engine.update_tournament(need(t), body), key
        )
        return json_response(service(request).get(tid).to_dict())

    return await idempotent(request, tid, run)


async def delete_tournament(request: Request) -> Response:
    tid = tid_of(request)
    require(request, tid, "manage")
    await service(request).command(tid, "tournament.deleted", lambda _t: {})
    return Response(status_code=204)


def need(t: Tournament | None) -> Tournament:
    assert t is not None
    return t


# ---- participants ------------------------------------------------------------------------------


async def add_participants(request: Request) -> Response:
    tid = tid_of(request)
    require(request, tid, "manage")
    body = await read_json(request)
    count = len(body) if isinstance(body, list) else 1
    ids = [new_id("p_") for _ in range(min(count, engine.MAX_PARTICIPANTS + 1))]

    async def run(key: str | None) -> Response:
        out = await service(request).command(
            tid, "participant.added", lambda t: engine.add_participants(need(t), body, ids), key
        )
        t = service(request).get(tid)
        if out.duplicate:
            return json_response([p.to_dict() for p in t.participant_list()], 201)
        added = [t.participants[p["id"]].to_dict() for p in out.event.data["participants"]]
        return json_response(added if isinstance(body, list) else added[0], 201)

    return await idempotent(request, tid, run)


async def patch_participant(request: Request) -> Response:
    tid, pid = tid_of(request), str(request.path_params["pid"])
    require(request, tid, "manage")
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        await service(request).command(
            tid, "participant.updated",
            lambda t: engine.update_participant(need(t), pid, body), key,
        )  # fmt: skip
        return json_response(service(request).get(tid).participants[pid].to_dict())

    return await idempotent(request, tid, run)


async def delete_participant(request: Request) -> Response:
    tid, pid = tid_of(request), str(request.path_params["pid"])
    require(request, tid, "manage")
    await service(request).command(
        tid, "participant.removed", lambda t: engine.remove_participant(need(t), pid)
    )
    return Response(status_code=204)


async def disqualify(request: Request) -> Response:
    tid, pid = tid_of(request), str(request.path_params["pid"])
    require(request, tid, "manage")

    async def run(key: str | None) -> Response:
        await service(request).command(
            tid, "participant.disqualified", lambda t: engine.disqualify(need(t), pid), key
        )
        return json_response(service(request).get(tid).participants[pid].to_dict())

    return await idempotent(request, tid, run)


# ---- the draw and results ----------------------------------------------------------------------


async def start(request: Request) -> Response:
    tid = tid_of(request)
    require(request, tid, "manage")

    async def run(key: str | None) -> Response:
        await service(request).command(
            tid, "tournament.started", lambda t: engine.start(need(t)), key
        )
        return json_response(service(request).get(tid).to_dict())

    return await idempotent(request, tid, run)


async def list_matches(request: Request) -> Response:
    t = readable(request, tid_of(request))
    state = request.query_params.get("state")

    def build() -> list[dict[str, Any]]:
        return [m.to_dict() for m in t.matches.values() if state is None or m.state == state]

    return await cached_json(request, ("matches", t.id, state), tournament_tag(t), build)


async def get_match(request: Request) -> Response:
    t = readable(request, tid_of(request))
    return json_response(engine.match(t, str(request.path_params["mid"])).to_dict())


async def report_result(request: Request) -> Response:
    tid, mid = tid_of(request), str(request.path_params["mid"])
    require(request, tid, "report")
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        await service(request).command(
            tid, "match.result", lambda t: engine.report_result(need(t), mid, body), key
        )
        return json_response(service(request).get(tid).matches[mid].to_dict())

    return await idempotent(request, tid, run)


async def reopen(request: Request) -> Response:
    tid, mid = tid_of(request), str(request.path_params["mid"])
    require(request, tid, "manage")
    if request.query_params.get("dry_run") in ("1", "true"):
        plan = engine.reopen(service(request).get(tid), mid)
        return json_response({"match_id": mid, "reset": plan["reset"], "dry_run": True})

    async def run(key: str | None) -> Response:
        out = await service(request).command(
            tid, "match.reopened", lambda t: engine.reopen(need(t), mid), key
        )
        t = service(request).get(tid)
        reset = out.event.data.get("reset", [mid])
        return json_response({"match_id": mid, "reset": reset,
                              "matches": [t.matches[x].to_dict() for x in reset]})  # fmt: skip

    return await idempotent(request, tid, run)


async def live_tick(request: Request) -> Response:
    tid, mid = tid_of(request), str(request.path_params["mid"])
    require(request, tid, "report")
    body = await read_json(request)

    async def run(key: str | None) -> Response:
        out = await service(request).tick(tid, mid, body, key)
        return json_response({"seq": out.event.seq, "duplicate": out.duplicate}, 202)

    return await idempotent(request, tid, run)


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
    return json_response(await service(request).store.events_after(t.id, after, limit))


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Problem(422, "Invalid query", f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise Problem(422, "Invalid query", f"{name} must be from {low} to {high}")
    return value


# ---- tokens ------------------------------------------------------------------------------------


async def create_token(request: Request) -> Response:
    require(request, None, "manage")
    body = await read_json(request)
    if not isinstance(body, dict):
        raise Invalid.field("body", "must be an object")
    tid = body.get("tournament_id")
    if not isinstance(tid, str) or tid not in service(request).tournaments:
        raise Invalid.field("tournament_id", "is not a tournament")
    scope = body.get("scope")
    if scope not in auth.SCOPES:
        raise Invalid.field("scope", "must be manage or report")
    label = body.get("label", "")
    if not isinstance(label, str) or len(label) > 200:
        raise Invalid.field("label", "must be a string of at most 200 characters")
    expires = body.get("expires_at")
    if expires is not None:
        expires = check_time(expires)
    unknown = set(body) - {"tournament_id", "scope", "label", "expires_at"}
    if unknown:
        raise Invalid.field(sorted(unknown)[0], "is not a known field")
    token = auth.new_token("tt")
    data = {"id": new_id("tok_"), "hash": auth.digest(token), "tournament_id": tid,
            "scope": scope, "label": label, "expires_at": expires}  # fmt: skip

    async def run(key: str | None) -> Response:
        out = await service(request).command("", "token.created", lambda _t: data, key, True)
        if out.duplicate:
            raise Problem(409, "Repeated request", "this token was already created")
        return json_response({**auth.TokenRecord(**data, created_at=out.event.at).public(),
                              "token": token}, 201)  # fmt: skip

    return await idempotent(request, "", run)


def check_time(value: Any) -> str:
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
    require(request, None, "manage")
    token_id = str(request.path_params["token_id"])
    svc = service(request)
    if token_id not in svc.tokens.by_id:
        raise Problem(404, "Not found", f"no token {token_id!r}")
    await svc.command("", "token.revoked", lambda _t: {"id": token_id}, None, True)
    return Response(status_code=204)
