"""The director's Swiss through a real server (uvicorn, the embedded Valkey, SQLite): a club
night run by hand and seen live on the WebSocket (rounds paired on request after a preview,
a late entry, a requested bye, a withdrawal and a re-pair, a swap with its warning, a past result
corrected), the TRF out and back in, a reopen preview that warns of a match being played, and a
restart that finds every round as it was left (rounds deleted and paired again included)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.conftest import Server, client
from tests.helpers import add_players, create_tournament, ready_matches


def event_frame(ws: ClientConnection, etype: str, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        f = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        if f["type"] == "event" and f["event"]["type"] == etype:
            out: dict[str, Any] = f
            return out
    raise AssertionError(f"no {etype} frame")


def club(c: httpx.Client, n: int = 7, **settings: Any) -> tuple[str, dict[str, str]]:
    t = create_tournament(c, "Tuesday club", format="swiss",
                          settings={"rounds": 4, **settings})  # fmt: skip
    rows = [{"name": f"Player {i}", "rating": 2200 - 50 * i} for i in range(n)]
    players = c.post(f"/api/v1/tournaments/{t['id']}/participants", json=rows).json()
    return t["id"], {p["name"]: p["id"] for p in players}


def play_round(c: httpx.Client, tid: str) -> None:
    for m in ready_matches(c, tid):
        url = f"/api/v1/tournaments/{tid}/matches/{m['id']}/result"
        assert c.post(url, json={"scores": [1, 0]}).status_code == 200


def round_of(c: httpx.Client, tid: str, rnd: int) -> list[dict[str, Any]]:
    ms = c.get(f"/api/v1/tournaments/{tid}/matches").json()
    return sorted((m for m in ms if m["round"] == rnd), key=lambda m: m["number"])


def players_in(ms: list[dict[str, Any]]) -> set[str]:
    return {s["participant_id"] for m in ms for s in m["slots"] if s["participant_id"]}


def rematch_swap(r1: list[dict[str, Any]], r2: list[dict[str, Any]]) -> list[str]:
    """Two players of round 2 whose swap makes a pair of round 1 meet again."""
    met = {frozenset(players_in([m])) for m in r1}
    boards = [[s["participant_id"] for s in m["slots"]] for m in r2 if m["result"] != "bye"]
    for a in boards:
        for b in boards:
            for i in (0, 1):
                for q in b:
                    if a is not b and frozenset((a[1 - i], q)) in met:
                        return [a[i], q]
    raise AssertionError("no swap makes a rematch")


def test_a_club_night_run_by_hand_and_seen_live(server: Server) -> None:
    c = client(server)
    tid, ids = club(c)
    base = f"/api/v1/tournaments/{tid}"
    assert c.post(base + "/start").status_code == 200
    with connect(f"{server.ws_url}{base}/ws") as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
        play_round(c, tid)
        time.sleep(0.3)
        assert round_of(c, tid, 2) == []  # nothing pairs itself
        # the preview changes nothing; the pairing then is the one previewed
        version = c.get(base).json()["version"]
        preview = c.post(base + "/rounds?dry_run=1")
        assert preview.status_code == 200 and preview.json()["dry_run"] is True
        assert c.get(base).json()["version"] == version
        # a late entry and a requested bye, before the round is paired
        late = c.post(base + "/participants", json={"name": "Late Lou", "rating": 1500})
        assert late.status_code == 201 and [b["round"] for b in late.json()["byes"]] == [1]
        bye = c.post(base + f"/participants/{ids['Player 0']}/byes", json={"rounds": [2]})
        assert bye.status_code == 201
        paired = c.post(base + "/rounds", json={"round": 2})
        assert paired.status_code == 201, paired.text
        frame = event_frame(ws, "round.paired")
        assert frame["event"]["data"]["relaxed"] is None and frame["event"]["data"]["by"] == (
            "director")  # fmt: skip
        r2 = round_of(c, tid, 2)
        assert late.json()["id"] in players_in(r2) and ids["Player 0"] not in players_in(r2)
        # a withdrawal, then the round paired again without them
        gone = ids["Player 3"]
        assert c.post(base + f"/participants/{gone}/withdraw").json()["status"] == "withdrawn"
        again = c.post(base + "/rounds/2/re-pair")
        assert again.status_code == 200 and gone not in players_in(again.json()["matches"])
        assert event_frame(ws, "round.repaired")["event"]["data"]["removed"]
        # a swap into a rematch: previewed with its warning, then made as an override
        swap = {"players": rematch_swap(round_of(c, tid, 1), round_of(c, tid, 2))}
        warned = c.post(base + "/rounds/2/swap?dry_run=1", json=swap).json()
        assert warned["override"] and "rematch" in {w["code"] for w in warned["warnings"]}
        made = c.post(base + "/rounds/2/swap", json=swap)
        assert made.status_code == 200 and made.json()["override"] is True
        assert event_frame(ws, "round.swapped")["event"]["data"]["warnings"]
        # a past result corrected: the standings follow, the round stands
        before = {r["participant_id"]: r["points"] for r in c.get(base + "/standings").json()}
        first = next(m for m in round_of(c, tid, 1) if m["result"] == "win")
        r = c.post(base + f"/matches/{first['id']}/correct", json={"scores": [0.5, 0.5]})
        assert r.status_code == 200 and r.json()["result"] == "draw"
        assert event_frame(ws, "match.corrected")["event"]["data"]["was"]["result"] == "win"
        rows = {r["participant_id"]: r for r in c.get(base + "/standings").json()}
        assert rows[first["winner_id"]]["points"] == before[first["winner_id"]] - 0.5
        assert rows[gone]["status"] == "withdrawn"
        reopen = c.post(base + f"/matches/{first['id']}/reopen")
        assert reopen.status_code == 409 and "correct" in reopen.json()["detail"]


def test_refusals_are_problems_that_change_nothing(server: Server) -> None:
    c = client(server)
    tid, ids = club(c, 4)
    base = f"/api/v1/tournaments/{tid}"
    assert c.post(base + "/rounds").status_code == 409  # not started
    assert c.post(base + "/start").status_code == 200
    before = c.get(base).json()
    for method, path, body, status in (
        ("POST", "/rounds", None, 409),  # round 1 not finished
        ("POST", "/rounds", {"round": "two"}, 422),
        ("POST", "/rounds/9/re-pair", None, 409),
        ("POST", "/rounds/x/re-pair", None, 422),
        ("DELETE", "/rounds/0", None, 422),
        ("POST", "/rounds/1/swap", {"players": ["a"]}, 422),
        ("POST", f"/participants/{ids['Player 1']}/byes", {"rounds": [1]}, 409),
        ("POST", f"/participants/{ids['Player 1']}/byes", {"rounds": [99]}, 422),
        ("POST", f"/participants/{ids['Player 1']}/return", None, 409),
        ("DELETE", f"/participants/{ids['Player 1']}/byes/2", None, 404),
        ("DELETE", f"/participants/{ids['Player 1']}/byes/x", None, 422),
        ("POST", "/participants/nobody/withdraw", None, 404),
    ):
        r = c.request(method, base + path, json=body)
        assert r.status_code == status, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    after = c.get(base).json()
    assert after == before


def test_the_trf_out_and_back_in(server: Server) -> None:
    c = client(server)
    tid, ids = club(c, 6)
    base = f"/api/v1/tournaments/{tid}"
    fide = {"id": "1503014", "federation": "NOR", "sex": "m", "birth": "1990/11/30"}
    assert c.patch(base + f"/participants/{ids['Player 0']}",
                   json={"title": "GM", "fide": fide}).status_code == 200  # fmt: skip
    assert c.patch(base, json={"trf_header": {"022": "Oslo", "102": "A. Arbiter"}}).json()[
        "trf_header"] == {"022": "Oslo", "102": "A. Arbiter"}  # fmt: skip
    assert c.post(base + "/start").status_code == 200
    play_round(c, tid)
    assert c.post(base + "/rounds").status_code == 201
    r = c.get(base + "/export.trf")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == 'attachment; filename="tuesday-club.trf"'
    text = r.text
    assert "022 Oslo" in text and "GM Player 0" in text and "1503014" in text
    # in again (as a file), out again: the same file; the round left to play is ready here
    back = c.post("/api/v1/tournaments/import.trf", content=text.encode(),
                  headers={"Content-Type": "text/plain"})  # fmt: skip
    assert back.status_code == 201, back.text
    t2 = back.json()
    assert t2["state"] == "underway" and t2["settings"]["pairing_numbers"] == "seed"
    assert c.get(f"/api/v1/tournaments/{t2['id']}/export.trf").text == text
    assert len(ready_matches(c, t2["id"])) == 3
    # JSON with a name of its own; a file that does not hold together is a 422
    named = c.post("/api/v1/tournaments/import.trf", json={"trf": text, "name": "Copy"})
    assert named.status_code == 201 and named.json()["name"] == "Copy"
    bad = c.post("/api/v1/tournaments/import.trf", json={"trf": text.replace(" 1 ", " 9 ", 1)})
    assert bad.status_code in (201, 422)
    broken = c.post("/api/v1/tournaments/import.trf", content=b"001 x\n",
                    headers={"Content-Type": "text/plain"})  # fmt: skip
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "trf"
    latin = c.post("/api/v1/tournaments/import.trf", content="012 Café".encode("latin-1"),
                   headers={"Content-Type": "text/plain"})  # fmt: skip
    assert latin.status_code == 400
    elim = create_tournament(c, "Cup")
    add_players(c, elim["id"], 2)
    c.post(f"/api/v1/tournaments/{elim['id']}/start")
    assert c.get(f"/api/v1/tournaments/{elim['id']}/export.trf").status_code == 409


def test_a_reopen_preview_says_when_a_match_it_resets_is_being_played(server: Server) -> None:
    c = client(server)
    t = create_tournament(c, "Cup")
    add_players(c, t["id"], 4)
    base = f"/api/v1/tournaments/{t['id']}"
    c.post(base + "/start")
    semis = ready_matches(c, t["id"])
    for m in semis:
        r = c.post(base + f"/matches/{m['id']}/result", json={"scores": [2, 1]})
        assert r.status_code == 200
    (final,) = ready_matches(c, t["id"])
    r = c.post(base + f"/matches/{final['id']}/live", json={"scores": [1, 0]})
    assert r.status_code == 202
    preview = c.post(base + f"/matches/{semis[0]['id']}/reopen?dry_run=1").json()
    assert preview["live"] == [final["id"]] and preview["reset"] == [semis[0]["id"], final["id"]]
    assert "being played live" in preview["warnings"][0]
    # a score typed wrong is corrected in place: the final, being played, is not touched
    fixed = c.post(base + f"/matches/{semis[0]['id']}/correct", json={"scores": [3, 1]})
    assert fixed.status_code == 200 and fixed.json()["scores"] == [3, 1]
    assert c.get(base + f"/matches/{final['id']}").json()["state"] == "live"
    other = c.post(base + f"/matches/{semis[0]['id']}/correct", json={"scores": [0, 2]})
    assert other.status_code == 409


def test_rounds_deleted_and_paired_again_survive_a_restart(tmp_path: Path) -> None:
    server = Server(tmp_path / "data").start()
    try:
        c = server.client()
        tid, ids = club(c, 9)
        base = f"/api/v1/tournaments/{tid}"
        c.post(base + "/start")
        play_round(c, tid)
        assert c.post(base + "/rounds").status_code == 201
        c.post(base + f"/participants/{ids['Player 5']}/withdraw")
        assert c.post(base + "/rounds/2/re-pair").status_code == 200
        assert c.delete(base + "/rounds/2").status_code == 200
        assert c.post(base + "/rounds").status_code == 201
        r2 = [m for m in round_of(c, tid, 2)]
        c.post(
            base + "/rounds/2/swap",
            json={
                "players": [
                    r2[0]["slots"][0]["participant_id"],
                    r2[1]["slots"][1]["participant_id"],
                ]
            },
        )
        before = c.get(base).json()
        c.close()
        time.sleep(0.5)  # the writer's batch
    finally:
        server.stop()
    again = Server(tmp_path / "data").start()
    try:
        with again.client() as c:
            after = c.get(f"/api/v1/tournaments/{tid}").json()
            assert after["matches"] == before["matches"]
            assert after["participants"] == before["participants"]
    finally:
        again.stop()
