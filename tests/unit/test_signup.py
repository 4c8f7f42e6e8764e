"""Sign-up, the waiting list and check-in, in the pure domain: examples, then properties
(capacity never exceeded, the waiting list promoted in its order) against a model of the list
kept by the test itself."""

from __future__ import annotations

import contextlib
import random
from typing import Any

import pytest
from drive import Driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import commands, signup
from app.domain.commands import Input
from app.domain.errors import Conflict, Invalid, NotFound
from app.domain.events import Event, public_data
from app.domain.models import Tournament

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def cup(**signup: Any) -> Driver:
    d = Driver("single_elimination")
    d.run("update_tournament", {"signup": {"enabled": True, **signup}})
    return d


def sign(d: Driver, name: str, **extra: Any) -> str:
    d.run("sign_up", {"name": name, **extra}, link=f"hash-{name}")
    return next(e.data["participant_id"] for e in reversed(d.events)
                if e.type == "participant.signed_up")  # fmt: skip


def names(d: Driver) -> list[str]:
    return [p.name for p in d.t.participant_list()]


def waiting(d: Driver) -> list[str]:
    return [d.t.day.entries[e].name for e in d.t.day.waitlist]


def test_places_then_the_waiting_list_then_promotion_in_order() -> None:
    d = cup(capacity=2)
    ids = {n: sign(d, n) for n in ("Ada", "Bob", "Cy", "Di")}
    assert names(d) == ["Ada", "Bob"] and waiting(d) == ["Cy", "Di"]
    d.run("withdraw", target=ids["Ada"])
    assert names(d) == ["Bob", "Cy"] and waiting(d) == ["Di"]
    assert [p.seed for p in d.t.participant_list()] == [1, 2]
    assert d.t.day.entries[ids["Ada"]].status == "withdrawn"
    promoted = [e.data for e in d.events if e.type == "participant.promoted"]
    assert promoted == [{"participant_id": ids["Cy"]}]
    d.run("update_tournament", {"signup": {"capacity": 4}})  # more places: the list moves up
    assert names(d) == ["Bob", "Cy", "Di"] and waiting(d) == []


def test_approval_and_rejection() -> None:
    d = cup(capacity=2, approval=True)
    ids = {n: sign(d, n) for n in ("Ada", "Bob", "Cy")}
    assert names(d) == [] and {e.status for e in d.t.day.entries.values()} == {"pending"}
    d.run("approve", target=ids["Cy"])
    d.run("approve", target=ids["Ada"])
    assert names(d) == ["Cy", "Ada"]
    d.run("approve", target=ids["Bob"])
    assert waiting(d) == ["Bob"]
    d.run("reject", target=ids["Bob"])
    assert waiting(d) == [] and d.t.day.entries[ids["Bob"]].status == "rejected"
    with pytest.raises(Conflict):
        d.run("approve", target=ids["Bob"])
    with pytest.raises(Conflict):
        d.run("reject", target=ids["Ada"])  # holds a place: removed, not rejected
    with pytest.raises(NotFound):
        d.run("approve", target="p_nobody")


def test_the_code_the_closing_time_and_names() -> None:
    d = cup(closes_at="2026-01-01T13:00:00Z")
    d.run("update_tournament", {"signup": {"code": "lan party"}})
    with pytest.raises(Invalid) as bad:
        sign(d, "Ada")
    assert bad.value.errors[0]["field"] == "code"
    with pytest.raises(Invalid):
        sign(d, "Ada", code="LAN PARTY")
    sign(d, "Ada", code="lan party")
    with pytest.raises(Invalid):
        sign(d, "ada", code="lan party")  # names are unique, whatever the case
    d.tick_clock("2026-01-01T13:00:00.000Z")
    assert d.events[-1].type == "signup.closed"
    with pytest.raises(Conflict, match="closed"):
        sign(d, "Bob", code="lan party")
    assert "signup_code" not in public_data(d.events[1].data)
    assert d.t.to_dict()["signup"]["code_required"] is True
    assert "lan party" not in repr(d.t.to_dict())


def test_sign_up_needs_it_enabled_and_the_tournament_pending() -> None:
    d = Driver("single_elimination")
    with pytest.raises(Conflict, match="no sign-ups"):
        sign(d, "Ada")
    d.run("update_tournament", {"signup": {"enabled": True}})
    sign(d, "Ada")
    sign(d, "Bob")
    d.start()
    with pytest.raises(Conflict):
        sign(d, "Cy")
    with pytest.raises(Conflict):
        d.run("update_tournament", {"signup": {"enabled": False}})


@pytest.mark.parametrize(
    "body",
    [
        {"signup": {"capacity": 1}},
        {"signup": {"capacity": "8"}},
        {"signup": {"seeding": "random"}},
        {"signup": {"closes_at": "tomorrow"}},
        {"signup": {"code": ""}},
        {"signup": {"unknown": 1}},
        {"check_in": {"minutes_before": -5}},
        {"starts_at": 12},
        {"call_matches": "sometimes"},
        {"round_times": [{"round": 0, "at": "2026-01-01T12:00:00Z"}]},
        {"round_times": [{"round": 1, "bracket": "upper", "at": "2026-01-01T12:00:00Z"}]},
    ],
)
def test_bad_settings_are_refused(body: dict[str, Any]) -> None:
    d = Driver("single_elimination")
    with pytest.raises(Invalid):
        d.run("update_tournament", body)


def test_capacity_never_below_the_places_taken_nor_overfilled_by_hand() -> None:
    d = cup(capacity=3)
    for n in ("Ada", "Bob", "Cy"):
        sign(d, n)
    with pytest.raises(Invalid):
        d.run("update_tournament", {"signup": {"capacity": 2}})
    with pytest.raises(Conflict, match="full"):
        d.run("add_participants", {"name": "Dan"})
    d.run("update_tournament", {"signup": {"capacity": 4}})
    with pytest.raises(Invalid, match="already"):
        d.run("add_participants", {"name": "ada"})  # a signed-up name is taken
    d.run("add_participants", {"name": "Dan"})
    assert names(d) == ["Ada", "Bob", "Cy", "Dan"]


def test_check_in_by_schedule_and_the_start_drops_no_shows() -> None:
    d = cup(capacity=4, seeding="rating")
    d.run("update_tournament", {"starts_at": "2026-01-01T18:00:00Z",
                                "check_in": {"minutes_before": 30}})  # fmt: skip
    ratings = {"Ada": 1500, "Bob": 1800, "Cy": None, "Di": 1200, "Ed": 1900, "Flo": 1000}
    ids = {n: sign(d, n, **({"rating": r} if r else {})) for n, r in ratings.items()}
    assert waiting(d) == ["Ed", "Flo"]
    with pytest.raises(Conflict, match="opens at 2026-01-01T17:30"):
        d.run("check_in_self", target=ids["Ada"])
    d.tick_clock("2026-01-01T17:29:59.999Z")
    assert d.t.day.check_in_opened_at is None
    d.tick_clock("2026-01-01T17:30:00.000Z")
    assert d.events[-1].type == "check_in.opened" and d.events[-1].data == {"by": "schedule"}
    for n in ("Ada", "Cy", "Flo", "Ed"):
        d.run("check_in_self", target=ids[n])
    d.run("check_in", target=ids["Di"])  # the organiser checks Di in
    with pytest.raises(Conflict, match="already"):
        d.run("check_in_self", target=ids["Di"])
    d.start()
    started = d.events[-1] if d.events[-1].type == "tournament.started" else next(
        e for e in d.events if e.type == "tournament.started")  # fmt: skip
    assert started.data["dropped"] == [ids["Bob"]]
    assert started.data["promoted"] == [ids["Ed"]]  # first in line of those who checked in
    # by rating, highest first, no rating last
    assert names(d) == ["Ed", "Ada", "Di", "Cy"]
    assert d.t.day.entries[ids["Bob"]].status == "dropped"
    assert waiting(d) == ["Flo"]


def test_waiting_players_who_did_not_check_in_are_passed_over_at_the_start() -> None:
    d = cup(capacity=2)
    ids = {n: sign(d, n) for n in ("Ada", "Bob", "Cy", "Di")}
    d.run("open_check_in")
    with pytest.raises(Conflict):
        d.run("open_check_in")
    d.run("check_in_self", target=ids["Ada"])
    d.run("check_in_self", target=ids["Di"])
    d.start()
    assert names(d) == ["Ada", "Di"]


def test_too_few_checked_in_cannot_start() -> None:
    d = cup()
    ids = [sign(d, n) for n in ("Ada", "Bob", "Cy")]
    d.run("open_check_in")
    d.run("check_in_self", target=ids[0])
    with pytest.raises(Conflict, match="who checked in"):
        d.start()


def test_reorder_the_waiting_list() -> None:
    d = cup(capacity=2)
    ids = {n: sign(d, n) for n in ("Ada", "Bob", "Cy", "Di", "Ed")}
    with pytest.raises(Invalid):
        d.run("reorder_waitlist", {"order": [ids["Ed"], ids["Cy"]]})
    d.run("reorder_waitlist", {"order": [ids["Ed"], ids["Cy"], ids["Di"]]})
    d.run("remove_participant", target=ids["Bob"])
    assert names(d) == ["Ada", "Ed"] and waiting(d) == ["Cy", "Di"]


def test_links_are_replaced_and_kept_out_of_public_view() -> None:
    d = cup()
    pid = sign(d, "Ada")
    assert d.t.day.links == {"hash-Ada": pid}
    d.run("issue_link", target=pid, link="hash-new")
    assert d.t.day.links == {"hash-new": pid}
    assert all("token_hash" not in public_data(e.data) for e in d.events)
    assert "hash-new" not in repr(d.t.to_dict())


def test_the_record_round_trips_and_the_fold_replays() -> None:
    d = cup(capacity=2, code="x", closes_at="2027-01-01T00:00:00Z")
    ids = [sign(d, n, code="x") for n in ("Ada", "Bob", "Cy", "Di")]
    d.run("open_check_in")
    d.run("check_in_self", target=ids[2])
    d.run("withdraw", target=ids[3])
    d.run("add_stations", [{"name": "Table 1"}])
    back = Tournament.from_dict(d.t.to_record())
    assert back.to_record() == d.t.to_record()
    replayed = d.replay()
    assert replayed.to_record() == d.t.to_record()


# ---- properties --------------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["sign", "sign", "sign", "withdraw", "approve", "reject", "capacity",
                         "remove", "reorder", "approval"]),
        st.integers(0, 1000),
    ),
    max_size=60,
)  # fmt: skip


class Model:
    """The waiting list as the rules say it should be, kept apart from the implementation."""

    def __init__(self) -> None:
        self.line: list[str] = []


def live_ids(d: Driver) -> list[str]:
    return [e.id for e in d.t.day.entries.values() if e.status in ("pending", "waiting")]


def op_sign(d: Driver, model: Model, k: int) -> None:
    pid = sign(d, f"N{len(d.events)}-{k}")
    entry = d.t.day.entries.get(pid)
    if entry is not None and entry.status == "waiting":
        model.line.append(pid)


def op_withdraw(d: Driver, model: Model, k: int) -> None:
    holders = list(d.t.participants) + live_ids(d)
    if holders:
        pid = holders[k % len(holders)]
        d.run("withdraw", target=pid)
        if pid in model.line:
            model.line.remove(pid)


def op_approve(d: Driver, model: Model, k: int) -> None:
    live = live_ids(d)
    if live:
        pid = live[k % len(live)]
        d.run("approve", target=pid)
        entry = d.t.day.entries.get(pid)
        if entry is not None and entry.status == "waiting":
            model.line.append(pid)


def op_reject(d: Driver, model: Model, k: int) -> None:
    live = live_ids(d)
    if live:
        pid = live[k % len(live)]
        d.run("reject", target=pid)
        if pid in model.line:
            model.line.remove(pid)


def op_capacity(d: Driver, model: Model, k: int) -> None:
    cap = max(2, len(d.t.participants) + k % 4)
    d.run("update_tournament", {"signup": {"capacity": cap}})


def op_remove(d: Driver, model: Model, k: int) -> None:
    if d.t.participants:
        d.run("remove_participant", target=list(d.t.participants)[k % len(d.t.participants)])


def op_reorder(d: Driver, model: Model, k: int) -> None:
    if len(d.t.day.waitlist) > 1:
        order = list(d.t.day.waitlist)
        random.Random(k).shuffle(order)
        d.run("reorder_waitlist", {"order": order})
        model.line = list(order)


def op_approval(d: Driver, model: Model, k: int) -> None:
    d.run("update_tournament", {"signup": {"approval": k % 2 == 0}})


STEPS = {"sign": op_sign, "withdraw": op_withdraw, "approve": op_approve, "reject": op_reject,
         "capacity": op_capacity, "remove": op_remove, "reorder": op_reorder,
         "approval": op_approval}  # fmt: skip


def step(d: Driver, model: Model, op: str, k: int) -> None:
    """One organiser's or player's action; a refused one changes nothing."""
    with contextlib.suppress(Conflict, Invalid):
        STEPS[op](d, model, k)


def promotions(d: Driver, after: int) -> list[str]:
    return [e.data["participant_id"] for e in d.events[after:] if e.type == "participant.promoted"]


@FAST
@given(ops=OPS, cap=st.integers(2, 6))
def test_capacity_is_never_exceeded_and_the_line_moves_in_order(
    ops: list[tuple[str, int]], cap: int
) -> None:
    d = cup(capacity=cap)
    model = Model()
    for op, k in ops:
        seen = len(d.events)
        step(d, model, op, k)
        promoted = promotions(d, seen)
        # whoever was promoted was first in line, in the line's order
        assert promoted == model.line[: len(promoted)]
        del model.line[: len(promoted)]
        assert t_list(d) == model.line
        capacity = d.t.day.capacity
        if capacity is not None:
            assert len(d.t.participants) <= capacity
            # nobody waits while a place is free
            assert not d.t.day.waitlist or len(d.t.participants) == capacity
        assert sorted(p.seed for p in d.t.participants.values()) == list(
            range(1, len(d.t.participants) + 1)
        )
    assert d.replay().to_record() == d.t.to_record()


def t_list(d: Driver) -> list[str]:
    return list(d.t.day.waitlist)


@FAST
@given(ops=OPS, cap=st.integers(2, 6), present=st.sets(st.integers(0, 30)))
def test_the_start_never_exceeds_capacity_and_takes_the_line_in_order(
    ops: list[tuple[str, int]], cap: int, present: set[int]
) -> None:
    d = cup(capacity=cap)
    model = Model()
    for op, k in ops:
        step(d, model, op, k)
    cap = d.t.day.capacity or cap  # the steps may have changed it
    d.run("open_check_in")
    everyone = list(d.t.participants) + list(d.t.day.waitlist)
    for i, pid in enumerate(everyone):
        if i in present:
            d.run("check_in_self", target=pid)
    line = [pid for pid in d.t.day.waitlist if d.t.day.entries[pid].checked_in_at]
    stay = [p.id for p in d.t.participant_list() if p.checked_in_at]
    plan = signup.start_plan(d.t)
    try:
        d.start()
    except Conflict:
        assert len(stay) + len(line[: cap - len(stay)]) < 2
        return
    started = next(e for e in d.events if e.type == "tournament.started")
    assert plan == started.data
    assert started.data["promoted"] == line[: cap - len(stay)]
    assert len(d.t.participants) <= cap
    assert all(p.checked_in_at for p in d.t.participants.values())


def test_an_event_folded_twice_changes_nothing() -> None:
    d = cup()
    sign(d, "Ada")
    e = d.events[-1]
    before = d.t.to_record()
    from app.domain.state import fold

    assert fold({d.t.id: d.t}, Event.from_dict(e.to_dict())) is None
    assert d.t.to_record() == before
    with pytest.raises(NotFound):
        commands.COMMANDS[commands.CommandName.WITHDRAW].decide(d.t, Input(target="p_none"))
