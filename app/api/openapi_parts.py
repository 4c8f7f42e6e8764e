"""The pieces every part of the OpenAPI document is built from: responses, operations,
parameters and the shapes they share."""

from __future__ import annotations

from typing import Any

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
    "description": "A repeat of the same request by the same caller with the same key returns "
    "the first response and changes nothing. A key is its caller's own: another caller's same "
    "key is another request. The same caller's key on another path or tournament is a 409, "
    "with another body a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]+$"},
}
EXPAND = {
    "name": "expand", "in": "query", "required": False, "schema": {"enum": ["participants"]},
    "description": "participants: each slot carries its participant (id, name, seed, rating,"
    " status) as slots[i].participant, so a bot needs no second lookup",
}  # fmt: skip
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
