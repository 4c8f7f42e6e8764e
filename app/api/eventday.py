"""The event day over HTTP: the public sign-up, the participant link (own entry, check-in,
withdrawal), the organiser's sign-up desk, stations and calling matches, links and QR codes.

A participant link is a token of its own scope (``participant``): it reads its tournament, and
acts on its own entry only. The organiser's endpoints are ``command(...)`` lines like the rest.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .. import auth
from ..auth import Scope
from ..domain.commands import CommandName, Input
from ..domain.eventday import EntryStatus
from ..domain.models import MatchState, Participant, Tournament, TournamentState
from ..domain.signup import LIVE, signup_open
from ..service import Outcome, new_id, now_iso
from . import links
from .http import (
    bearer,
    idempotent,
    json_response,
    principal,
    read_json,
    readable,
    require,
    runtime,
    service,
)
from .ops import page
from .problem import Problem
from .tournaments import MANAGE, command, current, no_content, tid_of, whole_tournament

C = CommandName


# ---- what the pages show -----------------------------------------------------------------------


def tournament_brief(t: Tournament) -> dict[str, Any]:
    check_in = t.day.check_in_public()
    check_in["open"] = t.state is TournamentState.PENDING and t.day.check_in_opened_at is not None
    return {
        "id": t.id,
        "name": t.name,
        "format": t.format,
        "state": t.state,
        "starts_at": t.day.starts_at,
        "started_at": t.started_at,
        "check_in": check_in,
    }


def signup_view(request: Request, t: Tournament, manager: bool) -> dict[str, Any]:
    """What the sign-up page needs; the organiser also gets the code, and a link carrying it."""
    why = signup_open(t, now_iso())
    pending = sum(e.status is EntryStatus.PENDING for e in t.day.entries.values())
    out: dict[str, Any] = {
        "tournament": tournament_brief(t),
        "signup": {**t.day.signup_public(), "open": why is None, "closed_reason": why},
        "places": {
            "capacity": t.day.capacity,
            "taken": len(t.participants),
            "waiting": len(t.day.waitlist),
            "pending": pending,
        },
        "link": links.signup_page(request, t, manager),
        "qr": f"/api/v1/tournaments/{t.id}/signup/qr.svg",
    }
    if manager:
        out["code"] = t.day.code
    return out


def entry_view(t: Tournament, pid: str) -> dict[str, Any]:
    """A participant's or a sign-up's own view: where they stand, what they may do, and their
    matches being played or called."""
    p = t.participants.get(pid)
    e = t.day.entries.get(pid)
    holder = p or e
    if holder is None:
        raise Problem(404, "Not found", "this entry was removed by the organiser")
    pending = t.state is TournamentState.PENDING
    may_check_in = (
        pending
        and holder.checked_in_at is None
        and ((p is not None and p.status == "active") or (e is not None and e.status == "waiting"))
    )
    return {
        "id": pid,
        "name": holder.name,
        "rating": holder.rating,
        "status": holder.status,
        "has_place": p is not None,
        "seed": p.seed if p is not None else None,
        "waiting_position": t.day.waitlist.index(pid) + 1 if pid in t.day.waitlist else None,
        "checked_in_at": holder.checked_in_at,
        "can_check_in": may_check_in and t.day.check_in_opened_at is not None,
        "can_withdraw": pending and (p is not None or (e is not None and e.status in LIVE)),
        "tournament": tournament_brief(t),
        "matches": own_matches(t, pid),
    }


def own_matches(t: Tournament, pid: str) -> list[dict[str, Any]]:
    out = []
    for m in t.matches.values():
        if pid not in m.participants or not m.state.playable:
            continue
        other = next((x for x in m.participants if x != pid), None)
        opponent: Participant | None = t.participants.get(other) if other else None
        out.append(
            {
                "id": m.id,
                "bracket": m.bracket,
                "round": m.round,
                "number": m.number,
                "state": m.state,
                "scores": m.scores,
                "station": m.station,
                "called_at": m.called_at,
                "opponent": {"id": opponent.id, "name": opponent.name} if opponent else None,
            }
        )
    return sorted(out, key=lambda m: (m["state"] != MatchState.LIVE, m["called_at"] is None))


# ---- the public sign-up ------------------------------------------------------------------------


def signup_target(request: Request) -> Tournament:
    """The tournament of a sign-up request: anyone may see one that takes sign-ups; otherwise
    it is read as the tournament is (a private one needs a token)."""
    tid = tid_of(request)
    t = runtime(request).state.get(tid)
    if t.day.signup["enabled"]:
        principal(request)  # no token is needed; a bad one is still a 401, as everywhere
        return t
    return readable(request, tid)


def manages(request: Request, tid: str) -> bool:
    who = principal(request)
    return who is not None and who.scope is not Scope.PARTICIPANT and who.can(tid, MANAGE)


async def signup_info(request: Request) -> Response:
    t = signup_target(request)
    return json_response(signup_view(request, t, manages(request, t.id)))


async def signup_qr(request: Request) -> Response:
    t = signup_target(request)
    url = links.signup_page(request, t, manages(request, t.id))
    return links.qr_svg(url, f"Sign up: {t.name}")


async def sign_up(request: Request) -> Response:
    """``{"name", "rating", "code"}`` → 201 with the participant link (shown this once)."""
    t = signup_target(request)
    body = await read_json(request)
    token = auth.new_token("pt")
    inp = Input(body, "", new_id, link_hash=auth.digest(token))

    async def run(key: str | None) -> Response:
        out = await service(request).execute(C.SIGN_UP, t.id, inp, key)
        return link_reply(request, out, token, 201)

    return await idempotent(request, t.id, run)


def link_reply(request: Request, out: Outcome, token: str, status: int) -> Response:
    if out.duplicate:
        raise Problem(409, "Repeated request", "this link was already handed out")
    tid, pid = out.event.tournament_id, out.event.data["participant_id"]
    return json_response(
        {
            "entry": entry_view(current(request), pid),
            "token": token,
            "link": links.entry_page(request, tid, token),
            "qr": f"/api/v1/tournaments/{tid}/entry/qr.svg",
        },
        status,
    )


# ---- the participant link ----------------------------------------------------------------------


def participant_of(request: Request) -> str:
    """The participant whose link the request carries (401 without one; 403 with any other
    token, or a link of another tournament)."""
    tid = tid_of(request)
    who = principal(request)
    if who is None:
        raise Problem(
            401,
            "Unauthorized",
            "this needs a participant link",
            headers={"WWW-Authenticate": 'Bearer realm="tourney"'},
        )
    if who.scope is not Scope.PARTICIPANT or who.participant_id is None:
        raise Problem(403, "Forbidden", "this needs a participant link, not another token")
    if who.tournament_id != tid:
        raise Problem(403, "Forbidden", "the participant link is of another tournament")
    return who.participant_id


async def my_entry(request: Request) -> Response:
    pid = participant_of(request)
    return json_response(entry_view(current(request), pid))


async def my_qr(request: Request) -> Response:
    participant_of(request)
    token = bearer(request) or ""
    return links.qr_svg(links.entry_page(request, tid_of(request), token), "My entry")


def as_participant(name: CommandName) -> Any:
    async def endpoint(request: Request) -> Response:
        pid = participant_of(request)
        inp = Input(None, pid, new_id)

        async def run(key: str | None) -> Response:
            await service(request).execute(name, tid_of(request), inp, key)
            return json_response(entry_view(current(request), pid))

        return await idempotent(request, tid_of(request), run)

    endpoint.__name__ = endpoint.__qualname__ = str(name)
    return endpoint


check_in_self = as_participant(C.CHECK_IN_SELF)
withdraw = as_participant(C.WITHDRAW)


# ---- the organiser's desk ----------------------------------------------------------------------


def the_entry(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(entry_view(current(request), inp.target))


def waiting_list(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).day.public()["waiting_list"])


async def signups(request: Request) -> Response:
    """Every sign-up that holds no place (awaiting approval, waiting, turned away), oldest
    first, with the waiting list's order."""
    tid = tid_of(request)
    require(request, tid, MANAGE)
    day = current(request).day
    return json_response(
        {"entries": [e.to_dict() for e in day.entries.values()], "waiting_list": day.waitlist}
    )


async def issue_link(request: Request) -> Response:
    """A new participant link for a participant or sign-up (the old one stops working)."""
    tid = tid_of(request)
    require(request, tid, MANAGE)
    token = auth.new_token("pt")
    inp = Input(None, str(request.path_params["pid"]), new_id, link_hash=auth.digest(token))

    async def run(key: str | None) -> Response:
        out = await service(request).execute(C.ISSUE_LINK, tid, inp, key)
        return link_reply(request, out, token, 201)

    return await idempotent(request, tid, run)


approve = command(C.APPROVE, MANAGE, the_entry, "pid", body=False)
reject = command(C.REJECT, MANAGE, the_entry, "pid", body=False)
check_in = command(C.CHECK_IN, MANAGE, the_entry, "pid", body=False)
reorder_waitlist = command(C.REORDER_WAITLIST, MANAGE, waiting_list)
open_check_in = command(C.OPEN_CHECK_IN, MANAGE, whole_tournament, body=False)


# ---- stations ----------------------------------------------------------------------------------


def the_station(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).day.stations[inp.target].to_dict())


def stations_added(request: Request, out: Outcome, inp: Input) -> Response:
    day = current(request).day
    added = [day.stations[s["id"]].to_dict() for s in out.event.data.get("stations", [])]
    return json_response(added if isinstance(inp.body, list) else added[0], 201)


def the_called_match(request: Request, out: Outcome, inp: Input) -> Response:
    return json_response(current(request).matches[inp.target].to_dict())


async def list_stations(request: Request) -> Response:
    t = readable(request, tid_of(request))
    return json_response([s.to_dict() for s in t.day.stations.values()])


add_stations = command(C.ADD_STATIONS, MANAGE, stations_added)
patch_station = command(C.UPDATE_STATION, MANAGE, the_station, "sid")
delete_station = command(C.REMOVE_STATION, MANAGE, no_content, "sid", body=False)
call_match = command(C.CALL_MATCH, MANAGE, the_called_match, "mid", body=None)


# ---- the player's pages ------------------------------------------------------------------------


async def signup_page(request: Request) -> Response:
    return page("signup.html")


async def entry_page(request: Request) -> Response:
    return page("entry.html")
