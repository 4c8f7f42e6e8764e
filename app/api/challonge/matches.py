"""Challonge's match calls: index (``state``, ``participant_id``), show, update (``scores_csv``,
``winner_id`` a participant or ``tie``), reopen, mark_as_underway and unmark_as_underway.

An update with a winner (or ``tie``) is a result; scores alone are a live score, as Challonge
keeps them on an open match. Sets: one set is the match's score; several are games when the
match is a best-of, else the sets each side won (the sets themselves stay in the live detail).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from ...auth import Scope
from ...domain.commands import CommandName
from ...domain.models import Match, Tournament
from ...service import Outcome, now_iso
from ..http import idempotent, runtime, service
from ..problem import Problem
from . import ids, render
from .base import Call, answer, endpoint, managed, match_of, participant_id, readable_tournament
from .base import run as run_command
from .params import section

SET = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
STATES = ("all", "pending", "open", "complete")


def sets_of(csv: str) -> list[list[float]]:
    """``"3-1,2-3"`` → ``[[3, 1], [2, 3]]``."""
    out = []
    for part in csv.split(","):
        m = SET.match(part)
        if m is None:
            raise Problem(422, "Invalid parameter",
                          "scores_csv must be sets like 3-1,2-3 (player 1 first)")  # fmt: skip
        out.append([float(m.group(1)), float(m.group(2))])
    return out


def scored(m: Match, csv: str) -> dict[str, Any]:
    """The result's or the tick's scores for ``scores_csv``."""
    sets = sets_of(csv)
    if m.best_of > 1:
        return {"games": sets}
    if len(sets) == 1:
        return {"scores": sets[0]}
    won = [float(sum(1 for a, b in sets if a > b)), float(sum(1 for a, b in sets if b > a))]
    return {"scores": won}


def one(mid: str) -> Any:
    def reply(t: Tournament | None, out: Outcome | None) -> Any:
        assert t is not None
        shown = render.shown_matches(t)
        order = next((i for i, m in enumerate(shown) if m.id == mid), 0)
        return render.match(t, t.matches[mid], order)

    return reply


@endpoint
async def index(call: Call) -> Response:
    t = await readable_tournament(call)
    state = str(call.params.get("state", "all"))
    if state not in STATES:
        raise Problem(422, "Invalid parameter", "state must be all, pending, open or complete")
    who = None
    if call.params.get("participant_id") not in (None, ""):
        who = participant_id(t, str(call.params["participant_id"]))
    out = []
    last = render.last_winners_round(t)
    for i, m in enumerate(render.shown_matches(t)):
        shape = render.match(t, m, i, last)
        if (state == "all" or shape["match"]["state"] == state) and (
                who is None or who in m.participants):  # fmt: skip
            out.append(shape)
    return answer(out)


@endpoint
async def show(call: Call) -> Response:
    t = await readable_tournament(call)
    m = match_of(t, call.path("mid"))
    return answer(one(m.id)(t, None))


@endpoint
async def update(call: Call) -> Response:
    tid = await managed(call, Scope.REPORT)
    t = runtime(call.request).state.get(tid)
    m = match_of(t, call.path("mid"))
    fields = section(call.params, "match")
    csv = str(fields.get("scores_csv") or "").strip()
    winner = str(fields.get("winner_id") or "").strip()
    if not winner:
        if not csv:
            raise Problem(422, "Invalid parameter", "give scores_csv, winner_id, or both")
        detail = {**(m.live_detail or {}), "scores_csv": csv}
        return await tick(call, t, m, {**scored(m, csv), "detail": detail})
    body: dict[str, Any] = scored(m, csv) if csv else {}
    if winner.lower() == "tie":
        level = body.setdefault("scores", [0, 0])
        if "games" in body or level[0] != level[1]:
            raise Problem(422, "Invalid parameter", "a tie needs level scores, such as 1-1")
    else:
        n = ids.parse(winner)
        pid = participant_id(t, winner) if n is not None else winner
        if pid not in m.participants:
            raise Problem(422, "Invalid parameter", "winner_id must be a player of this match")
        body["winner_id"] = pid
    return await run_command(call, tid, CommandName.REPORT_RESULT, one(m.id), body, m.id)


async def tick(call: Call, t: Tournament, m: Match, body: dict[str, Any]) -> Response:
    """A live score: the match open, its scores shown, no result."""
    games = body.get("games", [])
    won = [float(sum(1 for g in games if g[0] > g[1])), float(sum(1 for g in games if g[1] > g[0]))]
    scores = body.get("scores") or won

    async def once(key: str | None) -> Response:
        live = {"scores": scores, "detail": body["detail"]}
        await service(call.request).tick(t.id, m.id, live, key)
        return answer(one(m.id)(runtime(call.request).state.get(t.id), None))

    return await idempotent(call.request, t.id, once)


@endpoint
async def reopen(call: Call) -> Response:
    tid = await managed(call)
    m = match_of(runtime(call.request).state.get(tid), call.path("mid"))
    return await run_command(call, tid, CommandName.REOPEN, one(m.id), target=m.id)


@endpoint
async def mark_as_underway(call: Call) -> Response:
    """The match goes live (its live score so far, else 0-0), with the time it did."""
    tid = await managed(call, Scope.REPORT)
    t = runtime(call.request).state.get(tid)
    m = match_of(t, call.path("mid"))
    detail = {**(m.live_detail or {}), "underway_at": now_iso()}
    return await tick(call, t, m, {"scores": m.scores or [0, 0], "detail": detail})


@endpoint
async def unmark_as_underway(call: Call) -> Response:
    tid = await managed(call, Scope.REPORT)
    m = match_of(runtime(call.request).state.get(tid), call.path("mid"))
    return await run_command(call, tid, CommandName.CLEAR_LIVE, one(m.id), target=m.id)
