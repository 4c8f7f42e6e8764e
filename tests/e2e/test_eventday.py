"""The event day through a real server (uvicorn, the embedded Valkey, SQLite): sign-up with a
code, the waiting list, participant links, check-in, the start dropping no-shows, stations
calling matches, all seen live on the WebSocket; links and QR codes; the clock; a restart."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.conftest import Server, client
from tests.helpers import create_tournament


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def frames(ws: ClientConnection, until: str, timeout: float = 5) -> list[dict[str, Any]]:
    """Event frames up to and including the first of type ``until``."""
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        f = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if f["type"] != "event":
            continue
        out.append(f)
        if f["event"]["type"] == until:
            return out
    raise AssertionError(f"no {until} frame; got {[f['event']['type'] for f in out]}")


def sign_up(anon: httpx.Client, tid: str, name: str, **extra: Any) -> dict[str, Any]:
    r = anon.post(f"/api/v1/tournaments/{tid}/signup", json={"name": name, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def wait_for(check: Any, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_sign_up_evening_seen_live(server: Server) -> None:
    c, anon = client(server), client(server, None)
    t = create_tournament(c, "Friday LAN", signup={"enabled": True, "capacity": 4, "code": "gg"})
    tid = t["id"]
    assert t["signup"]["code_required"] and "gg" not in json.dumps(t)
    with connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        r = anon.post(f"/api/v1/tournaments/{tid}/signup", json={"name": "Ada"})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "code"
        players = {n: sign_up(anon, tid, n, code="gg") for n in ("Ada", "Bob", "Cy", "Di", "Ed")}
        seen = frames(ws, "participant.signed_up")
        assert seen[0]["event"]["data"] == {
            "participant_id": players["Ada"]["entry"]["id"], "name": "Ada", "rating": None,
            "status": "active"}  # fmt: skip
        assert players["Ed"]["entry"]["status"] == "waiting"
        assert players["Ed"]["entry"]["waiting_position"] == 1
        assert players["Ada"]["link"] == f"{server.url}/t/{tid}/entry#{players['Ada']['token']}"

        def me(name: str) -> httpx.Client:
            return client(server, players[name]["token"])

        assert me("Ada").post(f"/api/v1/tournaments/{tid}/entry/check-in").status_code == 409
        assert c.post(f"/api/v1/tournaments/{tid}/check-in/open").status_code == 200
        for n in ("Ada", "Cy", "Ed"):
            r = me(n).post(f"/api/v1/tournaments/{tid}/entry/check-in")
            assert r.status_code == 200 and r.json()["checked_in_at"], r.text
        r = c.post(
            f"/api/v1/tournaments/{tid}/participants/{players['Di']['entry']['id']}/check-in"
        )
        assert r.status_code == 200
        r = me("Bob").post(f"/api/v1/tournaments/{tid}/entry/withdraw")
        assert r.json()["status"] == "withdrawn"
        promoted = frames(ws, "participant.promoted")[-1]["event"]["data"]
        assert promoted == {"participant_id": players["Ed"]["entry"]["id"]}
        # Ed took Bob's place; a late sign-up waits and does not check in
        late = sign_up(anon, tid, "Flo", code="gg")
        assert late["entry"]["status"] == "waiting"
        r = c.post(f"/api/v1/tournaments/{tid}/stations", json=[{"name": "Table 1"},
                                                                {"name": "Table 2"}])  # fmt: skip
        assert r.status_code == 201 and [s["name"] for s in r.json()] == ["Table 1", "Table 2"]
        r = c.post(f"/api/v1/tournaments/{tid}/start")
        assert r.status_code == 200, r.text
        started = frames(ws, "tournament.started")[-1]
        assert started["event"]["data"]["dropped"] == []
        assert started["event"]["data"]["promoted"] == []
        calls = [frames(ws, "match.called")[-1] for _ in range(2)]
        assert {f["event"]["data"]["station"] for f in calls} == {"Table 1", "Table 2"}
        for f in calls:
            (m,) = f["matches"]
            assert m["station"]["name"] == f["event"]["data"]["station"]
            assert m["called_at"] == f["event"]["at"]
        mine = me("Ada").get(f"/api/v1/tournaments/{tid}/entry").json()
        (current,) = mine["matches"]
        assert current["station"]["name"] in ("Table 1", "Table 2") and current["opponent"]
        r = c.post(f"/api/v1/tournaments/{tid}/matches/{current['id']}/result",
                   json={"scores": [2, 0]})  # fmt: skip
        assert r.status_code == 200
        result = frames(ws, "match.result")[-1]
        (done,) = [m for m in result["matches"] if m["id"] == current["id"]]
        assert done["station"] == current["station"]  # where it was played
    stations = c.get(f"/api/v1/tournaments/{tid}/stations").json()
    assert current["id"] not in [s["match_id"] for s in stations]
    events = wait_for(lambda: [e for e in anon.get(f"/api/v1/tournaments/{tid}/events",
                                                   params={"limit": 1000}).json()
                               if e["type"] == "match.called"])  # fmt: skip
    text = anon.get(f"/api/v1/tournaments/{tid}/events", params={"limit": 1000}).text
    assert events and "token_hash" not in text and "signup_code" not in text and "gg" not in text


def test_the_start_drops_no_shows_and_seeds_by_rating(server: Server) -> None:
    c, anon = client(server), client(server, None)
    t = create_tournament(c, "Rated", signup={"enabled": True, "capacity": 3, "seeding": "rating"})
    tid = t["id"]
    ps = {n: sign_up(anon, tid, n, rating=r) for n, r in
          (("A", 1000), ("B", 1500), ("C", 1200), ("D", 1800), ("E", 900))}  # fmt: skip
    c.post(f"/api/v1/tournaments/{tid}/check-in/open")
    for n in ("A", "C", "D", "E"):
        assert client(server, ps[n]["token"]).post(
            f"/api/v1/tournaments/{tid}/entry/check-in").status_code == 200  # fmt: skip
    r = c.post(f"/api/v1/tournaments/{tid}/start")
    assert r.status_code == 200, r.text
    got = [(p["name"], p["seed"]) for p in r.json()["participants"]]
    assert got == [("D", 1), ("C", 2), ("A", 3)]  # B dropped, D (first in line, here) promoted
    b = client(server, ps["B"]["token"]).get(f"/api/v1/tournaments/{tid}/entry").json()
    assert b["status"] == "dropped" and not b["has_place"]
    e = client(server, ps["E"]["token"]).get(f"/api/v1/tournaments/{tid}/entry").json()
    assert e["status"] == "waiting" and not e["can_check_in"]


def test_links_are_built_on_the_address_used_or_public_url(server: Server, make_server: Any,
                                                          tmp_path: Path) -> None:  # fmt: skip
    c = client(server)
    t = create_tournament(c, "LAN", signup={"enabled": True, "code": "a b"})
    tid = t["id"]
    lan = {"Host": "192.168.1.20:8000"}
    info = c.get(f"/api/v1/tournaments/{tid}/signup", headers=lan).json()
    assert info["link"] == f"http://192.168.1.20:8000/t/{tid}/signup?code=a%20b"
    assert info["code"] == "a b"
    public = client(server, None).get(f"/api/v1/tournaments/{tid}/signup", headers=lan).json()
    assert public["link"] == f"http://192.168.1.20:8000/t/{tid}/signup" and "code" not in public
    reg = client(server, None).post(f"/api/v1/tournaments/{tid}/signup", headers=lan,
                                   json={"name": "Ada", "code": "a b"}).json()  # fmt: skip
    assert reg["link"].startswith("http://192.168.1.20:8000/t/")
    for who, path in ((c, "signup/qr.svg"), (client(server, reg["token"]), "entry/qr.svg")):
        r = who.get(f"/api/v1/tournaments/{tid}/{path}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert ET.fromstring(r.text).tag.endswith("svg")
    env = {"TOURNEY_SERVER_PUBLIC_URL": "https://cup.example.org/"}
    other = make_server(tmp_path / "pub", env=env).start()
    with other.client() as oc:
        t2 = create_tournament(oc, "Public", signup={"enabled": True})
        info = oc.get(f"/api/v1/tournaments/{t2['id']}/signup", headers=lan).json()
        assert info["link"] == f"https://cup.example.org/t/{t2['id']}/signup"
        r = oc.post(f"/api/v1/tournaments/{t2['id']}/participants", json={"name": "Bo"})
        r = oc.post(f"/api/v1/tournaments/{t2['id']}/participants/{r.json()['id']}/link")
        assert r.status_code == 201
        assert r.json()["link"] == f"https://cup.example.org/t/{t2['id']}/entry#{r.json()['token']}"


def test_the_clock_closes_the_sign_up_and_opens_check_in(server: Server) -> None:
    c, anon = client(server), client(server, None)
    t = create_tournament(c, "Clocked", signup={"enabled": True, "closes_at": soon(1.5)},
                          starts_at=soon(1800 + 1.5), check_in={"minutes_before": 30})  # fmt: skip
    tid = t["id"]
    ada = sign_up(anon, tid, "Ada")
    sign_up(anon, tid, "Bob")
    assert t["check_in"]["opened_at"] is None
    got = wait_for(lambda: c.get(f"/api/v1/tournaments/{tid}").json()["check_in"]["opened_at"])
    assert got
    assert c.get(f"/api/v1/tournaments/{tid}").json()["signup"]["closed_at"]
    r = anon.post(f"/api/v1/tournaments/{tid}/signup", json={"name": "Late"})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
    me = client(server, ada["token"])
    assert me.post(f"/api/v1/tournaments/{tid}/entry/check-in").status_code == 200


def test_a_round_is_called_at_its_time(server: Server) -> None:
    c = client(server)
    t = create_tournament(c, "Timed", round_times=[{"round": 1, "at": soon(1.5)}])
    tid = t["id"]
    c.post(f"/api/v1/tournaments/{tid}/participants", json=[{"name": n} for n in "ABCD"])
    c.post(f"/api/v1/tournaments/{tid}/stations", json={"name": "Board 1"})
    r = c.post(f"/api/v1/tournaments/{tid}/start")
    assert all(m["station"] is None for m in r.json()["matches"])
    called = wait_for(lambda: [m for m in c.get(f"/api/v1/tournaments/{tid}/matches").json()
                               if m["station"]])  # fmt: skip
    assert [m["number"] for m in called] == [1]


def test_bad_input_is_a_clear_4xx(server: Server) -> None:
    c, anon = client(server), client(server, None)
    t = create_tournament(c, "Strict", signup={"enabled": True, "capacity": 2})
    tid = t["id"]
    cases = [
        (anon, "POST", "signup", [1, 2], 422), (anon, "POST", "signup", {"name": ""}, 422),
        (anon, "POST", "signup", {"name": "x" * 201}, 422),
        (anon, "POST", "signup", {"name": "A", "rating": "high"}, 422),
        (anon, "POST", "signup", {"name": "A", "extra": 1}, 422),
        (c, "POST", "stations", [], 422), (c, "POST", "stations", {"name": 5}, 422),
        (c, "PATCH", "", {"signup": {"capacity": 99999}}, 422),
        (c, "PATCH", "", {"round_times": "soon"}, 422),
        (c, "POST", "waitlist/reorder", {"order": ["p_x"]}, 422),
        (c, "POST", "signups/p_nobody/approve", None, 404),
        (c, "POST", "participants/p_nobody/link", None, 404),
        (c, "POST", "matches/m_nobody/call", None, 409),
    ]  # fmt: skip
    before = c.get(f"/api/v1/tournaments/{tid}").json()
    for who, method, path, body, want in cases:
        r = who.request(method, f"/api/v1/tournaments/{tid}/{path}".rstrip("/"),
                        **({"json": body} if body is not None else {}))  # fmt: skip
        assert r.status_code == want, (path, body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert c.get(f"/api/v1/tournaments/{tid}").json() == before
    r = anon.post(f"/api/v1/tournaments/{tid}/signup", content=b"{", headers={
        "content-type": "application/json"})  # fmt: skip
    assert r.status_code == 400


def test_links_and_stations_survive_a_restart(make_server: Any) -> None:
    s = make_server().start()
    with s.client() as c:
        t = create_tournament(c, "Kept", signup={"enabled": True})
        tid = t["id"]
        ada = sign_up(client(s, None), tid, "Ada")
        sign_up(client(s, None), tid, "Bob")
        c.post(f"/api/v1/tournaments/{tid}/stations", json={"name": "Court 1"})
        c.post(f"/api/v1/tournaments/{tid}/start")
        before = c.get(f"/api/v1/tournaments/{tid}").json()
    s.stop()
    s.start()
    with s.client() as c:
        assert c.get(f"/api/v1/tournaments/{tid}").json() == before
        (m,) = before["matches"]
        assert m["station"]["name"] == "Court 1"
    mine = client(s, ada["token"]).get(f"/api/v1/tournaments/{tid}/entry")
    assert mine.status_code == 200 and mine.json()["matches"][0]["station"]["name"] == "Court 1"


def test_light_frames_carry_the_station(server: Server) -> None:
    c = client(server)
    t = create_tournament(c, "Light", call_matches="manual")
    tid = t["id"]
    c.post(f"/api/v1/tournaments/{tid}/participants", json=[{"name": n} for n in "ABCD"])
    st = c.post(f"/api/v1/tournaments/{tid}/stations", json={"name": "Court 3"}).json()
    mid = next(m["id"] for m in c.post(f"/api/v1/tournaments/{tid}/start").json()["matches"]
               if m["state"] == "ready")  # fmt: skip
    with connect(f"{server.ws_url}/api/v1/tournaments/{tid}/ws?fields=scores") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        r = c.post(f"/api/v1/tournaments/{tid}/matches/{mid}/call", json={"station_id": st["id"]})
        assert r.status_code == 200 and r.json()["station"]["name"] == "Court 3"
        frame = json.loads(ws.recv(timeout=5))
    assert frame["type"] == "scores" and frame["event"] == "match.called"
    assert frame["matches"][0]["station"] == {"id": st["id"], "name": "Court 3"}
