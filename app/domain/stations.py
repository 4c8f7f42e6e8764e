"""Stations (boards, tables, setups, courts): decide functions, the calling of matches, the fold.

A station holds at most one match, and a match is called to at most one station. With calling
``auto``, every ready match is called to the first free station (in the stations' order) as soon
as one is free, in bracket order: earlier rounds first, then winners before losers, then top to
bottom; a match whose round has a scheduled time waits for it, and a player already at a station
(or playing a live match) is not called to a second one. A result frees the station.
"""

from __future__ import annotations

from typing import Any

from .errors import Conflict, Invalid, NotFound
from .eventday import Calling, RoundTime, Station, reached
from .events import EventType
from .models import Match, MatchState, Tournament, TournamentState
from .validation import obj, only_keys, text, when, whole

MAX_STATIONS = 256
MAX_ROUND_TIMES = 256
BRACKETS = ("winners", "losers", "grand_final", "third_place", "group", "swiss")
BRACKET_ORDER = {"losers": 1, "third_place": 2, "grand_final": 3}


def station(t: Tournament, sid: str) -> Station:
    s = t.day.stations.get(sid)
    if s is None:
        raise NotFound(f"no station {sid!r} in this tournament")
    return s


# ---- settings (part of tournament.created and tournament.updated) ------------------------------


def calling(value: Any) -> Calling:
    if value not in tuple(Calling):
        raise Invalid.field("call_matches", "must be auto or manual")
    return Calling(value)


def round_times(value: Any) -> list[dict[str, Any]]:
    """``[{"round", "bracket", "at"}]``: a round's matches are not called before ``at``."""
    if not isinstance(value, list) or len(value) > MAX_ROUND_TIMES:
        raise Invalid.field("round_times", f"must be a list of at most {MAX_ROUND_TIMES}")
    out = []
    for i, raw in enumerate(value):
        where = f"round_times[{i}]"
        raw = obj(raw, where)
        only_keys(raw, {"round", "bracket", "at"}, where + ".")
        bracket = raw.get("bracket")
        if bracket is not None and bracket not in BRACKETS:
            raise Invalid.field(where + ".bracket", f"must be one of {', '.join(BRACKETS)}")
        out.append(
            {
                "round": whole(raw.get("round"), where + ".round", 1, 1000),
                "bracket": bracket,
                "at": when(raw.get("at"), where + ".at"),
            }
        )
    return out


def apply_settings(t: Tournament, d: dict[str, Any]) -> None:
    if "call_matches" in d:
        t.day.calling = Calling(d["call_matches"])
    if "round_times" in d:
        t.day.round_times = [RoundTime.from_dict(r) for r in d["round_times"]]


# ---- the organiser's commands ------------------------------------------------------------------


def add_stations(t: Tournament, body: Any, new_id: Any) -> dict[str, Any]:
    """One station ``{"name"}`` (an object) or many (an array)."""
    many = isinstance(body, list)
    rows = body if many else [body]
    if not rows:
        raise Invalid.field("body", "must not be an empty list")
    if len(t.day.stations) + len(rows) > MAX_STATIONS:
        raise Invalid.field("body", f"a tournament has at most {MAX_STATIONS} stations")
    names = {s.name.casefold() for s in t.day.stations.values()}
    out = []
    for i, raw in enumerate(rows):
        where = f"[{i}]." if many else ""
        raw = obj(raw, where.rstrip(".") or "body")
        only_keys(raw, {"name"}, where)
        name = station_name(raw.get("name"), where + "name", names)
        out.append({"id": new_id("st_"), "name": name})
    return {"stations": out}


def station_name(value: Any, field: str, taken: set[str]) -> str:
    name = text(value, field, 100)
    if name.casefold() in taken:
        raise Invalid.field(field, f"there is a station {name!r} already")
    taken.add(name.casefold())
    return name


def update_station(t: Tournament, sid: str, body: Any) -> dict[str, Any]:
    s = station(t, sid)
    body = obj(body, "body")
    only_keys(body, {"name"})
    taken = {o.name.casefold() for o in t.day.stations.values() if o.id != s.id}
    return {"station_id": s.id, "name": station_name(body.get("name"), "name", taken)}


def remove_station(t: Tournament, sid: str) -> dict[str, Any]:
    """The station goes; a match called to it goes back to the queue."""
    s = station(t, sid)
    return {"station_id": s.id, "match_id": s.match_id}


def call(t: Tournament, mid: str, body: Any) -> dict[str, Any]:
    """``{"station_id"}`` (or ``{}``: the first free station): the organiser calls a ready or
    live match, or moves a called one to another station."""
    if t.state is not TournamentState.UNDERWAY:
        raise Conflict("matches are called while the tournament is underway")
    m = t.match(mid)
    if not m.state.playable:
        raise Conflict(f"only a ready or live match can be called; this one is {m.state}")
    body = obj(body if body is not None else {}, "body")
    only_keys(body, {"station_id"})
    sid = body.get("station_id")
    if sid is None:
        s = first_free(t)
        if s is None:
            raise Conflict("no station is free")
    else:
        s = station(t, text(sid, "station_id"))
        if s.match_id == m.id:
            raise Conflict(f"the match is already called to {s.name}")
        if s.match_id is not None:
            raise Conflict(f"{s.name} holds match {s.match_id}")
    busy = busy_players(t, m.id)
    if any(p in busy for p in m.participants):
        raise Conflict("a player of this match is at another station")
    return called(m, s, "organiser")


def called(m: Match, s: Station, by: str) -> dict[str, Any]:
    return {
        "match_id": m.id,
        "station_id": s.id,
        "station": s.name,
        "by": by,
        "participants": m.participants,
    }


# ---- calling -----------------------------------------------------------------------------------


def first_free(t: Tournament) -> Station | None:
    return next((s for s in t.day.stations.values() if s.match_id is None), None)


def busy_players(t: Tournament, but: str | None = None) -> set[str]:
    """Players at a station, or playing a live match (somewhere), besides match ``but``."""
    out = players_at_stations(t, but)
    for m in t.matches.values():
        if m.state is MatchState.LIVE and m.id != but:
            out.update(p for p in m.participants if p)
    return out


def players_at_stations(t: Tournament, but: str | None = None) -> set[str]:
    out: set[str] = set()
    for s in t.day.stations.values():
        if s.match_id is not None and s.match_id != but:
            out.update(p for p in t.matches[s.match_id].participants if p)
    return out


def call_order(m: Match) -> tuple[int, int, int, int]:
    return (m.round, BRACKET_ORDER.get(m.bracket, 0), m.group or 0, m.number)


def round_time(t: Tournament, m: Match) -> str | None:
    """The scheduled start of ``m``'s round: its bracket's own, else every bracket's."""
    generic = None
    for r in t.day.round_times:
        if r.round == m.round and r.bracket == m.bracket:
            return r.at
        if r.round == m.round and r.bracket is None:
            generic = r.at
    return generic


def next_callable(t: Tournament, now: str) -> Match | None:
    """The first ready match, in bracket order, that no station holds, whose round's time has
    come and whose players are free. One pass over the matches: this runs after every result."""
    busy = players_at_stations(t)
    waiting: list[Match] = []
    for m in t.matches.values():
        if m.state is MatchState.LIVE:
            busy.update(s.participant_id for s in m.slots if s.participant_id)
        elif m.state is MatchState.READY and m.station is None:
            waiting.append(m)
    timed = bool(t.day.round_times)
    free = (m for m in waiting
            if not (timed and not reached(round_time(t, m) or now, now))
            and not any(s.participant_id in busy for s in m.slots))  # fmt: skip
    return min(free, key=call_order, default=None)


def due(t: Tournament, now: str) -> list[tuple[EventType, dict[str, Any]]]:
    """With calling ``auto``: the next ready match to the first free station."""
    if t.state is not TournamentState.UNDERWAY or t.day.calling is not Calling.AUTO:
        return []
    s = first_free(t)
    if s is None:
        return []
    m = next_callable(t, now)
    return [(EventType.MATCH_CALLED, called(m, s, "auto"))] if m is not None else []


def waits_for_clock(t: Tournament, now: str) -> bool:
    """A ready match waits for its round's time while a station is free (the clock calls it)."""
    if t.day.calling is not Calling.AUTO or first_free(t) is None:
        return False
    return any(
        m.state is MatchState.READY and m.station is None and round_time(t, m)
        for m in t.matches.values()
    )


# ---- the fold ----------------------------------------------------------------------------------


def fold_added(t: Tournament, d: dict[str, Any]) -> list[str]:
    for s in d["stations"]:
        t.day.stations[s["id"]] = Station(s["id"], s["name"])
    return []


def fold_updated(t: Tournament, d: dict[str, Any]) -> list[str]:
    s = t.day.stations[d["station_id"]]
    s.name = d["name"]
    if s.match_id is not None:
        t.matches[s.match_id].station = {"id": s.id, "name": s.name}
        return [s.match_id]
    return []


def fold_removed(t: Tournament, d: dict[str, Any]) -> list[str]:
    s = t.day.stations.pop(d["station_id"])
    if s.match_id is None:
        return []
    m = t.matches[s.match_id]
    m.station = m.called_at = None
    return [m.id]


def fold_called(t: Tournament, d: dict[str, Any], at: str) -> list[str]:
    m = t.matches[d["match_id"]]
    s = t.day.stations[d["station_id"]]
    for other in t.day.stations.values():
        if other.match_id == m.id:
            other.match_id = None
    s.match_id = m.id
    m.station = {"id": s.id, "name": s.name}
    m.called_at = at
    return [m.id]


def release(t: Tournament, changed: list[str]) -> None:
    """After any change: a station whose match was decided (or reset) is free again; a match
    reset to be played again forgets its station. A decided match keeps the station it was
    played at."""
    for s in t.day.stations.values():
        if s.match_id is not None and not t.matches[s.match_id].state.playable:
            s.match_id = None
    for mid in changed:
        m = t.matches.get(mid)
        if m is None or m.station is None or m.state is MatchState.COMPLETE:
            continue
        held = t.day.stations.get(m.station["id"])
        if held is None or held.match_id != m.id:
            m.station = m.called_at = None
