"""Sign-up, the waiting list and check-in: decide functions (pure, with the time passed in as
``Input.now``) and the fold of their events.

- A sign-up takes a place while the tournament has one (``capacity``; none: no limit), else joins
  the waiting list; with ``approval`` on it waits for the organiser first. Places freed before the
  start go to the waiting list, first in line first (``promotion``, a follow-up).
- Check-in opens ``minutes_before`` the scheduled start, or when the organiser opens it. At the
  start, if check-in was opened, participants who did not check in are dropped and their places
  go to the waiting list's checked-in players, in order (``start_plan``).
"""

from __future__ import annotations

import hmac
from typing import Any

from .errors import Conflict, Invalid, NotFound
from .eventday import Entry, EntryStatus, Seeding, reached
from .events import EventType
from .models import Participant, ParticipantStatus, Tournament, TournamentState
from .validation import boolean, number, obj, only_keys, text, when, whole

MAX_PARTICIPANTS = 4096
MAX_ENTRIES = 4096  # sign-ups that hold no place (pending, waiting, turned away)
MAX_CODE = 64
MAX_CHECK_IN_MINUTES = 7 * 24 * 60
LIVE = (EntryStatus.PENDING, EntryStatus.WAITING)  # entries that may still get a place


def has_place(t: Tournament) -> bool:
    """A new sign-up (or the head of the waiting list) may take a place now."""
    cap = t.day.capacity
    return len(t.participants) < min(cap or MAX_PARTICIPANTS, MAX_PARTICIPANTS)


def taken_names(t: Tournament) -> set[str]:
    """Names in use: the participants' and those of sign-ups that may still get a place."""
    live = (e.name for e in t.day.entries.values() if e.status in LIVE)
    return {n.casefold() for n in (*(p.name for p in t.participants.values()), *live)}


def signup_open(t: Tournament, now: str) -> str | None:
    """Why the sign-up is closed, or None when it is open."""
    if t.state is not TournamentState.PENDING:
        return "the tournament has started: the sign-up is over"
    if not t.day.signup["enabled"]:
        return "this tournament takes no sign-ups"
    if reached(t.day.signup["closes_at"], now):
        return f"the sign-up closed at {t.day.signup['closes_at']}"
    return None


# ---- settings (part of tournament.created and tournament.updated) ------------------------------


def signup_settings(t: Tournament | None, raw: Any, data: dict[str, Any]) -> None:
    """``{"enabled", "code", "closes_at", "capacity", "approval", "seeding"}``, merged over the
    current settings into ``data["signup"]`` (the code, private, into ``data["signup_code"]``)."""
    raw = obj(raw, "signup")
    only_keys(raw, {"enabled", "code", "closes_at", "capacity", "approval", "seeding"}, "signup.")
    out = dict(t.day.signup) if t is not None else {}
    for key in ("enabled", "approval"):
        if key in raw:
            out[key] = boolean(raw[key], f"signup.{key}")
    if "closes_at" in raw:
        out["closes_at"] = (
            None if raw["closes_at"] is None else when(raw["closes_at"], "signup.closes_at")
        )
    if "capacity" in raw:
        out["capacity"] = capacity(t, raw["capacity"])
    if "seeding" in raw:
        if raw["seeding"] not in tuple(Seeding):
            raise Invalid.field("signup.seeding", "must be manual or rating")
        out["seeding"] = Seeding(raw["seeding"])
    if "code" in raw:
        code = raw["code"]
        data["signup_code"] = None if code is None else text(code, "signup.code", MAX_CODE)
    data["signup"] = out


def capacity(t: Tournament | None, value: Any) -> int | None:
    if value is None:
        return None
    cap = whole(value, "signup.capacity", 2, MAX_PARTICIPANTS)
    if t is not None and cap < len(t.participants):
        raise Invalid.field("signup.capacity", f"{len(t.participants)} participants hold places")
    return cap


def check_in_settings(raw: Any, data: dict[str, Any]) -> None:
    raw = obj(raw, "check_in")
    only_keys(raw, {"minutes_before"}, "check_in.")
    minutes = raw.get("minutes_before")
    if minutes is not None:
        minutes = whole(minutes, "check_in.minutes_before", 0, MAX_CHECK_IN_MINUTES)
    data["check_in"] = {"minutes_before": minutes}


def apply_settings(t: Tournament, d: dict[str, Any]) -> None:
    """Fold the event-day settings of ``tournament.created`` or ``tournament.updated``."""
    day = t.day
    if "signup" in d:
        if d["signup"].get("closes_at") != day.signup.get("closes_at"):
            day.closed_at = None  # a new closing time: closed again when it comes
        day.signup = {**day.signup, **d["signup"]}
        day.signup["seeding"] = Seeding(day.signup["seeding"])
    if "signup_code" in d:
        day.code = d["signup_code"]
    if "check_in" in d:
        day.check_in_minutes = d["check_in"]["minutes_before"]
    if "starts_at" in d:
        day.starts_at = d["starts_at"]


# ---- the player's commands ---------------------------------------------------------------------


def sign_up(t: Tournament, body: Any, now: str, pid: str, link_hash: str) -> dict[str, Any]:
    """``{"name", "rating", "code"}`` from the public page: a place, the waiting list, or (with
    approval on) the organiser's queue."""
    closed = signup_open(t, now)
    if closed:
        raise Conflict(closed)
    body = obj(body, "body")
    only_keys(body, {"name", "rating", "code"})
    code = t.day.code
    given = body.get("code")
    if code is not None and not (
        isinstance(given, str) and hmac.compare_digest(given.strip().encode(), code.encode())
    ):
        raise Invalid.field("code", "is not this tournament's sign-up code")
    name = text(body.get("name"), "name")
    if name.casefold() in taken_names(t):
        raise Invalid.field("name", f"{name!r} is already signed up")
    rating = body.get("rating")
    if rating is not None:
        rating = number(rating, "rating", -1e6, 1e6)
    if sum(e.status in LIVE for e in t.day.entries.values()) >= MAX_ENTRIES:
        raise Conflict("the sign-up list is full")
    if t.day.signup["approval"]:
        status = EntryStatus.PENDING.value
    else:
        status = "active" if has_place(t) and not t.day.waitlist else EntryStatus.WAITING.value
    return {
        "participant_id": pid,
        "name": name,
        "rating": rating,
        "status": status,
        "token_hash": link_hash,
    }


def holder(t: Tournament, pid: str) -> Participant | Entry:
    """The participant or the sign-up ``pid`` (NotFound if neither)."""
    found = t.participants.get(pid) or t.day.entries.get(pid)
    if found is None:
        raise NotFound(f"no participant or sign-up {pid!r} in this tournament")
    return found


def pending_only(t: Tournament, what: str) -> None:
    if t.state is not TournamentState.PENDING:
        raise Conflict(f"{what} only before the start")


def check_in(t: Tournament, pid: str, by: str, now: str) -> dict[str, Any]:
    """A participant or a waiting player is here. Players check in while check-in is open; the
    organiser may check anyone in before the start."""
    pending_only(t, "check-in is possible")
    who = holder(t, pid)
    if by == "participant" and t.day.check_in_opened_at is None:
        opens = t.day.check_in_opens_at()
        raise Conflict(f"check-in opens at {opens}" if opens else "check-in is not open yet")
    if isinstance(who, Entry) and who.status is not EntryStatus.WAITING:
        raise Conflict(f"a sign-up that is {who.status} cannot check in")
    if isinstance(who, Participant) and who.status is not ParticipantStatus.ACTIVE:
        raise Conflict(f"the participant is {who.status}")
    if who.checked_in_at is not None:
        raise Conflict(f"already checked in at {who.checked_in_at}")
    return {"participant_id": pid, "by": by}


def withdraw(t: Tournament, pid: str) -> dict[str, Any]:
    """A player takes back their sign-up before the start; a place freed goes to the waiting
    list."""
    pending_only(t, "a sign-up can be withdrawn")
    who = holder(t, pid)
    if isinstance(who, Entry) and who.status not in LIVE:
        raise Conflict(f"the sign-up is already {who.status}")
    return {"participant_id": pid, "had_place": isinstance(who, Participant)}


# ---- the organiser's commands ------------------------------------------------------------------


def approve(t: Tournament, pid: str) -> dict[str, Any]:
    pending_only(t, "sign-ups are approved")
    e = awaiting(t, pid, (EntryStatus.PENDING,))
    place = has_place(t) and not t.day.waitlist
    return {"participant_id": e.id, "status": "active" if place else EntryStatus.WAITING.value}


def reject(t: Tournament, pid: str) -> dict[str, Any]:
    pending_only(t, "sign-ups are rejected")
    e = awaiting(t, pid, LIVE)
    return {"participant_id": e.id}


def awaiting(t: Tournament, pid: str, statuses: tuple[EntryStatus, ...]) -> Entry:
    e = t.day.entries.get(pid)
    if e is None:
        if pid in t.participants:
            raise Conflict("this participant holds a place: remove them instead")
        raise NotFound(f"no sign-up {pid!r} in this tournament")
    if e.status not in statuses:
        raise Conflict(f"the sign-up is {e.status}")
    return e


def reorder(t: Tournament, body: Any) -> dict[str, Any]:
    """``{"order": [ids]}``: the whole waiting list in its new order."""
    pending_only(t, "the waiting list is reordered")
    body = obj(body, "body")
    only_keys(body, {"order"})
    order = body.get("order")
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(t.day.waitlist):
        raise Invalid.field("order", "must list every id on the waiting list, once each")
    return {"order": [str(x) for x in order]}


def open_check_in(t: Tournament, by: str) -> dict[str, Any]:
    pending_only(t, "check-in opens")
    if t.day.check_in_opened_at is not None:
        raise Conflict(f"check-in is open since {t.day.check_in_opened_at}")
    return {"by": by}


def issue_link(t: Tournament, pid: str, link_hash: str) -> dict[str, Any]:
    """A new participant link for ``pid``; the one they had stops working."""
    holder(t, pid)
    return {"participant_id": pid, "token_hash": link_hash}


# ---- what the state calls for: promotions, and what the clock brings ----------------------------


def due(t: Tournament, now: str) -> list[tuple[EventType, dict[str, Any]]]:
    """Before the start: the sign-up's closing time, check-in's opening, a free place."""
    if t.state is not TournamentState.PENDING:
        return []
    day = t.day
    if day.signup["enabled"] and day.closed_at is None and reached(day.signup["closes_at"], now):
        return [(EventType.SIGNUP_CLOSED, {})]
    if day.check_in_opened_at is None and reached(day.check_in_opens_at(), now):
        return [(EventType.CHECK_IN_OPENED, {"by": "schedule"})]
    if day.waitlist and has_place(t):
        return [(EventType.PARTICIPANT_PROMOTED, {"participant_id": day.waitlist[0]})]
    return []


def start_plan(t: Tournament) -> dict[str, Any]:
    """Who plays: if check-in was opened, the participants who checked in and, in their freed
    places, the waiting list's checked-in players in order; seeded as the settings say."""
    active = [p for p in t.participant_list() if p.status is ParticipantStatus.ACTIVE]
    dropped: list[str] = []
    promoted: list[str] = []
    if t.day.check_in_opened_at is not None:
        dropped = [p.id for p in active if p.checked_in_at is None]
        active = [p for p in active if p.checked_in_at is not None]
        free = (t.day.capacity or MAX_PARTICIPANTS) - (len(t.participants) - len(dropped))
        here = [e for e in t.day.waitlist if t.day.entries[e].checked_in_at is not None]
        promoted = here[: max(0, free)]
    rated = {p.id: p.rating for p in active} | {e: t.day.entries[e].rating for e in promoted}
    order = [p.id for p in active] + promoted
    if t.day.signup["seeding"] is Seeding.RATING:
        order.sort(key=lambda pid: (rated[pid] is None, -(rated[pid] or 0)))
    return {"seeding": order, "dropped": dropped, "promoted": promoted}


# ---- the fold ----------------------------------------------------------------------------------


def next_seed(t: Tournament) -> int:
    return max((p.seed for p in t.participants.values()), default=0) + 1


def give_place(t: Tournament, e: Entry) -> None:
    """``e`` takes a place: a participant with the next seed, checked in if it was."""
    t.day.entries.pop(e.id, None)
    if e.id in t.day.waitlist:
        t.day.waitlist.remove(e.id)
    t.participants[e.id] = Participant(
        e.id, e.name, next_seed(t), e.rating, checked_in_at=e.checked_in_at
    )


def close_up_seeds(t: Tournament) -> None:
    for i, p in enumerate(t.participant_list()):
        p.seed = i + 1


def leave_roster(t: Tournament, pid: str, status: EntryStatus, at: str) -> None:
    """A participant gives up their place before the start: kept as a sign-up of ``status``."""
    p = t.participants.pop(pid)
    t.day.entries[pid] = Entry(pid, p.name, status, at, p.rating)
    close_up_seeds(t)


def fold_signed_up(t: Tournament, d: dict[str, Any], at: str) -> None:
    e = Entry(d["participant_id"], d["name"], EntryStatus.WAITING, at, d.get("rating"))
    if d["status"] == "active":
        give_place(t, e)
    else:
        e.status = EntryStatus(d["status"])
        t.day.entries[e.id] = e
        if e.status is EntryStatus.WAITING:
            t.day.waitlist.append(e.id)
    if d.get("token_hash"):
        t.day.links[d["token_hash"]] = e.id


def fold_approved(t: Tournament, d: dict[str, Any], at: str) -> None:
    e = t.day.entries[d["participant_id"]]
    if d["status"] == "active":
        give_place(t, e)
    else:
        e.status = EntryStatus.WAITING
        t.day.waitlist.append(e.id)


def fold_turned_away(t: Tournament, pid: str, status: EntryStatus, at: str) -> None:
    """Rejected, withdrawn: off the waiting list (or out of the roster), kept as ``status``."""
    if pid in t.participants:
        leave_roster(t, pid, status, at)
        return
    e = t.day.entries[pid]
    e.status = status
    e.checked_in_at = None
    if pid in t.day.waitlist:
        t.day.waitlist.remove(pid)


def fold_checked_in(t: Tournament, d: dict[str, Any], at: str) -> None:
    holder(t, d["participant_id"]).checked_in_at = at


def fold_link(t: Tournament, d: dict[str, Any]) -> None:
    pid = d["participant_id"]
    for h in [h for h, holder_id in t.day.links.items() if holder_id == pid]:
        del t.day.links[h]
    t.day.links[d["token_hash"]] = pid


def fold_start_roster(t: Tournament, d: dict[str, Any], at: str) -> None:
    """Before the draw: the no-shows leave, the promoted take their places, seeds follow the
    seeding."""
    for pid in d.get("dropped", []):
        leave_roster(t, pid, EntryStatus.DROPPED, at)
    for pid in d.get("promoted", []):
        give_place(t, t.day.entries[pid])
    order = d["seeding"] + [p.id for p in t.participant_list() if p.id not in d["seeding"]]
    for i, pid in enumerate(order):
        t.participants[pid].seed = i + 1
