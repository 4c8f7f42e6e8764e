"""A referee's token over HTTP against a real server: who it is (``GET /api/v1/me``), its
station, the link that signs it in, and correcting its own last result within the window the
server sets (``referee.correction_window_seconds``); QR codes of the server's own links only.
(The browser tests read the QR codes back with an independent decoder.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.helpers import add_players, create_tournament, ready_matches

WINDOW = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TOURNEY_REFEREE_CORRECTION_WINDOW_SECONDS": str(WINDOW)}
    s = Server(tmp_path_factory.mktemp("referee") / "data", env).start()
    yield s
    s.stop()


def with_stations(c: httpx.Client, n: int = 4) -> tuple[str, list[dict[str, Any]]]:
    t = create_tournament(c, "Referee cup")
    add_players(c, t["id"], n)
    r = c.post(f"/api/v1/tournaments/{t['id']}/stations",
               json=[{"name": "Setup 1"}, {"name": "Setup 2"}])  # fmt: skip
    assert r.status_code == 201, r.text
    return str(t["id"]), r.json()


def test_me_says_who_a_token_is_and_refuses_a_bad_one(server: Server) -> None:
    with server.client() as c:
        tid, stations = with_stations(c)
        me = c.get("/api/v1/me").json()
        assert me["scope"] == "admin" and me["tournament_id"] is None
        assert me["base_url"] == server.url
        r = c.post(
            "/api/v1/tokens",
            json={
                "tournament_id": tid,
                "scope": "report",
                "label": "Setup 1",
                "station_id": stations[0]["id"],
            },
        )
        assert r.status_code == 201, r.text
        tok = r.json()
        assert tok["station_id"] == stations[0]["id"]
        assert tok["link"] == f"{server.url}/admin#t={tid}&token={tok['token']}"
        for bad in ({"scope": "manage", "station_id": stations[0]["id"]},
                    {"scope": "report", "station_id": "st_nowhere"},
                    {"scope": "report", "station_id": 7}):  # fmt: skip
            r = c.post("/api/v1/tokens", json={"tournament_id": tid, **bad})
            assert r.status_code == 422 and r.json()["errors"][0]["field"] == "station_id"
    with server.client(tok["token"]) as ref:
        me = ref.get("/api/v1/me").json()
        assert me["scope"] == "report" and me["tournament_id"] == tid
        assert me["station"] == {"id": stations[0]["id"], "name": "Setup 1"}
        assert me["label"] == "Setup 1" and me["token_id"] == tok["id"]
        assert me["correction"] == {"window_seconds": WINDOW, "match_id": None, "until": None}
    for token in ("tt_not-a-token", None):
        with server.client(token) as anyone:
            r = anyone.get("/api/v1/me")
            assert r.status_code == 401
            assert r.headers["content-type"] == "application/problem+json"


def test_a_referee_corrects_its_own_last_result_within_the_window(server: Server) -> None:
    with server.client() as c:
        tid, stations = with_stations(c)
        toks = [c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "report",
                                               "station_id": s["id"]}).json()
                for s in stations]  # fmt: skip
        assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
        at = {m["station"]["id"]: m for m in ready_matches(c, tid)}
        first, second = (at[s["id"]] for s in stations)
    url = f"/api/v1/tournaments/{tid}/matches"
    with server.client(toks[0]["token"]) as one, server.client(toks[1]["token"]) as two:
        assert one.post(f"{url}/{first['id']}/result", json={"scores": [2, 1]}).status_code == 200
        me = one.get("/api/v1/me").json()["correction"]
        assert me["match_id"] == first["id"] and me["until"] is not None
        r = two.post(f"{url}/{first['id']}/correct", json={"scores": [2, 0]})
        assert r.status_code == 409 and "your own last result" in r.json()["detail"]
        r = one.post(f"{url}/{first['id']}/correct", json={"scores": [0, 2]})
        assert r.status_code == 200, r.text
        fixed = r.json()
        assert fixed["scores"] == [0, 2]
        assert fixed["winner_id"] == first["slots"][1]["participant_id"]
        assert one.post(f"{url}/{first['id']}/correct", json={"scores": [0, 2]}).status_code == 422
        assert two.post(f"{url}/{second['id']}/result", json={"scores": [2, 1]}).status_code == 200
        time.sleep(WINDOW + 0.5)
        r = two.post(f"{url}/{second['id']}/correct", json={"scores": [2, 0]})
        assert r.status_code == 409 and "have passed" in r.json()["detail"]
        assert two.get("/api/v1/me").json()["correction"]["match_id"] == second["id"]
    with server.client() as c:
        events = c.get(f"/api/v1/tournaments/{tid}/events", params={"after": 0}).json()
        fixed_events = [e for e in events if e["type"] == "match.corrected"]
        assert len(fixed_events) == 1
        assert fixed_events[0]["data"]["was"]["scores"] == [2, 1]
        assert all("reporter" not in e["data"] for e in events)  # it names a token: kept back
        final = next(m for m in c.get(f"{url}").json() if m["round"] == 2)
        assert fixed["winner_id"] in [s["participant_id"] for s in final["slots"]]


def test_qr_codes_only_of_this_servers_links(server: Server) -> None:
    with httpx.Client(base_url=server.url) as anyone:
        r = anyone.post("/api/v1/qr", json={"link": f"{server.url}/t/t_x/signup"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("image/svg+xml")
        assert r.content.lstrip().startswith(b"<svg")
        for bad in (
            {"link": "http://192.168.1.1:8000/t/x"},
            {"link": server.url + "evil.org"},
            {"link": ""},
            {"link": server.url + "/" + "x" * 3000},
            {"url": "x"},
            [1],
        ):
            r = anyone.post("/api/v1/qr", json=bad)
            assert r.status_code == 422, bad
            assert r.headers["content-type"] == "application/problem+json"
