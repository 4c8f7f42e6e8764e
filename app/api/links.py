"""The links the API hands out, and their QR codes.

Every link is built on ``server.public_url`` when it is set, else on the address the request
came to (its scheme and ``Host``; behind a trusted proxy, uvicorn takes the scheme from
``X-Forwarded-Proto``): a phone on the LAN gets a link it can open, never one to 127.0.0.1
unless that is where the request went. QR codes are SVG, made here by segno.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno
from starlette.requests import HTTPConnection
from starlette.responses import Response

from ..domain.models import Tournament

SVG = "image/svg+xml"


def base_url(conn: HTTPConnection) -> str:
    """Where this server is reached: the configured ``public_url``, else this request's."""
    public: str = conn.app.state.config.server.public_url
    if public:
        return public.rstrip("/")
    return str(conn.base_url).rstrip("/")


def signup_page(conn: HTTPConnection, t: Tournament, with_code: bool) -> str:
    """The public sign-up page; ``with_code``: the sign-up code in the link (for the organiser
    to hand out, so players need not type it)."""
    url = f"{base_url(conn)}/t/{t.id}/signup"
    if with_code and t.day.code is not None:
        url += "?code=" + quote(t.day.code, safe="")
    return url


def entry_page(conn: HTTPConnection, tid: str, token: str) -> str:
    """A player's own page. The participant link's token is the URL's fragment: browsers never
    send a fragment to a server, so it stays out of access logs and Referer headers."""
    return f"{base_url(conn)}/t/{tid}/entry#{token}"


def referee_page(conn: HTTPConnection, tid: str, token: str) -> str:
    """The operator page signed in with a tournament token, at its tournament: a referee's
    view for a report token. The token is in the fragment, as in a participant link."""
    return f"{base_url(conn)}/admin#t={quote(tid, safe='')}&token={token}"


def qr_svg(text: str, title: str) -> Response:
    """``text`` as a QR code, SVG, black on white with the quiet zone the standard asks for."""
    code = segno.make(text, error="m")
    out = io.BytesIO()
    code.save(
        out, kind="svg", scale=8, border=4, xmldecl=False, title=title, dark="#000", light="#fff"
    )
    return Response(out.getvalue(), media_type=SVG, headers={"Cache-Control": "no-store"})
