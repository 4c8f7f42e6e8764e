"""A whole tournament in and out as a file: the JSON export (its state and event log, see
``domain.archive``) and its import, and CSV tables of participants, matches and standings."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..auth import Scope
from ..domain import archive
from ..domain.formats import get_format
from ..domain.models import Tournament
from .http import (
    idempotent,
    json_response,
    parse_json,
    read_body,
    readable,
    require,
    runtime,
    service,
)
from .problem import Problem

LOG_WAIT_SECONDS = 10.0  # longest wait for the writer to store the events an export names
LOG_POLL_SECONDS = 0.02
TABLES = ("participants", "matches", "standings")


def encode(doc: dict[str, Any]) -> bytes:
    """The one way a document is written: keys sorted, two-space indents, a final newline, so
    the same tournament gives the same bytes."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def attachment(body: bytes, name: str, media: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, 200, headers, media_type=media)


async def stored_log(request: Request, t: Tournament) -> list[dict[str, Any]]:
    """The tournament's events up to its seq, once SQLite holds them all (the writer runs a
    moment behind the stream)."""
    rt = runtime(request)
    upto = t.seq
    deadline = time.monotonic() + LOG_WAIT_SECONDS
    while rt.committed_seq() < upto:
        if time.monotonic() > deadline:
            raise Problem(503, "Not stored yet", "the latest events are not stored yet: retry",
                          headers={"Retry-After": "1"})  # fmt: skip
        await asyncio.sleep(LOG_POLL_SECONDS)
    return await rt.store.event_log(t.id, upto)


async def export(request: Request) -> Response:
    """``GET .../export``: the tournament as a file (manage: it holds the sign-up code and
    the participant links' hashes, so that the import keeps them working)."""
    tid = str(request.path_params["tid"])
    require(request, tid, Scope.MANAGE)
    t = runtime(request).state.get(tid)
    record_at = t.seq
    log = await stored_log(request, t)
    if t.seq != record_at:  # changed while the log was read: read it at the new seq
        log = await stored_log(request, t)
    return attachment(encode(archive.document(t, log)), f"{tid}.json", "application/json")


async def import_tournament(request: Request) -> Response:
    """``POST /api/v1/import``: the tournament in an export file, recreated here with its id,
    its events appended like any change (admin)."""
    require(request, None, Scope.MANAGE)
    limit: int = request.app.state.config.server.max_import_bytes
    doc = parse_json(await read_body(request, limit))
    checked = archive.read(doc)
    taken = runtime(request).tokens.link_tournaments
    if any(h in taken for h in checked.tournament.day.links):
        raise Problem(409, "Links taken", "a participant link in the file belongs to another"
                      " tournament here: a copy cannot share the links")  # fmt: skip

    async def run(key: str | None) -> Response:
        await service(request).bring_in(checked.events, key)
        tid = checked.tournament.id
        t = runtime(request).state.get(tid)
        return json_response(t.to_dict(), 201, {"Location": f"/api/v1/tournaments/{tid}"})

    return await idempotent(request, None, run)


# ---- CSV ---------------------------------------------------------------------------------------


def table(t: Tournament, which: str) -> list[list[Any]]:
    names = {p.id: p.name for p in t.participants.values()}
    if which == "participants":
        head = ["seed", "id", "name", "rating", "title", "status", "checked_in_at"]
        return [head] + [[p.seed, p.id, p.name, p.rating, p.title, p.status, p.checked_in_at]
                         for p in t.participant_list()]  # fmt: skip
    if which == "matches":
        head = ["id", "bracket", "group", "round", "number", "state", "player1", "player2",
                "score1", "score2", "games", "winner", "result", "station"]  # fmt: skip
        return [head] + [match_row(m.to_dict(), names) for m in t.matches.values()]
    head = ["rank", "participant_id", "name", "points", "wins", "draws", "losses", "scored",
            "conceded"]  # fmt: skip
    rows = get_format(t.format).standings(t)
    return [head] + [[r.get(k) for k in head] for r in rows]


def match_row(m: dict[str, Any], names: dict[str, str]) -> list[Any]:
    a, b = (s["participant_id"] for s in m["slots"])
    scores = m["scores"] or [None, None]
    games = " ".join(f"{x:g}-{y:g}" for x, y in m["games"])
    station = (m["station"] or {}).get("name")
    return [m["id"], m["bracket"], m["group"], m["round"], m["number"], m["state"],
            names.get(a or ""), names.get(b or ""), scores[0], scores[1], games,
            names.get(m["winner_id"] or ""), m["result"], station]  # fmt: skip


def cell(value: Any) -> Any:
    """A value as a spreadsheet should take it: numbers as numbers, no formula from a name."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # a name is never run as a formula (CSV injection)
    return value


async def export_csv(request: Request) -> Response:
    """``GET .../export/{table}.csv``: participants, matches or standings (readable as the
    tournament is)."""
    t = readable(request, str(request.path_params["tid"]))
    which = str(request.path_params["table"])
    if which not in TABLES:
        raise Problem(404, "Not found", "the tables are participants, matches and standings")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table(t, which):
        writer.writerow([cell(v) for v in row])
    name = f"{t.id}-{which}.csv"
    return attachment(out.getvalue().encode(), name, "text/csv; charset=utf-8")
