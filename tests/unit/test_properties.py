"""Property-based tests: every format, N from 2 to 128, random results (forfeits, double
forfeits, draws where allowed), a reopen replayed with the same results."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from drive import Driver, random_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import commands
from app.domain.commands import Input
from app.domain.errors import Conflict
from app.domain.formats import get_format
from app.domain.models import Match, Tournament

FAST = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
sizes = st.sampled_from(range(2, 129))


def run(fmt: str, n: int, seed: int, settings_: dict[str, Any], draws: bool) -> Driver:
    d = Driver(fmt, settings_)
    d.add(n, ratings=seed % 2 == 0)
    d.start()
    forfeits = seed % 3 == 0  # a third of the examples with forfeits and double forfeits
    d.play(random_results(d.t, random.Random(seed), draws, forfeits))
    return d


def losses(t: Tournament) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in t.matches.values():
        if m.bracket == "third_place":
            continue
        if m.result == "double_forfeit":
            out.update(p for p in m.participants if p)
        elif m.loser_id:
            out[m.loser_id] += 1
    return out


def body_of(m: Match) -> dict[str, Any]:
    if m.result == "double_forfeit":
        return {"forfeit": list(m.participants)}
    if m.result == "forfeit":
        return {"forfeit": m.loser_id}
    if m.games:
        return {"games": m.games}
    if m.scores:
        return {"scores": m.scores}
    return {"winner_id": m.winner_id}


def comparable(t: Tournament) -> dict[str, Any]:
    """The tournament but for when things happened (versions, seqs, times)."""
    d = t.to_dict()
    for key in ("version", "seq", "completed_at"):
        d.pop(key)
    for m in d["matches"]:
        m.pop("seq")
    return d


def check_common(d: Driver) -> None:
    t = d.t
    assert t.state == "complete"
    assert t.open_matches == 0 == sum(1 for m in t.matches.values() if m.state != "complete")
    rounds: dict[tuple[str, int | None, int], list[str]] = {}
    for m in t.matches.values():
        rounds.setdefault((m.bracket, m.group, m.round), []).extend(p for p in m.participants if p)
    for players in rounds.values():
        assert len(players) == len(set(players)), "someone plays twice in a round"
    back = Tournament.from_dict(t.to_dict())
    assert back == t
    assert d.replay().to_dict() == t.to_dict()


def check_reopen(d: Driver, rng: random.Random) -> None:
    """Reopen a random decided match, report the same results again: the same state."""
    t = d.t
    candidates = [m for m in t.matches.values() if m.result not in (None, "bye")]
    rng.shuffle(candidates)
    for m in candidates[:20]:
        try:
            preview = commands.reopen(t, Input(target=m.id))
        except Conflict:
            continue
        before = comparable(t)
        results = {mid: body_of(t.matches[mid]) for mid in preview["reset"]}
        auto = {mid for mid in results if t.matches[mid].result == "bye"}
        data = d.reopen(m.id)
        assert data["reset"] == preview["reset"] and data["reset"][0] == m.id
        todo = [mid for mid in data["reset"] if mid not in auto]
        while todo:
            ready = [mid for mid in todo if t.matches[mid].state == "ready"]
            assert ready, "a reset match never became ready again"
            for mid in ready:
                d.report(mid, results[mid])
            todo = [mid for mid in todo if t.matches[mid].state != "complete"]
        assert comparable(t) == before
        return


def check_points_standings(t: Tournament, key_rules: list[str]) -> None:
    rows = get_format(t.format).standings(t)
    assert sorted(r["participant_id"] for r in rows) == sorted(t.participants)
    by_group: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_group.setdefault(r["group"], []).append(r)
    for group in by_group.values():
        prev = None
        for r in group:
            keys = [r["points"]]
            for rule in key_rules:
                if rule == "head_to_head":
                    break
                keys.append(r["tiebreaks"][rule])
            if prev is not None:
                assert prev[0] <= r["rank"]
                assert prev[1] >= keys
                if prev[0] == r["rank"]:
                    assert prev[2] == r["tiebreaks"] and prev[1] == keys
            prev = (r["rank"], keys, r["tiebreaks"])


def check_elimination(t: Tournament, grand_final: str | None) -> None:
    lost = losses(t)
    double_forfeits = any(m.result == "double_forfeit" for m in t.matches.values())
    limit = 1 if grand_final is None else 2
    assert all(v <= limit for v in lost.values())
    unbeaten = [p for p in t.participants if lost[p] < limit]
    if not double_forfeits:
        if grand_final in (None, "double"):
            assert len(unbeaten) == 1, "exactly one champion"
        rows = get_format(t.format).standings(t)
        assert [r["rank"] for r in rows].count(1) == 1
        assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


@FAST
@given(n=sizes, seed=st.integers(0, 10**6), third=st.booleans(), natural=st.booleans())
def test_single_elimination(n: int, seed: int, third: bool, natural: bool) -> None:
    s = {"third_place_match": third, "seed_ordering": "natural" if natural else "standard"}
    d = run("single_elimination", n, seed, s, draws=False)
    check_common(d)
    check_elimination(d.t, None)
    check_reopen(d, random.Random(seed))


@FAST
@given(n=sizes, seed=st.integers(0, 10**6), gf=st.sampled_from(["none", "simple", "double"]))
def test_double_elimination(n: int, seed: int, gf: str) -> None:
    d = run("double_elimination", n, seed, {"grand_final": gf}, draws=False)
    check_common(d)
    check_elimination(d.t, gf)
    reset = d.t.matches.get("t1-fr2m1")
    if reset is not None:
        gf1 = d.t.matches["t1-fr1m1"]
        played = gf1.loser_id is not None and gf1.winner_id == gf1.participants[1]
        assert (reset.result != "bye") == played
        assert reset.result != "bye" or reset.participants == [None, None]
    check_reopen(d, random.Random(seed))


@FAST
@given(n=sizes, seed=st.integers(0, 10**6), groups=st.integers(1, 4), legs=st.integers(1, 2))
def test_round_robin(n: int, seed: int, groups: int, legs: int) -> None:
    groups = min(groups, n // 2)
    if n > 64:
        legs = 1
    tb = ["head_to_head", "score_difference", "scored"] if seed % 2 else ["wins", "buchholz"]
    s = {"group_count": groups, "legs": legs, "tiebreakers": tb}
    d = run("round_robin", n, seed, s, draws=True)
    check_common(d)
    played: Counter[str] = Counter()
    group_of: dict[str, int] = {}
    for m in d.t.matches.values():
        for p in m.participants:
            assert p is not None
            played[p] += 1
            group_of[p] = m.group or 0
    size = Counter(group_of.values())
    assert all(played[p] == (size[group_of[p]] - 1) * legs for p in d.t.participants)
    check_points_standings(d.t, tb)
    check_reopen(d, random.Random(seed))


@FAST
@given(n=sizes, seed=st.integers(0, 10**6))
def test_swiss(n: int, seed: int) -> None:
    tb = ["buchholz_cut1", "buchholz", "sonneborn_berger"] if seed % 2 else ["wins", "seed"]
    d = run("swiss", n, seed, {"tiebreakers": tb}, draws=True)
    check_common(d)
    rounds = max(1, (n - 1).bit_length())
    ms = list(d.t.matches.values())
    assert max(m.round for m in ms) == rounds
    appear = Counter(p for m in ms for p in m.participants if p)
    assert all(appear[p] == rounds for p in d.t.participants)
    # forfeits are not games (C.04.1): the two may still meet over the board
    games = [m for m in ms if None not in m.participants and m.result in ("win", "draw")]
    pairs = Counter(frozenset(m.participants) for m in games)
    assert all(v == 1 for v in pairs.values()), "an avoidable rematch"
    byes = Counter(m.winner_id for m in ms if m.result == "bye")
    assert all(v == 1 for v in byes.values()), "a second bye"
    check_points_standings(d.t, tb)
    check_reopen(d, random.Random(seed))


@FAST
@given(
    n=st.sampled_from(range(4, 65)),
    seed=st.integers(0, 10**6),
    stage=st.sampled_from(["round_robin", "swiss"]),
    playoff=st.sampled_from(["single_elimination", "double_elimination"]),
)
def test_groups_playoffs(n: int, seed: int, stage: str, playoff: str) -> None:
    groups = random.Random(seed).randint(1, max(1, n // 4))
    s = {
        "group_stage": {"format": stage},
        "group_count": groups,
        "advance": 2,
        "playoff": {"format": playoff},
    }
    d = run("groups_playoffs", n, seed, s, draws=True)
    check_common(d)
    assert [e.type for e in d.events].count("stage.started") == 1
    rows = get_format("groups_playoffs").standings(d.t)
    assert sorted(r["participant_id"] for r in rows) == sorted(d.t.participants)
    check_reopen(d, random.Random(seed))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    fmt=st.sampled_from(["single_elimination", "double_elimination", "round_robin", "swiss"]),
    n=st.sampled_from(range(3, 41)),
    seed=st.integers(0, 10**6),
)
def test_disqualification_mid_way(fmt: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    d = Driver(fmt, {})
    d.add(n)
    d.start()
    pick = random_results(d.t, rng, draws=fmt in ("round_robin", "swiss"))
    for m in d.ready()[: len(d.ready()) // 2]:
        d.report(m.id, pick(m))
    victim = rng.choice(sorted(d.t.participants))
    d.disqualify(victim)
    d.play(pick)
    check_common(d)
    for m in d.t.matches.values():
        if victim in m.participants and m.result not in ("forfeit", "double_forfeit"):
            # decided before the disqualification, or a bye
            assert m.result in ("win", "draw", "bye")
