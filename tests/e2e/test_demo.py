"""``tourney demo``: a sample double elimination that plays itself, live, within seconds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from app.demo import CUP, Api, Player
from tests.conftest import ADMIN, ROOT, Server, free_port


def test_the_demo_plays_itself(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TOURNEY_ADMIN_TOKEN": ADMIN}
    log = open(tmp_path / "demo.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--port", str(port), "--data-dir",
         str(tmp_path / "data")],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not {"live", "complete"} <= seen:
            time.sleep(0.5)
            try:
                items = httpx.get(url + "/api/v1/tournaments").json()["items"]
            except httpx.HTTPError:
                continue
            for item in items:
                t = httpx.get(f"{url}/api/v1/tournaments/{item['id']}").json()
                assert t["format"] == "double_elimination" and len(t["participants"]) == 16
                seen |= {m["state"] for m in t["matches"]}
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
        log.close()
    assert {"live", "complete"} <= seen, (tmp_path / "demo.log").read_text()[-2000:]
    assert code == 0
    assert f"{url}/t/" in (tmp_path / "demo.log").read_text()  # the viewer's address is printed


def test_the_demo_cup_plays_again_at_the_same_address(server: Server) -> None:
    """A complete cup is reset and played again under its id, and a demo started again takes
    the same cup: a page left open on it goes on."""
    api = Api(server.url, ADMIN)
    player = Player(api, server.url, threading.Event(), lambda: False)
    tid = player.cup()
    player.play_again(tid)
    steps = 0
    while player.step(tid):
        steps += 1
        assert steps < 2000
    assert api.call("GET", f"/api/v1/tournaments/{tid}")["state"] == "complete"
    again = Player(api, server.url, threading.Event(), lambda: False)
    assert again.cup() == tid
    again.play_again(tid)
    t = api.call("GET", f"/api/v1/tournaments/{tid}")
    assert t["state"] == "underway" and len(t["participants"]) == 16
    assert not any(m["state"] == "complete" and m["result"] != "bye" for m in t["matches"])
    names = [x["name"] for x in api.call("GET", "/api/v1/tournaments")["items"]]
    assert names.count(CUP) == 1


def test_the_demo_on_a_busy_port_says_so_at_once(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-m", "app", "demo", "--port", str(port), "--data-dir",
             str(tmp_path / "data")],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert out.returncode == 2
    assert time.monotonic() - started < 15
    assert f"cannot listen on 127.0.0.1:{port}: the port is in use" in out.stderr
    assert "http://" not in out.stdout + out.stderr  # no link to whatever holds the port
