"""Health, readiness, metrics, and the pages."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..auth import Scope
from ..domain.models import MatchState, TournamentState
from .http import json_response, require, runtime
from .openapi import spec

# the viewer's files: app/static in a checkout (a link to static/ at the top of the
# repository), in an installed wheel and in the single executable alike
STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok", "process": runtime(request).owner})


async def readyz(request: Request) -> Response:
    checks = await runtime(request).readiness()
    return json_response(checks, 200 if checks["ok"] else 503)


async def metrics(request: Request) -> Response:
    if not request.app.state.config.server.metrics_public:
        require(request, None, Scope.MANAGE)
    rt = runtime(request)
    m = rt.metrics
    m.sync()
    m.backlog.set(rt.backlog)
    tournaments = dict.fromkeys(TournamentState, 0)
    matches = dict.fromkeys(MatchState, 0)
    for t in rt.state.tournaments.values():
        tournaments[t.state] += 1
        if t.state is TournamentState.UNDERWAY:
            for match in t.matches.values():
                matches[match.state] += 1
    for _, _, shelved in rt.shelf.listed():
        tournaments[shelved.state] += 1
    m.tournaments_loaded.set(len(rt.state.tournaments))
    for t_state, n in tournaments.items():
        m.tournaments.labels(t_state).set(n)
    for m_state, k in matches.items():
        m.matches.labels(m_state).set(k)
    enabled = sum(1 for ep in rt.webhooks.by_id.values() if ep.enabled)
    m.webhook_endpoints.labels("enabled").set(enabled)
    m.webhook_endpoints.labels("disabled").set(len(rt.webhooks.by_id) - enabled)
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)


async def openapi(request: Request) -> Response:
    challonge = request.app.state.config.challonge
    return json_response(spec(challonge.prefix if challonge.enabled else None))


def page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


async def index_page(request: Request) -> Response:
    return page("index.html")


async def viewer_page(request: Request) -> Response:
    return page("viewer.html")


async def admin_page(request: Request) -> Response:
    return page("admin.html")


async def docs_page(request: Request) -> Response:
    return page("docs.html")
