"""Live: the tournament WebSocket, the score-ingest WebSocket and the batch tick endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..auth import Principal, Scope
from ..codec import dumps_text
from ..domain.errors import DomainError, Forbidden, Invalid, Unavailable
from ..domain.models import Tournament
from ..hub import GOING_AWAY, NORMAL, PRIVATE_NOW, SLOW, Subscriber, View
from ..runtime import Runtime
from ..service import Tick
from ..subscribers import QueuedSubscriber
from .access import UNAUTHORIZED, hold, nothing
from .frames import client_message, error_frame, frame_bytes, resume_point
from .http import (
    CHALLENGE,
    PRINCIPAL,
    bearer,
    idempotent,
    json_response,
    parse_json,
    principal,
    read_body,
    readable,
    runtime,
    service,
)
from .problem import PROBLEM_TYPE, Problem, from_exception

POLICY = 1008
MAX_WS_MESSAGE = 1_048_576

log = logging.getLogger("tourney.live")


def parse_ticks(raw: bytes, content_type: str) -> list[Any]:
    """A JSON array (or one object), or NDJSON: one object per line."""
    if "ndjson" in content_type or "jsonl" in content_type:
        lines = [ln for ln in raw.splitlines() if ln.strip()]
        return [parse_json(ln) for ln in lines]
    value = parse_json(raw)
    return value if isinstance(value, list) else [value]


def tick_shapes(items: list[Any], who: Principal) -> list[Tick]:
    """Each item ``{"id", "tournament_id", "match_id", "scores", "detail"}`` checked for its
    shape and for the caller's right to report in its tournament."""
    ticks = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise Invalid.field(f"[{i}]", "must be an object")
        tid = item.get("tournament_id")
        if not isinstance(tid, str):
            raise Invalid.field(f"[{i}].tournament_id", "must be a string")
        mid = item.get("match_id")
        if not isinstance(mid, str):
            raise Invalid.field(f"[{i}].match_id", "must be a string")
        eid = item.get("id")
        if eid is not None and (not isinstance(eid, str) or not 0 < len(eid) <= 200):
            raise Invalid.field(f"[{i}].id", "must be a string of 1 to 200 characters")
        if not who.can(tid, Scope.REPORT):
            raise Forbidden(f"the token cannot report in {tid}")
        # a tick's own id, in the caller's space (see Principal.own)
        ticks.append(Tick(i, tid, mid, who.own(eid) if eid else None, item))
    return ticks


async def post_events(request: Request) -> Response:
    """``POST /api/v1/events``: many live ticks at once → 202 {accepted, first_seq, last_seq}."""
    who = principal(request)
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a report token", headers=CHALLENGE)
    limit: int = request.app.state.config.server.max_body_bytes
    items = parse_ticks(await read_body(request, limit), request.headers.get("content-type", ""))
    if not items:
        raise Problem(422, "Invalid fields", "no ticks given")

    async def run(key: str | None) -> Response:
        out = await service(request).ticks(tick_shapes(items, who))
        return json_response(out, 202)

    # each tick's own id dedupes it; an Idempotency-Key on the batch replays the first answer,
    # to this caller, for these tournaments
    tids = sorted({str(i.get("tournament_id")) for i in items if isinstance(i, dict)})
    return await idempotent(request, ",".join(tids), run)


# ---- the tournament subscription ---------------------------------------------------------------


def check_origin(ws: WebSocket) -> None:
    """A token-bearing WebSocket opened by a page of another site is refused (no cross-site
    WebSocket hijacking). Browsers always send Origin; bots send none and are allowed."""
    origin = ws.headers.get("origin")
    if origin is None:
        return
    allowed = {o.strip() for o in ws.app.state.config.server.websocket_origins.split(",")}
    if origin in allowed:
        return
    host = ws.headers.get("host", "")
    if origin.split("://", 1)[-1] == host:
        return
    raise Problem(403, "Forbidden", f"WebSockets from {origin} are not allowed", reason="origin")


def admit(ws: WebSocket) -> str:
    """The caps on open WebSockets: a refusal is an immediate 503, never a hang."""
    svc = runtime(ws)
    address = ws.client.host if ws.client else ""
    why = svc.hub.gate.admit(address)
    if why is not None:
        raise Problem(503, "Too many connections", f"refused: {why.replace('_', ' ')}",
                      headers={"Retry-After": "5"}, reason=why)  # fmt: skip
    return address


async def subscribe(ws: WebSocket) -> None:
    """Snapshot (or the missed events), then every event; ``resume`` after a reconnect."""
    tid = str(ws.path_params["tid"])
    svc = runtime(ws)
    try:
        t = readable(ws, tid)
        if t.visibility == "private" or bearer(ws, allow_query=True):
            check_origin(ws)
        view = view_from(ws, t.matches)
        address = admit(ws)
    except (Problem, DomainError) as exc:
        await refuse(ws, exc)
        return
    try:
        await ws.accept()
        # a private tournament's events go out only while the token that opened it still works
        who = ws.scope.get(PRINCIPAL) if t.visibility == "private" else None
        refused = svc.tokens.refusal(who) if who is not None else None
        if refused is not None:  # revoked while the socket was being accepted
            await close(ws, UNAUTHORIZED, refused)
            return
        sub, reasons = await serve(ws, t, view, who)
        if sub.close_code == SLOW:
            svc.metrics.slow_closes.inc()
            log.info("slow subscriber closed", extra={"tournament_id": tid, "client": address})
        await close(ws, sub.close_code or NORMAL, reasons.get(sub.close_code or NORMAL))
    finally:
        svc.hub.gate.release(address)


async def serve(
    ws: WebSocket, t: Tournament, view: View, who: Principal | None
) -> tuple[Subscriber, dict[int, str]]:
    """Subscribe, serve until the subscription ends; the subscriber and the close reasons."""
    svc = runtime(ws)
    start = resume_point(t, ws.query_params.get("after"))
    # tourney's own server offers the connection's protocol: the hub then writes to it
    direct = ws.scope.get("extensions", {}).get("tourney.direct")
    sub = svc.hub.subscribe(t, view, start, direct)
    sub.guarded = who is not None
    done = asyncio.Event()
    sub.on_slow = lambda: abort_later(ws, done)
    reasons = dict(CLOSE_REASONS)
    release = hold(svc.tokens, who, lambda why: cut_off(svc, sub, reasons, why))
    try:
        if isinstance(sub, QueuedSubscriber):
            await queued(ws, sub)
        else:
            # the hub writes to the socket itself; this task only listens and closes
            sub.on_close = lambda code: closing(ws, code, reasons.get(code))
            await receive_loop(ws, sub)
    finally:
        release()
        svc.hub.unsubscribe(sub)
        done.set()
    return sub, reasons


def cut_off(svc: Runtime, sub: Subscriber, reasons: dict[int, str], why: str) -> None:
    """The token that opened a private subscription stopped working: nothing more is sent,
    not even what was queued, and the socket is closed with 4401."""
    reasons[UNAUTHORIZED] = why
    if isinstance(sub, QueuedSubscriber):
        sub.queue.clear()
    svc.hub.close(sub, UNAUTHORIZED)


def abort_later(ws: WebSocket, done: asyncio.Event, grace: float = 2.0) -> None:
    """A subscriber that fell behind gets ``grace`` seconds to take its 1013 close; one whose
    socket is stuck (it stopped reading) is dropped then, so it holds no descriptor or buffer."""

    def abort() -> None:
        if not done.is_set():
            abort_connection = getattr(ws.app.state, "abort_connection", None)
            if abort_connection is not None:
                abort_connection(ws.scope)

    asyncio.get_running_loop().call_later(grace, abort)


async def queued(ws: WebSocket, sub: QueuedSubscriber) -> None:
    """A subscriber served through the ASGI send path: a pump task sends its queue."""
    receiver = asyncio.create_task(receive_loop(ws, sub))
    try:
        await pump_frames(ws, sub)
    except (WebSocketDisconnect, OSError, RuntimeError):
        pass  # the peer went away (or was dropped) mid-send
    finally:
        receiver.cancel()


CLOSING: set[asyncio.Task[None]] = set()


def closing(ws: WebSocket, code: int, reason: str | None = None) -> None:
    """Close a socket from outside its task."""
    task = asyncio.get_running_loop().create_task(close(ws, code, reason))
    CLOSING.add(task)
    task.add_done_callback(CLOSING.discard)


CLOSE_REASONS = {
    SLOW: "slow consumer: resume later",
    GOING_AWAY: "server stopping",
    PRIVATE_NOW: "the tournament became private: subscribe with a token",
}


def view_from(ws: WebSocket, matches: dict[str, Any]) -> View:
    mid = ws.query_params.get("match")
    if mid is not None and mid not in matches:
        raise Problem(404, "Not found", f"no match {mid!r} in this tournament")
    return View(mid, ws.query_params.get("fields") == "scores")


async def receive_loop(ws: WebSocket, sub: Subscriber) -> None:
    """The client's messages (resume, ping); a disconnect ends the subscription."""
    svc = runtime(ws)
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            sub.gone()
            return
        handle_client_message(svc, sub, message)


def handle_client_message(svc: Runtime, sub: Subscriber, message: Any) -> None:
    """``resume`` (any cursor the tournament cannot replay from gets a snapshot) and ``ping``;
    anything else is answered with an error frame, and the socket stays open."""
    try:
        msg = client_message(frame_bytes(message))
    except Problem as p:
        svc.hub.push(sub, error_frame(p))
        return
    if msg["type"] == "resume":
        t = svc.state.lookup(sub.tid)
        after = msg.get("after")
        if t is not None:
            svc.hub.resume(t, sub, resume_point(t, None if isinstance(after, str) else after))
    else:
        svc.hub.push(sub, '{"type":"pong"}')


async def pump_frames(ws: WebSocket, sub: QueuedSubscriber) -> None:
    """Send queued frames in order, a heartbeat when idle; return once the subscriber is to be
    closed (after what was queued for it is sent)."""
    frames = runtime(ws).metrics.frames
    while True:
        await sub.wake.wait()
        sub.wake.clear()
        while (frame := sub.take()) is not None:
            await ws.send_text(frame)
            frames[frame[9 : frame.find('"', 9)]] += 1  # '{"type":"<kind>"...'
        if sub.close_code is not None:
            return


async def close(ws: WebSocket, code: int, reason: str | None = None) -> None:
    if ws.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await ws.close(code, reason)


REFUSALS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 503: "unavailable"}


async def refuse(ws: WebSocket, exc: Exception) -> None:
    """Before accepting: an HTTP answer (403/404/503) to the upgrade request."""
    p = from_exception(exc) or Problem(500, "Internal error")
    reason = p.reason or REFUSALS.get(p.status, str(p.status))
    runtime(ws).metrics.ws_refused.labels(reason).inc()
    if "websocket.http.response" not in ws.scope.get("extensions", {}):
        await ws.close(POLICY)
        return
    await ws.send_denial_response(
        Response(p.encode(), p.status, p.headers, media_type=PROBLEM_TYPE)
    )


# ---- score ingest over one socket --------------------------------------------------------------


async def ingest(ws: WebSocket) -> None:
    """Frames of ticks in (one object or an array); ``{"type": "ack", "last_seq"}`` out once
    they are in the stream, or ``{"type": "error", ...}`` for a refused frame."""
    svc = runtime(ws)
    try:
        who = require_reporter(ws)
        check_origin(ws)
        address = admit(ws)
    except Problem as exc:
        await refuse(ws, exc)
        return
    gate = svc.hub.gate
    release = nothing
    try:
        await ws.accept()
        gate.sockets.add(ws)  # a stop closes it with 1001
        # a revoked or expired token closes the socket with 4401 at once, even an idle one
        release = hold(svc.tokens, who, lambda why: closing(ws, UNAUTHORIZED, why))
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            refused = svc.tokens.refusal(who)  # the token's rights, as each frame is acted on
            if refused is not None:
                await close(ws, UNAUTHORIZED, refused)
                return
            reply = await ingest_frame(svc, who, frame_bytes(message))
            if ws.application_state != WebSocketState.CONNECTED:
                return  # closed meanwhile (the token was revoked, the server is stopping)
            await ws.send_text(dumps_text(reply))
    except WebSocketDisconnect:
        return
    finally:
        release()
        gate.sockets.discard(ws)
        gate.release(address)


def require_reporter(ws: WebSocket) -> Principal:
    who = principal(ws, allow_query=True)
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a report token", headers=CHALLENGE)
    return who


async def ingest_frame(svc: Runtime, who: Principal, raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_WS_MESSAGE:
        return {"type": "error", "status": 413, "detail": "frame too large"}
    try:
        value = parse_json(raw)
        items = value if isinstance(value, list) else [value]
        out = await svc.service.ticks(tick_shapes(items, who))
        return {"type": "ack", **out}
    except Unavailable as exc:
        return {"type": "error", "status": 503, "detail": exc.reason,
                "retry_after": exc.retry_after}  # fmt: skip
    except (Problem, DomainError) as exc:
        p = from_exception(exc)
        assert p is not None
        return {"type": "error", "status": p.status, "detail": p.detail, "errors": p.errors}
