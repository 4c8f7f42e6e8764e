from __future__ import annotations

import pytest
from drive import Driver, higher_seed_wins

from app.domain import commands
from app.domain.commands import Input
from app.domain.errors import Conflict, Invalid, NotFound
from app.domain.formats import get_format
from app.domain.models import Tournament
from app.domain.results import report_result


def started(fmt: str, n: int, **settings: object) -> Driver:
    d = Driver(fmt, dict(settings))
    d.add(n)
    d.start()
    return d


def test_best_of_games_and_scores() -> None:
    d = started("single_elimination", 4, best_of=[3, 5])
    m = d.ready()[0]
    assert m.best_of == 3
    a, _b = m.participants
    with pytest.raises(Invalid):
        d.report(m.id, {"scores": [1, 0]})
    with pytest.raises(Invalid):
        d.report(m.id, {"games": [[1, 0], [1, 0], [0, 1]]})  # game 3 after the decision
    d.report(m.id, {"games": [[21, 15], [10, 21], [21, 19]]})
    assert m.scores == [2, 1] and m.winner_id == a and len(m.games) == 3
    final = d.t.matches["t1-wr2m1"]
    assert final.best_of == 5


def test_forfeit_and_unknowns() -> None:
    d = started("single_elimination", 2)
    m = d.ready()[0]
    a, b = m.participants
    with pytest.raises(Invalid):
        d.report(m.id, {"forfeit": "nobody"})
    with pytest.raises(NotFound):
        report_result(d.t, "nope", {"winner_id": a})
    d.report(m.id, {"forfeit": a})
    assert m.result == "forfeit" and m.winner_id == b and m.loser_id == a
    with pytest.raises(Conflict):
        report_result(d.t, m.id, {"winner_id": a})


def test_draw_allowed_in_round_robin_and_best_of_draw() -> None:
    d = started("round_robin", 2, best_of=3)
    m = d.ready()[0]
    d.report(m.id, {"games": [[1, 0], [0, 1], [2, 2]]})
    assert m.result == "draw" and m.winner_id is None


def test_double_forfeit_both_lose_in_round_robin() -> None:
    d = started("round_robin", 3)
    m = d.ready()[0]
    d.report(m.id, {"forfeit": m.participants})
    rows = {r["participant_id"]: r for r in get_format("round_robin").standings(d.t)}
    for pid in m.participants:
        assert pid is not None and rows[pid]["losses"] == 1 and rows[pid]["points"] == 0


def test_open_matches_counter_round_trips() -> None:
    d = started("double_elimination", 6)
    m = d.ready()[0]
    d.report(m.id, {"winner_id": m.participants[0]})
    count = sum(1 for x in d.t.matches.values() if x.state != "complete")
    assert d.t.open_matches == count
    back = Tournament.from_dict(d.t.to_dict())
    assert back == d.t and back.to_dict() == d.t.to_dict()


def test_disqualify_in_elimination_forfeits_ready_match() -> None:
    d = started("single_elimination", 4)
    d.disqualify("t1-p1")
    m = d.t.matches["t1-wr1m1"]
    assert m.result == "forfeit" and m.loser_id == "t1-p1"
    with pytest.raises(Conflict):
        d.disqualify("t1-p1")


def test_tiebreakers_validation_for_every_format() -> None:
    from app.domain.formats import FORMATS

    for name, fmt in FORMATS.items():
        ok = fmt.normalize_settings({"tiebreakers": ["points", "seed"]})
        assert ok["tiebreakers"] == ["points", "seed"], name
        with pytest.raises(Invalid) as err:
            fmt.normalize_settings({"tiebreakers": ["buchholz", "bogus"]})
        assert err.value.errors[0]["field"].startswith("settings.tiebreakers"), name


def test_normalized_settings_normalize_to_themselves() -> None:
    from app.domain.formats import FORMATS

    for name, fmt in FORMATS.items():
        once = fmt.normalize_settings({})
        assert fmt.normalize_settings(once) == once, name
        data = commands.create_tournament({"name": "x", "format": name, "settings": {}})
        assert data["settings"] == once


def test_preview_pairing_is_pure() -> None:
    from app.domain.formats.swiss import preview_pairing

    d = started("swiss", 6)
    m = d.ready()[0]
    d.report(m.id, {"scores": [1, 0]})
    before = d.t.to_dict()
    assert len(preview_pairing(d.t)) == 3
    assert d.t.to_dict() == before


@pytest.mark.parametrize("fmt", ["single_elimination", "double_elimination", "round_robin",
                                 "swiss"])  # fmt: skip
def test_a_reset_tournament_is_pending_again_and_plays_the_same(fmt: str) -> None:
    """Reset: every match gone, everyone active again; the same draw and results then give the
    same tournament (a reset is a clean slate, not a leftover)."""
    d = Driver(fmt)
    pids = d.add(6)
    d.start()
    d.disqualify(pids[5])
    d.play(higher_seed_wins(d.t))
    first = {m.id: (m.participants, m.winner_id) for m in d.t.matches.values()}
    d.emit("tournament.reset", commands.reset(d.t, Input()))
    assert d.t.state == "pending" and not d.t.matches and d.t.open_matches == 0
    assert all(p.status == "active" for p in d.t.participants.values())
    with pytest.raises(Conflict):
        commands.reset(d.t, Input())
    d.start()
    d.disqualify(pids[5])
    d.play(higher_seed_wins(d.t))
    assert {m.id: (m.participants, m.winner_id) for m in d.t.matches.values()} == first
    assert d.replay().to_dict() == d.t.to_dict()
