from __future__ import annotations

from typing import Any

import pytest
from drive import Driver, higher_seed_wins

from app.domain.errors import Invalid
from app.domain.formats import get_format
from app.domain.formats.double_elimination import drop_table, loser_orderings
from app.domain.models import Slot


def started(n: int, **settings: Any) -> Driver:
    d = Driver("double_elimination", settings)
    d.add(n)
    d.start()
    return d


def src(s: Slot) -> str:
    if s.participant_id:
        return s.participant_id.split("-")[1]
    if s.from_match:
        return f"{(s.from_outcome or '?')[0].upper()}:{s.from_match.split('-')[1]}"
    return "bye"


def layout(d: Driver) -> list[str]:
    return [
        f"{m.id.split('-')[1]} {src(m.slots[0])} v {src(m.slots[1])}" for m in d.t.matches.values()
    ]


def test_layout_of_8() -> None:
    assert layout(started(8)) == [
        "wr1m1 p1 v p8",
        "wr1m2 p4 v p5",
        "wr1m3 p2 v p7",
        "wr1m4 p3 v p6",
        "wr2m1 W:wr1m1 v W:wr1m2",
        "wr2m2 W:wr1m3 v W:wr1m4",
        "wr3m1 W:wr2m1 v W:wr2m2",
        "lr1m1 L:wr1m1 v L:wr1m2",
        "lr1m2 L:wr1m3 v L:wr1m4",
        "lr2m1 L:wr2m2 v W:lr1m1",
        "lr2m2 L:wr2m1 v W:lr1m2",
        "lr3m1 W:lr2m1 v W:lr2m2",
        "lr4m1 L:wr3m1 v W:lr3m1",
        "fr1m1 W:wr3m1 v W:lr4m1",
        "fr2m1 L:fr1m1 v W:fr1m1",
    ]


# brackets-manager.js defaultMinorOrdering, and the losers' match each winners' match feeds
@pytest.mark.parametrize(
    ("size", "orderings", "table"),
    [
        (8, ["natural", "reverse", "natural"], [[1, 1, 2, 2], [2, 1], [1]]),
        (
            16,
            ["natural", "reverse_half_shift", "reverse", "natural"],
            [[1, 1, 2, 2, 3, 3, 4, 4], [2, 1, 4, 3], [2, 1], [1]],
        ),
        (
            32,
            ["natural", "reverse", "half_shift", "natural", "natural"],
            [
                [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8],
                [8, 7, 6, 5, 4, 3, 2, 1],
                [3, 4, 1, 2],
                [1, 2],
                [1],
            ],
        ),
    ],
)
def test_loser_drop_tables(size: int, orderings: list[str], table: list[list[int]]) -> None:
    assert loser_orderings(size) == orderings
    assert drop_table(size) == table


@pytest.mark.parametrize(("n", "count"), [(2, 3), (3, 7), (4, 7), (5, 15), (7, 15), (8, 15)])
def test_match_counts(n: int, count: int) -> None:
    assert len(started(n).t.matches) == count


@pytest.mark.parametrize("n", [5, 6, 7])
def test_byes_carry_into_the_losers_bracket(n: int) -> None:
    d = started(n)
    lb1 = [m for m in d.t.matches.values() if m.bracket == "losers" and m.round == 1]
    wb_byes = sum(1 for m in d.t.matches.values() if m.bracket == "winners" and m.result == "bye")
    assert wb_byes == 8 - n
    # a losers' round-1 match fed by two byes is itself a bye with nobody; by one, waits or byes
    both_dead = [m for m in lb1 if m.result == "bye" and m.winner_id is None]
    assert len(both_dead) == (1 if n == 5 else 0)
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete"
    assert [r["name"] for r in get_format("double_elimination").standings(d.t)][:2] == ["P1", "P2"]


def gf_players(d: Driver) -> tuple[str, str]:
    gf = d.t.matches["t1-fr1m1"]
    a, b = gf.participants
    assert a is not None and b is not None
    return a, b


def play_to_grand_final(d: Driver) -> None:
    pick = higher_seed_wins(d.t)
    while d.t.matches["t1-fr1m1"].state != "ready":
        m = d.ready()[0]
        d.report(m.id, pick(m))


def test_reset_not_played_when_winners_champion_wins() -> None:
    d = started(4)
    play_to_grand_final(d)
    wb, _lb = gf_players(d)
    d.report("t1-fr1m1", {"winner_id": wb})
    reset = d.t.matches["t1-fr2m1"]
    assert reset.state == "complete" and reset.result == "bye"
    assert reset.participants == [None, None] and reset.winner_id is None
    assert d.t.state == "complete"
    rows = get_format("double_elimination").standings(d.t)
    assert [(r["rank"], r["participant_id"]) for r in rows[:2]] == [(1, wb), (2, _lb)]


def test_reset_played_when_losers_champion_wins() -> None:
    d = started(4)
    play_to_grand_final(d)
    wb, lb = gf_players(d)
    d.report("t1-fr1m1", {"winner_id": lb})
    reset = d.t.matches["t1-fr2m1"]
    assert reset.state == "ready" and reset.participants == [wb, lb]
    assert d.t.state == "underway"
    d.report("t1-fr2m1", {"winner_id": lb})
    assert d.t.state == "complete"
    rows = get_format("double_elimination").standings(d.t)
    assert [r["participant_id"] for r in rows[:2]] == [lb, wb]
    # reopening the first grand final resets the reset too
    data = d.reopen("t1-fr1m1")
    assert data["reset"] == ["t1-fr1m1", "t1-fr2m1"]
    assert d.t.matches["t1-fr2m1"].state == "pending"


@pytest.mark.parametrize(("mode", "count"), [("none", 5), ("simple", 6), ("double", 7)])
def test_grand_final_modes(mode: str, count: int) -> None:
    d = started(4, grand_final=mode)
    assert len(d.t.matches) == count
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete"
    rows = get_format("double_elimination").standings(d.t)
    assert [(r["rank"], r["name"]) for r in rows] == [(1, "P1"), (2, "P2"), (3, "P3"), (4, "P4")]


def test_standings_share_ranks_by_losers_round() -> None:
    d = started(8)
    d.play(higher_seed_wins(d.t))
    ranks = [r["rank"] for r in get_format("double_elimination").standings(d.t)]
    assert ranks == [1, 2, 3, 4, 5, 5, 7, 7]


def test_draw_refused_and_settings() -> None:
    d = started(4)
    with pytest.raises(Invalid):
        d.report(d.ready()[0].id, {"scores": [1, 1]})
    with pytest.raises(Invalid) as err:
        get_format("double_elimination").normalize_settings({"grand_final": "triple"})
    assert err.value.errors[0]["field"] == "settings.grand_final"
    assert get_format("double_elimination").normalize_settings({})["grand_final"] == "double"
