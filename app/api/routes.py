"""The route table: one place that says which path goes to which handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from . import archive as ar
from . import director as dr
from . import eventday as ed
from . import live, ops, session
from . import tournaments as tn
from . import webhooks as wh
from .ops import STATIC

T = "/api/v1/tournaments/{tid}"


class OnTournament(Route):
    """A route under a tournament: one that left memory (complete and unwatched) is loaded
    back before the handler runs."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["app"].state.runtime.ensure(scope["path_params"]["tid"])
        await super().handle(scope, receive, send)


class WebSocketOnTournament(WebSocketRoute):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["app"].state.runtime.ensure(scope["path_params"]["tid"])
        await super().handle(scope, receive, send)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/tournaments", tn.list_tournaments, methods=["GET"]),
        Route("/api/v1/tournaments", tn.create_tournament, methods=["POST"]),
        Route("/api/v1/tournaments/import.trf", dr.import_trf, methods=["POST"]),
        OnTournament(T, tn.get_tournament, methods=["GET"]),
        OnTournament(T, tn.patch_tournament, methods=["PATCH"]),
        OnTournament(T, tn.delete_tournament, methods=["DELETE"]),
        OnTournament(T + "/participants", tn.add_participants, methods=["POST"]),
        OnTournament(T + "/participants/{pid}", tn.patch_participant, methods=["PATCH"]),
        OnTournament(T + "/participants/{pid}", tn.delete_participant, methods=["DELETE"]),
        OnTournament(T + "/participants/{pid}/disqualify", tn.disqualify, methods=["POST"]),
        OnTournament(T + "/start", tn.start, methods=["POST"]),
        OnTournament(T + "/reset", tn.reset, methods=["POST"]),
        OnTournament(T + "/matches", tn.list_matches, methods=["GET"]),
        OnTournament(T + "/matches/{mid}", tn.get_match, methods=["GET"]),
        OnTournament(T + "/matches/{mid}/result", tn.report_result, methods=["POST"]),
        OnTournament(T + "/matches/{mid}/reopen", tn.reopen, methods=["POST"]),
        OnTournament(T + "/matches/{mid}/correct", tn.correct_result, methods=["POST"]),
        OnTournament(T + "/matches/{mid}/live", tn.live_tick, methods=["POST"]),
        OnTournament(T + "/participants/{pid}/check-in", ed.check_in, methods=["POST"]),
        OnTournament(T + "/participants/{pid}/link", ed.issue_link, methods=["POST"]),
        OnTournament(T + "/signup", ed.signup_info, methods=["GET"]),
        OnTournament(T + "/signup", ed.sign_up, methods=["POST"]),
        OnTournament(T + "/signup/qr.svg", ed.signup_qr, methods=["GET"]),
        OnTournament(T + "/signups", ed.signups, methods=["GET"]),
        OnTournament(T + "/signups/{pid}/approve", ed.approve, methods=["POST"]),
        OnTournament(T + "/signups/{pid}/reject", ed.reject, methods=["POST"]),
        OnTournament(T + "/waitlist/reorder", ed.reorder_waitlist, methods=["POST"]),
        OnTournament(T + "/check-in/open", ed.open_check_in, methods=["POST"]),
        OnTournament(T + "/entry", ed.my_entry, methods=["GET"]),
        OnTournament(T + "/entry/check-in", ed.check_in_self, methods=["POST"]),
        OnTournament(T + "/entry/withdraw", ed.withdraw, methods=["POST"]),
        OnTournament(T + "/entry/qr.svg", ed.my_qr, methods=["GET"]),
        OnTournament(T + "/stations", ed.list_stations, methods=["GET"]),
        OnTournament(T + "/stations", ed.add_stations, methods=["POST"]),
        OnTournament(T + "/stations/{sid}", ed.patch_station, methods=["PATCH"]),
        OnTournament(T + "/stations/{sid}", ed.delete_station, methods=["DELETE"]),
        OnTournament(T + "/matches/{mid}/call", ed.call_match, methods=["POST"]),
        *director_routes(),
        OnTournament(T + "/standings", tn.standings, methods=["GET"]),
        OnTournament(T + "/events", tn.events, methods=["GET"]),
        OnTournament(T + "/export", ar.export, methods=["GET"]),
        OnTournament(T + "/export/{table}.csv", ar.export_csv, methods=["GET"]),
        Route("/api/v1/import", ar.import_tournament, methods=["POST"]),
        WebSocketOnTournament(T + "/ws", live.subscribe),
        Route("/api/v1/events", live.post_events, methods=["POST"]),
        WebSocketRoute("/api/v1/ingest/ws", live.ingest),
        *webhook_routes(T + "/webhooks"),
        *webhook_routes("/api/v1/webhooks"),
        Route("/api/v1/tokens", tn.create_token, methods=["POST"]),
        Route("/api/v1/me", session.me, methods=["GET"]),
        Route("/api/v1/qr", session.qr, methods=["POST"]),
        Route("/api/v1/tokens/{token_id}", tn.revoke_token, methods=["DELETE"]),
        Route("/healthz", ops.healthz, methods=["GET"]),
        Route("/readyz", ops.readyz, methods=["GET"]),
        Route("/metrics", ops.metrics, methods=["GET"]),
        Route("/openapi.json", ops.openapi, methods=["GET"]),
        Route("/docs", ops.docs_page, methods=["GET"]),
        Route("/", ops.index_page, methods=["GET"]),
        Route("/t/{tid}", ops.viewer_page, methods=["GET"]),
        Route("/t/{tid}/signup", ed.signup_page, methods=["GET"]),
        Route("/t/{tid}/entry", ed.entry_page, methods=["GET"]),
        Route("/admin", ops.admin_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]


def director_routes() -> list[BaseRoute]:
    """The director's Swiss, and FIDE's TRF out (api/director.py)."""
    p = T + "/participants/{pid}"
    return [
        OnTournament(T + "/rounds", dr.pair_round, methods=["POST"]),
        OnTournament(T + "/rounds/{round}", dr.delete_round, methods=["DELETE"]),
        OnTournament(T + "/rounds/{round}/re-pair", dr.repair_round, methods=["POST"]),
        OnTournament(T + "/rounds/{round}/swap", dr.swap, methods=["POST"]),
        OnTournament(p + "/withdraw", dr.withdraw, methods=["POST"]),
        OnTournament(p + "/return", dr.come_back, methods=["POST"]),
        OnTournament(p + "/byes", dr.request_bye, methods=["POST"]),
        OnTournament(p + "/byes/{round}", dr.cancel_bye, methods=["DELETE"]),
        OnTournament(T + "/export.trf", dr.export_trf, methods=["GET"]),
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
