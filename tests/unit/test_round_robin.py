from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from drive import Driver, higher_seed_wins

from app.domain.errors import Conflict, Invalid
from app.domain.formats import get_format
from app.domain.formats.round_robin import circle, sitting_out, snake_groups


def started(n: int, **settings: Any) -> Driver:
    d = Driver("round_robin", settings)
    d.add(n)
    d.start()
    return d


@pytest.mark.parametrize("n", range(2, 14))
def test_circle_everyone_meets_once_sides_balanced(n: int) -> None:
    players = [f"p{i}" for i in range(n)]
    rounds = circle(players)
    assert len(rounds) == (n if n % 2 else n - 1)
    pairs = Counter(frozenset(p) for r in rounds for p in r if None not in p)
    assert len(pairs) == n * (n - 1) // 2 and set(pairs.values()) == {1}
    firsts = Counter(a for r in rounds for a, b in r if a and b)
    for p in players:
        assert abs(firsts[p] - (n - 1) / 2) <= 1
    for r in rounds:
        seen = [x for pair in r if None not in pair for x in pair]
        assert len(seen) == len(set(seen)) == n - n % 2


def test_first_round_of_4() -> None:
    d = started(4)
    r1 = sorted((m.number, m.participants) for m in d.t.matches.values() if m.round == 1)
    assert r1 == [(1, ["t1-p1", "t1-p4"]), (2, ["t1-p2", "t1-p3"])]
    assert all(m.bracket == "group" and m.group == 1 for m in d.t.matches.values())


def test_odd_sits_out_known_no_bye_matches() -> None:
    d = started(5)
    assert len(d.t.matches) == 10
    assert all(None not in m.participants for m in d.t.matches.values())
    out = [sitting_out(d.t, 1, r) for r in range(1, 6)]
    assert sorted(x for x in out if x) == sorted(d.t.participants)


def test_groups_snake() -> None:
    assert snake_groups([str(i) for i in range(1, 9)], 3) == [
        ["1", "6", "7"],
        ["2", "5", "8"],
        ["3", "4"],
    ]
    d = started(8, group_count=2)
    groups: dict[int, set[str]] = {}
    for m in d.t.matches.values():
        groups.setdefault(m.group or 0, set()).update(p for p in m.participants if p)
    seeds = {g: sorted(d.t.participants[p].seed for p in ps) for g, ps in groups.items()}
    assert seeds == {1: [1, 4, 5, 8], 2: [2, 3, 6, 7]}


def test_two_legs_swap_sides() -> None:
    d = started(4, legs=2)
    ms = list(d.t.matches.values())
    assert len(ms) == 12 and max(m.round for m in ms) == 6
    first = {tuple(m.participants) for m in ms if m.round <= 3}
    second = {tuple(m.participants) for m in ms if m.round > 3}
    assert second == {(b, a) for a, b in first}


def test_points_draws_and_head_to_head() -> None:
    d = started(3, points={"win": 2, "draw": 1, "loss": 0})
    p1, p2, p3 = (f"t1-p{i}" for i in (1, 2, 3))
    for m in d.ready():
        a, b = m.participants
        if {a, b} == {p1, p2}:
            d.report(m.id, {"scores": [1, 1]})
        elif {a, b} == {p1, p3}:
            d.report(m.id, {"winner_id": p3})
        else:
            d.report(m.id, {"winner_id": p2})
    assert d.t.state == "complete"
    rows = get_format("round_robin").standings(d.t)
    # p1 1 point, p2 3, p3 2: no tie
    assert [(r["participant_id"], r["points"], r["draws"]) for r in rows] == [
        (p2, 3, 1),
        (p3, 2, 0),
        (p1, 1, 1),
    ]


def test_head_to_head_breaks_a_tie() -> None:
    d = started(4, tiebreakers=["head_to_head", "seed"])
    # p4 beats p1; p1 beats p2, p3; p4 loses to p2 and p3; p2 beats p3
    wins = {("t1-p1", "t1-p4"): "t1-p4", ("t1-p1", "t1-p2"): "t1-p1",
            ("t1-p1", "t1-p3"): "t1-p1", ("t1-p2", "t1-p4"): "t1-p2",
            ("t1-p3", "t1-p4"): "t1-p3", ("t1-p2", "t1-p3"): "t1-p2"}  # fmt: skip
    for m in d.ready():
        key = tuple(sorted(p for p in m.participants if p))
        d.report(m.id, {"winner_id": wins[key]})  # type: ignore[index]
    rows = get_format("round_robin").standings(d.t)
    # p1 and p2 have 6 points; p2... p1 beat p2, so p1 first
    assert [r["participant_id"] for r in rows][:2] == ["t1-p1", "t1-p2"]
    assert rows[0]["tiebreaks"]["head_to_head"] == 3


def test_disqualification_forfeits_every_remaining_match() -> None:
    d = started(4)
    d.disqualify("t1-p1")
    mine = [m for m in d.t.matches.values() if "t1-p1" in m.participants]
    assert all(m.state == "complete" and m.result == "forfeit" for m in mine)
    assert all(m.loser_id == "t1-p1" for m in mine)
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete"


def test_settings() -> None:
    fmt = get_format("round_robin")
    s = fmt.normalize_settings({})
    assert s["points"] == {"win": 3, "draw": 1, "loss": 0} and s["legs"] == 1
    for bad in ({"legs": 3}, {"points": {"win": 0, "loss": 1}}, {"points": {"bye": 1}},
                {"tiebreakers": ["nope"]}, {"group_count": 0}):  # fmt: skip
        with pytest.raises(Invalid):
            fmt.normalize_settings(bad)
    d = Driver("round_robin", {"group_count": 3})
    d.add(5)
    with pytest.raises(Conflict):
        d.start()


# ---- Berger tables (FIDE Handbook C.05) ---------------------------------------------------


def test_berger_six_is_the_published_table() -> None:
    from app.domain.formats.round_robin import berger

    table = [[f"{a}-{b}" for a, b in rnd] for rnd in berger([str(i) for i in range(1, 7)])]
    assert table == [
        ["1-6", "2-5", "3-4"],
        ["6-4", "5-3", "1-2"],
        ["2-6", "3-1", "4-5"],
        ["6-5", "1-4", "2-3"],
        ["3-6", "4-2", "5-1"],
    ]


@pytest.mark.parametrize("n", range(2, 21))
def test_berger_agrees_with_the_oracle_and_everyone_meets_once(n: int) -> None:
    from caissify_pairings.engines.round_robin import berger_round

    from app.domain.formats.round_robin import berger

    players = [str(i) for i in range(1, n + 1)]
    ours = berger(players)
    size = n + n % 2
    for r, rnd in enumerate(ours, start=1):
        theirs = [(str(a), str(b)) for a, b in berger_round(size, r)]
        ours_named = [(a or str(size), b or str(size)) for a, b in rnd]
        assert ours_named == theirs
    met = Counter(frozenset(p) for rnd in ours for p in rnd if None not in p)
    assert len(met) == n * (n - 1) // 2 and set(met.values()) == {1}


def test_a_berger_round_robin_plays_the_tables_with_sides_as_colours() -> None:
    d = Driver("round_robin", {"schedule": "berger", "legs": 2})
    d.add(5)
    d.start()
    r1 = sorted((m.number, m.participants) for m in d.t.matches.values() if m.round == 1)
    # 5 players: 6 is the phantom; round 1: 1-6 (1 sits out), 2-5, 3-4
    assert [ps for _, ps in r1] == [["t1-p2", "t1-p5"], ["t1-p3", "t1-p4"]]
    assert sitting_out(d.t, 1, 1) == "t1-p1"
    r6 = sorted((m.number, m.participants) for m in d.t.matches.values() if m.round == 6)
    assert [ps for _, ps in r6] == [["t1-p5", "t1-p2"], ["t1-p4", "t1-p3"]]  # sides swapped
    d.play(lambda m: {"scores": [1, 1]})
    assert d.t.state == "complete"
