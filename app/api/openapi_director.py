"""The director's Swiss and FIDE's TRF in the API description (api/director.py)."""

from __future__ import annotations

from typing import Any

from ..domain.fide import MAX_HEADER_LINES, MAX_HEADER_TEXT
from ..domain.formats.swiss import RELAXED
from .openapi_parts import (
    ACT,
    JSON,
    W,
    body,
    closed,
    op,
    path_param,
    query,
    ref,
    responses,
    shape,
)

DRY_RUN = query("dry_run", {"enum": ["1", "true", "0"]})
DRY_RUN["description"] = "1: answer what the command would do, and change nothing"
ROUND = {"type": "integer", "minimum": 1, "maximum": 64}
TRF_TEXT = {"text/plain": {"schema": {"type": "string"}}}


def schemas() -> dict[str, Any]:
    warning = shape("code", "participants", "message",
                    code={"enum": ["rematch", "repeat_bye", "colour_difference",
                                   "same_colour_three_times"]},
                    participants={"type": "array", "items": {"type": "string"}},
                    message={"type": "string"}, group={"type": "integer"})  # fmt: skip
    matches = {"type": "array", "items": ref("Match")}
    return {
        "Fide": {"type": ["object", "null"], "additionalProperties": False, "properties": {
            "id": {"type": "string", "pattern": "^[0-9]{1,11}$"},
            "federation": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "sex": {"enum": ["m", "w"]},
            "birth": {"type": "string", "pattern": "^[0-9]{4}(/[0-9]{2}/[0-9]{2})?$"}}},
        "Bye": shape(round=ROUND, points={"enum": ["half", "zero"]},
                     reason={"enum": ["requested", "late"]}),
        "TrfHeader": {"type": "object", "maxProperties": MAX_HEADER_LINES,
                      "propertyNames": {"pattern": "^[0-9A-Z]{3}$"},
                      "additionalProperties": {"type": "string", "maxLength": MAX_HEADER_TEXT},
                      "description": "TRF header lines by code (022 city, 102 chief arbiter, "
                                     "122 time control...)"},
        "PairingWarning": warning,
        "Round": shape("round", "matches", "relaxed", "warnings",
                       round=ROUND, matches=matches,
                       relaxed={"enum": list(RELAXED),
                                "description": "what the pairing had to give way on"},
                       warnings={"type": "array", "items": ref("PairingWarning")},
                       removed={"type": "array", "items": {"type": "string"}},
                       by={"enum": ["director", "auto"]}, dry_run={"type": "boolean"}),
        "Swap": shape("round", "players", "warnings", "override",
                      round=ROUND, players={"type": "array", "items": {"type": "string"}},
                      matches=matches, boards={"type": "array"},
                      warnings={"type": "array", "items": ref("PairingWarning")},
                      override={"type": "boolean"}, dry_run={"type": "boolean"}),
    }  # fmt: skip


def paths(t: str) -> dict[str, Any]:
    tid, pid, mid, rnd = (path_param(n) for n in ("tid", "pid", "mid", "round"))
    participant = ref("Participant")
    paired = responses(201, ref("Round"), *W)
    paired["200"] = {"description": "The preview (?dry_run=1)",
                     "content": {JSON: {"schema": ref("Round")}}}  # fmt: skip
    return {
        t + "/rounds": {"post": {
            **op("Pair the next Swiss round (?dry_run=1: preview it)", 201, ref("Round"), W,
                 body(closed([], round=ROUND), required=False), params=[tid, DRY_RUN],
                 idempotent=True),
            "responses": paired}},
        t + "/rounds/{round}": {
            "delete": op("Delete the last round's pairing (before its first result)", 200,
                         shape("round", "removed", round=ROUND,
                               removed={"type": "array", "items": {"type": "string"}}),
                         (*ACT, 422), params=[tid, rnd])},
        t + "/rounds/{round}/re-pair": {
            "post": op("Pair the last round again, as players stand now (?dry_run=1)", 200,
                       ref("Round"), (*ACT, 422), params=[tid, rnd, DRY_RUN], idempotent=True)},
        t + "/rounds/{round}/swap": {
            "post": op("Swap two players' places or colours in a round (?dry_run=1)", 200,
                       ref("Swap"), W,
                       body(closed(["players"], players={"type": "array", "minItems": 2,
                                                         "maxItems": 2,
                                                         "items": {"type": "string"}})),
                       params=[tid, rnd, DRY_RUN], idempotent=True)},
        t + "/matches/{mid}/correct": {
            "post": op("Correct a decided match's result: the organiser's in place; a "
                       "referee's own last result, within the window", 200, ref("Match"), W,
                       body(ref("Result")), params=[tid, mid], idempotent=True)},
        t + "/participants/{pid}/withdraw": {
            "post": op("Withdraw from a Swiss: not paired again until they return", 200,
                       participant, ACT, params=[tid, pid], idempotent=True)},
        t + "/participants/{pid}/return": {
            "post": op("A withdrawn player returns: paired from the next round", 200,
                       participant, ACT, params=[tid, pid], idempotent=True)},
        t + "/participants/{pid}/byes": {
            "post": op("Request byes for future rounds", 201, participant, W,
                       body(closed(["rounds"], rounds={"type": "array", "minItems": 1,
                                                       "maxItems": 64, "items": ROUND},
                                   points={"enum": ["half", "zero"]})),
                       params=[tid, pid], idempotent=True)},
        t + "/participants/{pid}/byes/{round}": {
            "delete": op("Cancel a bye of a round not paired yet", 200, participant,
                         (401, 403, 404, 409, 422, 503), params=[tid, pid, rnd])},
        t + "/export.trf": {"get": {
            "summary": "The tournament as FIDE's TRF-16 (a Swiss or a round robin)",
            "security": [{}, {"bearer": []}], "parameters": [tid],
            "responses": {**responses(200, None, 401, 403, 404, 409),
                          "200": {"description": "TRF-16 text", "content": TRF_TEXT}}}},
        "/api/v1/tournaments/import.trf": {"post": op(
            "A Swiss from a TRF-16 file (admin): the file as text/plain, or JSON", 201,
            ref("Tournament"), W,
            {"required": True, "content": {
                JSON: {"schema": closed(["trf"], trf={"type": "string", "minLength": 1},
                                        name={"type": "string", "minLength": 1,
                                              "maxLength": 200},
                                        visibility={"enum": ["public", "unlisted", "private"]},
                                        settings={"type": "object"})},
                **TRF_TEXT}},
            idempotent=True)},
    }  # fmt: skip


REOPEN_PREVIEW = {
    "live": {"type": "array", "items": {"type": "string"},
             "description": "of the matches reset, those being played live"},
    "warnings": {"type": "array", "items": {"type": "string"}},
}  # fmt: skip
PARTICIPANT = {"fide": ref("Fide"), "byes": {"type": "array", "items": ref("Bye")}}
