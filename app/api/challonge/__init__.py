"""Challonge's v1 API, the subset bots use, answered over tourney's own tournaments: a bot
written against Challonge (pychallonge, achallonge, ...) points its base URL here and runs
tournaments that the viewer shows live. docs/challonge.md lists what is covered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import matches as m
from . import participants as p
from . import tournaments as t

Endpoint = Callable[[Request], Awaitable[Response]]

T = "/tournaments/{tid}"
P = T + "/participants"
M = T + "/matches"

TABLE: list[tuple[str, str, Endpoint]] = [
    ("GET", "/tournaments", t.index),
    ("POST", "/tournaments", t.create),
    ("GET", T, t.show),
    ("PUT", T, t.update),
    ("PATCH", T, t.update),
    ("DELETE", T, t.destroy),
    ("POST", T + "/start", t.start),
    ("POST", T + "/finalize", t.finalize),
    ("POST", T + "/reset", t.reset),
    ("POST", T + "/process_check_ins", t.process_check_ins),
    ("POST", T + "/abort_check_in", t.abort_check_in),
    ("GET", P, p.index),
    ("POST", P, p.create),
    ("POST", P + "/bulk_add", p.bulk_add),
    ("POST", P + "/randomize", p.randomize),
    ("GET", P + "/{pid}", p.show),
    ("PUT", P + "/{pid}", p.update),
    ("PATCH", P + "/{pid}", p.update),
    ("DELETE", P + "/{pid}", p.destroy),
    ("POST", P + "/{pid}/check_in", p.check_in),
    ("POST", P + "/{pid}/undo_check_in", p.undo_check_in),
    ("GET", M, m.index),
    ("GET", M + "/{mid}", m.show),
    ("PUT", M + "/{mid}", m.update),
    ("PATCH", M + "/{mid}", m.update),
    ("POST", M + "/{mid}/reopen", m.reopen),
    ("POST", M + "/{mid}/mark_as_underway", m.mark_as_underway),
    ("POST", M + "/{mid}/unmark_as_underway", m.unmark_as_underway),
]


def routes(prefix: str) -> list[BaseRoute]:
    """Every call under ``prefix``, each also with Challonge's ``.json`` suffix (listed first:
    ``{tid}`` would otherwise take ``12.json`` whole)."""
    suffixed: list[BaseRoute] = [Route(prefix + path + ".json", fn, methods=[method])
                                 for method, path, fn in TABLE]  # fmt: skip
    plain: list[BaseRoute] = [Route(prefix + path, fn, methods=[method])
                              for method, path, fn in TABLE]  # fmt: skip
    return suffixed + plain
