"""The Challonge v1 API described (OpenAPI 3.1), under its prefix; and the native export and
import. Challonge's answers are wrapped objects (``{"tournament": {...}}``) and lists of them;
its errors are ``{"errors": [...]}``."""

from __future__ import annotations

from typing import Any

from .openapi_parts import JSON, body, op, path_param, query, ref, shape

ERRORS = {"type": "object", "required": ["errors"],
          "properties": {"errors": {"type": "array", "items": {"type": "string"}}}}  # fmt: skip
REASONS = {401: "Missing or bad API key, or one without the right", 404: "No such id",
           413: "Body too large", 422: "Refused: invalid, or the state forbids it",
           503: "The event pipeline cannot take it now"}  # fmt: skip
INCLUDE = [query("include_participants", {"enum": ["0", "1", "true", "false"]}),
           query("include_matches", {"enum": ["0", "1", "true", "false"]})]  # fmt: skip


def wrapped(name: str) -> dict[str, Any]:
    return shape(name, **{name: {"type": "object"}})


def call(
    summary: str, answer: dict[str, Any], fields: str | None = None, write: bool = True,
    params: list[dict[str, Any]] | None = None, idempotent: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """One Challonge call: its fields (a hash named ``fields``) as JSON, or as the form or the
    query string in Rails' bracket style; errors as Challonge's."""
    request = None
    if fields is not None:
        request = body({"type": "object", "properties": {fields: {"type": "object"}}}, False)
    o = op(summary, 200, answer, (), request, params=params, idempotent=write and idempotent)
    codes = (401, 404, 413, 422, 503) if write else (401, 404, 422)
    for code in codes:
        o["responses"][str(code)] = {"description": REASONS[code],
                                     "content": {JSON: {"schema": ERRORS}}}  # fmt: skip
    o["security"] = [{"basic": []}, {"bearer": []}]
    o["tags"] = ["Challonge v1"]
    return o


def challonge_paths(prefix: str) -> dict[str, Any]:
    tid, pid, mid = path_param("tid"), path_param("pid"), path_param("mid")
    t, p, m = wrapped("tournament"), wrapped("participant"), wrapped("match")
    ts, ps, ms = ({"type": "array", "items": x} for x in (t, p, m))
    base = prefix + "/tournaments/{tid}"
    people, games = base + "/participants", base + "/matches"
    states = query("state", {"enum": ["all", "pending", "in_progress", "ended"]})
    match_states = query("state", {"enum": ["all", "pending", "open", "complete"]})

    def act(summary: str, *params: dict[str, Any]) -> dict[str, Any]:
        return {"post": call(summary, t, params=[*params, *INCLUDE])}

    return {
        prefix + "/tournaments": {
            "get": call("The caller's tournaments", ts, write=False, params=[states, *INCLUDE]),
            "post": call("Create a tournament (admin)", t, "tournament"),
        },
        base: {
            "get": call("A tournament", t, write=False, params=[tid, *INCLUDE]),
            "put": call("Change a tournament", t, "tournament", params=[tid, *INCLUDE]),
            "delete": call("Delete a tournament", t, params=[tid], idempotent=False),
        },
        base + "/start": act("Start: draw the matches", tid),
        base + "/finalize": act("Finalize a complete tournament: its results stand", tid),
        base + "/reset": act("Back to pending", tid),
        base + "/process_check_ins": act("Drop who has not checked in", tid),
        base + "/abort_check_in": act("Call check-in off: every check-in cleared", tid),
        people: {
            "get": call("Participants", ps, write=False, params=[tid]),
            "post": call("Add a participant", p, "participant", params=[tid]),
        },
        people + "/bulk_add": {"post": call("Add participants", ps, "participants", params=[tid])},
        people + "/randomize": {"post": call("Seeds in a random order", ps, params=[tid])},
        people + "/{pid}": {
            "get": call(
                "A participant",
                p,
                write=False,
                params=[tid, pid, query("include_matches", {"enum": ["0", "1"]})],
            ),
            "put": call("Rename or reseed", p, "participant", params=[tid, pid]),
            "delete": call(
                "Remove (pending) or forfeit every match left (underway)",
                p,
                params=[tid, pid],
                idempotent=False,
            ),
        },
        people + "/{pid}/check_in": {"post": call("Check in", p, params=[tid, pid])},
        people + "/{pid}/undo_check_in": {"post": call("Undo a check-in", p, params=[tid, pid])},
        games: {
            "get": call(
                "Matches",
                ms,
                write=False,
                params=[tid, match_states, query("participant_id", {"type": "string"})],
            )
        },
        games + "/{mid}": {
            "get": call("A match", m, write=False, params=[tid, mid]),
            "put": call(
                "A result (winner_id, or tie) or, scores alone, a live score",
                m,
                "match",
                params=[tid, mid],
            ),
        },
        games + "/{mid}/reopen": {"post": call("Reopen a result", m, params=[tid, mid])},
        games + "/{mid}/mark_as_underway": {
            "post": call("The match is being played", m, params=[tid, mid])
        },
        games + "/{mid}/unmark_as_underway": {
            "post": call("Not being played after all", m, params=[tid, mid])
        },
    }


def archive_paths(t: str, tid: dict[str, Any]) -> dict[str, Any]:
    """The tournament as a file (GET .../export), its CSV tables, and the import."""
    doc = shape("schema", "version", "tournament", "events",
                schema={"const": "tourney.tournament"}, version={"type": "integer"},
                tournament={"type": "object"}, events={"type": "array",
                                                        "items": {"type": "object"}})  # fmt: skip
    csv = {"description": "CSV, a header row first",
           "content": {"text/csv": {"schema": {"type": "string"}}}}  # fmt: skip
    table = path_param("table") | {"schema": {"enum": ["participants", "matches", "standings"]}}
    export_csv = op("One table as CSV", 200, None, (304, 401, 403, 404), secured=False,
                    params=[tid, table])  # fmt: skip
    export_csv["responses"]["200"] = csv
    return {
        t + "/export": {"get": op("The tournament as a file: its state and its event log"
                                  " (manage)", 200, doc, (401, 403, 404, 503), params=[tid])},
        t + "/export/{table}.csv": {"get": export_csv},
        "/api/v1/import": {"post": op("Recreate a tournament from its file (admin)", 201,
                                      ref("Tournament"), (400, 401, 403, 409, 413, 422, 503),
                                      body(doc), idempotent=True)},
    }  # fmt: skip
