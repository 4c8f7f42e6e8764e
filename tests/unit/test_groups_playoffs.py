from __future__ import annotations

from typing import Any

import pytest
from drive import Driver, higher_seed_wins

from app.domain import commands
from app.domain.commands import Input
from app.domain.errors import Conflict, Invalid
from app.domain.formats import get_format


def started(n: int, settings: dict[str, Any]) -> Driver:
    d = Driver("groups_playoffs", settings)
    d.add(n)
    d.start()
    return d


def test_round_robin_groups_then_crossed_single_elimination() -> None:
    d = started(8, {"group_count": 2, "advance": 2})
    assert {m.bracket for m in d.t.matches.values()} == {"group"}
    d.play(higher_seed_wins(d.t))
    started_events = [e for e in d.events if e.type == "stage.started"]
    assert len(started_events) == 1
    # group 1 holds seeds 1, 4, 5, 8, group 2 seeds 2, 3, 6, 7: A1 = p1, B1 = p2, A2 = p4, B2 = p3
    assert started_events[0].data == {"stage": 2, "seeding": ["t1-p1", "t1-p2", "t1-p4", "t1-p3"]}
    semis = sorted(
        (m.number, m.participants)
        for m in d.t.matches.values()
        if m.bracket == "winners" and m.round == 1
    )
    assert semis == [(1, ["t1-p1", "t1-p3"]), (2, ["t1-p2", "t1-p4"])]  # A1 v B2, B1 v A2
    assert d.t.state == "complete"
    rows = get_format("groups_playoffs").standings(d.t)
    assert [r["rank"] for r in rows] == [1, 2, 3, 3, 5, 5, 7, 7]
    assert [r["name"] for r in rows[:2]] == ["P1", "P2"]


def test_swiss_groups_then_double_elimination() -> None:
    settings = {
        "group_stage": {"format": "swiss", "rounds": 2},
        "group_count": 2,
        "advance": 2,
        "playoff": {"format": "double_elimination", "grand_final": "simple"},
    }
    d = started(8, settings)
    d.play(higher_seed_wins(d.t))
    assert d.t.state == "complete"
    types = [e.type for e in d.events]
    assert types.count("round.paired") == 1 and types.count("stage.started") == 1
    assert "t1-fr1m1" in d.t.matches


def test_draws_only_in_the_group_stage_and_no_reopen_after_playoff() -> None:
    d = started(4, {"group_count": 1, "advance": 2})
    group = d.ready()
    for m in group:
        d.report(m.id, {"scores": [0, 0]} if m is group[0] else higher_seed_wins(d.t)(m))
    final = d.ready()[0]
    assert final.bracket == "winners"
    with pytest.raises(Invalid):
        d.report(final.id, {"scores": [1, 1]})
    with pytest.raises(Conflict):
        commands.reopen(d.t, Input(target=group[1].id))


def test_settings_and_start_checks() -> None:
    fmt = get_format("groups_playoffs")
    s = fmt.normalize_settings({"tiebreakers": ["wins"]})
    assert (
        s["group_stage"]["tiebreakers"] == ["wins"]
        and s["playoff"]["format"] == "single_elimination"
    )
    for bad in (
        {"group_stage": {"format": "single_elimination"}},
        {"playoff": {"format": "round_robin"}},
        {"playoff": {"format": "double_elimination", "grand_final": "x"}},
        {"advance": 0},
        {"tiebreakers": ["x"]},
    ):
        with pytest.raises(Invalid):
            fmt.normalize_settings(bad)
    d = Driver("groups_playoffs", {"group_count": 2, "advance": 3})
    d.add(5)
    with pytest.raises(Conflict):
        d.start()
