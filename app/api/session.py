"""Who a token is, for the pages (``GET /api/v1/me``), and QR codes of this server's links
(``POST /api/v1/qr``).

The operator page signs in by asking ``/me``: a token that is not valid is refused there, and a
valid one says what the page should offer (the admin's and a manager's desk, or a referee's
view of the matches at its station). ``base_url`` is where links point (``server.public_url``,
else the address the request came to), so the links a page builds itself match the server's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..auth import Principal, Scope
from ..domain.errors import Invalid
from ..domain.eventday import iso
from ..domain.referee import correctable_until
from .http import CHALLENGE, json_response, principal, read_json, runtime
from .links import base_url, qr_svg
from .problem import Problem

MAX_LINK = 2048


async def me(request: Request) -> Response:
    """``{"scope", "tournament_id", "token_id", "label", "expires_at", "station",
    "participant_id", "base_url", "correction"}``; 401 without a valid token."""
    who = principal(request)
    if who is None:
        raise Problem(401, "Unauthorized", "this needs a token", headers=CHALLENGE)
    out: dict[str, Any] = {
        "scope": "admin" if who.admin else str(who.scope),
        "tournament_id": who.tournament_id,
        "token_id": who.token_id,
        "participant_id": who.participant_id,
        "label": None,
        "expires_at": None,
        "station": None,
        "base_url": base_url(request),
        "correction": None,
    }
    rt = runtime(request)
    record = rt.tokens.by_id.get(who.token_id or "")
    if record is not None:
        out.update(label=record.label, expires_at=record.expires_at)
    if who.tournament_id is not None and who.scope is not Scope.PARTICIPANT:
        await rt.ensure(who.tournament_id)
        out.update(referee_view(request, who, record.station_id if record else None))
    return json_response(out)


def referee_view(request: Request, who: Principal, station_id: str | None) -> dict[str, Any]:
    """The station a token is at, and the result it may still correct (and until when)."""
    t = runtime(request).state.lookup(who.tournament_id or "")
    if t is None:
        return {}
    window = request.app.state.config.referee.correction_window_seconds
    station = t.day.stations.get(station_id or "")
    last = correctable_until(t, who.token_id or "admin", window)
    correction: dict[str, Any] = {"window_seconds": window, "match_id": None, "until": None}
    if last is not None:
        correction.update(match_id=last["match_id"], until=iso_seconds(last["until"]))
    return {
        "station": {"id": station.id, "name": station.name} if station is not None else None,
        "correction": correction,
    }


def iso_seconds(timestamp: float) -> str:
    return iso(datetime.fromtimestamp(timestamp, UTC))


async def qr(request: Request) -> Response:
    """``{"link"}`` → the link as a QR code (SVG): only a link to this server (its
    ``public_url``, or the address the request came to), so a page never shows a code that
    leads elsewhere. A POST: a link may carry a token, which stays out of URLs and logs."""
    body = await read_json(request)
    link = body.get("link") if isinstance(body, dict) else None
    if not isinstance(link, str) or not link or len(link) > MAX_LINK:
        raise Invalid.field("link", f"must be a link of at most {MAX_LINK} characters")
    base = base_url(request)
    if not (link == base or link.startswith(base + "/")):
        raise Invalid.field("link", f"must be a link to this server: {base}/...")
    return qr_svg(link, "Link")
