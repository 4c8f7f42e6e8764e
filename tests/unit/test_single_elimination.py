from __future__ import annotations

import pytest
from drive import Driver, higher_seed_wins

from app.domain.errors import Invalid
from app.domain.formats.single_elimination import natural_order, standard_order


def first_round(d: Driver) -> list[tuple[int | None, int | None]]:
    t = d.t
    out = []
    for m in sorted(t.matches.values(), key=lambda m: m.number):
        if m.bracket == "winners" and m.round == 1:
            seeds = [t.participants[p].seed if p else None for p in m.participants]
            out.append((seeds[0], seeds[1]))
    return out


def started(n: int, settings: dict[str, object] | None = None) -> Driver:
    d = Driver("single_elimination", settings or {})
    d.add(n)
    d.start()
    return d


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (4, [(1, 4), (2, 3)]),
        (8, [(1, 8), (4, 5), (2, 7), (3, 6)]),
        (16, [(1, 16), (8, 9), (4, 13), (5, 12), (2, 15), (7, 10), (3, 14), (6, 11)]),
        (5, [(1, None), (4, 5), (2, None), (3, None)]),
        (6, [(1, None), (4, 5), (2, None), (3, 6)]),
        (7, [(1, None), (4, 5), (2, 7), (3, 6)]),
        (3, [(1, None), (2, 3)]),
        (2, [(1, 2)]),
    ],
)
def test_standard_first_round(n: int, expected: list[tuple[int | None, int | None]]) -> None:
    assert first_round(started(n)) == expected


def test_standard_order_32_top_seeds_meet_last() -> None:
    order = standard_order(32)
    assert order[:4] == [1, 32, 16, 17]
    assert sorted(order) == list(range(1, 33))
    assert order.index(2) >= 16 and order.index(1) < 16  # 1 and 2 in opposite halves
    for i in range(0, 32, 2):
        assert order[i] + order[i + 1] == 33


def test_natural_order_with_byes() -> None:
    assert natural_order(8, 5) == [1, 9, 2, 9, 3, 9, 4, 5]
    d = started(6, {"seed_ordering": "natural"})
    assert first_round(d) == [(1, None), (2, None), (3, 4), (5, 6)]


@pytest.mark.parametrize("n", [5, 6, 7])
def test_byes_go_to_top_seeds_and_advance(n: int) -> None:
    d = started(n)
    byes = [m for m in d.t.matches.values() if m.result == "bye"]
    assert len(byes) == 8 - n
    assert sorted(d.t.participants[m.winner_id].seed for m in byes if m.winner_id) == list(
        range(1, 8 - n + 1)
    )


def test_third_place_and_shared_ranks() -> None:
    d = started(8, {"third_place_match": True})
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete"
    from app.domain.formats import get_format

    rows = get_format("single_elimination").standings(d.t)
    ranks = {r["name"]: r["rank"] for r in rows}
    assert ranks == {"P1": 1, "P2": 2, "P3": 3, "P4": 4, "P5": 5, "P6": 5, "P7": 5, "P8": 5}


def test_without_third_place_semifinal_losers_share_third() -> None:
    from app.domain.formats import get_format

    d = started(8)
    d.play(higher_seed_wins(d.t))
    ranks = [r["rank"] for r in get_format("single_elimination").standings(d.t)]
    assert ranks == [1, 2, 3, 3, 5, 5, 5, 5]


def test_draw_refused_in_elimination() -> None:
    d = started(4)
    mid = d.ready()[0].id
    with pytest.raises(Invalid) as err:
        d.report(mid, {"scores": [2, 2]})
    assert err.value.errors[0]["field"] == "scores"


def test_double_forfeit_gives_next_match_a_bye() -> None:
    d = started(4)
    m1 = d.t.matches["t1-wr1m1"]
    d.report(m1.id, {"forfeit": m1.participants})
    m2 = d.t.matches["t1-wr1m2"]
    d.report(m2.id, {"winner_id": m2.participants[0]})
    final = d.t.matches["t1-wr2m1"]
    assert final.state == "complete" and final.result == "bye"
    assert final.winner_id == m2.participants[0]
    assert d.t.state == "complete"


def test_reopen_resets_the_cascade() -> None:
    d = started(8)
    d.play(higher_seed_wins(d.t))
    data = d.reopen("t1-wr1m1")
    assert data["reset"] == ["t1-wr1m1", "t1-wr2m1", "t1-wr3m1"]
    assert d.t.state == "underway"
    assert d.t.matches["t1-wr3m1"].state == "pending"
    assert d.t.matches["t1-wr1m1"].state == "ready"
    assert d.t.open_matches == 3


def test_settings_validation() -> None:
    from app.domain.formats import get_format

    fmt = get_format("single_elimination")
    assert fmt.normalize_settings({"tiebreakers": ["wins", "seed"]})["tiebreakers"] == [
        "wins",
        "seed",
    ]
    with pytest.raises(Invalid) as err:
        fmt.normalize_settings({"tiebreakers": ["coin_toss"]})
    assert err.value.errors[0]["field"] == "settings.tiebreakers[0]"
    with pytest.raises(Invalid):
        fmt.normalize_settings({"seed_ordering": "random"})
    with pytest.raises(Invalid):
        fmt.normalize_settings({"best_of": 2})
