"""Stations in the pure domain: calling in bracket order, freeing on the result, round times,
manual calls; properties over every format (a station never holds two matches, a player is never
at two stations, and no ready match waits while a station it could use is free)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from drive import Driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import Conflict, Invalid, NotFound
from app.domain.eventday import reached
from app.domain.models import Match, MatchState
from app.domain.stations import round_time

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
FORMATS = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs"]


def with_stations(fmt: str, n: int, k: int, **fields: Any) -> Driver:
    d = Driver(fmt)
    if fields:
        d.run("update_tournament", fields)
    d.run("add_stations", [{"name": f"Station {i + 1}"} for i in range(k)])
    d.add(n)
    d.start()
    return d


def at_stations(d: Driver) -> dict[str, str]:
    return {s.name: s.match_id for s in d.t.day.stations.values() if s.match_id}


def label(m: Match) -> str:
    return f"{m.bracket[0]}{m.round}.{m.number}"


def test_ready_matches_are_called_in_bracket_order_and_freed_on_the_result() -> None:
    d = with_stations("double_elimination", 8, 2)
    called = {name: label(d.t.matches[mid]) for name, mid in at_stations(d).items()}
    assert called == {"Station 1": "w1.1", "Station 2": "w1.2"}
    first = d.t.matches[at_stations(d)["Station 1"]]
    assert first.station == {"id": next(iter(d.t.day.stations)), "name": "Station 1"}
    assert first.called_at is not None
    d.report(first.id, {"scores": [2, 0]})
    assert first.state == "complete" and first.station is not None  # where it was played
    assert label(d.t.matches[at_stations(d)["Station 1"]]) == "w1.3"
    calls = [e.data for e in d.events if e.type == "match.called"]
    assert calls[0]["by"] == "auto" and calls[0]["participants"] == first.participants
    assert calls[0]["station"] == "Station 1"


def test_the_earlier_round_goes_first_and_losers_after_winners() -> None:
    d = with_stations("double_elimination", 8, 1)
    order = []
    while d.t.state == "underway":
        mid = at_stations(d)["Station 1"]
        order.append(label(d.t.matches[mid]))
        d.report(mid, {"scores": [1, 0]})
    assert order[:4] == ["w1.1", "w1.2", "w1.3", "w1.4"]
    assert order[4:7] == ["l1.1", "l1.2", "w2.1"]
    assert order[-1] == "g1.1"


def test_manual_calling_moving_and_refusals() -> None:
    d = with_stations("single_elimination", 8, 2, call_matches="manual")
    assert at_stations(d) == {}
    ready = sorted((m for m in d.t.matches.values() if m.state == "ready"), key=label)
    sid1, sid2 = list(d.t.day.stations)
    d.run("call_match", {"station_id": sid2}, target=ready[0].id)
    assert at_stations(d) == {"Station 2": ready[0].id}
    d.run("call_match", None, target=ready[1].id)  # no station named: the first free
    assert at_stations(d) == {"Station 1": ready[1].id, "Station 2": ready[0].id}
    with pytest.raises(Conflict, match="holds"):
        d.run("call_match", {"station_id": sid1}, target=ready[2].id)
    with pytest.raises(Conflict, match="already"):
        d.run("call_match", {"station_id": sid2}, target=ready[0].id)
    with pytest.raises(Conflict, match="no station is free"):
        d.run("call_match", {}, target=ready[2].id)
    with pytest.raises(NotFound):
        d.run("call_match", {"station_id": "st_none"}, target=ready[2].id)
    d.run("add_stations", {"name": "Station 3"})
    sid3 = list(d.t.day.stations)[2]
    d.run("call_match", {"station_id": sid3}, target=ready[0].id)  # moved
    assert at_stations(d) == {"Station 1": ready[1].id, "Station 3": ready[0].id}
    pending = next(m for m in d.t.matches.values() if m.state == "pending")
    with pytest.raises(Conflict, match="ready or live"):
        d.run("call_match", {}, target=pending.id)


def test_renaming_and_removing_a_station() -> None:
    d = with_stations("single_elimination", 4, 2)
    sid1 = next(iter(d.t.day.stations))
    mid = d.t.day.stations[sid1].match_id
    assert mid is not None
    d.run("update_station", {"name": "Court A"}, target=sid1)
    assert d.t.matches[mid].station == {"id": sid1, "name": "Court A"}
    with pytest.raises(Invalid):
        d.run("update_station", {"name": "station 2"}, target=sid1)
    d.run("remove_station", target=sid1)
    assert d.t.matches[mid].station is None and sid1 not in d.t.day.stations
    with pytest.raises(Invalid):
        d.run("add_stations", [{"name": "X"}, {"name": "x"}])


def test_a_round_waits_for_its_time() -> None:
    d = with_stations("single_elimination", 4, 4,
                      round_times=[{"round": 2, "at": "2026-01-01T15:00:00Z"}])  # fmt: skip
    for mid in list(at_stations(d).values()):
        d.report(mid, {"scores": [1, 0]})
    final = next(m for m in d.t.matches.values() if m.round == 2)
    assert final.state == "ready" and final.station is None
    d.tick_clock("2026-01-01T14:59:59.000Z")
    assert final.station is None
    d.tick_clock("2026-01-01T15:00:00.000Z")
    assert final.station is not None


def test_a_reopen_frees_the_reset_matches_stations() -> None:
    d = with_stations("single_elimination", 4, 1)
    first = at_stations(d)["Station 1"]
    d.report(first, {"scores": [1, 0]})
    second = at_stations(d)["Station 1"]
    d.report(second, {"scores": [1, 0]})
    final = at_stations(d)["Station 1"]
    d.run("reopen", target=first)
    # the final lost its player, so it went back to pending and gave up the station
    assert d.t.matches[final].station is None
    assert at_stations(d) == {"Station 1": first}


# ---- properties --------------------------------------------------------------------------------


def check_invariants(d: Driver) -> None:
    t = d.t
    held = [s.match_id for s in t.day.stations.values() if s.match_id]
    assert len(held) == len(set(held)), "a match at two stations"
    players: list[str] = []
    for s in t.day.stations.values():
        if s.match_id is None:
            continue
        m = t.matches[s.match_id]
        assert m.state.playable, f"{s.name} holds a {m.state} match"
        assert m.station is not None and m.station["id"] == s.id
        players += [p for p in m.participants if p]
    assert len(players) == len(set(players)), "a player at two stations"
    for m in t.matches.values():
        if m.state.playable and m.station is not None:
            assert t.day.stations[m.station["id"]].match_id == m.id
    if t.state != "underway" or t.day.calling != "auto":
        return
    if any(s.match_id is None for s in t.day.stations.values()):
        busy = set(players) | {p for m in t.matches.values() if m.state == "live"
                               for p in m.participants if p}  # fmt: skip
        for m in t.matches.values():
            if m.state != MatchState.READY or m.station is not None:
                continue
            at = round_time(t, m)
            waits = at is not None and not reached(at, d.now)
            assert waits or busy & set(m.participants), f"{m.id} waits by a free station"


@FAST
@given(
    fmt=st.sampled_from(FORMATS),
    n=st.integers(4, 24),
    k=st.integers(1, 6),
    seed=st.integers(0, 10_000),
)
def test_stations_hold_one_match_and_no_ready_match_waits_by_a_free_one(
    fmt: str, n: int, k: int, seed: int
) -> None:
    rng = random.Random(seed)
    d = Driver(fmt)
    d.run("add_stations", [{"name": f"S{i}"} for i in range(k)])
    d.add(n)
    d.start()
    check_invariants(d)
    for _ in range(2000):
        if d.t.state != "underway":
            break
        playable = [m for m in d.t.matches.values() if m.state.playable]
        if not playable and d.pair_next():  # a Swiss round done: the director pairs the next
            check_invariants(d)
            continue
        # being played: at a station, or live (a live match whose station was removed)
        called = [m for m in playable if m.station is not None or m.state == MatchState.LIVE]
        assert called, "matches are ready but none is called"
        roll = rng.random()
        if roll < 0.05:
            d.run("add_stations", {"name": f"S{len(d.events)}"})
        elif roll < 0.08 and len(d.t.day.stations) > 1:
            d.run("remove_station", target=rng.choice(list(d.t.day.stations)))
        elif roll < 0.12:
            d.run("live_tick", {"scores": [1, 0]}, target=rng.choice(called).id)
        elif roll < 0.15:
            done = [m for m in d.t.matches.values() if m.state == "complete"
                    and m.result not in ("bye", None) and None not in m.participants]  # fmt: skip
            try:
                if done:
                    d.run("reopen", target=rng.choice(done).id)
            except Conflict:
                pass
        else:
            m = rng.choice(called)
            a, b = m.participants
            d.report(m.id, {"winner_id": rng.choice([a, b])})
        check_invariants(d)
    assert d.t.state == "complete"
    assert all(s.match_id is None for s in d.t.day.stations.values())
    assert d.replay().to_record() == d.t.to_record()
