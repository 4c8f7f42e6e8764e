"""Public reads over real HTTP: gzip for clients that accept it, ETags per representation,
304s, and the group stage's standings (``?stage=groups``, ``?group=N``)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.helpers import play_out, ready_matches, started


def raw_get(server: Server, path: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """A GET and its body exactly as sent (httpx would otherwise decode it)."""
    with httpx.Client(base_url=server.url) as c, c.stream("GET", path, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.fixture(scope="module")
def big(server: Server) -> dict[str, Any]:
    with server.client() as c:
        return started(c, 16, format="round_robin")


@pytest.mark.parametrize("path", ["", "/matches", "/matches?state=ready", "/standings"])
def test_gzip_for_clients_that_accept_it(server: Server, big: dict[str, Any], path: str) -> None:
    url = f"/api/v1/tournaments/{big['id']}{path}"
    plain, text = raw_get(server, url, {"Accept-Encoding": "identity"})
    packed, packed_body = raw_get(server, url, {"Accept-Encoding": "br;q=1.0, gzip;q=0.8"})
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert plain.headers["vary"] == packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) == len(packed_body) < len(text)
    # the standard library's gzip reader, and httpx's own decoding, read the same JSON
    assert json.loads(gzip.decompress(packed_body)) == json.loads(text)
    with httpx.Client(base_url=server.url) as c:
        assert c.get(url).json() == json.loads(text)
    # one ETag per representation, either one answered with a 304
    assert packed.headers["etag"] != plain.headers["etag"]
    for tag in (plain.headers["etag"], packed.headers["etag"], f"W/{plain.headers['etag']}"):
        r, body = raw_get(server, url, {"If-None-Match": f'"other", {tag}'})
        assert r.status_code == 304 and body == b""


def test_gzip_refused_with_q_zero_and_small_bodies_sent_plain(server: Server) -> None:
    with server.client() as c:
        t = started(c, 2)
    url = f"/api/v1/tournaments/{t['id']}"
    refused, _ = raw_get(server, url, {"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    tiny, _ = raw_get(server, url + "/standings", {"Accept-Encoding": "gzip"})
    assert tiny.status_code == 200 and "content-encoding" not in tiny.headers


def test_a_change_changes_the_etag_and_the_body(server: Server) -> None:
    with server.client() as c:
        t = started(c, 4)
        url = f"/api/v1/tournaments/{t['id']}"
        first = c.get(url)
        m = ready_matches(c, t["id"])[0]
        c.post(f"{url}/matches/{m['id']}/live", json={"scores": [1, 0], "detail": {"map": "A"}})
        again = c.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
        live = next(x for x in again.json()["matches"] if x["id"] == m["id"])
        assert live["state"] == "live" and live["live"] == {"map": "A"}


def test_standings_etag_follows_results_not_live_ticks(server: Server) -> None:
    with server.client() as c:
        t = started(c, 4, format="round_robin")
        url = f"/api/v1/tournaments/{t['id']}"
        tag = c.get(url + "/standings").headers["etag"]
        m = ready_matches(c, t["id"])[0]
        c.post(f"{url}/matches/{m['id']}/live", json={"scores": [2, 0]})
        assert c.get(url + "/standings", headers={"If-None-Match": tag}).status_code == 304
        c.post(f"{url}/matches/{m['id']}/result", json={"scores": [2, 0]})
        after = c.get(url + "/standings", headers={"If-None-Match": tag})
        assert after.status_code == 200
        assert sorted(r["points"] for r in after.json()) == [0, 0, 0, 3]


def test_group_tables_stay_readable_once_the_playoff_started(server: Server) -> None:
    settings = {"group_count": 2, "advance": 2}
    with server.client() as c:
        t = started(c, 8, format="groups_playoffs", settings=settings)
        url = f"/api/v1/tournaments/{t['id']}/standings"
        before = c.get(url).json()
        assert {r["group"] for r in before} == {1, 2}
        assert c.get(url, params={"stage": "groups"}).json() == before
        for m in c.get(f"/api/v1/tournaments/{t['id']}/matches").json():
            if m["bracket"] == "group":  # a round robin's matches are all ready at the start
                c.post(f"/api/v1/tournaments/{t['id']}/matches/{m['id']}/result",
                       json={"scores": [1, 0]})  # fmt: skip
        assert any(m["bracket"] == "winners" for m in ready_matches(c, t["id"]))
        final = c.get(url).json()
        assert not all("group" in r for r in final)  # the playoff's rows rank the finalists
        groups = c.get(url, params={"stage": "groups"}).json()
        assert len(groups) == 8 and {r["group"] for r in groups} == {1, 2}
        assert [r["rank"] for r in groups if r["group"] == 1] == [1, 2, 3, 4]
        two = c.get(url, params={"group": 2}).json()
        assert two == [r for r in groups if r["group"] == 2]
        assert c.get(url, params={"group": 3}).json() == []
        play_out(c, t["id"])
        assert c.get(url, params={"stage": "groups"}).json() == groups


@pytest.mark.parametrize(
    "query", [{"stage": "everything"}, {"group": "0"}, {"group": "A"}, {"group": "99999"}]
)
def test_bad_standings_queries_are_422(server: Server, big: dict[str, Any], query: Any) -> None:
    with server.client() as c:
        problem(c.get(f"/api/v1/tournaments/{big['id']}/standings", params=query), 422)


def test_an_elimination_has_no_group_stage(server: Server) -> None:
    with server.client() as c:
        t = started(c, 4)
        url = f"/api/v1/tournaments/{t['id']}/standings"
        assert "no group stage" in problem(c.get(url, params={"stage": "groups"}), 422)["detail"]
        assert c.get(url, params={"stage": "final"}).status_code == 200
