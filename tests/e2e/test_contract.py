"""Bad input gets a clear 4xx problem+json and changes nothing; Idempotency-Key; ETag; tokens."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.helpers import add_players, create_tournament, ready_matches, started


def state(c: httpx.Client, tid: str) -> dict[str, Any]:
    body: dict[str, Any] = c.get(f"/api/v1/tournaments/{tid}").json()
    return body


def assert_problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture(scope="module")
def two(server: Server) -> dict[str, Any]:
    """Two started tournaments, a report token for the first, a manage token for the second."""
    with server.client() as c:
        a, b = started(c, 4), started(c, 4)
        rep = c.post("/api/v1/tokens", json={"tournament_id": a["id"], "scope": "report",
                                              "label": "ref"}).json()  # fmt: skip
        man = c.post("/api/v1/tokens", json={"tournament_id": b["id"], "scope": "manage"}).json()
    return {"a": a, "b": b, "report_a": rep["token"], "manage_b": man["token"]}


CASES = [
    # (description, method, path template, body or raw bytes, headers, status)
    ("malformed JSON", "POST", "/result", b'{"scores": [1,', {}, 400),
    ("empty body", "POST", "/result", b"", {}, 400),
    ("wrong types", "POST", "/result", {"scores": ["a", 1]}, {}, 422),
    ("unknown field", "POST", "/result", {"score": [1, 0]}, {}, 422),
    ("negative score", "POST", "/result", {"scores": [-1, 0]}, {}, 422),
    ("a draw in elimination", "POST", "/result", {"scores": [1, 1]}, {}, 422),
    ("a winner not in the match", "POST", "/result", {"winner_id": "p_nobody"}, {}, 422),
    ("deep JSON", "POST", "/result", b"[" * 100 + b"]" * 100, {}, 400),
    ("oversized body", "POST", "/result", b"[" + b"1," * 600_000 + b"1]", {}, 413),
]


@pytest.mark.parametrize(("what", "method", "path", "body", "headers", "status"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_is_refused_and_changes_nothing(
    server: Server, two: dict[str, Any], what: str, method: str, path: str, body: Any,
    headers: dict[str, str], status: int,
) -> None:  # fmt: skip
    tid = two["a"]["id"]
    with server.client() as c:
        mid = ready_matches(c, tid)[0]["id"]
        before = state(c, tid)
        url = f"/api/v1/tournaments/{tid}/matches/{mid}{path}"
        if isinstance(body, bytes):
            r = c.request(method, url, content=body, headers=headers)
        else:
            r = c.request(method, url, json=body, headers=headers)
        assert_problem(r, status)
        assert state(c, tid) == before


def test_tokens_and_other_tournaments_ids(server: Server, two: dict[str, Any]) -> None:
    a, b = two["a"]["id"], two["b"]["id"]
    with server.client() as admin:
        ma = ready_matches(admin, a)[0]["id"]
        mb = ready_matches(admin, b)[0]["id"]
        before_a, before_b = state(admin, a), state(admin, b)
    result = {"scores": [2, 0]}
    with server.client(token=None) as anon:
        assert_problem(anon.post(f"/api/v1/tournaments/{a}/matches/{ma}/result", json=result), 401)
    with server.client(token="tt_not-a-real-token") as bad:
        assert_problem(bad.post(f"/api/v1/tournaments/{a}/matches/{ma}/result", json=result), 401)
    with server.client(token=two["report_a"]) as ref:
        # a referee of A: not B, not A's management, not B's match through A's URL
        assert_problem(ref.post(f"/api/v1/tournaments/{b}/matches/{mb}/result", json=result), 403)
        assert_problem(ref.post(f"/api/v1/tournaments/{a}/start"), 403)
        assert_problem(ref.post(f"/api/v1/tournaments/{a}/matches/{mb}/result", json=result), 404)
        assert_problem(ref.post("/api/v1/tournaments", json={"name": "x"}), 403)
    with server.client(token=two["manage_b"]) as man:
        assert_problem(man.post(f"/api/v1/tournaments/{b}/matches/{ma}/result", json=result), 404)
        assert_problem(man.patch(f"/api/v1/tournaments/{a}", json={"name": "mine"}), 403)
    with server.client() as admin:
        assert state(admin, a) == before_a and state(admin, b) == before_b
        # the referee's token works for what it is for ...
        with server.client(token=two["report_a"]) as ref:
            r = ref.post(f"/api/v1/tournaments/{a}/matches/{ma}/live", json={"scores": [1, 0]})
            assert r.status_code == 202, r.text
        # ... until it is revoked
        tok = admin.post("/api/v1/tokens", json={"tournament_id": a, "scope": "report"}).json()
        assert admin.delete(f"/api/v1/tokens/{tok['id']}").status_code == 204
        with server.client(token=tok["token"]) as gone:
            assert_problem(gone.post(f"/api/v1/tournaments/{a}/matches/{ma}/live",
                                     json={"scores": [1, 0]}), 401)  # fmt: skip


def test_state_conflicts_are_409(server: Server) -> None:
    with server.client() as c:
        t = started(c, 2)
        tid = t["id"]
        assert_problem(c.post(f"/api/v1/tournaments/{tid}/participants", json={"name": "late"}),
                       409)  # fmt: skip
        (m,) = ready_matches(c, tid)
        url = f"/api/v1/tournaments/{tid}/matches/{m['id']}"
        assert c.post(url + "/result", json={"scores": [1, 0]}).status_code == 200
        assert_problem(c.post(url + "/result", json={"scores": [1, 0]}), 409)
        assert_problem(c.post(url + "/live", json={"scores": [1, 0]}), 409)
        assert_problem(c.post(f"/api/v1/tournaments/{tid}/start"), 409)


def test_idempotency_key_returns_the_first_response(server: Server) -> None:
    with server.client() as c:
        key = {"Idempotency-Key": "create-cup-42"}
        first = c.post("/api/v1/tournaments", json={"name": "Once"}, headers=key)
        again = c.post("/api/v1/tournaments", json={"name": "Once"}, headers=key)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert again.headers.get("idempotent-replayed") == "true"
        tid = first.json()["id"]
        names = [t["name"] for t in c.get("/api/v1/tournaments", params={"limit": 200}).json()[
            "items"]]  # fmt: skip
        assert names.count("Once") == 1
        add_players(c, tid, 2)
        c.post(f"/api/v1/tournaments/{tid}/start")
        (m,) = ready_matches(c, tid)
        url = f"/api/v1/tournaments/{tid}/matches/{m['id']}/result"
        k2 = {"Idempotency-Key": "result-1"}
        r1 = c.post(url, json={"scores": [3, 0]}, headers=k2)
        r2 = c.post(url, json={"scores": [3, 0]}, headers=k2)
        assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json()
        events = c.get(f"/api/v1/tournaments/{tid}").json()["version"]
        assert events == 5  # created, added, started, one result, completed


def test_etag_and_conditional_get(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c)
        url = f"/api/v1/tournaments/{t['id']}"
        r = c.get(url)
        etag = r.headers["etag"]
        assert c.get(url, headers={"If-None-Match": etag}).status_code == 304
        add_players(c, t["id"], 1)
        r2 = c.get(url, headers={"If-None-Match": etag})
        assert r2.status_code == 200 and r2.headers["etag"] != etag


def test_visibility(server: Server) -> None:
    with server.client() as c:
        priv = create_tournament(c, "Secret", visibility="private")
        unl = create_tournament(c, "Hidden", visibility="unlisted")
        rep = c.post("/api/v1/tokens", json={"tournament_id": priv["id"], "scope": "report"}).json()
    with server.client(token=None) as anon:
        listed = [t["id"] for t in anon.get("/api/v1/tournaments").json()["items"]]
        assert priv["id"] not in listed and unl["id"] not in listed
        assert anon.get(f"/api/v1/tournaments/{unl['id']}").status_code == 200
        assert_problem(anon.get(f"/api/v1/tournaments/{priv['id']}"), 401)
    with server.client(token=rep["token"]) as ref:
        assert ref.get(f"/api/v1/tournaments/{priv['id']}").status_code == 200


def test_a_tick_batch_with_an_idempotency_key_is_applied_once(server: Server) -> None:
    with server.client() as c:
        t = started(c, 2)
        (m,) = ready_matches(c, t["id"])
        ticks = [
            {"tournament_id": t["id"], "match_id": m["id"], "scores": [i, 0]} for i in range(5)
        ]
        key = {"Idempotency-Key": "batch-7"}
        first = c.post("/api/v1/events", json=ticks, headers=key)
        again = c.post("/api/v1/events", json=ticks, headers=key)
        assert first.status_code == again.status_code == 202
        assert first.json() == again.json() and first.json()["accepted"] == 5
        assert again.headers.get("idempotent-replayed") == "true"
