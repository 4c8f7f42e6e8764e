"""A whole tournament as one JSON document: its state and the event log that made it.

The document (docs/export.md) is ``{"schema": "tourney.tournament", "version": N, "tournament":
{...}, "events": [{"n", "type", "at", "data"}, ...]}``. ``n`` numbers the tournament's events
from 1; every ``seq`` in the tournament (its own, each match's) is written as the ``n`` of the
event it names, so nothing in the file depends on the server it came from, and the same
tournament exports to the same bytes on any server.

Reading is structured by version: ``UPGRADES[v]`` turns a version-``v`` document into a
version-``v + 1`` one, step by step up to ``VERSION``, so a file written today still imports when
the schema moves on. A document is then checked by replaying its events from nothing: they must
fold without error into exactly the tournament the document holds. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import Invalid
from .events import Event, EventType
from .models import Tournament
from .state import fold

SCHEMA = "tourney.tournament"
VERSION = 2
MAX_EVENTS = 1_000_000


def one_to_two(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 holds a player's FIDE record and byes, and the TRF header lines of an import:
    a version-1 tournament had none of them."""
    held = doc.get("tournament")
    if isinstance(held, dict):
        held = {"trf_header": {}, **held}
        people = held.get("participants")
        if isinstance(people, list):
            held["participants"] = [
                {"fide": None, "byes": [], **p} if isinstance(p, dict) else p for p in people
            ]
    return {**doc, "tournament": held, "version": 2}


# v -> a function from a version-v document to a version-(v + 1) one
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: one_to_two}


@dataclass(frozen=True, slots=True)
class Archive:
    """A checked document: the tournament it holds, and its events (``seq`` is ``n``)."""

    tournament: Tournament
    events: list[Event]


# ---- writing -----------------------------------------------------------------------------------


def document(t: Tournament, log: list[dict[str, Any]]) -> dict[str, Any]:
    """The document for ``t`` (as the store keeps it, ``to_record``) and its event log (each
    ``{"seq", "type", "at", "data"}``, private data included, in seq order, ending at
    ``t.seq``)."""
    local = {int(e["seq"]): n for n, e in enumerate(log, 1)}
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "tournament": portable(t.to_record(), local),
        "events": [
            {"n": n, "type": e["type"], "at": e["at"], "data": e["data"]}
            for n, e in enumerate(log, 1)
        ],
    }


def portable(record: dict[str, Any], local: dict[int, int]) -> dict[str, Any]:
    """``record`` with each seq (the server's global order) as the local ``n``."""
    out = dict(record)
    out["seq"] = local.get(int(record.get("seq", 0)), 0)
    out["matches"] = [{**m, "seq": local.get(int(m.get("seq", 0)), 0)}
                      for m in record.get("matches", [])]  # fmt: skip
    if "reports" in record:  # a referee's last result names the event that decided it
        out["reports"] = {k: {**r, "seq": local.get(int(r.get("seq", 0)), 0)}
                          for k, r in record["reports"].items()}  # fmt: skip
    return out


# ---- reading -----------------------------------------------------------------------------------


def read(doc: Any) -> Archive:
    """The checked archive in ``doc`` (any version this server knows); Invalid if it is not a
    tournament document, is of a version this server does not know, or its events do not make
    the tournament it holds."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise Invalid.field("schema", f"must be {SCHEMA!r}: this is not a tourney export")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise Invalid.field("version", f"must be from 1 to {VERSION}: this server reads those")
    while version < VERSION:
        doc = UPGRADES[version](doc)
        version += 1
    return check(doc)


def check(doc: dict[str, Any]) -> Archive:
    held = doc.get("tournament")
    raw = doc.get("events")
    if not isinstance(held, dict) or not isinstance(held.get("id"), str):
        raise Invalid.field("tournament", "must be the tournament, with its id")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_EVENTS:
        raise Invalid.field("events", f"must list from 1 to {MAX_EVENTS} events")
    tid = held["id"]
    events = [event(tid, n, e) for n, e in enumerate(raw, 1)]
    if events[0].type is not EventType.TOURNAMENT_CREATED:
        raise Invalid.field("events[0]", "must be tournament.created")
    made = replay(tid, events)
    if portable(made.to_record(), {n: n for n in range(len(events) + 1)}) != held:
        raise Invalid.field("tournament", "is not what its events make: the file was changed")
    return Archive(made, events)


def event(tid: str, n: int, e: Any) -> Event:
    where = f"events[{n - 1}]"
    if not isinstance(e, dict) or e.get("n") != n:
        raise Invalid.field(where, f"must be an event numbered {n}")
    if not isinstance(e.get("at"), str) or not isinstance(e.get("data"), dict):
        raise Invalid.field(where, "must have at (a time) and data (an object)")
    try:
        etype = EventType(str(e.get("type")))
    except ValueError:
        raise Invalid.field(where + ".type", "is not an event type of this server") from None
    if etype.about_server or etype is EventType.TOURNAMENT_DELETED:
        raise Invalid.field(where + ".type", f"{etype} is not an event of a tournament's log")
    if etype is EventType.TOURNAMENT_CREATED and n != 1:
        raise Invalid.field(where + ".type", "only the first event creates the tournament")
    return Event(f"{tid}:{n}", n, etype, tid, e["at"], e["data"])


def replay(tid: str, events: list[Event]) -> Tournament:
    """The tournament the events make, folded from nothing; Invalid (naming the event) if one
    does not fold."""
    tournaments: dict[str, Tournament] = {}
    for e in events:
        try:
            fold(tournaments, e)
        except Exception as exc:  # whatever a hand-made file breaks: refused, never a 500
            raise Invalid.field(f"events[{e.seq - 1}]", f"does not apply: {exc!r}") from None
    return tournaments[tid]
