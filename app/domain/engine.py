"""Commands and events. A command is checked against the state and becomes event data; ``apply``
folds an event into the state. ``apply`` is deterministic: the same events in the same order give
the same tournament, which is what makes replay after a restart safe.
"""

from __future__ import annotations

from typing import Any

from . import advancement
from .errors import Conflict, Invalid, NotFound
from .formats import get_format
from .models import VISIBILITIES, Event, Match, Participant, Tournament
from .results import check_best_of_decided as check_best_of_decided
from .results import forfeit_result as forfeit_result
from .results import games_list as games_list
from .results import report_result as report_result
from .validation import number, obj, only_keys, pair, positive_int, text, title

MAX_PARTICIPANTS = 4096
DECIDED_STATES = ("complete",)


# ---- commands: state + request -> event data (raise DomainError) -------------------------------


def create_tournament(body: Any) -> dict[str, Any]:
    body = obj(body, "body")
    only_keys(body, {"name", "format", "settings", "visibility"})
    fmt = get_format(text(body.get("format", "single_elimination"), "format", 64))
    settings = obj(body.get("settings", {}), "settings")
    visibility = body.get("visibility", "public")
    if visibility not in VISIBILITIES:
        raise Invalid.field("visibility", "must be public, unlisted or private")
    return {
        "name": text(body.get("name"), "name"),
        "format": fmt.name,
        "settings": fmt.normalize_settings(settings),
        "visibility": visibility,
    }


def update_tournament(t: Tournament, body: Any) -> dict[str, Any]:
    body = obj(body, "body")
    only_keys(body, {"name", "settings", "visibility"})
    data: dict[str, Any] = {}
    if "name" in body:
        data["name"] = text(body["name"], "name")
    if "visibility" in body:
        if body["visibility"] not in VISIBILITIES:
            raise Invalid.field("visibility", "must be public, unlisted or private")
        data["visibility"] = body["visibility"]
    if "settings" in body:
        if t.state != "pending":
            raise Conflict("settings can only change while the tournament is pending")
        merged = {**t.settings, **obj(body["settings"], "settings")}
        data["settings"] = get_format(t.format).normalize_settings(merged)
    if not data:
        raise Invalid("nothing to change: give name, settings or visibility")
    return data


def add_participants(t: Tournament, items: Any, new_ids: list[str]) -> dict[str, Any]:
    if t.state != "pending":
        raise Conflict("participants can only be added while the tournament is pending")
    many = isinstance(items, list)
    rows = items if many else [items]
    if not rows:
        raise Invalid.field("body", "must not be an empty list")
    if len(t.participants) + len(rows) > MAX_PARTICIPANTS:
        raise Invalid.field("body", f"a tournament holds at most {MAX_PARTICIPANTS} participants")
    seeds = {p.seed for p in t.participants.values()}
    names = {p.name.casefold() for p in t.participants.values()}
    next_seed = max(seeds, default=0) + 1
    out = []
    for i, raw in enumerate(rows):
        prefix = f"[{i}]." if many else ""
        raw = obj(raw, f"[{i}]" if many else "body")
        only_keys(raw, {"name", "seed", "rating", "title"}, prefix)
        name = text(raw.get("name"), prefix + "name")
        if name.casefold() in names:
            raise Invalid.field(prefix + "name", f"{name!r} is already a participant")
        names.add(name.casefold())
        rating = raw.get("rating")
        if rating is not None:
            rating = number(rating, prefix + "rating", -1e6, 1e6)
        seed = raw.get("seed")
        if seed is None:
            while next_seed in seeds:
                next_seed += 1
            seed = next_seed
        else:
            seed = positive_int(seed, prefix + "seed", MAX_PARTICIPANTS)
            if seed in seeds:
                raise Invalid.field(prefix + "seed", f"seed {seed} is taken")
        seeds.add(seed)
        row = {"id": new_ids[i], "name": name, "seed": seed, "rating": rating}
        if raw.get("title") is not None:
            row["title"] = title(raw["title"], prefix + "title")
        out.append(row)
    return {"participants": out}


def update_participant(t: Tournament, pid: str, body: Any) -> dict[str, Any]:
    p = participant(t, pid)
    body = obj(body, "body")
    only_keys(body, {"name", "seed", "rating", "title"})
    data: dict[str, Any] = {"participant_id": p.id}
    if "title" in body:
        data["title"] = None if body["title"] is None else title(body["title"], "title")
    if "name" in body:
        name = text(body["name"], "name")
        if any(
            o.name.casefold() == name.casefold() and o.id != p.id for o in t.participants.values()
        ):
            raise Invalid.field("name", f"{name!r} is already a participant")
        data["name"] = name
    if "rating" in body:
        data["rating"] = (
            None if body["rating"] is None else number(body["rating"], "rating", -1e6, 1e6)
        )
    if "seed" in body:
        if t.state != "pending":
            raise Conflict("seeds can only change while the tournament is pending")
        data["seed"] = positive_int(body["seed"], "seed", len(t.participants))
    if len(data) == 1:
        raise Invalid("nothing to change: give name, seed, rating or title")
    return data


def remove_participant(t: Tournament, pid: str) -> dict[str, Any]:
    p = participant(t, pid)
    if t.state != "pending":
        raise Conflict("participants can only be removed while pending; disqualify instead")
    return {"participant_id": p.id}


def start(t: Tournament) -> dict[str, Any]:
    if t.state != "pending":
        raise Conflict(f"the tournament is already {t.state}")
    active = [p for p in t.participant_list() if p.status == "active"]
    fmt = get_format(t.format)
    if len(active) < fmt.min_participants:
        raise Conflict(
            f"a {t.format} tournament needs at least {fmt.min_participants} participants"
        )
    blocked = fmt.start_blocker(t, len(active))
    if blocked:
        raise Conflict(blocked)
    return {"seeding": [p.id for p in active]}


def disqualify(t: Tournament, pid: str) -> dict[str, Any]:
    p = participant(t, pid)
    if p.status != "active":
        raise Conflict(f"the participant is already {p.status}")
    if t.state == "complete":
        raise Conflict("the tournament is complete")
    return {"participant_id": p.id}


def live_tick(t: Tournament, mid: str, body: Any) -> dict[str, Any]:
    m = match(t, mid)
    if m.state not in ("ready", "live"):
        raise Conflict(f"live scores need a ready or live match; this one is {m.state}")
    body = obj(body, "body")
    only_keys(body, {"scores", "detail", "id", "tournament_id", "match_id"})
    detail = body.get("detail")
    if detail is not None:
        detail = obj(detail, "detail")
        if len(repr(detail)) > 2048:
            raise Invalid.field("detail", "must be at most 2 KiB")
    return {"match_id": m.id, "scores": pair(body.get("scores"), "scores"), "detail": detail}


def reopen(t: Tournament, mid: str) -> dict[str, Any]:
    m = match(t, mid)
    if m.state != "complete":
        raise Conflict("only a decided match can be reopened")
    if m.result == "bye" or None in m.participants:
        raise Conflict("a bye has no result to reopen")
    blocked = get_format(t.format).reopen_blocker(t, m)
    if blocked:
        raise Conflict(blocked)
    return {"match_id": m.id, "reset": advancement.reopen_plan(t, m.id)}


# ---- lookups ----------------------------------------------------------------------------------


def participant(t: Tournament, pid: str) -> Participant:
    p = t.participants.get(pid)
    if p is None:
        raise NotFound(f"no participant {pid!r} in this tournament")
    return p


def match(t: Tournament, mid: str) -> Match:
    m = t.matches.get(mid)
    if m is None:
        raise NotFound(f"no match {mid!r} in this tournament")
    return m


# ---- events: apply(state, event) -> changed match ids -----------------------------------------


def new_tournament(e: Event) -> Tournament:
    d = e.data
    return Tournament(
        id=e.tournament_id,
        name=d["name"],
        format=d["format"],
        settings=d["settings"],
        visibility=d["visibility"],
        created_at=e.at,
    )


def apply(t: Tournament, e: Event) -> list[str]:
    """Fold ``e`` into ``t``; returns the ids of the matches it changed."""
    handler = APPLY.get(e.type)
    changed = handler(t, e) if handler else []
    t.seq = e.seq
    if e.structural:
        t.version += 1
    return changed


def _updated(t: Tournament, e: Event) -> list[str]:
    for key in ("name", "settings", "visibility"):
        if key in e.data:
            setattr(t, key, e.data[key])
    return []


def _added(t: Tournament, e: Event) -> list[str]:
    for p in e.data["participants"]:
        t.participants[p["id"]] = Participant(
            p["id"], p["name"], p["seed"], p.get("rating"), title=p.get("title")
        )
    return []


def _participant_updated(t: Tournament, e: Event) -> list[str]:
    p = t.participants[e.data["participant_id"]]
    if "name" in e.data:
        p.name = e.data["name"]
    if "rating" in e.data:
        p.rating = e.data["rating"]
    if "title" in e.data:
        p.title = e.data["title"]
    if "seed" in e.data:
        reseed(t, p, e.data["seed"])
    return []


def reseed(t: Tournament, p: Participant, seed: int) -> None:
    """Move ``p`` to ``seed``; the others keep their order and close up around it."""
    others = [o for o in t.participant_list() if o.id != p.id]
    others.insert(seed - 1, p)
    for i, o in enumerate(others):
        o.seed = i + 1


def _removed(t: Tournament, e: Event) -> list[str]:
    del t.participants[e.data["participant_id"]]
    for i, o in enumerate(t.participant_list()):
        o.seed = i + 1
    return []


def _started(t: Tournament, e: Event) -> list[str]:
    t.state = "underway"
    t.started_at = e.at
    return add_matches(t, get_format(t.format).draw(t, e.data["seeding"]))


def add_matches(t: Tournament, matches: list[Match]) -> list[str]:
    for m in matches:
        t.matches[m.id] = m
        if m.state != "complete":
            t.open_matches += 1
    changed = [m.id for m in matches]
    for m in matches:
        changed += advancement.refresh(t, m)
    return list(dict.fromkeys(changed))


def _result(t: Tournament, e: Event) -> list[str]:
    d = e.data
    m = t.matches[d["match_id"]]
    m.scores = d["scores"]
    m.games = d["games"]
    changed = advancement.decide(t, m, d["winner_id"], d["loser_id"], d["result"])
    return changed + get_format(t.format).on_decided(t, m)


def _reopened(t: Tournament, e: Event) -> list[str]:
    if t.state == "complete":
        t.state = "underway"
        t.completed_at = None
    fmt = get_format(t.format)
    return advancement.reopen(t, e.data["match_id"]) + fmt.on_reopened(t, e.data["match_id"])


def _live(t: Tournament, e: Event) -> list[str]:
    m = t.matches[e.data["match_id"]]
    if m.state not in ("ready", "live"):
        return []  # a tick that arrived after the result: nothing to show
    m.state = "live"
    m.scores = e.data["scores"]
    m.live_detail = e.data.get("detail")
    return [m.id]


def _disqualified(t: Tournament, e: Event) -> list[str]:
    p = t.participants[e.data["participant_id"]]
    p.status = "disqualified"
    changed: list[str] = []
    for m in list(t.matches.values()):
        if m.state in ("ready", "live") and p.id in m.participants:
            changed.append(m.id)
            changed += advancement.refresh(t, m)
    return list(dict.fromkeys(changed + get_format(t.format).on_disqualified(t, p.id)))


def _round_paired(t: Tournament, e: Event) -> list[str]:
    return add_matches(t, [Match.from_dict(m) for m in e.data["matches"]])


def _stage_started(t: Tournament, e: Event) -> list[str]:
    """The next stage (groups then playoffs): its draw over the seeding carried in the event."""
    return add_matches(t, get_format(t.format).draw_stage(t, e.data))


def _completed(t: Tournament, e: Event) -> list[str]:
    t.state = "complete"
    t.completed_at = e.at
    return []


APPLY = {
    "tournament.updated": _updated,
    "participant.added": _added,
    "participant.updated": _participant_updated,
    "participant.removed": _removed,
    "tournament.started": _started,
    "match.result": _result,
    "match.reopened": _reopened,
    "match.live": _live,
    "participant.disqualified": _disqualified,
    "round.paired": _round_paired,
    "stage.started": _stage_started,
    "tournament.completed": _completed,
}


def followups(t: Tournament) -> list[tuple[str, dict[str, Any]]]:
    """Events the state now calls for: the format's (a next round, a next stage), else the end."""
    if t.state != "underway":
        return []
    more = get_format(t.format).followups(t)
    if more:
        return more
    if t.matches and t.open_matches == 0:  # O(1): kept by add_matches and advancement
        return [("tournament.completed", {})]
    return []


def fold(state: dict[str, Tournament], e: Event) -> list[str] | None:
    """Apply ``e`` to the tournament it names in ``state`` (creating or deleting it).

    Returns the changed match ids, or None when the event was already applied (its seq is not
    newer than the tournament's) or names no tournament: replaying an event changes nothing.
    """
    t = state.get(e.tournament_id)
    if e.type == "tournament.created":
        if t is not None:
            return None
        t = new_tournament(e)
        t.seq, t.version = e.seq, 1
        state[t.id] = t
        return []
    if t is None or e.seq <= t.seq:
        return None
    if e.type == "tournament.deleted":
        del state[t.id]
        return []
    return apply(t, e)
