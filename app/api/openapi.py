"""The API described (OpenAPI 3.1), served at /openapi.json."""

from __future__ import annotations

from typing import Any

from ..domain.formats import FORMATS

JSON = "application/json"
PROBLEM = "application/problem+json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def responses(ok: int, schema: dict[str, Any] | None, *errors: int) -> dict[str, Any]:
    out: dict[str, Any] = {str(ok): {"description": "OK"}}
    if schema is not None:
        out[str(ok)]["content"] = {JSON: {"schema": schema}}
    for code in errors:
        out[str(code)] = {
            "description": "Problem",
            "content": {PROBLEM: {"schema": ref("Problem")}},
        }
    return out


def op(
    summary: str, ok: int, schema: dict[str, Any] | None, errors: tuple[int, ...],
    request: dict[str, Any] | None = None, secured: bool = True,
    params: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:  # fmt: skip
    o: dict[str, Any] = {"summary": summary, "responses": responses(ok, schema, *errors)}
    if request is not None:
        o["requestBody"] = request
    if secured:
        o["security"] = [{"bearer": []}]
    if params:
        o["parameters"] = params
    return o


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


SCORES = {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 2, "maxItems": 2}
W = (400, 401, 403, 404, 409, 413, 422, 503)


def schemas() -> dict[str, Any]:
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
        "TournamentIn": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "format": {"enum": sorted(FORMATS)},
                "settings": {"type": "object"},
                "visibility": {"enum": ["public", "unlisted", "private"]},
            },
        },
        "TournamentPatch": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "settings": {"type": "object"},
                "visibility": {"enum": ["public", "unlisted", "private"]},
            },
        },
        "ParticipantIn": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "seed": {"type": "integer", "minimum": 1},
                "rating": {"type": ["number", "null"]},
            },
        },
        "Result": {
            "type": "object",
            "properties": {
                "scores": SCORES,
                "games": {"type": "array", "items": SCORES},
                "winner_id": {"type": "string"},
                "forfeit": {"oneOf": [{"type": "string"},
                                      {"type": "array", "items": {"type": "string"}}]},
            },
        },
        "Tick": {
            "type": "object",
            "required": ["scores"],
            "properties": {"scores": SCORES, "detail": {"type": "object"}},
        },
        "BatchTick": {
            "type": "object",
            "required": ["tournament_id", "match_id", "scores"],
            "properties": {
                "id": {"type": "string"}, "tournament_id": {"type": "string"},
                "match_id": {"type": "string"}, "scores": SCORES, "detail": {"type": "object"},
            },
        },
        "TokenIn": {
            "type": "object",
            "required": ["tournament_id", "scope"],
            "properties": {
                "tournament_id": {"type": "string"}, "scope": {"enum": ["manage", "report"]},
                "label": {"type": "string"}, "expires_at": {"type": "string"},
            },
        },
        "Tournament": {"type": "object"},
    }  # fmt: skip


def paths() -> dict[str, Any]:
    tid, pid, mid = path_param("tid"), path_param("pid"), path_param("mid")
    t = "/api/v1/tournaments/{tid}"
    return {
        "/api/v1/tournaments": {
            "get": op("Public tournaments, newest first", 200, None, (422,), secured=False,
                      params=[query("state", {"enum": ["pending", "underway", "complete"]}),
                              query("cursor", {"type": "string"}),
                              query("limit", {"type": "integer", "minimum": 1, "maximum": 200})]),
            "post": op("Create a tournament (admin)", 201, ref("Tournament"), W,
                       body(ref("TournamentIn"))),
        },
        t: {
            "get": op("The whole tournament", 200, ref("Tournament"), (401, 403, 404),
                      secured=False, params=[tid]),
            "patch": op("Change name, settings or visibility", 200, ref("Tournament"), W,
                        body(ref("TournamentPatch")), params=[tid]),
            "delete": op("Delete the tournament", 204, None, W, params=[tid]),
        },
        t + "/participants": {
            "post": op("Add one participant or many", 201, None, W,
                       body({"oneOf": [ref("ParticipantIn"),
                                       {"type": "array", "items": ref("ParticipantIn")}]}),
                       params=[tid]),
        },
        t + "/participants/{pid}": {
            "patch": op("Rename, reseed", 200, None, W, body(ref("ParticipantIn")),
                        params=[tid, pid]),
            "delete": op("Remove while pending", 204, None, W, params=[tid, pid]),
        },
        t + "/participants/{pid}/disqualify": {
            "post": op("Disqualify: forfeits every match left", 200, None, W, params=[tid, pid]),
        },
        t + "/start": {"post": op("Draw the matches", 200, ref("Tournament"), W, params=[tid])},
        t + "/matches": {
            "get": op("Matches", 200, None, (401, 403, 404), secured=False,
                      params=[tid, query("state", {"enum": ["pending", "ready", "live",
                                                            "complete"]})]),
        },
        t + "/matches/{mid}": {
            "get": op("One match", 200, None, (401, 403, 404), secured=False, params=[tid, mid]),
        },
        t + "/matches/{mid}/result": {
            "post": op("Report a result", 200, None, W, body(ref("Result")), params=[tid, mid]),
        },
        t + "/matches/{mid}/reopen": {
            "post": op("Undo a result and what depended on it", 200, None, W,
                       params=[tid, mid, query("dry_run", {"enum": ["1", "0"]})]),
        },
        t + "/matches/{mid}/live": {
            "post": op("A live score tick", 202, None, W, body(ref("Tick")), params=[tid, mid]),
        },
        t + "/standings": {
            "get": op("Standings", 200, None, (401, 403, 404), secured=False, params=[tid]),
        },
        t + "/events": {
            "get": op("Events in seq order (catch-up)", 200, None, (401, 403, 404, 422),
                      secured=False,
                      params=[tid, query("after", {"type": "integer", "minimum": 0}),
                              query("limit", {"type": "integer", "minimum": 1,
                                              "maximum": 1000})]),
        },
        "/api/v1/events": {
            "post": op("Many live ticks", 202, None, W,
                       body({"type": "array", "items": ref("BatchTick")})),
        },
        "/api/v1/tokens": {
            "post": op("Create a tournament token (admin)", 201, None, W, body(ref("TokenIn"))),
        },
        "/api/v1/tokens/{token_id}": {
            "delete": op("Revoke a token", 204, None, (401, 403, 404, 503),
                         params=[path_param("token_id")]),
        },
        "/healthz": {"get": op("Alive", 200, None, (), secured=False)},
        "/readyz": {"get": op("Ready", 200, None, (503,), secured=False)},
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
