"""Health, readiness, metrics, and the pages."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .http import json_response, require, service
from .openapi import spec

# the viewer's files: app/static in a checkout (a link to static/ at the top of the
# repository), in an installed wheel and in the single executable alike
STATIC = (Path(__file__).resolve().parent.parent / "static").resolve()


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def readyz(request: Request) -> Response:
    checks = await service(request).readiness()
    return json_response(checks, 200 if checks["ok"] else 503)


async def metrics(request: Request) -> Response:
    if not request.app.state.config.server.metrics_public:
        require(request, None, "manage")
    svc = service(request)
    m = svc.metrics
    m.sync()
    m.backlog.set(svc.backlog)
    tournaments = {"pending": 0, "underway": 0, "complete": 0}
    matches = {"pending": 0, "ready": 0, "live": 0, "complete": 0}
    for t in svc.tournaments.values():
        tournaments[t.state] = tournaments.get(t.state, 0) + 1
        if t.state == "underway":
            for match in t.matches.values():
                matches[match.state] = matches.get(match.state, 0) + 1
    for state, n in tournaments.items():
        m.tournaments.labels(state).set(n)
    for state, n in matches.items():
        m.matches.labels(state).set(n)
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)


async def openapi(request: Request) -> Response:
    return json_response(spec())


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
