"""Live: the tournament WebSocket, the score-ingest WebSocket and the batch tick endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..domain.errors import DomainError
from ..hub import GOING_AWAY, NORMAL, SLOW, Subscriber, View
from ..pipeline.appender import Unavailable
from ..subscribers import QueuedSubscriber
from .http import (
    CHALLENGE,
    Problem,
    bearer,
    from_exception,
    idempotent,
    json_response,
    parse_json,
    principal,
    read_body,
    readable,
    service,
)

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
        try:
            out = await service(request).ingest(items, lambda tid: who.can(tid, "report"))
        except PermissionError as exc:
            raise Problem(403, "Forbidden", f"the token cannot report in {exc.args[0]}") from None
        return json_response(out, 202)

    # each tick's own id dedupes it; an Idempotency-Key on the batch replays the first answer
    return await idempotent(request, "", run)


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
    svc = service(ws)
    address = ws.client.host if ws.client else ""
    why = svc.hub.gate.admit(address)
    if why is not None:
        raise Problem(503, "Too many connections", f"refused: {why.replace('_', ' ')}",
                      headers={"Retry-After": "5"}, reason=why)  # fmt: skip
    return address


async def subscribe(ws: WebSocket) -> None:
    """Snapshot (or the missed events), then every event; ``resume`` after a reconnect."""
    tid = str(ws.path_params["tid"])
    svc = service(ws)
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
        after = ws.query_params.get("after", "")
        start = int(after) if after.isascii() and after.isdigit() else None
        # tourney's own server offers the connection's protocol: the hub then writes to it
        direct = ws.scope.get("extensions", {}).get("tourney.direct")
        sub = svc.hub.subscribe(t, view, start, direct)
        done = asyncio.Event()
        sub.on_slow = lambda: abort_later(ws, done)
        try:
            if isinstance(sub, QueuedSubscriber):
                await queued(ws, sub)
            else:
                # the hub writes to the socket itself; this task only listens and closes
                sub.on_close = lambda code: closing(ws, code)
                await receive_loop(ws, sub)
        finally:
            svc.hub.unsubscribe(sub)
            done.set()
        if sub.close_code == SLOW:
            svc.metrics.slow_closes.inc()
            log.info("slow subscriber closed", extra={"tournament_id": tid, "client": address})
        await close(ws, sub.close_code or NORMAL, CLOSE_REASONS.get(sub.close_code or NORMAL))
    finally:
        svc.hub.gate.release(address)


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


def closing(ws: WebSocket, code: int) -> None:
    """Close a direct subscriber's socket from outside its task."""
    task = asyncio.get_running_loop().create_task(close(ws, code, CLOSE_REASONS.get(code)))
    CLOSING.add(task)
    task.add_done_callback(CLOSING.discard)


CLOSE_REASONS = {SLOW: "slow consumer: resume later", GOING_AWAY: "server stopping"}


def view_from(ws: WebSocket, matches: dict[str, Any]) -> View:
    mid = ws.query_params.get("match")
    if mid is not None and mid not in matches:
        raise Problem(404, "Not found", f"no match {mid!r} in this tournament")
    return View(mid, ws.query_params.get("fields") == "scores")


async def receive_loop(ws: WebSocket, sub: Subscriber) -> None:
    """The client's messages (resume, ping); a disconnect ends the subscription."""
    svc = service(ws)
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            sub.gone()
            return
        handle_client_message(svc, sub, message)


def handle_client_message(svc: Any, sub: Subscriber, message: Any) -> None:
    text = message.get("text") or (message.get("bytes") or b"").decode(errors="replace")
    try:
        msg = json.loads(text) if len(text) < 4096 else None
    except ValueError:
        msg = None
    if isinstance(msg, dict) and msg.get("type") == "resume":
        after = msg.get("after")
        t = svc.lookup(sub.tid)
        if t is not None and isinstance(after, int) and not isinstance(after, bool):
            svc.hub.resume(t, sub, after)
    elif isinstance(msg, dict) and msg.get("type") == "ping":
        svc.hub.push(sub, '{"type":"pong"}')


async def pump_frames(ws: WebSocket, sub: QueuedSubscriber) -> None:
    """Send queued frames in order, a heartbeat when idle; return once the subscriber is to be
    closed (after what was queued for it is sent)."""
    frames = service(ws).metrics.frames
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
    service(ws).metrics.ws_refused.labels(reason).inc()
    if "websocket.http.response" not in ws.scope.get("extensions", {}):
        await ws.close(POLICY)
        return
    body = {"type": "about:blank", "title": p.title, "status": p.status, "detail": p.detail}
    await ws.send_denial_response(
        Response(json.dumps(body), p.status, p.headers, media_type="application/problem+json")
    )


# ---- score ingest over one socket --------------------------------------------------------------


async def ingest(ws: WebSocket) -> None:
    """Frames of ticks in (one object or an array); ``{"type": "ack", "last_seq"}`` out once
    they are in the stream, or ``{"type": "error", ...}`` for a refused frame."""
    svc = service(ws)
    try:
        who = require_reporter(ws)
        check_origin(ws)
        address = admit(ws)
    except Problem as exc:
        await refuse(ws, exc)
        return
    gate = svc.hub.gate
    try:
        await ws.accept()
        gate.sockets.add(ws)  # a stop closes it with 1001
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            reply = await ingest_frame(svc, who, frame_text(message))
            await ws.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        return
    finally:
        gate.sockets.discard(ws)
        gate.release(address)


def frame_text(message: Any) -> str:
    """A text frame's text, or a binary frame's bytes as UTF-8 (invalid bytes stay invalid)."""
    if message.get("text") is not None:
        return str(message["text"])
    return bytes(message.get("bytes") or b"").decode(errors="replace")


def require_reporter(ws: WebSocket) -> Any:
    who = principal(ws, allow_query=True)
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a report token", headers=CHALLENGE)
    return who


async def ingest_frame(svc: Any, who: Any, text: str) -> dict[str, Any]:
    if len(text) > MAX_WS_MESSAGE:
        return {"type": "error", "status": 413, "detail": "frame too large"}
    try:
        value = parse_json(text.encode())
        items = value if isinstance(value, list) else [value]
        out = await svc.ingest(items, lambda tid: who.can(tid, "report"))
        return {"type": "ack", **out}
    except PermissionError as exc:
        return {"type": "error", "status": 403, "detail": f"cannot report in {exc.args[0]}"}
    except Unavailable as exc:
        return {"type": "error", "status": 503, "detail": exc.reason,
                "retry_after": exc.retry_after}  # fmt: skip
    except (Problem, DomainError) as exc:
        p = from_exception(exc)
        assert p is not None
        return {"type": "error", "status": p.status, "detail": p.detail, "errors": p.errors}
