"""The API described (OpenAPI 3.1), served at /openapi.json."""

from __future__ import annotations

from typing import Any

from ..domain.formats import FORMATS
from ..domain.models import RESULTS

JSON = "application/json"
PROBLEM = "application/problem+json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def problem() -> dict[str, Any]:
    return {"description": "Problem", "content": {PROBLEM: {"schema": ref("Problem")}}}


REASONS = {
    304: "Not modified (If-None-Match matched the ETag)",
    400: "Malformed JSON, or a bad Idempotency-Key",
    401: "Missing, bad, revoked or expired token",
    403: "The token lacks the scope, or is of another tournament",
    404: "No such tournament, participant, match or token",
    409: "The tournament's state forbids it, or an Idempotency-Key used elsewhere",
    413: "Body too large",
    422: "Invalid fields or query",
    503: "The event pipeline cannot take it now",
}


def responses(ok: int, schema: dict[str, Any] | None, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": "OK"}}
    if schema is not None:
        out[str(ok)]["content"] = {JSON: {"schema": schema}}
    for code in errors:
        if code == 304:
            out["304"] = {"description": REASONS[304]}
            continue
        out[str(code)] = {**problem(), "description": REASONS.get(code, "Problem")}
        if code == 503:
            out["503"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return out


def op(
    summary: str, ok: int, schema: dict[str, Any] | None, errors: tuple[int, ...],
    request: dict[str, Any] | None = None, secured: bool = True,
    params: list[dict[str, Any]] | None = None, idempotent: bool = False,
) -> dict[str, Any]:  # fmt: skip
    o: dict[str, Any] = {"summary": summary, "responses": responses(ok, schema, *errors)}
    if request is not None:
        o["requestBody"] = request
    if secured:
        o["security"] = [{"bearer": []}]
    params = list(params or [])
    if idempotent:
        params.append(IDEMPOTENCY_KEY)
    if params:
        o["parameters"] = params
    return o


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A repeat of the same request with the same key returns the first response "
    "and changes nothing; the key used on another path is a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
}
SCORES = {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2, "maxItems": 2}
NULLABLE_STR = {"type": ["string", "null"]}
W = (400, 401, 403, 404, 409, 413, 422, 503)  # a write with a JSON body
ACT = (400, 401, 403, 404, 409, 503)  # a write without a body
READ = (304, 401, 403, 404)  # a read of a tournament, private ones needing a token


def closed(required: list[str], **props: Any) -> dict[str, Any]:
    """An object with only the properties given (the server refuses unknown fields)."""
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def shape(*required: str, **props: Any) -> dict[str, Any]:
    """A response object: these properties, always present (more may be added later)."""
    return {"type": "object", "required": list(required or props), "properties": props}


def schemas() -> dict[str, Any]:
    visibility = {"enum": ["public", "unlisted", "private"]}
    name = {"type": "string", "minLength": 1, "maxLength": 200}
    participant_fields = {
        "name": name,
        "seed": {"type": "integer", "minimum": 1, "maximum": 4096},
        "rating": {"type": ["number", "null"], "minimum": -1e6, "maximum": 1e6},
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
                               settings={"type": "object"}, visibility=visibility),
        "TournamentPatch": closed([], name=name, settings={"type": "object"},
                                  visibility=visibility),
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
                                      "description": "in the future"}),
        "Token": shape("id", "tournament_id", "scope", "label", "created_at", "expires_at",
                       id={"type": "string"}, token={"type": "string"},
                       tournament_id={"type": "string"}, scope={"enum": ["manage", "report"]},
                       label={"type": "string"}, created_at={"type": "string"},
                       expires_at=NULLABLE_STR),
        "Participant": shape(id={"type": "string"}, name={"type": "string"},
                             seed={"type": "integer"}, rating={"type": ["number", "null"]},
                             status={"enum": ["active", "disqualified", "withdrawn"]}),
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
            result={"enum": [*RESULTS, None]},
            next={"type": "object"},
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
        "Tournament": {"allOf": [ref("TournamentSummary"), shape(
            participants={"type": "array", "items": ref("Participant")},
            matches={"type": "array", "items": ref("Match")},
        )]},
        "Event": shape(id={"type": "string"}, seq={"type": "integer"}, type={"type": "string"},
                       tournament_id={"type": "string"}, at={"type": "string"},
                       data={"type": "object"}),
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
        t + "/matches": {
            "get": op("Matches", 200, matches, READ, secured=False,
                      params=[tid, query("state", {"enum": ["pending", "ready", "live",
                                                            "complete"]})]),
        },
        t + "/matches/{mid}": {
            "get": op("One match", 200, ref("Match"), (401, 403, 404), secured=False,
                      params=[tid, mid]),
        },
        t + "/matches/{mid}/result": {
            "post": op("Report a result", 200, ref("Match"), W, body(ref("Result")),
                       params=[tid, mid], idempotent=True),
        },
        t + "/matches/{mid}/reopen": {
            "post": op("Undo a result and what depended on it", 200,
                       shape("match_id", "reset", match_id={"type": "string"},
                             reset={"type": "array", "items": {"type": "string"}},
                             matches=matches, dry_run={"type": "boolean"}), ACT,
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
                           "application/x-ndjson": {"schema": {"type": "string"}}}}),
        },
        "/api/v1/tokens": {
            "post": op("Create a tournament token (admin)", 201, ref("Token"),
                       (400, 401, 403, 409, 413, 422, 503), body(ref("TokenIn")),
                       idempotent=True),
        },
        "/api/v1/tokens/{token_id}": {
            "delete": op("Revoke a token (admin)", 204, None, (401, 403, 404, 503),
                         params=[path_param("token_id")]),
        },
        "/healthz": {"get": op("Alive", 200, shape("status", status={"type": "string"}), (),
                               secured=False)},
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


def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tourney",
            "version": "1.0.0",
            "description": "A self-hosted tournament server.",
        },
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
