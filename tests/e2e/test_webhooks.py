"""Webhooks end to end: a real tourney (uvicorn, its embedded Valkey, SQLite) sending to a real
HTTP server on loopback. Signatures are checked with the Standard Webhooks library; the Discord
format against a receiver that answers as Discord does to a body of the wrong shape; a receiver
that fails and recovers, and a tourney killed mid-way, lose nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.helpers import add_players, create_tournament, play_out, ready_matches
from tests.receiver import Received, Receiver, firsts

FAST = {
    "TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
    "TOURNEY_WEBHOOKS_RETRY_INITIAL_SECONDS": "0.1",
    "TOURNEY_WEBHOOKS_RETRY_MAX_INTERVAL_SECONDS": "0.3",
}


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("hooks") / "data", FAST).start()
    yield s
    s.stop()


def add_webhook(c: httpx.Client, base: str, url: str, **fields: Any) -> dict[str, Any]:
    r = c.post(base + "/webhooks", json={"url": url, **fields})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert body["secret"].startswith("whsec_")
    return body


def log_of(c: httpx.Client, base: str, wid: str) -> list[dict[str, Any]]:
    """An endpoint's whole delivery log, oldest first (paging through it)."""
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = c.get(f"{base}/webhooks/{wid}/deliveries", params=params).json()
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out[::-1]


def wait_until(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_night_of_signed_deliveries(hooks_server: Server, rx: Receiver) -> None:
    with hooks_server.client() as c:
        t = create_tournament(c, "Friday Cup")
        base = f"/api/v1/tournaments/{t['id']}"
        hook = add_webhook(c, base, rx.url, description="the score bot")
        assert "secret" not in c.get(f"{base}/webhooks/{hook['id']}").json()
        assert [h["id"] for h in c.get(base + "/webhooks").json()["items"]] == [hook["id"]]
        server_wide = add_webhook(c, "/api/v1", rx.url + "?all", types=["tournament.completed"])
        assert server_wide["tournament_id"] is None
        add_players(c, t["id"], 4)
        assert c.post(base + "/start").status_code == 200
        played = play_out(c, t["id"])
        got = rx.wait_for(2 + 2 * played + 1 + 1)  # added, started, ready and result each,
        # completed; and the server-wide endpoint's completed
        mine = [r for r in got if r.path == "/hook"]
        types = [r.verified(hook["secret"])["type"] for r in mine]
        assert types == ["participant.added", "tournament.started", "match.ready", "match.ready",
                         "match.result", "match.result", "match.ready", "match.result",
                         "tournament.completed"]  # fmt: skip
        (done,) = [r for r in got if r.path == "/hook?all"]
        assert done.verified(server_wide["secret"])["data"]["champion"]["name"] == "P1"
        log = log_of(c, base, hook["id"])
        assert [d["id"] for d in log] == [r.headers["webhook-id"] for r in mine]
        assert {d["status"] for d in log} == {"delivered"}
        assert log[-1]["payload"] == mine[-1].json()
        shown = c.get(f"{base}/webhooks/{hook['id']}").json()
        assert shown["deliveries"] == {"pending": 0, "delivered": 9, "failed": 0}
        metrics = c.get("/metrics").text
        assert re.search(r'tourney_webhook_attempts_total\{outcome="delivered"\} 1\d', metrics)


def discord_shaped(r: Received) -> int:
    """What Discord answers: 204 for ``{"content": str}`` (with optional known fields), else
    400, as it refuses a body it cannot use."""
    try:
        body = r.json()
    except ValueError:
        return 400
    known = {"content", "allowed_mentions", "username", "avatar_url", "embeds", "tts"}
    ok = (isinstance(body, dict) and set(body) <= known and isinstance(body.get("content"), str)
          and 0 < len(body["content"]) <= 2000)  # fmt: skip
    return 204 if ok else 400


def test_the_discord_format_is_a_line_for_people(hooks_server: Server, rx: Receiver) -> None:
    rx.answer = discord_shaped
    names = ["Lag Lords", "Ping Pongers", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth"]
    with hooks_server.client() as c:
        t = create_tournament(c, "Pub Night", format="double_elimination")
        base = f"/api/v1/tournaments/{t['id']}"
        seeds = [1, 4, 2, 3, 5, 6, 7, 8]  # Lag Lords 1 and Ping Pongers 4 meet in round 2
        r = c.post(
            base + "/participants",
            json=[{"name": n, "seed": s} for n, s in zip(names, seeds, strict=True)],
        )
        assert r.status_code == 201, r.text
        hook = add_webhook(c, base, rx.url, format="discord", types=["match.result"])
        assert hook["format"] == "discord"
        c.post(base + "/start")
        by_id = {p["id"]: p["name"] for p in c.get(base).json()["participants"]}
        for m in [m for m in ready_matches(c, t["id"]) if m["round"] == 1]:
            sides = [by_id[s["participant_id"]] for s in m["slots"]]
            scores = [2, 0] if sides[1] not in ("Lag Lords", "Ping Pongers") else [0, 2]
            c.post(f"{base}/matches/{m['id']}/result", json={"scores": scores})
        (semi,) = [m for m in ready_matches(c, t["id"])
                   if m["bracket"] == "winners" and "Lag Lords" in
                   [by_id[s["participant_id"]] for s in m["slots"]]]  # fmt: skip
        c.post(f"{base}/matches/{semi['id']}/result", json={"scores": [2, 1]})
        got = rx.wait_for(5)
    assert all(r.status == 204 for r in rx.got)
    lines = [r.json()["content"] for r in got]
    assert "Lag Lords 2-1 Ping Pongers · Winners semifinal · Pub Night" in lines
    assert all(r.json()["allowed_mentions"] == {"parse": []} for r in got)
    assert all(r.verified(hook["secret"]) for r in got)  # signed all the same


def test_private_and_local_targets_are_refused(server: Server) -> None:
    """The shared server runs on the defaults: no network is allowed besides public ones."""
    with server.client() as c:
        t = create_tournament(c, "Lan Cup")
        base = f"/api/v1/tournaments/{t['id']}"
        for url in ("http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.0.0.7/",
                    "http://192.168.1.10:3000/", "http://[::1]/", "http://0.0.0.0/",
                    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/",
                    "https://no-such-host.invalid/hook"):  # fmt: skip
            r = c.post(base + "/webhooks", json={"url": url})
            assert r.status_code == 422, (url, r.text)
            assert r.json()["errors"][0]["field"] == "url"
        assert c.get(base + "/webhooks").json() == {"items": []}


def test_a_failing_receiver_and_a_killed_tourney_lose_nothing(
    make_server: Any, rx: Receiver, tmp_path: Path
) -> None:
    rx.answer = lambda _r: 503
    s: Server = make_server(tmp_path / "data", FAST).start()
    with s.client() as c:
        t = create_tournament(c, "Stormy Cup")
        base = f"/api/v1/tournaments/{t['id']}"
        hook = add_webhook(c, base, rx.url)
        add_players(c, t["id"], 8)
        c.post(base + "/start")
        for m in ready_matches(c, t["id"])[:2]:
            c.post(f"{base}/matches/{m['id']}/result", json={"scores": [2, 1]})
        wait_until(lambda: len(rx.got) >= 3)  # the first message, tried and refused
        assert rx.accepted() == []
    s.kill()  # kill -9, with everything still to deliver
    rx.answer = lambda _r: 204
    s.start()
    with s.client() as c:
        play_out(c, t["id"])
        # 8 players: added, started, 4 + 2 + 1 ready and as many results, completed
        got = rx.wait_for(3 + 7 * 2, timeout=30)
        log = wait_until(lambda: (lg := log_of(c, base, hook["id"])) and
                         all(d["status"] == "delivered" for d in lg) and lg)  # fmt: skip
    assert [r.headers["webhook-id"] for r in got] == [d["id"] for d in log]  # in order
    assert len(got) == len(log) == 17
    types = [r.verified(hook["secret"])["type"] for r in got]
    assert types[:2] == ["participant.added", "tournament.started"]
    assert types[-1] == "tournament.completed"
    assert types.count("match.result") == types.count("match.ready") == 7
    assert log[0]["attempts"] >= 3 and rx.got[0].status == 503  # tried before the kill too
    assert len(rx.accepted()) >= len(firsts(rx.accepted()))  # at least once


def test_an_endpoint_that_keeps_failing_is_disabled_then_resumes(
    make_server: Any, rx: Receiver, tmp_path: Path
) -> None:
    rx.answer = lambda _r: 500
    env = {**FAST, "TOURNEY_WEBHOOKS_RETRY_WINDOW_SECONDS": "0.5"}
    s: Server = make_server(tmp_path / "data", env).start()
    with s.client() as c:
        t = create_tournament(c, "Flaky Cup")
        base = f"/api/v1/tournaments/{t['id']}"
        hook = add_webhook(c, base, rx.url, types=["participant.added"])
        add_players(c, t["id"], 2)
        shown = wait_until(lambda: (h := c.get(f"{base}/webhooks/{hook['id']}").json())
                           and not h["enabled"] and h)  # fmt: skip
        assert "HTTP 500" in shown["disabled_reason"]
        assert shown["deliveries"]["failed"] == 1
        metrics = c.get("/metrics").text
        assert "tourney_webhook_endpoints_disabled_total 1.0" in metrics
        assert 'tourney_webhook_endpoints{state="disabled"} 1.0' in metrics
        tries = len(rx.got)
        join = f"{base}/participants"
        assert c.post(join, json={"name": "Late"}).status_code == 201  # not queued: disabled
        time.sleep(0.5)
        assert len(rx.got) == tries
        rx.answer = lambda _r: 204
        r = c.patch(f"{base}/webhooks/{hook['id']}", json={"enabled": True})
        assert r.status_code == 200 and r.json()["disabled_reason"] is None
        assert c.post(join, json={"name": "Later"}).status_code == 201
        (later,) = rx.wait_for(1)
        assert [p["name"] for p in later.verified(hook["secret"])["data"]["participants"]] == [
            "Later"]  # fmt: skip
