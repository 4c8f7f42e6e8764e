"""Bots written against the real Challonge client libraries from PyPI, unchanged, run whole
single- and double-elimination tournaments on tourney over HTTPS, while the viewer's WebSocket
watches each result arrive.

Each library gets a virtual environment of its own (both install as the package ``challonge``),
made here from PyPI. pychallonge 3 installs as published. achallonge 1.9 pins aiohttp 3.6.0,
which no longer imports on Python 3.11 (``asyncio.coroutines._DEBUG`` is gone), so it is
installed without its pin, beside the current aiohttp: its own code is unchanged. Both hard-code
Challonge's host in a module constant; the bots (tests/e2e/bots/) point it at this server, which
serves TLS with a certificate from a test authority (trustme) that the bots trust through
SSL_CERT_FILE.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from app.api.challonge.ids import to_int
from tests.conftest import ADMIN, ROOT, Server
from tests.e2e.test_tls import Certificate

BOTS = Path(__file__).parent / "bots"
CLIENTS = ROOT / ".venv" / "challonge-clients"  # reused between runs; CI makes them anew
LIBRARIES = {
    "pychallonge": [["pychallonge==3.0.0"]],
    # its pin (aiohttp==3.6.0) does not import on Python 3.11: the library without its pin,
    # then the aiohttp of today
    "achallonge": [["--no-deps", "achallonge==1.9.0"], ["aiohttp>=3.9"]],
}
BOT_SECONDS = 240


def environment(name: str) -> Path:
    """The library's own virtual environment, made once."""
    where = CLIENTS / name
    stamp = where / ".installed"
    want = json.dumps(LIBRARIES[name])
    if stamp.exists() and stamp.read_text() == want:
        return where / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(where)], check=True)
    for args in LIBRARIES[name]:
        subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *args], check=True)  # fmt: skip
    stamp.write_text(want)
    return where / "bin" / "python"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    cert = Certificate(tmp_path_factory.mktemp("tls"))
    cert.ca.cert_pem.write_to_path(str(cert.cert.parent / "ca.pem"))
    return cert


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, certificate: Certificate) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("challonge") / "data")
    s.use_tls(certificate.cert, certificate.key, certificate.trusting()).start()
    yield s
    s.stop()


class Viewer:
    """The viewer's WebSocket on one tournament, read in a thread: every event frame kept, and
    each live score as a ``match.live``."""

    def __init__(self, ws: ClientConnection, tid: str) -> None:
        self.ws = ws
        first = json.loads(self.ws.recv(timeout=10))
        assert first["type"] == "snapshot" and first["tournament"]["id"] == tid
        self.events: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        try:
            for raw in self.ws:
                frame = json.loads(raw)
                if frame["type"] == "event":
                    self.events.append(frame["event"])
                elif frame["type"] == "live":  # a live score: a patch of the matches it moved
                    self.events += [{"type": "match.live", "data": m} for m in frame["matches"]]
        except Exception:  # the socket closed: nothing more to read
            return

    def wait_for(self, etype: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(e["type"] == etype for e in self.events):
                return
            time.sleep(0.05)
        raise AssertionError(f"the viewer saw no {etype}: {[e['type'] for e in self.events]}")


@contextlib.contextmanager
def bot_run(library: str, kind: str, server: Server, certificate: Certificate,
            ) -> Iterator[tuple[dict[str, Any], dict[str, Any], Viewer]]:  # fmt: skip
    """The bot until it has made its tournament, the viewer on it, then the rest of the bot;
    the viewer stays open for the test to read."""
    python = environment(library)
    env = {**os.environ, "SSL_CERT_FILE": str(certificate.cert.parent / "ca.pem")}
    env.pop("PYTHONPATH", None)
    argv = [str(python), str(BOTS / f"{library}_bot.py"), f"127.0.0.1:{server.port}", ADMIN, kind]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    with subprocess.Popen(argv, **pipes, text=True, env=env, cwd=str(BOTS)) as bot:
        assert bot.stdout is not None
        try:
            line = bot.stdout.readline()
            if not line:
                raise AssertionError(f"{library} bot failed: {bot.communicate(timeout=10)[1]}")
            created = json.loads(line)
            url = f"{server.ws_url}/api/v1/tournaments/{created['created']}/ws"
            with connect(url, ssl=certificate.trusting(), open_timeout=10) as ws:
                viewer = Viewer(ws, created["created"])
                out, err = bot.communicate("go\n", timeout=BOT_SECONDS)
                assert bot.returncode == 0, f"{library} bot failed:\n{err[-4000:]}"
                yield created, json.loads(out.strip().splitlines()[-1]), viewer
        finally:
            if bot.poll() is None:
                bot.kill()


def results_seen(viewer: Viewer) -> dict[int, int]:
    """The last result of each match the viewer was sent, as Challonge ids (match -> winner)."""
    out: dict[int, int] = {}
    for e in viewer.events:
        if e["type"] == "match.result" and e["data"]["result"] == "win":
            out[to_int(e["data"]["match_id"])] = to_int(e["data"]["winner_id"])
        if e["type"] == "match.reopened":
            for mid in e["data"]["reset"]:
                out.pop(to_int(mid), None)
    return out


@pytest.mark.parametrize("kind", ["single elimination", "double elimination"])
def test_a_pychallonge_bot_runs_a_whole_tournament(
    server: Server, certificate: Certificate, kind: str
) -> None:
    with bot_run("pychallonge", kind, server, certificate) as (created, summary, viewer):
        viewer.wait_for("tournament.finalized")
    assert created["id"] == to_int(created["created"])
    assert summary["dropped"] == ["Margaret"]  # process_check_ins: the one who did not check in
    assert (summary["before"], summary["state"]) == ("awaiting_review", "complete")
    assert sorted(summary["ranks"].values())[0] == 1
    assert dict(map(tuple, summary["reported"])) == results_seen(viewer)
    kinds = {e["type"] for e in viewer.events}
    assert {"participant.added", "participant.removed", "participants.reseeded",
            "participant.checked_in", "participant.check_in_undone", "check_in.opened",
            "check_in.processed", "check_in.aborted"} <= kinds  # fmt: skip
    assert {"tournament.started", "match.live", "match.live_cleared", "match.reopened",
            "tournament.completed", "tournament.finalized"} <= kinds  # fmt: skip
    if kind == "double elimination":
        assert min(summary["rounds"]) < 0  # the losers' bracket's rounds are negative
    else:
        assert "participant.disqualified" in kinds and summary["forfeited"]
    with server.client() as c:
        t = c.get(f"/api/v1/tournaments/{created['created']}").json()
    assert t["state"] == "complete" and t["finalized_at"] is not None
    assert {p["name"] for p in t["participants"]} == set(summary["ranks"])


@pytest.mark.parametrize("kind", ["single elimination", "double elimination"])
def test_an_achallonge_bot_runs_a_whole_tournament(
    server: Server, certificate: Certificate, kind: str
) -> None:
    with bot_run("achallonge", kind, server, certificate) as (created, summary, viewer):
        viewer.wait_for("tournament.finalized")
    assert summary["state"] == "complete" and len(summary["podium"]) == 1
    assert dict(map(tuple, summary["reported"])) == results_seen(viewer)
    kinds = [e["type"] for e in viewer.events]
    assert {"participant.added", "participants.reseeded", "tournament.started", "match.live",
            "tournament.completed"} <= set(kinds)  # fmt: skip
    if kind == "double elimination":
        assert min(summary["rounds"]) < 0
        finals = [e for e in viewer.events if e["type"] == "tournament.updated"]
        assert finals and finals[0]["data"]["settings"]["grand_final"] == "simple"
    with server.client() as c:  # the bot's last call deleted it
        assert c.get(f"/api/v1/tournaments/{created['created']}").status_code == 404
