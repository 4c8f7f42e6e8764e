"""The route table: one place that says which path goes to which handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from . import live, ops
from . import tournaments as tn
from . import webhooks as wh
from .ops import STATIC

T = "/api/v1/tournaments/{tid}"


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/tournaments", tn.list_tournaments, methods=["GET"]),
        Route("/api/v1/tournaments", tn.create_tournament, methods=["POST"]),
        Route(T, tn.get_tournament, methods=["GET"]),
        Route(T, tn.patch_tournament, methods=["PATCH"]),
        Route(T, tn.delete_tournament, methods=["DELETE"]),
        Route(T + "/participants", tn.add_participants, methods=["POST"]),
        Route(T + "/participants/{pid}", tn.patch_participant, methods=["PATCH"]),
        Route(T + "/participants/{pid}", tn.delete_participant, methods=["DELETE"]),
        Route(T + "/participants/{pid}/disqualify", tn.disqualify, methods=["POST"]),
        Route(T + "/start", tn.start, methods=["POST"]),
        Route(T + "/matches", tn.list_matches, methods=["GET"]),
        Route(T + "/matches/{mid}", tn.get_match, methods=["GET"]),
        Route(T + "/matches/{mid}/result", tn.report_result, methods=["POST"]),
        Route(T + "/matches/{mid}/reopen", tn.reopen, methods=["POST"]),
        Route(T + "/matches/{mid}/live", tn.live_tick, methods=["POST"]),
        Route(T + "/standings", tn.standings, methods=["GET"]),
        Route(T + "/events", tn.events, methods=["GET"]),
        WebSocketRoute(T + "/ws", live.subscribe),
        Route("/api/v1/events", live.post_events, methods=["POST"]),
        WebSocketRoute("/api/v1/ingest/ws", live.ingest),
        *webhook_routes(T + "/webhooks"),
        *webhook_routes("/api/v1/webhooks"),
        Route("/api/v1/tokens", tn.create_token, methods=["POST"]),
        Route("/api/v1/tokens/{token_id}", tn.revoke_token, methods=["DELETE"]),
        Route("/healthz", ops.healthz, methods=["GET"]),
        Route("/readyz", ops.readyz, methods=["GET"]),
        Route("/metrics", ops.metrics, methods=["GET"]),
        Route("/openapi.json", ops.openapi, methods=["GET"]),
        Route("/docs", ops.docs_page, methods=["GET"]),
        Route("/", ops.index_page, methods=["GET"]),
        Route("/t/{tid}", ops.viewer_page, methods=["GET"]),
        Route("/admin", ops.admin_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]


def webhook_routes(base: str) -> list[BaseRoute]:
    """A tournament's webhook endpoints, or (``/api/v1/webhooks``) the server's: the same
    handlers, each under a function of its own, so that metrics name each route's template."""
    return [
        Route(base, own(wh.list_webhooks), methods=["GET"]),
        Route(base, own(wh.create_webhook), methods=["POST"]),
        Route(base + "/{wid}", own(wh.get_webhook), methods=["GET"]),
        Route(base + "/{wid}", own(wh.patch_webhook), methods=["PATCH"]),
        Route(base + "/{wid}", own(wh.delete_webhook), methods=["DELETE"]),
        Route(base + "/{wid}/deliveries", own(wh.deliveries), methods=["GET"]),
    ]


def own(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request)

    endpoint.__name__ = endpoint.__qualname__ = handler.__name__
    return endpoint
