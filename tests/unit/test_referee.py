"""A referee correcting their own last result: within the window, only their own, only while
nothing has moved on from it; the same winner changes only scores, another moves the bracket
as a reopen and a report would. Properties: a correction and its undoing give back the same
tournament, and a replay of the events folds to the same state."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from drive import Driver, random_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import commands
from app.domain.commands import COMMANDS, CommandName, Input
from app.domain.errors import Conflict, Invalid
from app.domain.eventday import instant, iso
from app.domain.events import Event
from app.domain.models import Match, MatchState, Tournament
from app.domain.referee import correctable_until
from app.domain.webhooks import Observer

WINDOW = 120.0
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def later(at: str, seconds: float) -> str:
    return iso(instant(at) + timedelta(seconds=seconds))


class Clocked(Driver):
    """A driver whose events happen at its clock's time (the window is measured on it)."""

    def event(self, type_: str, data: dict[str, Any]) -> Event:
        e = super().event(type_, data)
        e.at = getattr(self, "now", e.at)
        return e


def as_token(d: Driver, name: str, mid: str, body: Any, actor: str, after: float = 10) -> None:
    """Run ``name`` (report or correct) as the token ``actor``, ``after`` seconds on."""
    d.now = later(d.now, after)
    command = COMMANDS[CommandName(name)]
    inp = Input(body, mid, d.new_id, d.now, actor=actor, referee=True, correction_window=WINDOW)
    d.emit(command.event, command.decide(d.t, inp))


def report(d: Driver, mid: str, body: Any, actor: str = "tok_a") -> None:
    as_token(d, "report_result", mid, body, actor)


def correct(d: Driver, mid: str, body: Any, actor: str = "tok_a", after: float = 10) -> None:
    as_token(d, "correct_result", mid, body, actor, after)


def bracket(n: int = 4, fmt: str = "single_elimination", **settings: Any) -> Driver:
    d = Clocked(fmt, settings)
    d.add(n)
    d.start()
    return d


def first_round(d: Driver) -> list[Match]:
    return sorted((m for m in d.ready() if m.round == 1), key=lambda m: m.number)


def test_the_same_winner_changes_only_the_scores() -> None:
    d = bracket()
    m = first_round(d)[0]
    a, _b = m.participants
    report(d, m.id, {"scores": [2, 1]})
    final = d.t.matches[m.winner_to or ""]
    before = final.to_dict()
    correct(d, m.id, {"scores": [2, 0]})
    assert d.events[-1].type == "match.corrected"
    assert d.events[-1].data["was"]["scores"] == [2, 1]
    assert m.scores == [2, 0] and m.winner_id == a and m.state is MatchState.COMPLETE
    assert final.to_dict() == before  # nothing moved


def test_another_winner_moves_the_bracket_as_a_reopen_and_a_report_would() -> None:
    d = bracket()
    m = first_round(d)[0]
    a, b = m.participants
    report(d, m.id, {"scores": [2, 1]})
    final = d.t.matches[m.winner_to or ""]
    assert a in final.participants
    correct(d, m.id, {"scores": [0, 2]})
    assert m.winner_id == b and m.loser_id == a and m.scores == [0, 2]
    assert b in final.participants and a not in final.participants
    assert d.t.open_matches == sum(x.state is not MatchState.COMPLETE for x in d.t.matches.values())
    assert d.replay().to_record() == d.t.to_record()


def test_a_called_next_match_loses_its_call_and_is_called_again_with_its_new_players() -> None:
    d = Clocked("single_elimination")
    d.run("add_stations", [{"name": "Station 1"}, {"name": "Station 2"}])
    d.add(4)
    d.start()
    semis = first_round(d)
    report(d, semis[0].id, {"scores": [2, 0]})
    report(d, semis[1].id, {"scores": [2, 0]}, actor="tok_b")
    final = d.t.matches[semis[0].winner_to or ""]
    assert final.station is not None
    calls = sum(e.type == "match.called" for e in d.events)
    correct(d, semis[1].id, {"scores": [0, 2]}, actor="tok_b")
    assert final.station is not None, "called again at once: a station is free"
    called = [e for e in d.events if e.type == "match.called"]
    assert len(called) == calls + 1
    assert called[-1].data["participants"] == final.participants
    assert semis[1].participants[1] in final.participants
    held = [s.match_id for s in d.t.day.stations.values() if s.match_id]
    assert held == [final.id]


def test_only_the_reporter_may_correct_and_only_its_last_result() -> None:
    d = bracket(8)
    m1, m2 = first_round(d)[:2]
    report(d, m1.id, {"scores": [2, 1]}, actor="tok_a")
    with pytest.raises(Conflict, match="your own last result"):
        correct(d, m1.id, {"scores": [2, 0]}, actor="tok_b")
    with pytest.raises(Conflict, match="your own last result"):
        correct(d, m1.id, {"scores": [2, 0]}, actor="admin")
    report(d, m2.id, {"scores": [2, 1]}, actor="tok_a")
    with pytest.raises(Conflict, match="your own last result"):
        correct(d, m1.id, {"scores": [2, 0]}, actor="tok_a")  # no longer its last
    correct(d, m2.id, {"scores": [2, 0]}, actor="tok_a")


def test_the_window_counts_from_the_first_report_and_zero_turns_it_off() -> None:
    d = bracket()
    m = first_round(d)[0]
    report(d, m.id, {"scores": [2, 1]})
    first = d.events[-1].at
    with pytest.raises(Conflict, match="have passed"):
        correct(d, m.id, {"scores": [2, 0]}, after=WINDOW + 1)
    d.now = first
    correct(d, m.id, {"scores": [2, 0]}, after=WINDOW - 30)
    assert d.t.day.reports["tok_a"]["at"] == first
    with pytest.raises(Conflict, match="have passed"):  # 31 s more: past the first report's
        correct(d, m.id, {"scores": [1, 2]}, after=31)
    inp = Input({"scores": [0, 2]}, m.id, now=later(first, 1), actor="tok_a", referee=True)
    with pytest.raises(Conflict, match="does not let referees correct"):
        commands.correct(d.t, inp)


def test_nothing_moved_on_from_it_is_required() -> None:
    d = bracket()
    semis = first_round(d)
    report(d, semis[0].id, {"scores": [2, 1]}, actor="tok_a")
    report(d, semis[1].id, {"scores": [2, 1]}, actor="tok_b")
    final = d.t.matches[semis[0].winner_to or ""]
    d.emit("match.live", {"match_id": final.id, "scores": [1, 0], "detail": None})
    with pytest.raises(Conflict, match="has begun"):
        correct(d, semis[1].id, {"scores": [0, 2]}, actor="tok_b")
    # a reopen by the organiser, and a report by someone else: not tok_a's result any more
    d.reopen(semis[0].id)  # the live final with it
    report(d, semis[0].id, {"scores": [2, 1]}, actor="tok_c")
    with pytest.raises(Conflict, match="your own last result"):
        correct(d, semis[0].id, {"scores": [0, 2]}, actor="tok_a")


def test_a_correction_must_change_something_and_be_a_valid_report() -> None:
    d = bracket(4, best_of=3)
    m = first_round(d)[0]
    report(d, m.id, {"games": [[11, 5], [11, 7]]})
    with pytest.raises(Invalid, match="already reported"):
        correct(d, m.id, {"games": [[11, 5], [11, 7]]})
    with pytest.raises(Invalid, match="first to 2"):
        correct(d, m.id, {"scores": [3, 0]})
    with pytest.raises(Invalid):
        correct(d, m.id, {"winner_id": "nobody"})
    correct(d, m.id, {"games": [[11, 5], [5, 11], [11, 9]]})
    assert m.scores == [2, 1] and len(m.games) == 3


def test_a_corrected_final_completes_the_tournament_again_with_the_new_champion() -> None:
    d = bracket()
    for m in first_round(d):
        report(d, m.id, {"scores": [2, 0]}, actor="tok_x")
    final = d.ready()[0]
    _a, b = final.participants
    report(d, final.id, {"scores": [3, 1]})
    assert d.t.state == "complete"
    correct(d, final.id, {"scores": [1, 3]})
    assert d.t.state == "complete" and final.winner_id == b
    assert [e.type for e in d.events[-2:]] == ["match.corrected", "tournament.completed"]
    assert d.replay().to_record() == d.t.to_record()


def test_the_webhook_line_says_corrected() -> None:
    d = bracket()
    m = first_round(d)[0]
    report(d, m.id, {"scores": [2, 1]})
    correct(d, m.id, {"scores": [2, 0]})
    obs = Observer({})
    out = [n for e in [d.created, *d.events] for n in obs.observe(e)]
    fixed = [n for n in out if n.type == "match.corrected"]
    assert len(fixed) == 1
    assert fixed[0].text.startswith("Corrected: P1 2-0 P4 · Semifinal")
    assert fixed[0].data["match"]["scores"] == [2, 0]


def test_correctable_until_says_which_result_and_when() -> None:
    d = bracket()
    m = first_round(d)[0]
    assert correctable_until(d.t, "tok_a", WINDOW) is None
    report(d, m.id, {"scores": [2, 1]})
    got = correctable_until(d.t, "tok_a", WINDOW)
    assert got is not None and got["match_id"] == m.id
    assert got["until"] == instant(d.events[-1].at).timestamp() + WINDOW
    assert correctable_until(d.t, "tok_a", 0) is None
    assert correctable_until(d.t, "tok_b", WINDOW) is None


def test_reports_survive_the_store_and_a_reset_forgets_them() -> None:
    d = bracket()
    m = first_round(d)[0]
    report(d, m.id, {"scores": [2, 1]})
    again = Tournament.from_dict(d.t.to_record())
    assert again.day.reports == d.t.day.reports
    assert "reports" not in d.t.to_dict()  # never shown: it names tokens
    d.emit("tournament.reset", {})
    assert d.t.day.reports == {}


def decided(t: Tournament) -> list[Match]:
    return [m for m in t.matches.values() if m.state is MatchState.COMPLETE and m.result != "bye"]


def other_outcome(m: Match) -> dict[str, Any]:
    """A report of ``m`` with the other side winning (or a double forfeit after a draw)."""
    a, _b = m.participants
    if m.winner_id is None:
        return {"winner_id": a} if m.result == "draw" else {"forfeit": a}
    need = m.best_of // 2 + 1
    return {"scores": [0, need] if m.winner_id == a else [need, 0]}


def as_report(m: Match) -> dict[str, Any]:
    """The body that reports ``m`` as it stands."""
    if m.result in ("forfeit", "double_forfeit"):
        return {"forfeit": m.loser_id if m.result == "forfeit" else list(m.participants)}
    if m.games:
        return {"games": m.games}
    if m.scores is not None:
        return {"scores": m.scores} | ({"winner_id": m.winner_id} if m.winner_id else {})
    return {"winner_id": m.winner_id}


@FAST
@given(
    fmt=st.sampled_from(["single_elimination", "double_elimination", "round_robin", "swiss"]),
    n=st.integers(3, 10),
    played=st.integers(0, 30),
    seed=st.integers(0, 10_000),
)
def test_a_correction_undone_gives_back_the_same_tournament(
    fmt: str, n: int, played: int, seed: int
) -> None:
    d = bracket(n, fmt)
    rng = random.Random(seed)
    pick = random_results(d.t, rng, draws=fmt in ("round_robin", "swiss"), forfeits=True)
    for _ in range(played):
        ready = d.ready()
        if not ready:
            break
        m = rng.choice(ready)
        report(d, m.id, pick(m), actor=f"tok_{rng.randrange(3)}")
    last = d.events[-1] if d.events else None
    if last is None or last.type != "match.result":
        return
    m = d.t.matches[last.data["match_id"]]
    actor = last.data["reporter"]
    before = {x.id: {**x.to_dict(), "seq": 0} for x in d.t.matches.values()}
    original = as_report(m)
    try:
        correct(d, m.id, other_outcome(m), actor=actor, after=1)
    except Conflict:  # a Swiss round paired on it, say: the organiser's reopen
        return
    correct(d, m.id, original, actor=actor, after=1)
    after = {x.id: {**x.to_dict(), "seq": 0} for x in d.t.matches.values()}
    assert after == before
    assert d.replay().to_record() == d.t.to_record()
    assert d.t.open_matches == sum(x.state is not MatchState.COMPLETE for x in d.t.matches.values())
