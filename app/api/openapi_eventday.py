"""The event day's part of the API description: sign-up, participant links, check-in, stations."""

from __future__ import annotations

from typing import Any

from ..domain.eventday import EntryStatus
from ..domain.stations import BRACKETS
from .openapi_parts import (
    ACT,
    NULLABLE_STR,
    READ,
    W,
    body,
    closed,
    op,
    path_param,
    ref,
    shape,
)

TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NAME = {"type": "string", "minLength": 1, "maxLength": 200}
RATING = {"type": ["number", "null"], "minimum": -1e6, "maximum": 1e6}
STATUSES = ["active", "disqualified", *EntryStatus]
GET_ERRORS = (401, 403, 404)


def settings_schemas() -> dict[str, Any]:
    """The event-day fields of a tournament, as sent (create, PATCH) and as read."""
    signup_in = closed(
        [], enabled={"type": "boolean"}, approval={"type": "boolean"},
        code={"type": ["string", "null"], "minLength": 1, "maxLength": 64},
        closes_at=NULLABLE_TIME,
        capacity={"type": ["integer", "null"], "minimum": 2, "maximum": 4096},
        seeding={"enum": ["manual", "rating"]},
    )  # fmt: skip
    round_time = closed(["round", "at"], round={"type": "integer", "minimum": 1, "maximum": 1000},
                        bracket={"enum": [*BRACKETS, None]}, at=TIME)  # fmt: skip
    return {
        "signup": signup_in,
        "check_in": closed([], minutes_before={"type": ["integer", "null"], "minimum": 0,
                                               "maximum": 10080}),
        "starts_at": NULLABLE_TIME,
        "call_matches": {"enum": ["auto", "manual"]},
        "round_times": {"type": "array", "maxItems": 256, "items": round_time},
    }  # fmt: skip


def read_schemas() -> dict[str, Any]:
    """What the tournament JSON adds, and the event day's own resources."""
    station = shape(id={"type": "string"}, name={"type": "string"}, match_id=NULLABLE_STR)
    brief = {"type": "object", "required": ["id", "name", "format", "state", "check_in"]}
    return {
        "EventDay": shape(
            signup={"type": "object", "required": ["enabled", "capacity", "code_required"]},
            check_in=shape(minutes_before={"type": ["integer", "null"]}, opens_at=NULLABLE_STR,
                           opened_at=NULLABLE_STR),
            starts_at=NULLABLE_STR,
            waiting_list={"type": "array", "items": shape(
                id={"type": "string"}, name={"type": "string"},
                rating={"type": ["number", "null"]}, checked_in_at=NULLABLE_STR)},
            stations={"type": "array", "items": ref("Station")},
            call_matches={"enum": ["auto", "manual"]},
            round_times={"type": "array", "items": {"type": "object"}},
        ),
        "Station": station,
        "StationIn": closed(["name"], name={"type": "string", "minLength": 1, "maxLength": 100}),
        "SignupIn": closed(["name"], name=NAME, rating=RATING,
                           code={"type": "string", "maxLength": 64}),
        "Entry": shape(
            id={"type": "string"}, name={"type": "string"}, rating={"type": ["number", "null"]},
            status={"enum": STATUSES}, has_place={"type": "boolean"},
            seed={"type": ["integer", "null"]}, waiting_position={"type": ["integer", "null"]},
            checked_in_at=NULLABLE_STR, can_check_in={"type": "boolean"},
            can_withdraw={"type": "boolean"}, tournament=brief,
            matches={"type": "array", "items": {"type": "object"}},
        ),
        "Link": shape(entry=ref("Entry"), token={"type": "string"}, link={"type": "string"},
                      qr={"type": "string"}),
        "SignupInfo": shape(
            "tournament", "signup", "places", "link", "qr",
            tournament=brief, signup={"type": "object", "required": ["open", "closed_reason"]},
            places=shape(capacity={"type": ["integer", "null"]}, taken={"type": "integer"},
                         waiting={"type": "integer"}, pending={"type": "integer"}),
            link={"type": "string"}, qr={"type": "string"},
            code={"type": ["string", "null"]},
        ),
    }  # fmt: skip


def svg(summary: str, errors: tuple[int, ...], params: list[dict[str, Any]]) -> dict[str, Any]:
    out = op(summary, 200, None, errors, params=params)
    out["responses"]["200"]["content"] = {"image/svg+xml": {"schema": {"type": "string"}}}
    return out


def paths() -> dict[str, Any]:
    tid, pid, mid = path_param("tid"), path_param("pid"), path_param("mid")
    sid = path_param("sid")
    t = "/api/v1/tournaments/{tid}"
    entry, stations = ref("Entry"), {"type": "array", "items": ref("Station")}
    one_or_many = {"oneOf": [ref("StationIn"), {"type": "array", "items": ref("StationIn"),
                                                "minItems": 1}]}  # fmt: skip
    return {
        t + "/signup": {
            "get": op("The sign-up page's data (with a manage token: the code, and a link "
                      "carrying it)", 200, ref("SignupInfo"), GET_ERRORS, secured=False,
                      params=[tid]),
            "post": op("Sign up (no token): a place, the waiting list or the organiser's queue;"
                       " answers the participant link, shown this once", 201, ref("Link"), W,
                       body(ref("SignupIn")), secured=False, params=[tid], idempotent=True),
        },
        t + "/signup/qr.svg": {"get": svg("The sign-up link as a QR code", GET_ERRORS, [tid])},
        t + "/signups": {
            "get": op("Sign-ups holding no place (awaiting approval, waiting, turned away)",
                      200, shape(entries={"type": "array", "items": {"type": "object"}},
                                 waiting_list={"type": "array", "items": {"type": "string"}}),
                      GET_ERRORS, params=[tid]),
        },
        t + "/signups/{pid}/approve": {"post": op("Approve a sign-up", 200, entry, ACT,
                                                  params=[tid, pid], idempotent=True)},
        t + "/signups/{pid}/reject": {"post": op("Turn a sign-up away", 200, entry, ACT,
                                                 params=[tid, pid], idempotent=True)},
        t + "/waitlist/reorder": {
            "post": op("The waiting list in a new order", 200,
                       {"type": "array", "items": {"type": "object"}}, W,
                       body(closed(["order"], order={"type": "array",
                                                     "items": {"type": "string"}})),
                       params=[tid], idempotent=True),
        },
        t + "/check-in/open": {"post": op("Open check-in now", 200, ref("Tournament"), ACT,
                                          params=[tid], idempotent=True)},
        t + "/participants/{pid}/check-in": {
            "post": op("Check a participant (or a waiting player) in", 200, entry, ACT,
                       params=[tid, pid], idempotent=True)},
        t + "/participants/{pid}/link": {
            "post": op("A new participant link (the old one stops working)", 201, ref("Link"),
                       ACT, params=[tid, pid], idempotent=True)},
        t + "/entry": {"get": op("My entry (participant link)", 200, entry, GET_ERRORS,
                                 params=[tid])},
        t + "/entry/check-in": {"post": op("Check in (participant link)", 200, entry, ACT,
                                           params=[tid], idempotent=True)},
        t + "/entry/withdraw": {"post": op("Withdraw my sign-up (participant link)", 200, entry,
                                           ACT, params=[tid], idempotent=True)},
        t + "/entry/qr.svg": {"get": svg("My participant link as a QR code", GET_ERRORS, [tid])},
        t + "/stations": {
            "get": op("Stations, in order, with the match each holds", 200, stations,
                      tuple(c for c in READ if c != 304), secured=False, params=[tid]),
            "post": op("Add one station or many", 201,
                       {"oneOf": [ref("Station"), stations]}, W, body(one_or_many),
                       params=[tid], idempotent=True),
        },
        t + "/stations/{sid}": {
            "patch": op("Rename a station", 200, ref("Station"), W, body(ref("StationIn")),
                        params=[tid, sid], idempotent=True),
            "delete": op("Remove a station (its match goes back to the queue)", 204, None,
                         (401, 403, 404, 409, 503), params=[tid, sid]),
        },
        t + "/matches/{mid}/call": {
            "post": op("Call a ready or live match to a station (or the first free one)", 200,
                       ref("Match"), W,
                       body(closed([], station_id={"type": "string"}), required=False),
                       params=[tid, mid], idempotent=True),
        },
    }  # fmt: skip
