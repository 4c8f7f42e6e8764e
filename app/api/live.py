"""Live: the tournament WebSocket, the score-ingest WebSocket and the batch tick endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..domain.errors import DomainError
from ..hub import Subscriber, View
from ..pipeline.appender import Unavailable
from .http import (
    CHALLENGE,
    Problem,
    from_exception,
    json_response,
    parse_json,
    principal,
    read_body,
    readable,
    service,
)

TRY_AGAIN_LATER = 1013
GOING_AWAY = 1001
POLICY = 1008
MAX_WS_MESSAGE = 1_048_576


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
    try:
        out = await service(request).ingest(items, lambda tid: who.can(tid, "report"))
    except PermissionError as exc:
        raise Problem(403, "Forbidden", f"the token cannot report in {exc.args[0]}") from None
    return json_response(out, 202)


# ---- the tournament subscription ---------------------------------------------------------------


async def subscribe(ws: WebSocket) -> None:
    """Snapshot (or the missed events), then every event; ``resume`` after a reconnect."""
    tid = str(ws.path_params["tid"])
    svc = service(ws)
    try:
        t = readable(ws, tid)
        view = view_from(ws, t.matches)
    except (Problem, DomainError) as exc:
        await refuse(ws, exc)
        return
    hub = svc.hub
    after = ws.query_params.get("after", "")
    await ws.accept()
    sub = hub.subscribe(t, view, int(after) if after.isascii() and after.isdigit() else None)
    pump = asyncio.create_task(pump_frames(ws, sub, svc.cfg.live.heartbeat_seconds))
    try:
        await receive_loop(ws, sub, pump)
    finally:
        hub.unsubscribe(sub)
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pump
        reason = "slow consumer" if sub.overflow else None
        if sub.overflow:
            svc.metrics.slow_closes.inc()
        await close(ws, TRY_AGAIN_LATER if sub.overflow else 1000, reason)


def view_from(ws: WebSocket, matches: dict[str, Any]) -> View:
    mid = ws.query_params.get("match")
    if mid is not None and mid not in matches:
        raise Problem(404, "Not found", f"no match {mid!r} in this tournament")
    return View(mid, ws.query_params.get("fields") == "scores")


async def receive_loop(ws: WebSocket, sub: Subscriber, pump: asyncio.Task[None]) -> None:
    svc = service(ws)
    receive = asyncio.ensure_future(ws.receive())
    try:
        while True:
            done, _ = await asyncio.wait({receive, pump}, return_when=asyncio.FIRST_COMPLETED)
            if pump in done:
                return
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                return
            handle_client_message(svc, sub, message)
            receive = asyncio.ensure_future(ws.receive())
    finally:
        receive.cancel()


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


async def pump_frames(ws: WebSocket, sub: Subscriber, heartbeat: float) -> None:
    """Send queued frames in order; a heartbeat when idle; stop when the subscriber overflows."""
    counter = service(ws).metrics.frames_sent
    while True:
        try:
            async with asyncio.timeout(heartbeat):
                await sub.wake.wait()
        except TimeoutError:
            t = service(ws).lookup(sub.tid)
            await ws.send_text(json.dumps({"type": "heartbeat", "seq": t.seq if t else 0}))
            continue
        sub.wake.clear()
        if sub.overflow:
            return
        while (frame := sub.take()) is not None:
            await ws.send_text(frame)
            counter.labels("event").inc()
            if sub.overflow:
                return


async def close(ws: WebSocket, code: int, reason: str | None = None) -> None:
    if ws.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await ws.close(code, reason)


async def refuse(ws: WebSocket, exc: Exception) -> None:
    """Before accepting: an HTTP answer (403/404/503) to the upgrade request."""
    p = from_exception(exc) or Problem(500, "Internal error")
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
    except Problem as exc:
        await refuse(ws, exc)
        return
    await ws.accept()
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            reply = await ingest_frame(svc, who, frame_text(message))
            await ws.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        return
    except asyncio.CancelledError:
        await close(ws, GOING_AWAY)
        raise


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
