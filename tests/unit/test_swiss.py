from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from drive import Driver, higher_seed_wins

from app.domain import commands, state
from app.domain.commands import Input
from app.domain.errors import Conflict
from app.domain.formats import get_format
from app.domain.formats.swiss import preview_pairing
from app.domain.results import report_result


def started(n: int, ratings: bool = False, **settings: Any) -> Driver:
    d = Driver("swiss", {"initial_colour": "white", **settings})
    d.add(n, ratings=ratings)
    d.start()
    return d


def test_round_one_upper_half_v_lower_half_alternating_sides() -> None:
    d = started(8)
    r1 = sorted((m.number, m.participants) for m in d.t.matches.values())
    assert r1 == [
        (1, ["t1-p1", "t1-p5"]),
        (2, ["t1-p6", "t1-p2"]),
        (3, ["t1-p3", "t1-p7"]),
        (4, ["t1-p8", "t1-p4"]),
    ]
    assert all(m.bracket == "swiss" and m.group == 1 for m in d.t.matches.values())


def test_pairing_numbers_by_rating_then_title_then_name() -> None:
    d = Driver("swiss", {"initial_colour": "white"})
    rows = [
        {"name": "Zed", "rating": 1500},
        {"name": "Amy", "rating": 2000},
        {"name": "Bob"},
        {"name": "Cat", "rating": 1800, "title": "FM"},
        {"name": "Dan", "rating": 1800, "title": "GM"},
        {"name": "Eve", "rating": 1800},
    ]
    ids = [f"t1-p{i + 1}" for i in range(len(rows))]
    d.add_rows(rows, ids)
    d.start()
    # numbers: Amy 1, Dan 2 (GM), Cat 3 (FM), Eve 4, Zed 5, Bob 6 (unrated): 1 v 4, 2 v 5, 3 v 6
    boards = sorted((m.number, m.participants) for m in d.t.matches.values())
    name = {p.id: p.name for p in d.t.participants.values()}
    assert [[name[p] for p in ps if p] for _, ps in boards] == [
        ["Amy", "Eve"],
        ["Zed", "Dan"],
        ["Cat", "Bob"],
    ]


def test_pairing_numbers_by_seed_when_set() -> None:
    d = Driver("swiss", {"initial_colour": "black", "pairing_numbers": "seed"})
    d.add_rows([{"name": "B", "rating": 1000}, {"name": "A", "rating": 2000}], ["x", "y"])
    d.start()
    (m,) = d.t.matches.values()
    assert m.participants == ["y", "x"]  # seed 1 (x) has pairing number 1 and gets black


def test_bye_to_lowest_ranked_worth_bye_points() -> None:
    d = started(5)
    bye = [m for m in d.t.matches.values() if m.result == "bye"]
    assert len(bye) == 1 and bye[0].winner_id == "t1-p5"
    assert bye[0].participants == ["t1-p5", None]
    rows = {r["participant_id"]: r for r in get_format("swiss").standings(d.t)}
    assert rows["t1-p5"]["points"] == 1


def test_rounds_follow_and_the_next_round_is_paired_by_followups() -> None:
    d = started(8, auto_pair=True)
    for m in d.ready():
        d.report(m.id, higher_seed_wins(d.t)(m))
    assert max(m.round for m in d.t.matches.values()) == 2
    paired = [e for e in d.events if e.type == "round.paired"]
    assert paired and paired[-1].data["round"] == 2 and len(paired[-1].data["matches"]) == 4
    # winners meet winners; p1 and p3 both had white, so p1 meets p4 (C.12 before D.1)
    r2 = sorted((m for m in d.t.matches.values() if m.round == 2), key=lambda m: m.number)
    assert r2[0].participants == ["t1-p4", "t1-p1"]
    assert r2[1].participants == ["t1-p2", "t1-p3"]
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete" and max(m.round for m in d.t.matches.values()) == 3
    assert commands.followups(d.t) == []


def test_preview_matches_the_next_pairing() -> None:
    d = started(10, auto_pair=True)
    ready = d.ready()
    for m in ready[:-1]:
        d.report(m.id, higher_seed_wins(d.t)(m))
    last = ready[-1]
    d.t.matches[last.id]  # still open
    body = higher_seed_wins(d.t)(last)
    # what the round would be after this result: preview on a copy
    from app.domain.models import Tournament

    copy = Tournament.from_dict(d.t.to_dict())
    state.apply(copy, d.event("match.result", report_result(copy, last.id, body)))
    preview = preview_pairing(copy)
    d.report(last.id, body)
    r2 = [m.to_dict() for m in d.t.matches.values() if m.round == 2]
    assert [p["slots"] for p in preview] == [m["slots"] for m in r2]


def test_no_reopen_once_next_round_paired() -> None:
    d = started(4, auto_pair=True)
    first = d.ready()
    for m in first:
        d.report(m.id, higher_seed_wins(d.t)(m))
    with pytest.raises(Conflict):
        commands.reopen(d.t, Input(target=first[0].id))
    current = d.ready()[0]
    d.report(current.id, higher_seed_wins(d.t)(current))
    assert commands.reopen(d.t, Input(target=current.id))["reset"] == [current.id]


@pytest.mark.parametrize("n", [3, 5, 7, 9, 16, 17, 33])
def test_no_rematch_no_second_bye_sides_balanced(n: int) -> None:
    d = started(n, ratings=True, rounds=min(n - 1, 6))
    d.play(higher_seed_wins(d.t))
    ms = list(d.t.matches.values())
    pairs = Counter(frozenset(m.participants) for m in ms if None not in m.participants)
    assert set(pairs.values()) == {1}
    byes = Counter(m.winner_id for m in ms if m.result == "bye")
    assert all(v == 1 for v in byes.values())
    sides: dict[str, list[int]] = {}
    for m in sorted(ms, key=lambda m: m.round):
        for i, p in enumerate(m.participants):
            if p and None not in m.participants:
                sides.setdefault(p, []).append(i)
    assert all(abs(s.count(0) - s.count(1)) <= 2 for s in sides.values())


def test_disqualified_player_is_not_paired_again() -> None:
    d = started(6)
    d.disqualify("t1-p1")
    d.play(higher_seed_wins(d.t))
    later = [m for m in d.t.matches.values() if m.round > 1]
    assert all("t1-p1" not in m.participants for m in later)


def test_draws_and_buchholz() -> None:
    d = started(4, tiebreakers=["buchholz", "sonneborn_berger", "wins", "seed"])
    d.play(lambda m: {"scores": [1, 1]})
    rows = get_format("swiss").standings(d.t)
    assert all(r["points"] == 1 for r in rows)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert all(r["tiebreaks"]["buchholz"] == 2 for r in rows)
