"""The director's Swiss over HTTP: rounds paired on request (with a preview), a round's
pairing changed by hand, results corrected, withdrawals, returns and byes, and FIDE's TRF out
and in. Each command endpoint is one ``command(...)`` line (tournaments.py); ``previewed``
adds ``?dry_run=1``, which answers what the command would do and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain import trf_export, trf_import
from ..domain.commands import COMMANDS, CommandName, Input
from ..service import Outcome, new_id
from .http import idempotent, json_response, read_body, read_json, readable, require, runtime
from .http import service as service_of
from .problem import Problem
from .tournaments import (
    MANAGE,
    Endpoint,
    Reply,
    command,
    current,
    the_participant,
    tid_of,
)

C = CommandName
DRY = ("1", "true")


def previewed(
    name: CommandName, reply: Reply, target: str = "", body: bool | None = None
) -> Endpoint:
    """``command(...)``, and with ``?dry_run=1`` the command's decision answered as is (its
    event's data, ``dry_run: true``), nothing changed."""
    real = command(name, MANAGE, reply, target, body)

    async def endpoint(request: Request) -> Response:
        if request.query_params.get("dry_run") not in DRY:
            return await real(request)
        require(request, tid_of(request), MANAGE)
        what = str(request.path_params[target]) if target else ""
        payload = await read_json(request, required=body is True) if body is not False else None
        data = COMMANDS[name].decide(current(request), Input(payload, what, new_id))
        return json_response({**data, "dry_run": True})

    endpoint.__name__ = endpoint.__qualname__ = str(name)
    return endpoint


def round_paired(request: Request, out: Outcome, inp: Input) -> Response:
    """The round as it now stands, and what its pairing had to give way on."""
    t = current(request)
    d = out.event.data
    ms = [m.to_dict() for m in t.matches.values() if m.bracket == "swiss" and m.round == d["round"]]
    body = {"round": d["round"], "matches": ms, "relaxed": d.get("relaxed"),
            "warnings": d.get("warnings", [])}  # fmt: skip
    return json_response(body, 201 if out.event.type == "round.paired" else 200)


def round_deleted(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response({"round": out.event.data["round"], "removed": out.event.data["removed"]})


def swapped(request: Request, out: Outcome, inp: Input) -> Response:
    t = current(request)
    d = out.event.data
    ms = [t.matches[b["match_id"]].to_dict() for b in d["boards"] if b["match_id"] in t.matches]
    return json_response({"round": d["round"], "players": d["players"], "matches": ms,
                          "warnings": d["warnings"], "override": d["override"]})  # fmt: skip


def participant_201(request: Request, out: Outcome, inp: Input) -> Response:
    t = current(request)
    return json_response(t.participants[inp.target].to_dict(), 201)


pair_round = previewed(C.PAIR_ROUND, round_paired)
repair_round = previewed(C.REPAIR_ROUND, round_paired, "round", body=False)
swap = previewed(C.SWAP, swapped, "round", body=True)
delete_round = command(C.DELETE_ROUND, MANAGE, round_deleted, "round", body=False)
withdraw = command(C.WITHDRAW_PLAYER, MANAGE, the_participant, "pid", body=False)
come_back = command(C.RETURN_PLAYER, MANAGE, the_participant, "pid", body=False)
request_bye = command(C.REQUEST_BYE, MANAGE, participant_201, "pid")


async def cancel_bye(request: Request) -> Response:
    """``DELETE .../participants/{pid}/byes/{round}``."""
    tid = tid_of(request)
    require(request, tid, MANAGE)
    raw = str(request.path_params["round"])
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 2:
        raise Problem(422, "Invalid fields", "round must be a round number")
    inp = Input({"round": int(raw)}, str(request.path_params["pid"]), new_id)
    await service_of(request).execute(C.CANCEL_BYE, tid, inp, None)
    return json_response(current(request).participants[inp.target].to_dict())


# ---- TRF ---------------------------------------------------------------------------------------


def file_name(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60]
    return f"{slug or 'tournament'}.trf"


async def export_trf(request: Request) -> Response:
    """``GET .../export.trf``: the tournament as FIDE's TRF-16, a file to download."""
    t = readable(request, tid_of(request))
    text = trf_export.export(t)
    headers = {"Content-Disposition": f'attachment; filename="{file_name(t.name)}"'}
    return Response(text, 200, headers, media_type="text/plain; charset=utf-8")


async def import_trf(request: Request) -> Response:
    """``POST /api/v1/tournaments/import.trf``: a Swiss from a TRF-16 file (admin), the file as
    the body (text/plain), or ``{"trf", "name", "visibility", "settings"}`` as JSON."""
    require(request, None, MANAGE)
    body = await trf_body(request)

    def build(raw: Any, tid: str) -> dict[str, Any]:
        return trf_import.tournament_data(raw, tid, new_id)

    async def run(key: str | None) -> Response:
        out = await service_of(request).create(body, key, build)
        tid = out.event.tournament_id
        t = runtime(request).state.get(tid)
        return json_response(t.to_dict(), 201, {"Location": f"/api/v1/tournaments/{tid}"})

    return await idempotent(request, None, run)


async def trf_body(request: Request) -> Any:
    if request.headers.get("content-type", "").split(";")[0].strip() != "text/plain":
        return await read_json(request)
    limit: int = request.app.state.config.server.max_body_bytes
    raw = await read_body(request, limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Malformed body", "the TRF is not UTF-8 text") from None
