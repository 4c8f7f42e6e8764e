"""A whole tournament as a file, between two real servers: export, import on the other, export
again byte for byte; the command line both ways; the CSV tables; what an import refuses; and the
version-1 file kept with the tests, imported."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, ROOT, Server
from tests.helpers import add_players, create_tournament, ready_matches

V1_FILE = ROOT / "tests" / "files" / "export-v1.json"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    here = tmp_path_factory.mktemp("export")
    a, b = Server(here / "a" / "data").start(), Server(here / "b" / "data").start()
    yield a, b
    a.stop()
    b.stop()


def eventful(c: httpx.Client) -> tuple[str, str]:
    """A tournament that used much of what there is: sign-up, check-in, a participant link, a
    station, results, a reopen, a live score, a disqualification. Returns its id and the link."""
    t = create_tournament(c, "Archive Cup", format="double_elimination",
                          signup={"enabled": True}, settings={"best_of": 3})  # fmt: skip
    tid = t["id"]
    players = add_players(c, tid, 6)
    assert c.post(f"/api/v1/tournaments/{tid}/signup", json={"name": "Walk-in"}).status_code == 201
    link = c.post(f"/api/v1/tournaments/{tid}/participants/{players[0]['id']}/link").json()
    c.post(f"/api/v1/tournaments/{tid}/stations", json={"name": "Table 1"})
    c.post(f"/api/v1/tournaments/{tid}/check-in/open")
    for p in players:
        c.post(f"/api/v1/tournaments/{tid}/participants/{p['id']}/check-in")
    assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
    first, second = ready_matches(c, tid)[:2]
    url = f"/api/v1/tournaments/{tid}/matches/"
    assert c.post(url + first["id"] + "/result", json={"games": [[21, 9], [21, 19]]}).is_success
    assert c.post(url + first["id"] + "/reopen").is_success
    assert c.post(url + first["id"] + "/result", json={"scores": [1, 2]}).is_success
    assert c.post(url + second["id"] + "/live", json={"scores": [1, 0]}).status_code == 202
    loser = second["slots"][1]["participant_id"]
    assert c.post(f"/api/v1/tournaments/{tid}/participants/{loser}/disqualify").is_success
    return tid, link["token"]


def export(c: httpx.Client, tid: str) -> bytes:
    r = c.get(f"/api/v1/tournaments/{tid}/export")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="{tid}.json"'
    return r.content


def test_export_import_export_is_byte_identical(servers: tuple[Server, Server]) -> None:
    a, b = servers
    with a.client() as ca, b.client() as cb:
        tid, link = eventful(ca)
        first = export(ca, tid)
        r = cb.post("/api/v1/import", content=first, headers={"Content-Type": "application/json"})
        assert r.status_code == 201, r.text
        assert r.headers["location"] == f"/api/v1/tournaments/{tid}"
        assert export(cb, tid) == first
        here, there = (c.get(f"/api/v1/tournaments/{tid}").json() for c in (ca, cb))
        assert {k: v for k, v in here.items() if k != "seq"} == {
            k: v for k, v in there.items() if k != "seq"}  # fmt: skip
        again = cb.post("/api/v1/import", content=first)
        assert again.status_code == 409, again.text  # the id is here now
        events = cb.get(f"/api/v1/tournaments/{tid}/events", params={"limit": 1000}).json()
        assert len(events) == len(json.loads(first)["events"])  # an import appends events
    with httpx.Client(base_url=b.url, headers={"Authorization": f"Bearer {link}"}) as player:
        entry = player.get(f"/api/v1/tournaments/{tid}/entry")  # the link works there too
        assert entry.status_code == 200, entry.text


def test_the_play_goes_on_after_an_import(servers: tuple[Server, Server]) -> None:
    a, b = servers
    with a.client() as ca, b.client() as cb:
        t = create_tournament(ca, "Moving Cup")
        add_players(ca, t["id"], 4)
        ca.post(f"/api/v1/tournaments/{t['id']}/start")
        assert cb.post("/api/v1/import", content=export(ca, t["id"])).status_code == 201
        for m in ready_matches(cb, t["id"]):
            r = cb.post(f"/api/v1/tournaments/{t['id']}/matches/{m['id']}/result",
                        json={"scores": [2, 0]})  # fmt: skip
            assert r.status_code == 200, r.text
        final = ready_matches(cb, t["id"])[0]
        cb.post(f"/api/v1/tournaments/{t['id']}/matches/{final['id']}/result",
                json={"scores": [0, 2]})  # fmt: skip
        assert cb.get(f"/api/v1/tournaments/{t['id']}").json()["state"] == "complete"


@pytest.mark.parametrize("change", [
    lambda d: d["tournament"].update(name="Changed"),
    lambda d: d["events"].pop(),
    lambda d: d.update(version=99),
    lambda d: d.update(schema="something else"),
    lambda d: d["events"][0].update(type="token.created"),
])  # fmt: skip
def test_a_changed_file_is_refused_and_nothing_changes(
    servers: tuple[Server, Server], change: Any
) -> None:
    a, b = servers
    with a.client() as ca, b.client() as cb:
        t = create_tournament(ca, "Tampered Cup")
        add_players(ca, t["id"], 3)
        doc = json.loads(export(ca, t["id"]))
        change(doc)
        before = cb.get("/api/v1/tournaments").json()
        r = cb.post("/api/v1/import", json=doc)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert cb.get(f"/api/v1/tournaments/{t['id']}").status_code == 404
        assert cb.get("/api/v1/tournaments").json() == before
        for bad in (b"", b"[]", b"{", b'{"schema": 1}'):
            assert cb.post("/api/v1/import", content=bad).status_code in (400, 422)


def test_the_kept_version_1_file_imports(servers: tuple[Server, Server]) -> None:
    _, b = servers
    doc = json.loads(V1_FILE.read_text())
    with b.client() as cb:
        r = cb.post("/api/v1/import", content=V1_FILE.read_bytes())
        assert r.status_code == 201, r.text
        tid = doc["tournament"]["id"]
        again = json.loads(export(cb, tid))  # written as the version this server writes
        assert again["version"] == 2 and again["events"] == doc["events"]
        assert again["tournament"] == {
            "trf_header": {},
            **doc["tournament"],
            "participants": [
                {"fide": None, "byes": [], **p} for p in doc["tournament"]["participants"]
            ],
        }
        standings = cb.get(f"/api/v1/tournaments/{tid}/standings").json()
        assert standings[0]["rank"] == 1


def tourney(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``tourney ARGS`` with only ``env`` (and PATH) in its environment."""
    argv = [sys.executable, "-m", "app", *args]
    env = {"PATH": "/usr/bin:/bin", **(env or {})}
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_the_command_line_both_ways(servers: tuple[Server, Server], tmp_path: Path) -> None:
    a, b = servers
    with a.client() as ca:
        t = create_tournament(ca, "Command Cup", format="round_robin")
        add_players(ca, t["id"], 4)
        ca.post(f"/api/v1/tournaments/{t['id']}/start")
        by_http = export(ca, t["id"])
    token = {"TOURNEY_ADMIN_TOKEN": ADMIN}
    out = tmp_path / "cup.json"
    done = tourney("export", t["id"], str(out), "--url", a.url, env=token)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == by_http
    done = tourney("import", str(out), "--url", b.url, env={"TOURNEY_TOKEN": ADMIN})
    assert done.returncode == 0, done.stderr
    assert t["id"] in done.stdout
    again = tourney("import", str(out), "--url", b.url, env=token)
    assert again.returncode == 1 and "409" in again.stderr
    nobody = tourney("export", t["id"], str(out), "--url", a.url)
    assert nobody.returncode == 1 and "401" in nobody.stderr
    nowhere = tourney("export", t["id"], str(out), "--url", "http://127.0.0.1:9", env=token)
    assert nowhere.returncode == 2
    table = tourney("export", t["id"], "-", "--table", "participants", "--url", b.url, env=token)
    assert table.returncode == 0 and table.stdout.startswith("seed,id,name")


def rows(c: httpx.Client, tid: str, which: str) -> list[dict[str, str]]:
    r = c.get(f"/api/v1/tournaments/{tid}/export/{which}.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(r.text)))


def test_csv_tables(servers: tuple[Server, Server]) -> None:
    a, _ = servers
    with a.client() as ca:
        t = create_tournament(ca, "Table Cup")
        tid = t["id"]
        names = ["=HYPERLINK(1)", "Ada, the first", 'Grace "G"', "Linus"]
        ca.post(f"/api/v1/tournaments/{tid}/participants", json=[{"name": n} for n in names])
        ca.post(f"/api/v1/tournaments/{tid}/start")
        m = ready_matches(ca, tid)[0]
        ca.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json={"scores": [3, 1]})
        people = rows(ca, tid, "participants")
        assert [p["name"] for p in people] == ["'=HYPERLINK(1)", *names[1:]]  # no formula
        assert [p["seed"] for p in people] == ["1", "2", "3", "4"]
        matches = rows(ca, tid, "matches")
        decided = next(x for x in matches if x["id"] == m["id"])
        assert (decided["score1"], decided["score2"], decided["result"]) == ("3", "1", "win")
        standings = rows(ca, tid, "standings")
        assert {s["name"] for s in standings} == {p["name"] for p in people}
        assert ca.get(f"/api/v1/tournaments/{tid}/export/scores.csv").status_code == 404
