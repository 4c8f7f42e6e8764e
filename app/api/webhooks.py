"""Webhook endpoints over HTTP: a tournament's (its manage token) under
``/api/v1/tournaments/{tid}/webhooks``, the server's (the admin) under ``/api/v1/webhooks``,
each with its delivery log. Every change is an event (``webhook.created``, ``webhook.updated``,
``webhook.deleted``); the secret is shown once, in the answer to the creation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..auth import Scope
from ..domain.endpoints import Endpoint, endpoint_fields
from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.events import EventType
from ..domain.webhooks import TYPES, payload
from ..outbound import Guard, Refused, new_secret
from ..outbound import networks as allowed_networks
from ..outbox import PENDING, Delivery
from ..service import new_id
from .http import idempotent, json_response, read_json, require, runtime, service
from .problem import Problem
from .tournaments import query_int

STATUSES = ("pending", "delivered", "failed")


def owner(request: Request) -> str | None:
    """The tournament whose endpoints the path names (None: the server's), if the caller may
    manage them: the tournament's manage token or the admin; the server's: the admin."""
    tid = request.path_params.get("tid")
    require(request, tid, Scope.MANAGE)
    if tid is not None:
        runtime(request).state.get(tid)
    return tid


def endpoint_of(request: Request, tid: str | None) -> Endpoint:
    wid = str(request.path_params["wid"])
    ep = runtime(request).webhooks.by_id.get(wid)
    if ep is None or ep.tournament_id != tid:
        raise Problem(404, "Not found", f"no webhook {wid!r} here")
    return ep


async def check_target(request: Request, url: str) -> None:
    """Refuse a URL whose host is (or resolves to) a private or local address."""
    cfg = runtime(request).cfg.webhooks
    guard = Guard(allowed_networks(cfg.allowed_networks), min(5.0, cfg.timeout_seconds))
    try:
        await guard.addresses(url)
    except Refused as exc:
        raise Invalid.field("url", str(exc)) from None


async def shown(request: Request, eps: list[Endpoint]) -> list[dict[str, Any]]:
    """Endpoints as the API shows them: no secret, their deliveries counted by status."""
    counts = await runtime(request).outbox.counts([ep.id for ep in eps])
    return [{**ep.public(), "deliveries": counts[ep.id]} for ep in eps]


# ---- the endpoints --------------------------------------------------------------------------


async def list_webhooks(request: Request) -> Response:
    tid = owner(request)
    return json_response({"items": await shown(request, runtime(request).webhooks.of(tid))})


async def get_webhook(request: Request) -> Response:
    tid = owner(request)
    (one,) = await shown(request, [endpoint_of(request, tid)])
    return json_response(one)


async def create_webhook(request: Request) -> Response:
    tid = owner(request)
    rt = runtime(request)
    data = endpoint_fields(await read_json(request), TYPES, partial=False)
    await check_target(request, data["url"])
    data.update(id=new_id("wh_"), tournament_id=tid, secret=new_secret())
    limit = rt.cfg.webhooks.max_endpoints

    def decide() -> dict[str, Any]:
        if tid is not None:
            rt.state.get(tid)  # deleted meanwhile: 404
        if len(rt.webhooks.of(tid)) >= limit:
            where = "this tournament" if tid is not None else "the server"
            raise Conflict(f"{where} has {limit} webhooks already (webhooks.max_endpoints)")
        return data

    async def run(key: str | None) -> Response:
        out = await service(request).record_checked(EventType.WEBHOOK_CREATED, decide, key,
                                                    tid or "")  # fmt: skip
        if out.duplicate:
            raise Problem(409, "Repeated request", "this webhook was already created")
        ep = rt.webhooks.by_id[data["id"]]
        (one,) = await shown(request, [ep])
        where = f"{request.url.path}/{ep.id}"
        return json_response({**one, "secret": ep.secret}, 201, {"Location": where})

    return await idempotent(request, tid or "", run)


async def patch_webhook(request: Request) -> Response:
    """Change url, format, types, description; ``enabled`` turns it off or on again (a
    disabled endpoint's waiting deliveries then go, in order)."""
    tid = owner(request)
    rt = runtime(request)
    ep = endpoint_of(request, tid)
    data = endpoint_fields(await read_json(request), TYPES, partial=True)
    if "url" in data:
        await check_target(request, data["url"])
    data["id"] = ep.id

    async def run(key: str | None) -> Response:
        await service(request).record_checked(EventType.WEBHOOK_UPDATED, still(request, ep, data),
                                              key, tid or "")  # fmt: skip
        (one,) = await shown(request, [rt.webhooks.by_id[ep.id]])
        return json_response(one)

    return await idempotent(request, tid or "", run)


async def delete_webhook(request: Request) -> Response:
    tid = owner(request)
    ep = endpoint_of(request, tid)

    decide = still(request, ep, {"id": ep.id})

    async def run(key: str | None) -> Response:
        await service(request).record_checked(EventType.WEBHOOK_DELETED, decide, key, tid or "")
        return Response(status_code=204)

    return await idempotent(request, tid or "", run)


def still(request: Request, ep: Endpoint, data: dict[str, Any]) -> Any:
    """``data``, as long as the endpoint is still there when the lock is held."""

    def decide() -> dict[str, Any]:
        if ep.id not in runtime(request).webhooks.by_id:
            raise NotFound(f"no webhook {ep.id!r} here")
        return data

    return decide


# ---- the delivery log -----------------------------------------------------------------------


async def deliveries(request: Request) -> Response:
    """Newest first; ``?status=pending|delivered|failed``, ``?limit=`` (1-200),
    ``?cursor=`` (the ``next_cursor`` of the page before)."""
    tid = owner(request)
    ep = endpoint_of(request, tid)
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise Problem(422, "Invalid query", "status must be pending, delivered or failed")
    limit = query_int(request, "limit", 50, 1, 200)
    cursor = query_int(request, "cursor", 2**62, 1, 2**62)
    rows = await runtime(request).outbox.log(ep.id, status, limit + 1, cursor)
    more = len(rows) > limit
    rows = rows[:limit]
    return json_response({"items": [delivery_json(ep, d) for d in rows],
                          "next_cursor": str(rows[-1].pos) if more else None})  # fmt: skip


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    when = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")
    return when.replace("+00:00", "Z")


def delivery_json(ep: Endpoint, d: Delivery) -> dict[str, Any]:
    return {
        "id": d.msg_id,
        "type": d.type,
        "event_seq": d.seq,
        "status": d.status,
        "attempts": d.attempts,
        "created_at": iso(d.created_at),
        "first_attempt_at": iso(d.first_at),
        "last_attempt_at": iso(d.last_at),
        "next_attempt_at": iso(d.next_at) if d.status == PENDING else None,
        "finished_at": iso(d.done_at),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "payload": payload(ep.format, d.doc),
    }
