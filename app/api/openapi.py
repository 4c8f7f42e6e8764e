"""The API described (OpenAPI 3.1), served at /openapi.json."""

from __future__ import annotations

from typing import Any

from ..domain.formats import FORMATS
from ..domain.models import Result
from ..domain.validation import TITLES
from . import openapi_director as director
from . import openapi_webhooks as hooks
from .openapi_challonge import archive_paths, challonge_paths
from .openapi_eventday import paths as event_day_paths
from .openapi_eventday import read_schemas, settings_schemas
from .openapi_parts import (
    ACT,
    EXPAND,
    JSON,
    NULLABLE_STR,
    READ,
    SCORES,
    W,
    body,
    closed,
    op,
    path_param,
    problem,
    query,
    ref,
    shape,
)


def schemas() -> dict[str, Any]:

    day = settings_schemas()

    visibility = {"enum": ["public", "unlisted", "private"]}
    name = {"type": "string", "minLength": 1, "maxLength": 200}
    participant_fields = {
        "name": name,
        "seed": {"type": "integer", "minimum": 1, "maximum": 4096},
        "rating": {"type": ["number", "null"], "minimum": -1e6, "maximum": 1e6},
        "title": {"enum": [*TITLES, None], "description": "FIDE title"},
        "fide": ref("Fide"),
    }
    return {
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}},
            },
        },
        "TournamentIn": closed(["name"], name=name, format={"enum": sorted(FORMATS)},
                               settings={"type": "object"}, visibility=visibility,
                               trf_header=ref("TrfHeader"), **day),
        "TournamentPatch": closed([], name=name, settings={"type": "object"},
                                  visibility=visibility, trf_header=ref("TrfHeader"), **day),
        "ParticipantIn": closed(["name"], **participant_fields),
        "ParticipantPatch": closed([], **participant_fields),
        "Result": closed(
            [], scores=SCORES, games={"type": "array", "items": SCORES},
            winner_id={"type": "string"},
            forfeit={"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        ),
        "Tick": closed(["scores"], scores=SCORES, detail={"type": "object"}),
        "BatchTick": closed(["tournament_id", "match_id", "scores"],
                            id={"type": "string", "minLength": 1, "maxLength": 200},
                            tournament_id={"type": "string"}, match_id={"type": "string"},
                            scores=SCORES, detail={"type": "object"}),
        "TokenIn": closed(["tournament_id", "scope"], tournament_id={"type": "string"},
                          scope={"enum": ["manage", "report"]},
                          label={"type": "string", "maxLength": 200},
                          expires_at={"type": "string", "format": "date-time",
                                      "description": "in the future"},
                          station_id={"type": "string",
                                      "description": "a report token's station"}),
        "Token": shape("id", "tournament_id", "scope", "label", "created_at", "expires_at",
                       id={"type": "string"}, token={"type": "string"},
                       tournament_id={"type": "string"}, scope={"enum": ["manage", "report"]},
                       label={"type": "string"}, created_at={"type": "string"},
                       expires_at=NULLABLE_STR, station_id=NULLABLE_STR,
                       link={"type": "string", "description": "the operator page, signed in"}),
        "Me": shape("scope", "base_url",
                    scope={"enum": ["admin", "manage", "report", "participant"]},
                    tournament_id=NULLABLE_STR, token_id=NULLABLE_STR,
                    participant_id=NULLABLE_STR, label=NULLABLE_STR, expires_at=NULLABLE_STR,
                    station={"type": ["object", "null"]}, base_url={"type": "string"},
                    correction={"type": ["object", "null"]}),
        "Participant": shape(id={"type": "string"}, name={"type": "string"},
                             seed={"type": "integer"}, rating={"type": ["number", "null"]},
                             status={"enum": ["active", "disqualified", "withdrawn"]},
                             checked_in_at=NULLABLE_STR, title={"enum": [*TITLES, None]},
                             **director.PARTICIPANT),
        "Match": shape(
            "id", "bracket", "round", "number", "slots", "state", "scores", "winner_id",
            "result", "next",
            id={"type": "string"}, bracket={"type": "string"},
            group={"type": ["integer", "null"]}, round={"type": "integer"},
            number={"type": "integer"},
            slots={"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "object"}},
            state={"enum": ["pending", "ready", "live", "complete"]},
            scores={"type": ["array", "null"]}, games={"type": ["array", "null"]},
            winner_id=NULLABLE_STR, loser_id=NULLABLE_STR,
            result={"enum": [*Result, None]},
            next={"type": "object"},
            station={"type": ["object", "null"], "required": ["id", "name"]},
            called_at=NULLABLE_STR,
        ),
        "TournamentSummary": shape(
            "id", "name", "format", "state", "settings", "visibility", "version",
            "created_at",
            id={"type": "string"}, name={"type": "string"}, format={"type": "string"},
            state={"enum": ["pending", "underway", "complete"]},
            settings={"type": "object"}, visibility=visibility,
            version={"type": "integer"}, created_at={"type": "string"},
            started_at=NULLABLE_STR, completed_at=NULLABLE_STR,
        ),
        "Tournament": {"allOf": [ref("TournamentSummary"), ref("EventDay"), shape(
            participants={"type": "array", "items": ref("Participant")},
            matches={"type": "array", "items": ref("Match")},
            trf_header=ref("TrfHeader"),
        )]},
        **read_schemas(),
        "Event": shape(id={"type": "string"}, seq={"type": "integer"}, type={"type": "string"},
                       tournament_id={"type": "string"}, at={"type": "string"},
                       data={"type": "object"}),
        **hooks.schemas(),
        **director.schemas(),
    }  # fmt: skip


def paths() -> dict[str, Any]:

    tid, pid, mid = path_param("tid"), path_param("pid"), path_param("mid")
    t = "/api/v1/tournaments/{tid}"
    matches = {"type": "array", "items": ref("Match")}
    page = shape(
        "items",
        "next_cursor",
        items={"type": "array", "items": ref("TournamentSummary")},
        next_cursor=NULLABLE_STR,
    )
    ticks = {
        "oneOf": [{"type": "array", "items": ref("BatchTick"), "minItems": 1}, ref("BatchTick")]
    }
    accepted = shape(
        "accepted",
        "first_seq",
        "last_seq",
        accepted={"type": "integer"},
        duplicates={"type": "integer"},
        first_seq={"type": ["integer", "null"]},
        last_seq={"type": ["integer", "null"]},
    )
    return {
        "/api/v1/tournaments": {
            "get": op("Public tournaments, newest first", 200, page, (422,), secured=False,
                      params=[query("state", {"enum": ["pending", "underway", "complete"]}),
                              query("cursor", {"type": "string"}),
                              query("limit", {"type": "integer", "minimum": 1, "maximum": 200})]),
            "post": op("Create a tournament (admin)", 201, ref("Tournament"), W,
                       body(ref("TournamentIn")), idempotent=True),
        },
        t: {
            "get": op("The whole tournament", 200, ref("Tournament"), READ,
                      secured=False, params=[tid]),
            "patch": op("Change name, settings or visibility", 200, ref("Tournament"), W,
                        body(ref("TournamentPatch")), params=[tid], idempotent=True),
            "delete": op("Delete the tournament", 204, None, (401, 403, 404, 503),
                         params=[tid]),
        },
        t + "/participants": {
            "post": op("Add one participant or many", 201,
                       {"oneOf": [ref("Participant"),
                                  {"type": "array", "items": ref("Participant")}]}, W,
                       body({"oneOf": [ref("ParticipantIn"),
                                       {"type": "array", "items": ref("ParticipantIn"),
                                        "minItems": 1}]}),
                       params=[tid], idempotent=True),
        },
        t + "/participants/{pid}": {
            "patch": op("Rename, reseed, rate", 200, ref("Participant"), W,
                        body(ref("ParticipantPatch")), params=[tid, pid], idempotent=True),
            "delete": op("Remove while pending", 204, None, (401, 403, 404, 409, 503),
                         params=[tid, pid]),
        },
        t + "/participants/{pid}/disqualify": {
            "post": op("Disqualify: forfeits every match left", 200, ref("Participant"), ACT,
                       params=[tid, pid], idempotent=True),
        },
        t + "/start": {"post": op("Draw the matches", 200, ref("Tournament"), ACT,
                                  params=[tid], idempotent=True)},
        t + "/reset": {"post": op("Back to pending: every match and result gone", 200,
                                  ref("Tournament"), ACT, params=[tid], idempotent=True)},
        t + "/matches": {
            "get": op("Matches", 200, matches, (*READ, 422), secured=False,
                      params=[tid, query("state", {"enum": ["pending", "ready", "live",
                                                            "complete"]}), EXPAND]),
        },
        t + "/matches/{mid}": {
            "get": op("One match", 200, ref("Match"), (401, 403, 404, 422), secured=False,
                      params=[tid, mid, EXPAND]),
        },
        t + "/matches/{mid}/result": {
            "post": op("Report a result", 200, ref("Match"), W, body(ref("Result")),
                       params=[tid, mid], idempotent=True),
        },
        t + "/matches/{mid}/reopen": {
            "post": op("Undo a result and what depended on it", 200,
                       shape("match_id", "reset", match_id={"type": "string"},
                             reset={"type": "array", "items": {"type": "string"}},
                             matches=matches, dry_run={"type": "boolean"},
                             **director.REOPEN_PREVIEW), ACT,
                       params=[tid, mid, query("dry_run", {"enum": ["1", "true", "0"]})],
                       idempotent=True),
        },
        t + "/matches/{mid}/live": {
            "post": op("A live score tick", 202,
                       shape("seq", seq={"type": "integer"}, duplicate={"type": "boolean"}),
                       W, body(ref("Tick")), params=[tid, mid], idempotent=True),
        },
        t + "/standings": {
            "get": op("Standings; ?stage=groups (or ?group=N) for the group stage's tables",
                      200, {"type": "array", "items": {"type": "object"}}, (*READ, 422),
                      secured=False,
                      params=[tid, query("stage", {"enum": ["final", "groups"]}),
                              query("group", {"type": "integer", "minimum": 1,
                                              "maximum": 10_000})]),
        },
        t + "/events": {
            "get": op("Events in seq order (catch-up)", 200,
                      {"type": "array", "items": ref("Event")}, (401, 403, 404, 422),
                      secured=False,
                      params=[tid, query("after", {"type": "integer", "minimum": 0}),
                              query("limit", {"type": "integer", "minimum": 1,
                                              "maximum": 1000})]),
        },
        "/api/v1/events": {
            "post": op("Many live ticks: a JSON array, one object, or NDJSON", 202, accepted,
                       W, {"required": True, "content": {
                           JSON: {"schema": ticks},
                           "application/x-ndjson": {"schema": {"type": "string"}}}},
                       idempotent=True),
        },
        **archive_paths(t, tid),
        **hooks.paths(t + "/webhooks", "its manage token", [tid]),
        **director.paths(t),
        **hooks.paths("/api/v1/webhooks", "the server's: admin", []),
        "/api/v1/tokens": {
            "post": op("Create a tournament token (admin)", 201, ref("Token"),
                       (400, 401, 403, 409, 413, 422, 503), body(ref("TokenIn")),
                       idempotent=True),
        },
        "/api/v1/me": {
            "get": op("Who this token is: scope, tournament, station, where links point", 200,
                      ref("Me"), (401,)),
        },
        "/api/v1/qr": {
            "post": {
                "summary": "A link to this server as a QR code (SVG)",
                "security": [{}, {"bearer": []}],
                "requestBody": body(closed(["link"], link={"type": "string", "maxLength": 2048})),
                "responses": {
                    "200": {"description": "the QR code",
                            "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                    **{str(s): problem() for s in (400, 401, 413, 422)},
                },
            },
        },
        "/api/v1/tokens/{token_id}": {
            "delete": op("Revoke a token (admin)", 204, None, (401, 403, 404, 503),
                         params=[path_param("token_id")]),
        },
        "/healthz": {"get": op("Alive (and which process answered)", 200,
                               shape("status", status={"type": "string"},
                                     process={"type": "string"}), (), secured=False)},
        "/readyz": {"get": op("Ready: Redis reachable, SQLite writable, writer lag bounded",
                              200, shape("ok", ok={"type": "boolean"}), (503,),
                              secured=False)},
        "/metrics": {"get": {
            "summary": "Prometheus metrics (may need the admin token, by configuration)",
            "security": [{}, {"bearer": []}],
            "responses": {"200": {"description": "Prometheus text format",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          "401": problem(), "403": problem()}}},
        "/openapi.json": {"get": op("This document", 200, {"type": "object"}, (),
                                    secured=False)},
    }  # fmt: skip


def spec(challonge_prefix: str | None = "/challonge/v1") -> dict[str, Any]:
    """The document; with the Challonge v1 API under ``challonge_prefix`` (None: not served)."""

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tourney",
            "version": "1.0.0",
            "description": "A self-hosted tournament server.",
        },
        "paths": {
            **paths(),
            **event_day_paths(),
            **(challonge_paths(challonge_prefix) if challonge_prefix else {}),
        },
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "Challonge v1: the password is the"
                    " API key, a token of this server",
                },
            },
        },
    }
