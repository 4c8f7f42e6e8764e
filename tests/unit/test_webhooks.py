"""What events mean for webhooks (the catalogue, the observer, the lines for people) and the
endpoints' fold and checks: pure, over every format, with property tests."""

from __future__ import annotations

import random
from typing import Any

import pytest
from drive import Driver, random_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import commands
from app.domain.commands import Input
from app.domain.endpoints import ALL, Endpoints, Format, endpoint_fields, is_discord
from app.domain.errors import Invalid
from app.domain.events import Event, EventType
from app.domain.names import expanded, names, round_label
from app.domain.webhooks import (
    CATALOGUE,
    TYPES,
    Notification,
    Observer,
    discord_body,
    payload,
    result_line,
    station,
)

FORMATS = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs"]
PROPS = settings(max_examples=30, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def observed(d: Driver) -> list[Notification]:
    """Every message a fresh observer makes from the driver's events, in order."""
    obs = Observer({})
    out = obs.observe(d.created)
    for e in d.events:
        out += obs.observe(Event.from_dict(e.to_dict()))
    return out


def played(fmt: str, n: int, seed: int, reopen: bool = False, dq: bool = False) -> Driver:
    d = Driver(fmt)
    d.add(n)
    d.start()
    rng = random.Random(seed)
    pick = random_results(d.t, rng, draws=True, forfeits=seed % 3 == 0)
    if dq:
        d.disqualify(sorted(d.t.participants)[rng.randrange(n)])
    for m in d.ready()[:2]:
        d.report(m.id, pick(m))
    if reopen:
        done = [m for m in d.t.matches.values() if m.state == "complete" and m.result != "bye"
                and None not in m.participants]  # fmt: skip
        if done and not get_blocker(d, done[0].id):
            d.reopen(done[0].id)
    d.play(pick)
    return d


def get_blocker(d: Driver, mid: str) -> bool:
    try:
        commands.reopen(d.t, Input(target=mid))
    except Exception:
        return True
    return False


# ---- the catalogue and the observer --------------------------------------------------------


def test_the_catalogue_names_the_types_it_sends() -> None:
    assert {"match.ready", "match.result", "tournament.started", "tournament.completed",
            "participant.added", "participant.disqualified"} <= TYPES  # fmt: skip
    assert set(CATALOGUE) == TYPES and ALL not in TYPES


def test_a_single_elimination_night_in_order() -> None:
    d = Driver("single_elimination")
    d.add(4)
    d.start()
    d.play(lambda m: {"scores": [2, 1]})
    got = [(n.type, n.text) for n in observed(d)]
    assert got == [
        ("tournament.created", "New tournament: T"),
        ("participant.added", "4 joined T: P1, P2, P3, P4"),
        ("tournament.started", "T has started: 4 participants, single elimination."),
        ("match.ready", "Ready: P1 v P4 · Semifinal · T"),
        ("match.ready", "Ready: P2 v P3 · Semifinal · T"),
        ("match.result", "P1 2-1 P4 · Semifinal · T"),
        ("match.result", "P2 2-1 P3 · Semifinal · T"),
        ("match.ready", "Ready: P1 v P2 · Final · T"),
        ("match.result", "P1 2-1 P2 · Final · T"),
        ("tournament.completed", "T is complete. Champion: P1"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@given(n=st.integers(2, 24), seed=st.integers(0, 10_000), reopen=st.booleans(), dq=st.booleans())
@PROPS
def test_every_result_follows_its_ready_and_messages_are_deterministic(
    fmt: str, n: int, seed: int, reopen: bool, dq: bool
) -> None:
    if fmt == "groups_playoffs" and n < 4:
        n = 4
    d = played(fmt, n, seed, reopen, dq)
    notes = observed(d)
    # the same events make the same messages, ids included (a redelivered event dedupes)
    assert notes == observed(d)
    assert len({x.msg_id for x in notes}) == len(notes)
    # each match's result comes after it was announced ready; no match is announced twice
    # unless a reopen came between (a reopen upstream can empty a ready match's slot, and it is
    # announced again with its new participants)
    ever: set[str] = set()
    since_reopen: set[str] = set()
    by_seq = {e.seq: e for e in d.events}
    for x in notes:
        mid = x.data.get("match", {}).get("id")
        if x.type == "match.ready":
            assert mid not in since_reopen, f"{mid} announced twice"
            ever.add(mid)
            since_reopen.add(mid)
        elif x.type == "match.result":
            assert mid in ever, f"a result for {mid} before it was ready"
            since_reopen.discard(mid)
        elif x.type == "match.reopened":
            data = by_seq[x.seq].data
            ever.difference_update([data["match_id"], *data["reset"]])
            since_reopen.clear()
    assert [x.type for x in notes][-1] == "tournament.completed"
    # one message per reported result, in the order they were reported
    reported = [e.data["match_id"] for e in d.events if e.type == "match.result"]
    assert [x.data["match"]["id"] for x in notes if x.type == "match.result"] == reported
    assert all(x.seq > 0 and x.tournament_id == d.tid for x in notes)


def test_replaying_an_event_makes_no_message() -> None:
    d = Driver("double_elimination")
    d.add(6)
    d.start()
    obs = Observer({})
    for e in [d.created, *d.events]:
        obs.observe(e)
    for e in [d.created, *d.events]:
        assert obs.observe(e) == []


def test_live_ticks_and_server_events_make_no_message() -> None:
    d = Driver("single_elimination")
    d.add(2)
    d.start()
    obs = Observer({})
    for e in [d.created, *d.events]:
        obs.observe(e)
    mid = d.ready()[0].id
    tick = d.event("match.live", {"match_id": mid, "scores": [1, 0], "detail": None})
    token = Event("k", 99, EventType.TOKEN_CREATED, "", "2026-01-01T00:00:00Z", {})
    assert obs.observe(tick) == [] and obs.observe(token) == []


# ---- the lines for people --------------------------------------------------------------------


def double_elimination_semifinal() -> tuple[Driver, str]:
    d = Driver("double_elimination")
    d.add(8)
    d.t.participants[sorted(d.t.participants)[0]].name = "Lag Lords"
    d.start()
    while True:
        semis = [m for m in d.ready() if m.bracket == "winners" and m.round == 2]
        if semis:
            return d, semis[0].id
        d.report(d.ready()[0].id, {"scores": [2, 1]})


def test_the_result_line_names_the_round_and_the_station() -> None:
    d, mid = double_elimination_semifinal()
    m = d.t.matches[mid]
    other = m.participants[1]
    assert other is not None
    d.t.participants[other].name = "Ping Pongers"
    d.report(mid, {"scores": [2, 1]})
    e = d.events[-1]
    assert round_label(d.t, m) == "Winners semifinal"
    assert result_line(d.t, mid, e) == "Lag Lords 2-1 Ping Pongers · Winners semifinal · T"
    assert station({"station": 4}) == "Station 4"
    assert station({"station": {"id": "s1", "name": "4"}}) == "Station 4"
    assert station({"station": {"name": "Table *B*"}}) == "Table \\*B\\*"
    assert station({"station": None}) == station({}) == ""


def test_round_labels_of_every_bracket() -> None:
    d = Driver("single_elimination", {"third_place_match": True})
    d.add(8)
    d.start()
    labels = {round_label(d.t, m) for m in d.t.matches.values()}
    assert labels == {"Quarterfinal", "Semifinal", "Final", "Third-place match"}
    de = Driver("double_elimination")
    de.add(4)
    de.start()
    assert {round_label(de.t, m) for m in de.t.matches.values()} == {
        "Winners semifinal", "Winners final", "Losers round 1", "Losers final", "Grand final",
        "Grand final reset",
    }  # fmt: skip
    rr = Driver("round_robin", {"group_count": 2})
    rr.add(6)
    rr.start()
    assert "Group B round 1" in {round_label(rr.t, m) for m in rr.t.matches.values()}
    sw = Driver("swiss")
    sw.add(4)
    sw.start()
    assert {round_label(sw.t, m) for m in sw.t.matches.values()} == {"Swiss round 1"}


def test_names_and_expanded_slots() -> None:
    d = Driver("single_elimination")
    d.add(3)
    d.start()
    bye = next(m for m in d.t.matches.values() if None in m.participants)
    assert None in names(d.t, bye)
    x = expanded(d.t, bye)
    real = next(s for s in x["slots"] if s["participant_id"])
    assert real["participant"]["name"] == d.t.participants[real["participant_id"]].name
    assert any(s["participant"] is None for s in x["slots"])


def test_discord_body_mentions_nobody_and_fits() -> None:
    doc = {"type": "match.result", "timestamp": "t", "data": {}, "text": "@everyone " + "x" * 3000}
    body = discord_body(doc)
    assert body["allowed_mentions"] == {"parse": []}
    assert len(body["content"]) == 2000 and body["content"].endswith("…")
    assert payload(Format.STANDARD, doc) == {"type": "match.result", "timestamp": "t",
                                              "data": {"text": doc["text"]}}  # fmt: skip


def test_markdown_in_names_is_shown_literally() -> None:
    d = Driver("single_elimination")
    d.add(2)
    first = sorted(d.t.participants)[0]
    d.emit("participant.updated", {"participant_id": first, "name": "*b* _i_ `c` ~s~ |p| >q"})
    d.start()
    d.report(d.ready()[0].id, {"scores": [1, 0]})
    line = observed(d)[-2].text
    assert line.startswith("\\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\|p\\| \\>q 1-0 P2 · Final")


# ---- endpoints: the fold and the checks -------------------------------------------------------


def ev(seq: int, etype: EventType, data: dict[str, Any], tid: str = "") -> Event:
    return Event(f"e{seq}", seq, etype, tid, f"2026-01-01T00:00:{seq:02d}Z", data)


def created(seq: int, wid: str, tid: str | None = "t1", **extra: Any) -> Event:
    data = {"id": wid, "tournament_id": tid, "url": "https://example.com/h",
            "format": "standard", "types": [ALL], "secret": "whsec_AAAA", "description": "",
            "enabled": True, **extra}  # fmt: skip
    return ev(seq, EventType.WEBHOOK_CREATED, data)


def test_endpoints_fold_and_replay() -> None:
    eps = Endpoints()
    events = [
        created(1, "w1"),
        created(2, "w2", None, types=["match.result"]),
        ev(3, EventType.WEBHOOK_UPDATED, {"id": "w1", "enabled": False, "disabled_reason": "x"}),
        ev(4, EventType.WEBHOOK_UPDATED, {"id": "w1", "url": "https://example.org/"}),
        created(5, "w3", "t2"),
        ev(6, EventType.TOURNAMENT_DELETED, {}, tid="t2"),
    ]
    for e in events:
        eps.apply(e)
    w1 = eps.by_id["w1"]
    assert (w1.enabled, w1.disabled_reason, w1.url) == (False, "x", "https://example.org/")
    assert w1.created_at.endswith(":01Z") and w1.updated_at.endswith(":04Z")
    assert "w3" not in eps.by_id
    assert [x.id for x in eps.subscribed("match.result", "t1")] == ["w2"]  # w1 is disabled
    assert eps.subscribed("match.ready", "t9") == []  # w2 wants only results
    before = {k: v.to_doc() for k, v in eps.by_id.items()}
    for e in events[:4]:
        assert eps.apply(e) == []  # replayed: nothing changes
    assert {k: v.to_doc() for k, v in eps.by_id.items()} == before
    eps.apply(ev(7, EventType.WEBHOOK_UPDATED, {"id": "w1", "enabled": True}))
    assert eps.by_id["w1"].enabled and eps.by_id["w1"].disabled_reason is None
    eps.apply(ev(8, EventType.WEBHOOK_DELETED, {"id": "w2"}))
    assert [x.id for x in eps.of(None)] == [] and [x.id for x in eps.of("t1")] == ["w1"]


def test_discord_urls_are_recognised() -> None:
    assert is_discord("https://discord.com/api/webhooks/123/abc")
    assert is_discord("https://canary.discord.com/api/webhooks/1/x")
    assert not is_discord("https://discord.com.evil.example/api/webhooks/1/x")
    assert not is_discord("https://example.com/api/webhooks/1/x")
    made = endpoint_fields({"url": "https://discord.com/api/webhooks/1/x"}, TYPES, False)
    assert made == {"url": "https://discord.com/api/webhooks/1/x", "format": Format.DISCORD,
                    "types": [ALL], "description": "", "enabled": True}  # fmt: skip


@pytest.mark.parametrize(("body", "field"), [
    ({}, "url"), ({"url": "ftp://x/"}, "url"), ({"url": "http://"}, "url"),
    ({"url": "https://u:p@example.com/"}, "url"), ({"url": "http://x:99999/"}, "url"),
    ({"url": "https://x/ y"}, "url"), ({"url": 5}, "url"), ({"url": "h" * 3000}, "url"),
    ({"url": "https://x/", "format": "slack"}, "format"),
    ({"url": "https://x/", "types": []}, "types"),
    ({"url": "https://x/", "types": ["match.nope"]}, "types[0]"),
    ({"url": "https://x/", "types": "match.ready"}, "types"),
    ({"url": "https://x/", "enabled": "yes"}, "enabled"),
    ({"url": "https://x/", "description": "d" * 201}, "description"),
    ({"url": "https://x/", "secret": "mine"}, "secret"),
    ([], "body"),
])  # fmt: skip
def test_bad_endpoint_fields_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(Invalid) as exc:
        endpoint_fields(body, TYPES, partial=False)
    assert exc.value.errors[0]["field"] == field


def test_a_change_gives_only_what_changed() -> None:
    assert endpoint_fields({"enabled": False}, TYPES, partial=True) == {"enabled": False}
    types = endpoint_fields({"types": ["match.ready", "*", "match.ready"]}, TYPES, True)
    assert types == {"types": [ALL]}
    with pytest.raises(Invalid):
        endpoint_fields({}, TYPES, partial=True)


def test_a_director_swiss_speaks_of_rounds_withdrawals_and_the_final_results() -> None:
    d = Driver("swiss", {"rounds": 3})
    ids = d.add(6)
    d.start()
    pick = random_results(d.t, random.Random(4), draws=True)
    for m in d.ready():
        d.report(m.id, pick(m))
    d.run("withdraw_player", target=ids[5])
    d.play(pick)
    d.run("finalize")
    got = observed(d)
    paired = [n for n in got if n.type == "round.paired"]
    assert [n.data["round"] for n in paired] == [2, 3]
    assert all(n.data["pairings"] == 3 for n in paired)  # five players and a bye
    assert paired[0].text == f"Round 2 of {d.t.name} is paired: 3 pairings."
    gone = [n for n in got if n.type == "participant.withdrawn"]
    assert [n.data["participant"]["id"] for n in gone] == [ids[5]]
    assert gone[0].data["participant"]["status"] == "withdrawn"
    assert [n.type for n in got][-2:] == ["tournament.completed", "tournament.finalized"]
