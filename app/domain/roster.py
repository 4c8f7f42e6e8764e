"""The roster before the start, beyond sign-up: a check-in taken back, check-in called off,
no-shows dropped ahead of the start, and every seed set at once.

Each command checks the request against the tournament and returns its event's data; each fold
applies that data. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from . import signup
from .errors import Conflict, Invalid
from .eventday import Entry
from .models import Participant, Tournament
from .validation import obj, only_keys

# ---- the commands ------------------------------------------------------------------------------


def undo_check_in(t: Tournament, pid: str) -> dict[str, Any]:
    """A participant or a waiting player marked as not here after all."""
    signup.pending_only(t, "a check-in can be undone")
    who = signup.holder(t, pid)
    if who.checked_in_at is None:
        raise Conflict("not checked in")
    return {"participant_id": pid}


def abort_check_in(t: Tournament) -> dict[str, Any]:
    """Check-in called off: every check-in cleared, the window closed and its schedule gone
    (so the clock does not open it again)."""
    signup.pending_only(t, "check-in can be called off")
    day = t.day
    checked = [p.id for p in t.participants.values() if p.checked_in_at is not None]
    checked += [e.id for e in day.entries.values() if e.checked_in_at is not None]
    if day.check_in_opened_at is None and day.check_in_minutes is None and not checked:
        raise Conflict("check-in is not open")
    return {"cleared": checked}


def process_check_ins(t: Tournament) -> dict[str, Any]:
    """What the start would do to the roster, done now: the participants who did not check in
    leave, checked-in players from the waiting list take their places, seeds close up."""
    signup.pending_only(t, "check-ins can be processed")
    if t.day.check_in_opened_at is None:
        raise Conflict("check-in is not open: open it first")
    plan = signup.start_plan(t)
    if not plan["seeding"]:
        raise Conflict("nobody has checked in")
    return plan


def reseed(t: Tournament, body: Any) -> dict[str, Any]:
    """``{"order": [pid, ...]}``: every participant, in the order of their new seeds."""
    signup.pending_only(t, "seeds can change")
    body = obj(body, "body")
    only_keys(body, {"order"})
    order = body.get("order")
    if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
        raise Invalid.field("order", "must be a list of participant ids")
    if sorted(order) != sorted(t.participants) or len(set(order)) != len(order):
        raise Invalid.field("order", "must name every participant once")
    return {"order": order}


# ---- the folds ---------------------------------------------------------------------------------


def fold_check_in_undone(t: Tournament, d: dict[str, Any]) -> None:
    signup.holder(t, d["participant_id"]).checked_in_at = None


def fold_check_in_aborted(t: Tournament, d: dict[str, Any]) -> None:
    day = t.day
    day.check_in_opened_at = None
    day.check_in_minutes = None
    for pid in d["cleared"]:
        who: Participant | Entry | None = t.participants.get(pid) or day.entries.get(pid)
        if who is not None:
            who.checked_in_at = None


def fold_check_in_processed(t: Tournament, d: dict[str, Any], at: str) -> None:
    signup.fold_start_roster(t, d, at)


def fold_reseeded(t: Tournament, d: dict[str, Any]) -> None:
    for i, pid in enumerate(d["order"]):
        t.participants[pid].seed = i + 1
