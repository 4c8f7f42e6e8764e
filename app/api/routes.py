"""The route table: one place that says which path goes to which handler."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from . import eventday as ed
from . import live, ops
from . import tournaments as tn
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
        Route(T + "/participants/{pid}/check-in", ed.check_in, methods=["POST"]),
        Route(T + "/participants/{pid}/link", ed.issue_link, methods=["POST"]),
        Route(T + "/signup", ed.signup_info, methods=["GET"]),
        Route(T + "/signup", ed.sign_up, methods=["POST"]),
        Route(T + "/signup/qr.svg", ed.signup_qr, methods=["GET"]),
        Route(T + "/signups", ed.signups, methods=["GET"]),
        Route(T + "/signups/{pid}/approve", ed.approve, methods=["POST"]),
        Route(T + "/signups/{pid}/reject", ed.reject, methods=["POST"]),
        Route(T + "/waitlist/reorder", ed.reorder_waitlist, methods=["POST"]),
        Route(T + "/check-in/open", ed.open_check_in, methods=["POST"]),
        Route(T + "/entry", ed.my_entry, methods=["GET"]),
        Route(T + "/entry/check-in", ed.check_in_self, methods=["POST"]),
        Route(T + "/entry/withdraw", ed.withdraw, methods=["POST"]),
        Route(T + "/entry/qr.svg", ed.my_qr, methods=["GET"]),
        Route(T + "/stations", ed.list_stations, methods=["GET"]),
        Route(T + "/stations", ed.add_stations, methods=["POST"]),
        Route(T + "/stations/{sid}", ed.patch_station, methods=["PATCH"]),
        Route(T + "/stations/{sid}", ed.delete_station, methods=["DELETE"]),
        Route(T + "/matches/{mid}/call", ed.call_match, methods=["POST"]),
        Route(T + "/standings", tn.standings, methods=["GET"]),
        Route(T + "/events", tn.events, methods=["GET"]),
        WebSocketRoute(T + "/ws", live.subscribe),
        Route("/api/v1/events", live.post_events, methods=["POST"]),
        WebSocketRoute("/api/v1/ingest/ws", live.ingest),
        Route("/api/v1/tokens", tn.create_token, methods=["POST"]),
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
