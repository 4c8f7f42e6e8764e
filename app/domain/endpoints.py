"""Webhook endpoints: where deliveries go, what each one wants, and the fold of their events.

An endpoint belongs to one tournament (``tournament_id``) or to the server (None: it hears
every tournament). Its changes are events like everything else (``webhook.created``,
``webhook.updated``, ``webhook.deleted``), stored with no tournament id so that they never
reach a tournament's public event log; deleting a tournament deletes its endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .errors import Invalid
from .events import Event, EventType
from .validation import boolean, obj, only_keys

MAX_URL = 2048
MAX_DESCRIPTION = 200
ALL = "*"
DISCORD_HOSTS = frozenset(
    {"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}
)


class Format(StrEnum):
    STANDARD = "standard"  # Standard Webhooks JSON: {"type", "timestamp", "data"}
    DISCORD = "discord"  # Discord's webhook JSON: {"content": a line for people}


@dataclass(slots=True)
class Endpoint:
    id: str
    tournament_id: str | None
    url: str
    format: Format
    types: list[str]
    secret: str
    description: str = ""
    enabled: bool = True
    disabled_reason: str | None = None
    created_at: str = ""
    updated_at: str = ""
    seq: int = 0  # the last event folded into it

    def wants(self, wtype: str, tid: str) -> bool:
        """An enabled endpoint of this tournament (or of the server) subscribed to ``wtype``."""
        if not self.enabled:
            return False
        if self.tournament_id is not None and self.tournament_id != tid:
            return False
        return ALL in self.types or wtype in self.types

    def public(self) -> dict[str, Any]:
        """The API's shape: everything but the secret (shown once, at creation)."""
        return {
            "id": self.id,
            "tournament_id": self.tournament_id,
            "url": self.url,
            "format": self.format,
            "types": list(self.types),
            "description": self.description,
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def to_doc(self) -> dict[str, Any]:
        return {**self.public(), "secret": self.secret, "seq": self.seq}

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> Endpoint:
        return cls(
            id=d["id"], tournament_id=d.get("tournament_id"), url=d["url"],
            format=Format(d["format"]), types=list(d["types"]), secret=d["secret"],
            description=d.get("description", ""), enabled=bool(d.get("enabled", True)),
            disabled_reason=d.get("disabled_reason"), created_at=d.get("created_at", ""),
            updated_at=d.get("updated_at", ""), seq=int(d.get("seq", 0)),
        )  # fmt: skip


@dataclass
class Endpoints:
    """Every endpoint by id, folded from their events (and tournament deletions)."""

    by_id: dict[str, Endpoint] = field(default_factory=dict)

    def apply(self, e: Event) -> list[str]:
        """Fold ``e`` in; the ids of the endpoints it changed (deleted ones included)."""
        if e.type is EventType.TOURNAMENT_DELETED:
            gone = [x.id for x in self.by_id.values() if x.tournament_id == e.tournament_id]
            for eid in gone:
                del self.by_id[eid]
            return gone
        if not e.type.about_webhooks:
            return []
        d = e.data
        current = self.by_id.get(d["id"])
        if current is not None and e.seq and e.seq <= current.seq:
            return []  # already folded in
        if e.type is EventType.WEBHOOK_CREATED:
            if current is not None:
                return []
            self.by_id[d["id"]] = Endpoint.from_doc(
                {**d, "created_at": e.at, "updated_at": e.at, "seq": e.seq}
            )
        elif current is None:
            return []
        elif e.type is EventType.WEBHOOK_DELETED:
            del self.by_id[d["id"]]
        else:
            self.by_id[d["id"]] = updated(current, d, e)
        return [d["id"]]

    def of(self, tid: str | None) -> list[Endpoint]:
        """A tournament's endpoints (``tid`` None: the server's), oldest first."""
        return [x for x in self.by_id.values() if x.tournament_id == tid]

    def subscribed(self, wtype: str, tid: str) -> list[Endpoint]:
        return [x for x in self.by_id.values() if x.wants(wtype, tid)]


def updated(current: Endpoint, d: dict[str, Any], e: Event) -> Endpoint:
    changes: dict[str, Any] = {k: d[k] for k in ("url", "types", "description") if k in d}
    if "format" in d:
        changes["format"] = Format(d["format"])
    if "enabled" in d:
        changes["enabled"] = bool(d["enabled"])
        changes["disabled_reason"] = None if d["enabled"] else d.get("disabled_reason")
    return replace(current, **changes, updated_at=e.at, seq=e.seq)


# ---- what a request may say ------------------------------------------------------------------


def is_discord(url: str) -> bool:
    """A Discord webhook URL (``https://discord.com/api/webhooks/...``)."""
    parts = urlsplit(url)
    return (parts.hostname or "") in DISCORD_HOSTS and parts.path.startswith("/api/webhooks/")


def check_url(value: Any) -> str:
    """An http(s) URL with a host and no credentials in it."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_URL:
        raise Invalid.field("url", f"must be an http or https URL of at most {MAX_URL} characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise Invalid.field("url", "is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid.field("url", "must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise Invalid.field("url", "must not hold a user name or password")
    if port == 0 or not value.isprintable() or " " in value:
        raise Invalid.field("url", "is not a URL")
    return value


def check_types(value: Any, catalogue: frozenset[str]) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > len(catalogue) + 1:
        raise Invalid.field("types", 'must be a list of event types, or ["*"] for every one')
    out: list[str] = []
    for i, x in enumerate(value):
        if x != ALL and x not in catalogue:
            raise Invalid.field(f"types[{i}]", f"{str(x)[:50]!r} is not a webhook event type")
        if x not in out:
            out.append(x)
    return [ALL] if ALL in out else out


def endpoint_fields(body: Any, catalogue: frozenset[str], partial: bool) -> dict[str, Any]:
    """``{"url", "format", "types", "description", "enabled"}`` checked; ``partial`` for a
    change (only what is given), else a new endpoint with its defaults filled in."""
    body = obj(body, "body")
    only_keys(body, {"url", "format", "types", "description", "enabled"})
    if not partial:
        body = {"types": [ALL], "description": "", "enabled": True, **body}
        body.setdefault("url", None)
    checks: dict[str, Callable[[Any], Any]] = {
        "url": check_url,
        "format": check_format,
        "types": lambda v: check_types(v, catalogue),
        "description": check_description,
        "enabled": lambda v: boolean(v, "enabled"),
    }
    data = {key: check(body[key]) for key, check in checks.items() if key in body}
    if not partial and "format" not in data:
        data["format"] = Format.DISCORD if is_discord(data["url"]) else Format.STANDARD
    if partial and not data:
        raise Invalid("nothing to change: give url, format, types, description or enabled")
    return data


def check_format(value: Any) -> Format:
    if value not in tuple(Format):
        raise Invalid.field("format", "must be standard or discord")
    return Format(value)


def check_description(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise Invalid.field("description", f"must be at most {MAX_DESCRIPTION} characters")
    return value
