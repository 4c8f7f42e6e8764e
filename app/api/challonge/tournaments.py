"""Challonge's tournament calls: index, create, show, update, destroy, start, finalize, reset,
process_check_ins and abort_check_in, each run as tourney's own command."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ...auth import Scope
from ...domain.commands import CommandName
from ...domain.models import FormatName, Tournament
from ...service import Outcome
from ..http import idempotent, principal, require, runtime, service
from ..problem import Problem
from . import render
from .base import Call, Reply, answer, endpoint, managed, readable_tournament, run
from .params import flag, section, whole

FORMATS = {
    "single elimination": FormatName.SINGLE_ELIMINATION,
    "single_elimination": FormatName.SINGLE_ELIMINATION,
    "double elimination": FormatName.DOUBLE_ELIMINATION,
    "double_elimination": FormatName.DOUBLE_ELIMINATION,
    "round robin": FormatName.ROUND_ROBIN,
    "round_robin": FormatName.ROUND_ROBIN,
    "swiss": FormatName.SWISS,
}
GRAND_FINALS = {"": "double", "single match": "simple", "single_match": "simple", "skip": "none"}
INDEX_STATES = {"all": None, "pending": ("pending",), "in_progress": ("underway",),
                "ended": ("awaiting_review", "complete")}  # fmt: skip
BRACKETS = (FormatName.SINGLE_ELIMINATION, FormatName.DOUBLE_ELIMINATION)


def tournament_type(value: Any) -> FormatName:
    kind = FORMATS.get(str(value).strip().lower())
    if kind is None:
        raise Problem(422, "Invalid parameter", "tournament_type must be single elimination,"
                      " double elimination, round robin or swiss")  # fmt: skip
    return kind


def settings_of(fields: dict[str, Any], fmt: FormatName) -> dict[str, Any]:
    """tourney's settings for the Challonge fields that have one in this format."""
    out: dict[str, Any] = {}
    if "hold_third_place_match" in fields and fmt is FormatName.SINGLE_ELIMINATION:
        out["third_place_match"] = flag(fields["hold_third_place_match"], "hold_third_place_match")
    if "grand_finals_modifier" in fields and fmt is FormatName.DOUBLE_ELIMINATION:
        gf = GRAND_FINALS.get(str(fields["grand_finals_modifier"] or "").strip().lower())
        if gf is None:
            raise Problem(422, "Invalid parameter",
                          "grand_finals_modifier must be blank, single match or skip")  # fmt: skip
        out["grand_final"] = gf
    if "sequential_pairings" in fields and fmt in BRACKETS:
        natural = flag(fields["sequential_pairings"], "sequential_pairings")
        out["seed_ordering"] = "natural" if natural else "standard"
    if fields.get("swiss_rounds") not in (None, "", "0", 0) and fmt is FormatName.SWISS:
        out["rounds"] = whole(fields["swiss_rounds"], "swiss_rounds", 1, 64)
    points = points_of(fields, "rr_" if fmt is FormatName.ROUND_ROBIN else "")
    if points and fmt in (FormatName.SWISS, FormatName.ROUND_ROBIN):
        out["points"] = points
    return out


def points_of(fields: dict[str, Any], prefix: str) -> dict[str, float]:
    names = {"win": "pts_for_match_win", "draw": "pts_for_match_tie", "bye": "pts_for_bye"}
    out: dict[str, float] = {}
    for key, name in names.items():
        raw = fields.get(prefix + name)
        if raw in (None, "") or (key == "bye" and prefix):
            continue
        try:
            out[key] = float(raw)
        except (TypeError, ValueError):
            raise Problem(422, "Invalid parameter", f"{prefix + name} must be a number") from None
    return out


def day_of(fields: dict[str, Any], body: dict[str, Any]) -> None:
    """The event day's fields: sign-up, its cap, the start time, the check-in window."""
    signup: dict[str, Any] = {}
    if "open_signup" in fields:
        signup["enabled"] = flag(fields["open_signup"], "open_signup")
    if "signup_cap" in fields:
        cap = fields["signup_cap"]
        signup["capacity"] = None if cap in (None, "") else whole(cap, "signup_cap", 1, 4096)
    if signup:
        body["signup"] = signup
    if "start_at" in fields:
        body["starts_at"] = fields["start_at"] or None
    if "check_in_duration" in fields:
        minutes = fields["check_in_duration"]
        body["check_in"] = {"minutes_before": None if minutes in (None, "") else whole(
            minutes, "check_in_duration", 0, 10_080)}  # fmt: skip


def create_body(fields: dict[str, Any]) -> dict[str, Any]:
    fmt = tournament_type(fields.get("tournament_type", "single elimination"))
    settings = settings_of(fields, fmt)
    if fmt is FormatName.SWISS:
        settings["auto_pair"] = True  # Challonge pairs each round once the last one ends
    body: dict[str, Any] = {"name": fields.get("name", ""), "format": fmt, "settings": settings}
    if "private" in fields:
        body["visibility"] = "unlisted" if flag(fields["private"], "private") else "public"
    day_of(fields, body)
    return body


def update_body(t: Tournament, fields: dict[str, Any]) -> dict[str, Any]:
    if "tournament_type" in fields and tournament_type(fields["tournament_type"]) != t.format:
        raise Problem(422, "Invalid parameter", "tournament_type cannot change: create a new"
                      " tournament of the type you want")  # fmt: skip
    body: dict[str, Any] = {}
    if fields.get("name"):
        body["name"] = fields["name"]
    if "private" in fields:
        body["visibility"] = "unlisted" if flag(fields["private"], "private") else "public"
    settings = settings_of(fields, t.format)
    if settings:
        body["settings"] = settings
    day_of(fields, body)
    if not body:
        raise Problem(422, "Invalid parameter", "nothing to change that this server keeps")
    return body


def shaped(call: Call) -> Reply:
    """The tournament as the call's include_participants / include_matches ask."""
    people, matches = call.include("include_participants"), call.include("include_matches")

    def reply(t: Tournament | None, out: Outcome | None) -> Any:
        assert t is not None
        return render.tournament(t, people, matches)

    return reply


# ---- the endpoints -----------------------------------------------------------------------------


@endpoint
async def index(call: Call) -> Response:
    """The caller's tournaments: every one for the admin, its own for a tournament's key."""
    rt = runtime(call.request)
    who = principal(call.request)
    if who is None or who.scope is Scope.PARTICIPANT:
        raise Problem(401, "Unauthorized", "this needs an API key: a token of this server")
    states = INDEX_STATES.get(str(call.params.get("state", "all")))
    if "state" in call.params and str(call.params["state"]) not in INDEX_STATES:
        raise Problem(422, "Invalid parameter", "state must be all, pending, in_progress or ended")
    tids = list(rt.state.tournaments) if who.admin else [who.tournament_id or ""]
    if who.admin and (states is None or "complete" in states):  # the shelf holds complete ones
        tids += [tid for _, tid, _ in rt.shelf.listed() if tid not in rt.state.tournaments]
    out = []
    for tid in tids:
        await rt.ensure(tid)
        t = rt.state.lookup(tid)
        if t is not None and (states is None or render.state(t) in states):
            out.append(render.tournament(t, call.include("include_participants"),
                                         call.include("include_matches")))  # fmt: skip
    out.sort(key=lambda d: d["tournament"]["created_at"])
    return answer(out)


@endpoint
async def create(call: Call) -> Response:
    require(call.request, None, Scope.MANAGE)
    body = create_body(section(call.params, "tournament"))

    async def once(key: str | None) -> Response:
        out = await service(call.request).create(body, key)
        t = runtime(call.request).state.get(out.event.tournament_id)
        return answer(render.tournament(t))

    return await idempotent(call.request, None, once)


@endpoint
async def show(call: Call) -> Response:
    t = await readable_tournament(call)
    return answer(shaped(call)(t, None))


@endpoint
async def update(call: Call) -> Response:
    tid = await managed(call)
    t = runtime(call.request).state.get(tid)
    body = update_body(t, section(call.params, "tournament"))
    return await run(call, tid, CommandName.UPDATE_TOURNAMENT, shaped(call), body)


@endpoint
async def destroy(call: Call) -> Response:
    tid = await managed(call)
    last = render.tournament(runtime(call.request).state.get(tid))
    return await run(call, tid, CommandName.DELETE_TOURNAMENT, lambda _t, _o: last)


def lifecycle(name: CommandName) -> Any:
    """start, finalize, reset, process_check_ins, abort_check_in: a command on the tournament,
    answered with it."""

    async def call_it(call: Call) -> Response:
        tid = await managed(call)
        return await run(call, tid, name, shaped(call))

    call_it.__name__ = str(name)
    return endpoint(call_it)


start = lifecycle(CommandName.START)
finalize = lifecycle(CommandName.FINALIZE)
reset = lifecycle(CommandName.RESET)
process_check_ins = lifecycle(CommandName.PROCESS_CHECK_INS)
abort_check_in = lifecycle(CommandName.ABORT_CHECK_IN)
