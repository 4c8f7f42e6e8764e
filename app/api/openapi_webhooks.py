"""The webhook endpoints and their delivery logs in the OpenAPI document (openapi.py)."""

from __future__ import annotations

from typing import Any

from ..domain.endpoints import ALL, MAX_DESCRIPTION, MAX_URL, Format
from ..domain.webhooks import TYPES
from .openapi_parts import NULLABLE_STR, W, body, closed, op, path_param, query, ref, shape


def schemas() -> dict[str, Any]:
    fields = {
        "url": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_URL,
            "description": "http or https; a private or local address is refused unless"
            " webhooks.allowed_networks allows it",
        },
        "format": {
            "enum": list(Format),
            "description": "standard (Standard Webhooks JSON) or discord ({content});"
            " by default discord for a Discord webhook URL",
        },
        "types": {
            "type": "array",
            "minItems": 1,
            "items": {"enum": [ALL, *sorted(TYPES)]},
            "description": '["*"] (the default): every type, later ones included',
        },
        "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
        "enabled": {"type": "boolean"},
    }
    counts = shape(
        pending={"type": "integer"}, delivered={"type": "integer"}, failed={"type": "integer"}
    )
    return {
        "WebhookIn": closed(["url"], **fields),
        "WebhookPatch": closed([], **fields),
        "Webhook": shape(
            "id", "tournament_id", "url", "format", "types", "description", "enabled",
            "disabled_reason", "created_at", "updated_at", "deliveries",
            **fields, id={"type": "string"}, tournament_id=NULLABLE_STR,
            disabled_reason=NULLABLE_STR, created_at={"type": "string"},
            updated_at={"type": "string"}, deliveries=counts,
            secret={"type": "string", "description": "whsec_...: only in the answer that created"
                                                     " it"},
        ),
        "Delivery": shape(
            "id", "type", "event_seq", "status", "attempts", "created_at", "next_attempt_at",
            "last_status", "last_error", "payload",
            id={"type": "string", "description": "the webhook-id header"},
            type={"enum": sorted(TYPES)}, event_seq={"type": "integer"},
            status={"enum": ["pending", "delivered", "failed"]},
            attempts={"type": "integer"}, created_at={"type": "string"},
            first_attempt_at=NULLABLE_STR, last_attempt_at=NULLABLE_STR,
            next_attempt_at=NULLABLE_STR, finished_at=NULLABLE_STR,
            last_status={"type": ["integer", "null"]}, last_error=NULLABLE_STR,
            payload={"type": "object"},
        ),
    }  # fmt: skip


def paths(base: str, who: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    """A tournament's webhook endpoints (``who``: its manage token) or the server's (admin)."""
    wid = [*params, path_param("wid")]
    one = ref("Webhook")
    log = shape(
        "items",
        "next_cursor",
        items={"type": "array", "items": ref("Delivery")},
        next_cursor=NULLABLE_STR,
    )
    return {
        base: {
            "get": op(f"Webhook endpoints ({who})", 200,
                      shape("items", items={"type": "array", "items": one}), (401, 403, 404),
                      params=params),
            "post": op(f"Add a webhook endpoint ({who}); the answer holds its secret, once",
                       201, one, W, body(ref("WebhookIn")), params=params, idempotent=True),
        },
        base + "/{wid}": {
            "get": op("One webhook endpoint, its deliveries counted", 200, one,
                      (401, 403, 404), params=wid),
            "patch": op("Change it; enabled: false stops it, true sends what waited", 200, one,
                        W, body(ref("WebhookPatch")), params=wid, idempotent=True),
            "delete": op("Delete it and its deliveries", 204, None, (401, 403, 404, 409, 503),
                         params=wid),
        },
        base + "/{wid}/deliveries": {
            "get": op("Its delivery log, newest first", 200, log, (401, 403, 404, 422),
                      params=[*wid, query("status", {"enum": ["pending", "delivered",
                                                              "failed"]}),
                              query("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                              query("cursor", {"type": "integer", "minimum": 1})]),
        },
    }  # fmt: skip
