"""Challonge's participant calls: index, create, bulk_add, show, update, destroy (a removal
while pending, a forfeit of every match left once underway), check_in, undo_check_in and
randomize."""

from __future__ import annotations

import random
from typing import Any

from starlette.responses import Response

from ...domain.commands import CommandName
from ...domain.models import Tournament, TournamentState
from ...service import Outcome
from ..http import runtime
from ..problem import Problem
from . import render
from .base import Call, Reply, answer, endpoint, managed, participant_id, readable_tournament, run
from .params import section, whole

SHUFFLE = random.SystemRandom()


def new_row(fields: dict[str, Any], where: str) -> dict[str, Any]:
    """tourney's participant for Challonge's fields: the name (or display name), the seed."""
    if not isinstance(fields, dict):
        raise Problem(422, "Invalid parameter", f"{where} must be a hash of fields")
    name = fields.get("name") or fields.get("display_name") or fields.get("challonge_username")
    if not name:
        raise Problem(422, "Invalid parameter", f"{where}name can't be blank")
    row: dict[str, Any] = {"name": name}
    if fields.get("seed") not in (None, "", "0", 0):
        row["seed"] = whole(fields["seed"], "seed", 1, 4096)
    return row


def one(pid: str) -> Reply:
    def reply(t: Tournament | None, out: Outcome | None) -> Any:
        assert t is not None
        return render.participant(t, t.participants[pid], render.final_ranks(t))

    return reply


def everyone(t: Tournament | None, out: Outcome | None) -> Any:
    assert t is not None
    ranks = render.final_ranks(t)
    return [render.participant(t, p, ranks) for p in t.participant_list()]


def added(t: Tournament | None, out: Outcome | None) -> Any:
    assert t is not None and out is not None
    if out.duplicate:
        return everyone(t, out)
    rows = [t.participants[p["id"]] for p in out.event.data["participants"]]
    return [render.participant(t, p) for p in rows]


@endpoint
async def index(call: Call) -> Response:
    return answer(everyone(await readable_tournament(call), None))


@endpoint
async def show(call: Call) -> Response:
    t = await readable_tournament(call)
    pid = participant_id(t, call.path("pid"))
    body = one(pid)(t, None)
    if call.include("include_matches"):
        shown = render.shown_matches(t)
        body["participant"]["matches"] = [render.match(t, m, i) for i, m in enumerate(shown)
                                          if pid in m.participants]  # fmt: skip
    return answer(body)


@endpoint
async def create(call: Call) -> Response:
    tid = await managed(call)
    row = new_row(section(call.params, "participant"), "")

    def reply(t: Tournament | None, out: Outcome | None) -> Any:
        assert t is not None and out is not None
        made = out.event.data["participants"][0]["id"] if not out.duplicate else None
        p = t.participants.get(made or "") or max(t.participants.values(), key=lambda x: x.seed)
        return render.participant(t, p)

    return await run(call, tid, CommandName.ADD_PARTICIPANTS, reply, row)


@endpoint
async def bulk_add(call: Call) -> Response:
    tid = await managed(call)
    rows = call.params.get("participants")
    if not isinstance(rows, list) or not rows:
        raise Problem(422, "Invalid parameter", "participants must be a list of participants")
    body = [new_row(r, f"participants[{i}].") for i, r in enumerate(rows)]
    return await run(call, tid, CommandName.ADD_PARTICIPANTS, added, body)


@endpoint
async def update(call: Call) -> Response:
    tid = await managed(call)
    t = runtime(call.request).state.get(tid)
    pid = participant_id(t, call.path("pid"))
    fields = section(call.params, "participant")
    body: dict[str, Any] = {}
    if fields.get("name"):
        body["name"] = fields["name"]
    if fields.get("seed") not in (None, ""):
        body["seed"] = whole(fields["seed"], "seed", 1, 4096)
    if not body:
        raise Problem(422, "Invalid parameter", "nothing to change that this server keeps:"
                      " give name or seed")  # fmt: skip
    return await run(call, tid, CommandName.UPDATE_PARTICIPANT, one(pid), body, pid)


@endpoint
async def destroy(call: Call) -> Response:
    tid = await managed(call)
    t = runtime(call.request).state.get(tid)
    pid = participant_id(t, call.path("pid"))
    if t.state is TournamentState.PENDING:
        last = render.participant(t, t.participants[pid])
        return await run(call, tid, CommandName.REMOVE_PARTICIPANT, lambda _t, _o: last,
                         target=pid)  # fmt: skip
    return await run(call, tid, CommandName.DISQUALIFY, one(pid), target=pid)


def by_participant(name: CommandName) -> Any:
    async def call_it(call: Call) -> Response:
        tid = await managed(call)
        pid = participant_id(runtime(call.request).state.get(tid), call.path("pid"))
        return await run(call, tid, name, one(pid), target=pid)

    call_it.__name__ = str(name)
    return endpoint(call_it)


check_in = by_participant(CommandName.CHECK_IN)
undo_check_in = by_participant(CommandName.UNDO_CHECK_IN)


@endpoint
async def randomize(call: Call) -> Response:
    """New seeds in a random order, drawn here and recorded in the event (so a replay gives the
    same seeds)."""
    tid = await managed(call)
    order = [p.id for p in runtime(call.request).state.get(tid).participant_list()]
    SHUFFLE.shuffle(order)
    return await run(call, tid, CommandName.RESEED, everyone, {"order": order})
