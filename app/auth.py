"""Tokens: the admin token and tournament tokens (``manage`` or ``report``), stored as hashes.

Tokens are 192-bit random strings, so a SHA-256 of one is as good as a slow hash and lets a
lookup be a dictionary access; the admin token is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

SCOPES = ("manage", "report")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    hash: str
    tournament_id: str
    scope: str
    label: str
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tournament_id": self.tournament_id,
            "scope": self.scope,
            "label": self.label,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
        }

    def usable(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or datetime.fromisoformat(self.expires_at) > now


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the admin, or a token of one tournament with its scope."""

    kind: str  # "admin" | "manage" | "report"
    tournament_id: str | None = None
    token_id: str | None = None

    def can(self, tid: str, scope: str) -> bool:
        if self.kind == "admin":
            return True
        if self.tournament_id != tid:
            return False
        return self.kind == "manage" or self.kind == scope

    @property
    def id_prefix(self) -> str:
        """What puts a client-chosen id (an Idempotency-Key, a tick's ``id``) in this caller's
        own space: nothing for the admin, the token's id and a colon for a tournament token.
        Two callers' ids never meet, so one can neither replay nor swallow the other's."""
        return "" if self.token_id is None else f"{self.token_id}:"

    def own(self, client_id: str) -> str:
        return self.id_prefix + client_id


ADMIN = Principal("admin")


class Tokens:
    def __init__(self, admin_hash: str) -> None:
        self.admin_hash = admin_hash
        self.by_hash: dict[str, TokenRecord] = {}
        self.by_id: dict[str, TokenRecord] = {}

    def add(self, rec: TokenRecord) -> None:
        self.by_hash[rec.hash] = rec
        self.by_id[rec.id] = rec

    def revoke(self, token_id: str, at: str) -> None:
        rec = self.by_id.get(token_id)
        if rec is not None and rec.revoked_at is None:
            from dataclasses import replace

            self.add(replace(rec, revoked_at=at))

    def authenticate(self, token: str) -> Principal | None:
        h = digest(token)
        if hmac.compare_digest(h, self.admin_hash):
            return ADMIN
        rec = self.by_hash.get(h)
        if rec is None or not rec.usable(datetime.now(UTC)):
            return None
        return Principal(rec.scope, rec.tournament_id, rec.id)
