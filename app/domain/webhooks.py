"""What the stream's events mean for webhooks: the catalogue of webhook event types, and an
``Observer`` that folds events into its own copy of the tournaments and names the messages each
one calls for.

``CATALOGUE`` is the one table: a webhook type → the change it follows (a stream event, or a
change seen by folding, such as a match becoming ready) → its payload's data → its line for
people (the Discord format). A type whose stream event arrives later is one more row, e.g.
``"match.called": Row(on(EventType.MATCH_CALLED, "match_id"), match_data,
said("Called: {match}"))``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .endpoints import Format
from .events import Event, EventType
from .formats import get_format
from .models import MatchState, Tournament
from .names import expanded, names, round_label
from .state import fold

DISCORD_MAX = 2000
MAX_LISTED = 20
MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|>"})


@dataclass(frozen=True, slots=True)
class Change:
    """One event folded in: the tournament after it, and each changed match's (before, after)."""

    event: Event
    t: Tournament
    moved: dict[str, tuple[MatchState | None, MatchState]]


Picker = Callable[[Change], list[str]]  # the subjects (a match, a participant, "": the tournament)
Data = Callable[[Tournament, str, Event], dict[str, Any]]
Text = Callable[[Tournament, str, Event], str]


@dataclass(frozen=True, slots=True)
class Row:
    picks: Picker
    data: Data
    text: Text


@dataclass(frozen=True, slots=True)
class Notification:
    """One webhook message: ``msg_id`` is the same for every endpoint and every retry."""

    type: str
    msg_id: str
    tournament_id: str
    seq: int
    at: str
    data: dict[str, Any]
    text: str

    def doc(self) -> dict[str, Any]:
        return {"type": self.type, "timestamp": self.at, "data": self.data, "text": self.text}


# ---- what a row follows ----------------------------------------------------------------------


def on(etype: EventType, subject: str = "") -> Picker:
    """Follows the stream event ``etype``; its subject is the id at ``data[subject]`` (a match
    or a participant), else the tournament itself."""

    def pick(c: Change) -> list[str]:
        if c.event.type is not etype:
            return []
        return [str(c.event.data[subject])] if subject else [""]

    return pick


def became(state: MatchState) -> Picker:
    """Follows the matches an event moved into ``state`` (seen by folding the event in)."""

    def pick(c: Change) -> list[str]:
        return [mid for mid, (old, new) in c.moved.items() if new is state and old is not state]

    return pick


# ---- payload data ----------------------------------------------------------------------------


def brief(t: Tournament) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "format": t.format, "state": t.state}


def tournament_data(t: Tournament, subject: str, e: Event) -> dict[str, Any]:
    summary = t.summary()
    summary["participants_count"] = len(t.participants)
    return {"tournament": summary, "champion": champion(t)}


def participant_data(t: Tournament, pid: str, e: Event) -> dict[str, Any]:
    """The participant, or a sign-up holding no place yet (waiting, awaiting approval)."""
    p = t.participants.get(pid)
    entry = t.day.entries.get(pid)
    who = p.to_dict() if p is not None else entry.to_dict() if entry is not None else {"id": pid}
    return {"tournament": brief(t), "participant": who}


def added_data(t: Tournament, subject: str, e: Event) -> dict[str, Any]:
    ids = [p["id"] for p in e.data["participants"]]
    added = [t.participants[i].to_dict() for i in ids if i in t.participants]
    return {"tournament": brief(t), "participants": added}


def match_data(t: Tournament, mid: str, e: Event) -> dict[str, Any]:
    """The match with its participants written out and its round's name; no live detail (the
    observer does not fold live score ticks)."""
    m = expanded(t, t.matches[mid])
    del m["live"]
    m["label"] = round_label(t, t.matches[mid])
    return {"tournament": brief(t), "match": m}


def round_data(t: Tournament, subject: str, e: Event) -> dict[str, Any]:
    return {"tournament": brief(t), "round": e.data["round"], "pairings": len(e.data["matches"])}


def paired_line(t: Tournament, subject: str, e: Event) -> str:
    n = len(e.data["matches"])
    return f"Round {e.data['round']} of {md(t.name)} is paired: {n} pairing{'s' * (n != 1)}."


def champion(t: Tournament) -> dict[str, Any] | None:
    if t.state != "complete":
        return None
    table = get_format(t.format).standings(t)
    if not table or table[0].get("rank") != 1:
        return None
    return {"id": table[0]["participant_id"], "name": table[0]["name"]}


# ---- lines for people ------------------------------------------------------------------------


def md(name: str | None) -> str:
    """A name as Discord shows it literally (its markdown characters escaped)."""
    return (name or "TBD").translate(MARKDOWN)


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def match_line(t: Tournament, mid: str) -> str:
    """``Lag Lords v Ping Pongers · Winners semifinal · Station 4``."""
    m = t.matches[mid]
    a, b = (md(n) for n in names(t, m))
    return " · ".join(filter(None, [f"{a} v {b}", round_label(t, m), station(m.to_dict())]))


def station(d: dict[str, Any]) -> str:
    """The station a match is called to, if the match JSON names one."""
    s = d.get("station")
    name = s.get("name") if isinstance(s, dict) else s
    if isinstance(name, int | float) and not isinstance(name, bool):
        return f"Station {number(name)}"
    if isinstance(name, str) and name.strip():
        return f"Station {name}" if name.isdigit() else md(name)
    return ""


def result_line(t: Tournament, mid: str, e: Event) -> str:
    """``Lag Lords 2-1 Ping Pongers · Winners semifinal · Station 4 · Friday Cup``."""
    m = t.matches[mid]
    a, b = (md(n) for n in names(t, m))
    if m.result == "double_forfeit":
        head = f"{a} and {b} both forfeit"
    elif m.result == "forfeit":
        won, lost = (a, b) if m.winner_id == m.participants[0] else (b, a)
        head = f"{won} wins by forfeit against {lost}"
    elif m.scores is not None:
        head = f"{a} {number(m.scores[0])}-{number(m.scores[1])} {b}"
        head += " (draw)" if m.result == "draw" else ""
    else:
        won, lost = (a, b) if m.winner_id == m.participants[0] else (b, a)
        head = f"{won} beat {lost}"
    return " · ".join(filter(None, [head, round_label(t, m), station(m.to_dict()), md(t.name)]))


def corrected_line(t: Tournament, mid: str, e: Event) -> str:
    """``Corrected: Lag Lords 2-0 Ping Pongers · ...``: a referee fixed the result it sent."""
    return "Corrected: " + result_line(t, mid, e)


def said(template: str) -> Text:
    """A line from ``template``: ``{tournament}``, ``{participant}`` (the subject), ``{match}``
    (the subject as ``A v B · round · station``)."""

    def text(t: Tournament, subject: str, e: Event) -> str:
        p = t.participants.get(subject) or t.day.entries.get(subject)
        return template.format(
            tournament=md(t.name),
            participant=md(p.name) if p is not None else "",
            match=match_line(t, subject) if subject in t.matches else "",
        )

    return text


def started_line(t: Tournament, subject: str, e: Event) -> str:
    fmt = t.format.replace("_", " ")
    return f"{md(t.name)} has started: {len(t.participants)} participants, {fmt}."


def completed_line(t: Tournament, subject: str, e: Event) -> str:
    won = champion(t)
    return f"{md(t.name)} is complete." + (f" Champion: {md(won['name'])}" if won else "")


def added_line(t: Tournament, subject: str, e: Event) -> str:
    added = [md(p["name"]) for p in e.data["participants"]]
    if len(added) == 1:
        return f"{added[0]} joined {md(t.name)}."
    more = len(added) - MAX_LISTED
    listed = ", ".join(added[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")
    return f"{len(added)} joined {md(t.name)}: {listed}"


# ---- the catalogue ---------------------------------------------------------------------------

CATALOGUE: dict[str, Row] = {
    "tournament.created": Row(on(EventType.TOURNAMENT_CREATED), tournament_data,
                              said("New tournament: {tournament}")),
    "tournament.started": Row(on(EventType.TOURNAMENT_STARTED), tournament_data, started_line),
    "participant.added": Row(on(EventType.PARTICIPANT_ADDED), added_data, added_line),
    "participant.disqualified": Row(on(EventType.PARTICIPANT_DISQUALIFIED, "participant_id"),
                                    participant_data,
                                    said("{participant} was disqualified from {tournament}.")),
    "match.result": Row(on(EventType.MATCH_RESULT, "match_id"), match_data, result_line),
    "match.corrected": Row(on(EventType.MATCH_CORRECTED, "match_id"), match_data,
                           corrected_line),
    "match.reopened": Row(on(EventType.MATCH_REOPENED, "match_id"), match_data,
                          said("Reopened: {match} · {tournament}")),
    "match.ready": Row(became(MatchState.READY), match_data, said("Ready: {match} · {tournament}")),
    "tournament.completed": Row(on(EventType.TOURNAMENT_COMPLETED), tournament_data,
                                completed_line),
    "tournament.reset": Row(on(EventType.TOURNAMENT_RESET), tournament_data,
                            said("{tournament} was reset: a new draw is coming.")),
    "match.called": Row(on(EventType.MATCH_CALLED, "match_id"), match_data,
                        said("Called: {match} · {tournament}")),
    "participant.signed_up": Row(on(EventType.PARTICIPANT_SIGNED_UP, "participant_id"),
                                 participant_data,
                                 said("{participant} signed up for {tournament}.")),
    "participant.checked_in": Row(on(EventType.PARTICIPANT_CHECKED_IN, "participant_id"),
                                  participant_data,
                                  said("{participant} checked in to {tournament}.")),
    "participant.promoted": Row(on(EventType.PARTICIPANT_PROMOTED, "participant_id"),
                                participant_data,
                                said("{participant} has a place in {tournament} now.")),
    "participant.withdrawn": Row(on(EventType.PARTICIPANT_WITHDRAWN, "participant_id"),
                                 participant_data,
                                 said("{participant} withdrew from {tournament}.")),
    "round.paired": Row(on(EventType.ROUND_PAIRED), round_data, paired_line),
    "tournament.finalized": Row(on(EventType.TOURNAMENT_FINALIZED), tournament_data,
                                said("The results of {tournament} are final.")),
}  # fmt: skip

TYPES = frozenset(CATALOGUE)


def message_id(e: Event, wtype: str, subject: str) -> str:
    """The same for the same (event, type, subject): a redelivered event makes the same
    message, which the outbox stores once and receivers deduplicate by ``webhook-id``."""
    digest = hashlib.sha256(f"{e.id}|{wtype}|{subject}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


class Observer:
    """Its own copy of the tournaments, folded event by event, and the messages each event
    calls for, in catalogue order (a result, then the matches it made ready)."""

    def __init__(self, tournaments: dict[str, Tournament]) -> None:
        self.tournaments = tournaments
        self.states: dict[str, dict[str, MatchState]] = {
            tid: {mid: m.state for mid, m in t.matches.items()} for tid, t in tournaments.items()
        }

    def forget(self, tid: str) -> None:
        """Let go of a tournament (it is idle; SQLite holds it)."""
        self.tournaments.pop(tid, None)
        self.states.pop(tid, None)

    def adopt(self, t: Tournament) -> None:
        """Hold ``t`` again, as its stored events made it."""
        self.tournaments[t.id] = t
        self.states[t.id] = {mid: m.state for mid, m in t.matches.items()}

    def observe(self, e: Event) -> list[Notification]:
        """Fold ``e`` in (live score ticks and server events are not folded: no message
        follows them); the messages it calls for."""
        if e.type is EventType.MATCH_LIVE or e.type.about_server:
            return []
        changed = fold(self.tournaments, e)
        if changed is None:
            return []
        tid = e.tournament_id
        if e.type is EventType.TOURNAMENT_DELETED:
            self.states.pop(tid, None)
            return []
        t = self.tournaments[tid]
        if e.type is EventType.TOURNAMENT_STARTED or e.type is EventType.TOURNAMENT_CREATED:
            changed = list(t.matches)
        states = self.states.setdefault(tid, {})
        for mid in e.data.get("removed", ()):  # a Swiss round deleted or paired again
            states.pop(mid, None)
        moved: dict[str, tuple[MatchState | None, MatchState]] = {}
        for mid in dict.fromkeys(changed):  # a match may be named twice
            if mid in t.matches:
                moved[mid] = (states.get(mid), t.matches[mid].state)
                states[mid] = t.matches[mid].state
        return messages(Change(e, t, moved))


def messages(c: Change) -> list[Notification]:
    out = []
    e, t = c.event, c.t
    for wtype, row in CATALOGUE.items():
        for subject in row.picks(c):
            data, text = row.data(t, subject, e), row.text(t, subject, e)
            out.append(Notification(wtype, message_id(e, wtype, subject), t.id, e.seq, e.at,
                                    data, text))  # fmt: skip
    return out


# ---- the bodies sent -------------------------------------------------------------------------


def standard_body(doc: dict[str, Any]) -> dict[str, Any]:
    """Standard Webhooks' payload: ``{"type", "timestamp", "data"}``, the line in ``data.text``."""
    return {"type": doc["type"], "timestamp": doc["timestamp"],
            "data": {**doc["data"], "text": doc["text"]}}  # fmt: skip


def discord_body(doc: dict[str, Any]) -> dict[str, Any]:
    """Discord's webhook JSON: the line as ``content``; no @mentions, whatever names say."""
    text = doc["text"]
    if len(text) > DISCORD_MAX:
        text = text[: DISCORD_MAX - 1] + "…"
    return {"content": text, "allowed_mentions": {"parse": []}}


def payload(fmt: Format, doc: dict[str, Any]) -> dict[str, Any]:
    """What is sent for a message (``Notification.doc``) to an endpoint of format ``fmt``."""
    return discord_body(doc) if fmt is Format.DISCORD else standard_body(doc)
