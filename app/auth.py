"""Tokens: the admin token, tournament tokens (``manage`` or ``report``) and participant links,
all stored as hashes.

Tokens are 192-bit random strings, so a SHA-256 of one is as good as a slow hash and lets a
lookup be a dictionary access; the admin token is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .domain.events import EventType


class Scope(StrEnum):
    """What a tournament token may do: ``manage`` runs the tournament; ``report`` (a referee)
    may only report results and live scores; ``participant`` (a participant link) may see its
    own entry, check in and withdraw its sign-up."""

    MANAGE = "manage"
    REPORT = "report"
    PARTICIPANT = "participant"


TOKEN_SCOPES = (Scope.MANAGE, Scope.REPORT)  # the scopes POST /api/v1/tokens makes


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
    station_id: str | None = None  # a referee's token at one station

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tournament_id": self.tournament_id,
            "scope": self.scope,
            "label": self.label,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "station_id": self.station_id,
        }

    def usable(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or datetime.fromisoformat(self.expires_at) > now


LINK_KEY = "link:"  # what a participant link's sockets are watched under (beside token ids)
LINK_REPLACED = "the participant link was replaced"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the admin, or a token of one tournament with its scope."""

    scope: Scope | None  # None: the admin
    tournament_id: str | None = None
    token_id: str | None = None
    participant_id: str | None = None  # a participant link's participant
    link: str | None = None  # a participant link's hash

    @property
    def admin(self) -> bool:
        return self.scope is None

    def can(self, tid: str, scope: Scope) -> bool:
        if self.scope is None:
            return True
        if self.tournament_id != tid:
            return False
        return self.scope is Scope.MANAGE or self.scope is scope

    @property
    def id_prefix(self) -> str:
        """What puts a client-chosen id (an Idempotency-Key, a tick's ``id``) in this caller's
        own space: nothing for the admin, the token's id and a colon for a tournament token, the
        tournament and participant for a participant link. Two callers' ids never meet, so one
        can neither replay nor swallow the other's."""
        if self.token_id is not None:
            return f"{self.token_id}:"
        if self.participant_id is not None:
            return f"{self.tournament_id}/{self.participant_id}:"
        return ""

    def own(self, client_id: str) -> str:
        return self.id_prefix + client_id


ADMIN = Principal(None)

Lost = Callable[[str], object]  # told why a token stopped working


Resolver = Callable[[str, str], str | None]


class Tokens:
    def __init__(self, admin_hash: str) -> None:
        self.admin_hash = admin_hash
        self.by_hash: dict[str, TokenRecord] = {}
        self.by_id: dict[str, TokenRecord] = {}
        self.watchers: dict[str, set[Lost]] = {}  # token id -> who holds it open
        # participant links: hash -> tournament; the tournament itself says whose link it is
        # still (``resolve_link(tid, hash)``: a participant id, or None for a replaced link)
        self.link_tournaments: dict[str, str] = {}
        self.resolve_link: Resolver = lambda tid, h: None

    def add(self, rec: TokenRecord) -> None:
        self.by_hash[rec.hash] = rec
        self.by_id[rec.id] = rec

    def revoke(self, token_id: str, at: str) -> None:
        rec = self.by_id.get(token_id)
        if rec is not None and rec.revoked_at is None:
            self.add(replace(rec, revoked_at=at))
        for lost in list(self.watchers.pop(token_id, ())):
            lost("the token was revoked")

    def links_changed(self, tid: str) -> None:
        """Tournament ``tid`` changed: the sockets opened with one of its participant links
        that no longer works (replaced, its participant gone) lose it."""
        for key in [k for k in self.watchers if k.startswith(LINK_KEY)]:
            h = key.removeprefix(LINK_KEY)
            if self.link_tournaments.get(h) == tid and self.resolve_link(tid, h) is None:
                for lost in list(self.watchers.pop(key, ())):
                    lost(LINK_REPLACED)

    def watch(self, token_id: str, lost: Lost) -> Callable[[], None]:
        """Have ``lost`` called when the token is revoked; returns what stops watching."""
        self.watchers.setdefault(token_id, set()).add(lost)

        def unwatch() -> None:
            held = self.watchers.get(token_id)
            if held is not None:
                held.discard(lost)
                if not held:
                    del self.watchers[token_id]

        return unwatch

    def refusal(self, who: Principal, now: datetime | None = None) -> str | None:
        """Why ``who`` may no longer act (revoked, expired, a link replaced), or None while it
        may."""
        if who.link is not None:
            held = self.resolve_link(who.tournament_id or "", who.link)
            return None if held == who.participant_id else LINK_REPLACED
        if who.token_id is None:
            return None  # the admin's token lives as long as the process's configuration
        rec = self.by_id.get(who.token_id)
        if rec is None:
            return "the token is not known"
        if rec.revoked_at is not None:
            return "the token was revoked"
        if not rec.usable(now or datetime.now(UTC)):
            return "the token has expired"
        return None

    def seconds_left(self, who: Principal, now: datetime | None = None) -> float | None:
        """Seconds until ``who``'s token expires; None if it never does."""
        rec = self.by_id.get(who.token_id or "")
        if rec is None or rec.expires_at is None:
            return None
        left = datetime.fromisoformat(rec.expires_at) - (now or datetime.now(UTC))
        return left.total_seconds()

    def apply(self, etype: EventType, data: dict[str, Any], at: str) -> None:
        """Fold a token event (``token.created``, ``token.revoked``) in."""
        if etype is EventType.TOKEN_CREATED:
            self.add(TokenRecord(**data, created_at=at))
        elif etype is EventType.TOKEN_REVOKED:
            self.revoke(data["id"], at)

    def authenticate(self, token: str) -> Principal | None:
        h = digest(token)
        if hmac.compare_digest(h, self.admin_hash):
            return ADMIN
        rec = self.by_hash.get(h)
        if rec is None:
            return self._participant(h)
        if not rec.usable(datetime.now(UTC)):
            return None
        return Principal(Scope(rec.scope), rec.tournament_id, rec.id)

    def _participant(self, h: str) -> Principal | None:
        tid = self.link_tournaments.get(h)
        pid = self.resolve_link(tid, h) if tid is not None else None
        if tid is None or pid is None:
            return None
        return Principal(Scope.PARTICIPANT, tid, participant_id=pid, link=h)
