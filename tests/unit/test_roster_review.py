"""Check-in undone, called off and processed; seeds set at once; finalizing; a live match back
to ready: examples in the pure domain, then a property (any order of these commands keeps the
seeds 1..n and the fold deterministic)."""

from __future__ import annotations

import random

import pytest
from drive import Driver, higher_seed_wins
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import Conflict, Invalid
from app.domain.models import MatchState, TournamentState

FAST = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def four() -> tuple[Driver, list[str]]:
    d = Driver("single_elimination")
    return d, d.add(4)


def test_undo_check_in_takes_a_check_in_back() -> None:
    d, pids = four()
    d.run("check_in", target=pids[0])
    assert d.t.participants[pids[0]].checked_in_at is not None
    d.run("undo_check_in", target=pids[0])
    assert d.t.participants[pids[0]].checked_in_at is None
    with pytest.raises(Conflict, match="not checked in"):
        d.run("undo_check_in", target=pids[0])


def test_process_check_ins_drops_the_no_shows_before_the_start() -> None:
    d, pids = four()
    with pytest.raises(Conflict, match="not open"):
        d.run("process_check_ins")
    d.run("open_check_in")
    for pid in pids[1:]:
        d.run("check_in", target=pid)
    d.run("process_check_ins")
    assert [p.id for p in d.t.participant_list()] == pids[1:]
    assert [p.seed for p in d.t.participant_list()] == [1, 2, 3]
    d.start()
    assert d.t.state is TournamentState.UNDERWAY and len(d.t.participants) == 3


def test_abort_check_in_clears_every_check_in_and_the_schedule() -> None:
    d, pids = four()
    with pytest.raises(Conflict, match="not open"):
        d.run("abort_check_in")
    d.run("update_tournament", {"starts_at": "2026-01-01T13:00:00Z",
                                "check_in": {"minutes_before": 90}})  # fmt: skip
    d.tick_clock("2026-01-01T12:00:00.000Z")  # the schedule opens check-in
    assert d.t.day.check_in_opened_at is not None
    d.run("check_in", target=pids[2])
    d.run("abort_check_in")
    assert d.t.day.check_in_opened_at is None and d.t.day.check_in_minutes is None
    assert all(p.checked_in_at is None for p in d.t.participants.values())
    d.tick_clock("2026-01-01T12:10:00.000Z")  # and it does not open again
    assert d.t.day.check_in_opened_at is None
    d.start()  # nobody is dropped
    assert len(d.t.participants) == 4


def test_reseed_sets_every_seed_and_checks_the_order() -> None:
    d, pids = four()
    d.run("reseed", {"order": pids[::-1]})
    assert [p.id for p in d.t.participant_list()] == pids[::-1]
    for bad in ({"order": pids[:3]}, {"order": [*pids[:3], pids[0]]}, {"order": "x"}, [],
                {"order": pids, "more": 1}):  # fmt: skip
        with pytest.raises(Invalid):
            d.run("reseed", bad)
    d.start()
    with pytest.raises(Conflict):
        d.run("reseed", {"order": pids})


def test_finalize_needs_a_complete_tournament_and_then_results_stand() -> None:
    d, _ = four()
    d.start()
    with pytest.raises(Conflict, match="complete"):
        d.run("finalize")
    d.play(higher_seed_wins(d.t))
    assert d.t.state is TournamentState.COMPLETE
    final = next(m for m in d.t.matches.values() if m.round == 2)
    d.run("finalize")
    assert d.t.finalized_at is not None
    with pytest.raises(Conflict, match="finalized"):
        d.run("finalize")
    with pytest.raises(Conflict, match="finalized"):
        d.reopen(final.id)
    d.run("reset")
    assert d.t.finalized_at is None and d.t.state is TournamentState.PENDING


def test_clear_live_takes_a_live_match_back_to_ready() -> None:
    d, _ = four()
    d.start()
    m = d.ready()[0]
    with pytest.raises(Conflict, match="live"):
        d.run("clear_live", target=m.id)
    d.run("live_tick", {"scores": [2, 1], "detail": {"set": 3}}, target=m.id)
    assert d.t.matches[m.id].state is MatchState.LIVE
    d.run("clear_live", target=m.id)
    cleared = d.t.matches[m.id]
    assert (cleared.state, cleared.scores, cleared.live_detail) == (MatchState.READY, None, None)


@FAST
@given(st.lists(st.sampled_from(["check_in", "undo", "open", "abort", "process", "reseed"]),
                max_size=25), st.integers(2, 9), st.randoms(use_true_random=False))  # fmt: skip
def test_any_sequence_keeps_seeds_whole_and_replays_the_same(
    steps: list[str], n: int, rng: random.Random
) -> None:
    d = Driver("single_elimination")
    d.add(n)
    for step in steps:
        pids = list(d.t.participants)
        try:
            if step == "check_in":
                d.run("check_in", target=rng.choice(pids))
            elif step == "undo":
                d.run("undo_check_in", target=rng.choice(pids))
            elif step == "open":
                d.run("open_check_in")
            elif step == "abort":
                d.run("abort_check_in")
            elif step == "process":
                d.run("process_check_ins")
            else:
                rng.shuffle(pids)
                d.run("reseed", {"order": pids})
        except Conflict:
            pass
        seeds = sorted(p.seed for p in d.t.participants.values())
        assert seeds == list(range(1, len(seeds) + 1))
    assert d.replay().to_record() == d.t.to_record()
