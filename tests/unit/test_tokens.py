"""Tokens over time: who may still act, who is told when a token is revoked, when it expires;
and a caller's own space for the ids it chooses."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from app.api.access import hold
from app.auth import ADMIN, Principal, TokenRecord, Tokens, digest


def tokens(expires_in: float | None = None) -> tuple[Tokens, Principal]:
    store = Tokens(digest("admin"))
    expires = None
    if expires_in is not None:
        expires = (datetime.now(UTC) + timedelta(seconds=expires_in)).isoformat()
    store.add(TokenRecord("tok_1", digest("secret"), "t_1", "report", "", "2030-01-01", expires))
    who = store.authenticate("secret")
    assert who is not None and who.token_id == "tok_1"
    return store, who


def test_a_revoked_token_is_refused_and_its_watchers_told_once() -> None:
    store, who = tokens()
    told: list[str] = []
    store.watch("tok_1", told.append)
    assert store.refusal(who) is None
    store.revoke("tok_1", "2030-01-02")
    store.revoke("tok_1", "2030-01-03")
    assert told == ["the token was revoked"]
    assert store.refusal(who) == "the token was revoked"
    assert store.authenticate("secret") is None
    assert store.refusal(ADMIN) is None


def test_an_expired_token_is_refused() -> None:
    store, who = tokens(expires_in=60)
    assert store.refusal(who) is None
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert store.refusal(who, now=later) == "the token has expired"
    left = store.seconds_left(who)
    assert left is not None and 59 < left <= 60
    assert store.seconds_left(ADMIN) is None


def test_a_socket_hold_is_cut_when_the_token_expires_or_is_revoked() -> None:
    async def run() -> tuple[list[str], list[str], list[str]]:
        expiring, who = tokens(expires_in=0.2)
        expired: list[str] = []
        hold(expiring, who, expired.append)
        revoked_store, who2 = tokens()
        revoked: list[str] = []
        hold(revoked_store, who2, revoked.append)
        released: list[str] = []
        release = hold(revoked_store, who2, released.append)
        release()
        revoked_store.revoke("tok_1", "now")
        await asyncio.sleep(0.4)
        return expired, revoked, released

    expired, revoked, released = asyncio.run(run())
    assert expired == ["the token has expired"]
    assert revoked == ["the token was revoked"]
    assert released == []


def test_a_callers_ids_are_its_own() -> None:
    assert ADMIN.own("key-1") == "key-1"
    assert Principal("report", "t_1", "tok_1").own("key-1") == "tok_1:key-1"
    assert Principal("report", "t_1", "tok_2").own("key-1") != "tok_1:key-1"
