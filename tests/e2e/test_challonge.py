"""Challonge v1's conventions, one by one, with plain HTTP: keys as HTTP Basic or api_key, the
query string, Rails' bracket forms and JSON bodies, the .json suffix, wrapped answers, errors as
{"errors": [...]} with Challonge's statuses, ties, check-in, and the prefix from the config."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.api.challonge.ids import to_int
from tests.conftest import ADMIN, Server

CH = "/challonge/v1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("challonge-http") / "data").start()
    yield s
    s.stop()


@pytest.fixture
def bot(server: Server) -> Iterator[httpx.Client]:
    """A client as the libraries are: HTTP Basic, the token as the password."""
    with httpx.Client(base_url=server.url + CH, auth=("bot", ADMIN), timeout=10) as c:
        yield c


def ok(r: httpx.Response) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def refused(r: httpx.Response, status: int = 422) -> list[str]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    errors: list[str] = r.json()["errors"]
    assert errors and all(isinstance(e, str) and e for e in errors)
    return errors


def make(bot: httpx.Client, kind: str, names: list[str], **fields: Any) -> dict[str, Any]:
    t = ok(
        bot.post(
            "/tournaments.json",
            data={
                "tournament[name]": "Cup",
                "tournament[tournament_type]": kind,
                **{f"tournament[{k}]": v for k, v in fields.items()},
            },
        )
    )
    tid = t["tournament"]["id"]
    form = {"participants[][name]": names}  # repeated, as the libraries send it
    ok(bot.post(f"/tournaments/{tid}/participants/bulk_add.json", data=form))
    return dict(t["tournament"])


def test_keys_as_basic_api_key_or_bearer(server: Server) -> None:
    with httpx.Client(base_url=server.url + CH, timeout=10) as c:
        assert ok(c.get("/tournaments.json", params={"api_key": ADMIN})) == []
        assert ok(c.get("/tournaments.json", auth=("anyone", ADMIN))) == []
        assert ok(c.get("/tournaments", headers={"Authorization": f"Bearer {ADMIN}"})) == []
        refused(c.get("/tournaments.json"), 401)
        refused(c.get("/tournaments.json", params={"api_key": "wrong"}), 401)
        refused(c.get("/tournaments.json", headers={"Authorization": "Basic !!!"}), 401)
        r = c.post("/tournaments.json", auth=("bot", "wrong"), data={"tournament[name]": "X"})
        refused(r, 401)


def test_create_by_form_query_or_json_and_show_wrapped(bot: httpx.Client) -> None:
    by_json = ok(
        bot.post(
            "/tournaments",
            json={
                "tournament": {
                    "name": "Json Cup",
                    "tournament_type": "double elimination",
                    "grand_finals_modifier": "single match",
                    "private": True,
                }
            },
        )
    )["tournament"]
    assert (by_json["name"], by_json["tournament_type"]) == ("Json Cup", "double elimination")
    assert by_json["grand_finals_modifier"] == "single match" and by_json["private"] is True
    assert by_json["state"] == "pending" and by_json["id"] == to_int(by_json["url"])
    by_query = ok(
        bot.post(
            "/tournaments.json",
            params={
                "tournament[name]": "Query Cup",
                "tournament[tournament_type]": "swiss",
                "tournament[swiss_rounds]": "3",
            },
        )
    )
    assert by_query["tournament"]["swiss_rounds"] == 3
    shown = ok(
        bot.get(
            f"/tournaments/{by_json['id']}.json",
            params={"include_participants": 1, "include_matches": 1},
        )
    )
    assert shown["tournament"]["participants"] == [] and shown["tournament"]["matches"] == []
    same = ok(bot.get(f"/tournaments/{by_json['url']}"))  # the url (tourney id) names it too
    assert same["tournament"]["id"] == by_json["id"]
    listed = ok(bot.get("/tournaments.json", params={"state": "pending"}))
    assert {x["tournament"]["id"] for x in listed} >= {by_json["id"], by_query["tournament"]["id"]}


def test_errors_are_challonges(bot: httpx.Client) -> None:
    refused(bot.post("/tournaments.json", data={"tournament[name]": ""}))
    refused(
        bot.post(
            "/tournaments.json",
            data={"tournament[name]": "X", "tournament[tournament_type]": "ladder"},
        )
    )
    refused(bot.get("/tournaments/999999.json"), 404)
    refused(bot.get("/tournaments/t_nothere"), 404)
    refused(
        bot.post("/tournaments.json", content=b"{", headers={"Content-Type": "application/json"})
    )
    refused(
        bot.post(
            "/tournaments.json",
            content=b"a[b]=1&a=2",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    t = make(bot, "single elimination", ["Solo"])
    errors = refused(bot.post(f"/tournaments/{t['id']}/start.json"))  # one participant
    assert "at least 2" in errors[0]
    refused(bot.get(f"/tournaments/{t['id']}/participants/123.json"), 404)
    refused(bot.get(f"/tournaments/{t['id']}/matches.json", params={"state": "odd"}))


def test_a_double_elimination_bracket_as_challonge_draws_it(bot: httpx.Client) -> None:
    t = make(bot, "double elimination", ["A", "B", "C", "D", "E", "F", "G", "H"])
    tid = t["id"]
    started = ok(bot.post(f"/tournaments/{tid}/start.json", data={"include_matches": "1"}))
    matches = [m["match"] for m in started["tournament"]["matches"]]
    rounds = sorted({m["round"] for m in matches})
    assert rounds == [-4, -3, -2, -1, 1, 2, 3, 4, 5]  # losers' negative; final, then its reset
    assert [m["identifier"] for m in matches][:3] == ["A", "B", "C"]
    assert [m["suggested_play_order"] for m in matches] == list(range(1, len(matches) + 1))
    losers = [m for m in matches if m["round"] == -1]
    assert all(m["player1_is_prereq_match_loser"] for m in losers)
    assert sum(1 for m in matches if m["state"] == "open") == 4
    people = {
        p["participant"]["name"]: p["participant"]
        for p in ok(bot.get(f"/tournaments/{tid}/participants.json"))
    }
    mine = ok(
        bot.get(
            f"/tournaments/{tid}/matches.json",
            params={"participant_id": people["A"]["id"], "state": "open"},
        )
    )
    assert len(mine) == 1 and people["A"]["id"] in (
        mine[0]["match"]["player1_id"],
        mine[0]["match"]["player2_id"],
    )


def test_results_live_scores_ties_and_reopen(bot: httpx.Client) -> None:
    t = make(bot, "round robin", ["A", "B", "C"])
    tid = t["id"]
    ok(bot.post(f"/tournaments/{tid}/start"))
    m = ok(bot.get(f"/tournaments/{tid}/matches", params={"state": "open"}))[0]["match"]
    url = f"/tournaments/{tid}/matches/{m['id']}.json"
    live = ok(bot.put(url, data={"match[scores_csv]": "1-1"}))["match"]
    assert (live["state"], live["scores_csv"], live["winner_id"]) == ("open", "1-1", None)
    marked = ok(bot.post(f"/tournaments/{tid}/matches/{m['id']}/mark_as_underway"))["match"]
    assert marked["underway_at"] is not None
    refused(bot.put(url, data={"match[scores_csv]": "2-1", "match[winner_id]": "tie"}))
    refused(bot.put(url, data={"match[scores_csv]": "two-one"}))
    refused(bot.put(url, data={"match[winner_id]": "12345"}), 404)
    tie = ok(bot.put(url, data={"match[scores_csv]": "2-2", "match[winner_id]": "tie"}))
    assert (tie["match"]["state"], tie["match"]["winner_id"]) == ("complete", None)
    # a decided match: reopen it first
    refused(
        bot.put(url, data={"match[scores_csv]": "2-1", "match[winner_id]": str(m["player1_id"])})
    )
    ok(bot.post(f"/tournaments/{tid}/matches/{m['id']}/reopen.json"))
    won = ok(
        bot.put(url, json={"match": {"scores_csv": "3-1,1-3,3-0", "winner_id": m["player1_id"]}})
    )["match"]
    assert (won["winner_id"], won["loser_id"]) == (m["player1_id"], m["player2_id"])
    assert won["scores_csv"] == "2-1"  # sets won: the match is not a best-of


def test_a_swiss_pairs_its_next_round_by_itself(bot: httpx.Client) -> None:
    """A Challonge client never asks for a round: each is paired when the last one ends."""
    t = make(bot, "swiss", ["A", "B", "C", "D"], swiss_rounds="2")
    tid = t["id"]
    ok(bot.post(f"/tournaments/{tid}/start"))
    for rnd in (1, 2):
        open_ = [x["match"] for x in ok(bot.get(f"/tournaments/{tid}/matches.json",
                                                params={"state": "open"}))]  # fmt: skip
        assert len(open_) == 2 and {m["round"] for m in open_} == {rnd}
        for m in open_:
            won = {"match[scores_csv]": "1-0", "match[winner_id]": str(m["player1_id"])}
            ok(bot.put(f"/tournaments/{tid}/matches/{m['id']}.json", data=won))
    done = ok(bot.get(f"/tournaments/{tid}.json"))["tournament"]
    assert done["state"] in ("awaiting_review", "complete")


def test_check_in_and_randomize(bot: httpx.Client) -> None:
    t = make(bot, "single elimination", ["A", "B", "C", "D"])
    tid = t["id"]
    people = [p["participant"] for p in ok(bot.get(f"/tournaments/{tid}/participants"))]
    refused(bot.post(f"/tournaments/{tid}/process_check_ins"))  # check-in is not open
    refused(bot.post(f"/tournaments/{tid}/abort_check_in"))
    checked = ok(bot.post(f"/tournaments/{tid}/participants/{people[0]['id']}/check_in"))
    assert checked["participant"]["checked_in"] is True
    undone = ok(bot.post(f"/tournaments/{tid}/participants/{people[0]['id']}/undo_check_in"))
    assert undone["participant"]["checked_in"] is False
    refused(bot.post(f"/tournaments/{tid}/participants/{people[0]['id']}/undo_check_in"))
    shuffled = ok(bot.post(f"/tournaments/{tid}/participants/randomize.json"))
    assert sorted(p["participant"]["seed"] for p in shuffled) == [1, 2, 3, 4]
    gone = ok(bot.delete(f"/tournaments/{tid}/participants/{people[3]['id']}.json"))
    assert gone["participant"]["name"] == "D"
    ok(bot.post(f"/tournaments/{tid}/start"))
    out = ok(bot.delete(f"/tournaments/{tid}/participants/{people[2]['id']}"))["participant"]
    assert out["active"] is False  # underway: a forfeit of every match left


def test_finalize_and_the_states(bot: httpx.Client, server: Server) -> None:
    t = make(bot, "single elimination", ["A", "B"])
    tid = t["id"]
    refused(bot.post(f"/tournaments/{tid}/finalize"))
    ok(bot.post(f"/tournaments/{tid}/start"))
    assert ok(bot.get(f"/tournaments/{tid}"))["tournament"]["state"] == "underway"
    m = ok(bot.get(f"/tournaments/{tid}/matches"))[0]["match"]
    ok(
        bot.put(
            f"/tournaments/{tid}/matches/{m['id']}", data={"match[winner_id]": str(m["player2_id"])}
        )
    )
    assert ok(bot.get(f"/tournaments/{tid}"))["tournament"]["state"] == "awaiting_review"
    done = ok(bot.post(f"/tournaments/{tid}/finalize", params={"include_participants": 1}))
    assert done["tournament"]["state"] == "complete"
    ranks = {
        p["participant"]["id"]: p["participant"]["final_rank"]
        for p in done["tournament"]["participants"]
    }
    assert ranks == {m["player2_id"]: 1, m["player1_id"]: 2}
    refused(bot.post(f"/tournaments/{tid}/matches/{m['id']}/reopen"))  # results stand
    assert ok(bot.post(f"/tournaments/{tid}/reset"))["tournament"]["state"] == "pending"
    with server.client() as c:
        assert c.get(f"/api/v1/tournaments/{t['url']}").json()["finalized_at"] is None


def test_a_report_token_reports_and_nothing_more(bot: httpx.Client, server: Server) -> None:
    t = make(bot, "single elimination", ["A", "B"])
    with server.client() as c:
        ref = c.post("/api/v1/tokens", json={"tournament_id": t["url"], "scope": "report"})
    key = ref.json()["token"]
    ok(bot.post(f"/tournaments/{t['id']}/start"))
    with httpx.Client(base_url=server.url + CH, auth=("ref", key), timeout=10) as c:
        m = ok(c.get(f"/tournaments/{t['id']}/matches"))[0]["match"]
        refused(c.post(f"/tournaments/{t['id']}/reset"), 401)
        ok(
            c.put(
                f"/tournaments/{t['id']}/matches/{m['id']}",
                data={"match[scores_csv]": "1-0", "match[winner_id]": str(m["player1_id"])},
            )
        )
        assert [x["tournament"]["id"] for x in ok(c.get("/tournaments"))] == [t["id"]]


def test_the_prefix_comes_from_the_config(tmp_path: Any) -> None:
    s = Server(tmp_path / "data", {"TOURNEY_CHALLONGE_PREFIX": "/bots/v1"}).start()
    try:
        with httpx.Client(base_url=s.url, auth=("bot", ADMIN), timeout=10) as c:
            assert ok(c.get("/bots/v1/tournaments.json")) == []
            assert c.get("/challonge/v1/tournaments.json").status_code == 404
            assert "/bots/v1/tournaments" in c.get("/openapi.json").json()["paths"]
    finally:
        s.stop()
