"""The first run, as a new user meets it: ``tourney serve`` started from some directory says,
once it is ready and apart from its log, where to open it, which data directory it uses (and
that it is new), and the one-time admin token; started again there, it says what it holds and
no token. ``./dev backup`` copies the database while it runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT, free_port

TOKEN = re.compile(r"\b(adm_[A-Za-z0-9_-]{20,})")


class Started:
    """``python -m app serve`` run from ``cwd``, its standard output and error kept apart."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.out, self.err = cwd / f"out-{self.port}.txt", cwd / f"err-{self.port}.txt"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("TOURNEY_")}
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app", "serve", "--port", str(self.port), *args],
                cwd=cwd, env={**environ, "PYTHONPATH": str(ROOT), **(env or {})},
                stdout=out, stderr=err,
            )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_for_welcome(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.out.read_text()
            if "tourney is ready." in text and text.endswith("\n\n"):
                return text
            assert self.proc.poll() is None, self.err.read_text()[-2000:]
            time.sleep(0.1)
        raise AssertionError(f"no welcome: {self.out.read_text()} {self.err.read_text()[-2000:]}")

    def stop(self) -> None:
        """Ctrl-C, as in a terminal: a graceful stop, no traceback."""
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(30) == 0
        assert "stopped" in self.err.read_text()
        assert "Traceback" not in self.err.read_text()


def test_the_welcome_says_where_the_data_is_and_gives_the_token_apart(tmp_path: Path) -> None:
    somewhere = tmp_path / "somewhere"
    somewhere.mkdir()
    first = Started(somewhere)
    try:
        said = first.wait_for_welcome()
        assert f"on this machine   {first.url}/" in said
        assert f"data directory    {somewhere / 'data'}\n" in said
        assert "NEW DATA DIRECTORY" in said and "--data-dir" in said
        token = TOKEN.search(said)
        assert token is not None
        assert f"\n      {token.group(1)}\n" in said  # on a line of its own
        r = httpx.get(first.url + "/api/v1/me", headers={"Authorization": f"Bearer {token[1]}"})
        assert r.json()["scope"] == "admin"
        with httpx.Client(base_url=first.url, headers={"Authorization": f"Bearer {token[1]}"}) as c:
            assert c.post("/api/v1/tournaments", json={"name": "Kept"}).status_code == 201
    finally:
        first.stop()
    log = first.err.read_text()
    assert token.group(1) not in log  # the log never holds it
    lines = [json.loads(line) for line in log.splitlines()]  # not a terminal: JSON only
    assert any(line["message"] == "a new data directory: a new, empty instance" for line in lines)
    again = Started(somewhere, env={"TOURNEY_SERVER_LOG_FORMAT": "text"})
    try:
        said = again.wait_for_welcome()
        assert "NEW DATA DIRECTORY" not in said and not TOKEN.search(said)
        assert "(holds 1 tournament(s))" in said
    finally:
        again.stop()
    text_log = again.err.read_text()
    assert re.search(r"^\d\d:\d\d:\d\d info     ready  tournaments=1$", text_log, re.M), text_log


def test_on_all_addresses_it_says_how_phones_reach_it(tmp_path: Path) -> None:
    s = Started(tmp_path, "--host", "0.0.0.0", env={"TOURNEY_ADMIN_TOKEN": "t" * 24})
    try:
        said = s.wait_for_welcome()
    finally:
        s.stop()
    assert "listens on this machine only" not in said
    network = re.findall(r"on the network +(http://\S+)/", said)
    assert network, said
    assert all(not url.startswith("http://127.") for url in network)


def test_dev_backup_copies_the_database_beside_the_caller(tmp_path: Path) -> None:
    data = tmp_path / "data"
    s = Started(tmp_path, "--data-dir", str(data), env={"TOURNEY_ADMIN_TOKEN": "t" * 24})
    try:
        s.wait_for_welcome()
        caller = tmp_path / "elsewhere"
        caller.mkdir()
        out = subprocess.run([str(ROOT / "dev"), "backup", "cup.sqlite3", "--data-dir", str(data)],
                             cwd=caller, capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        s.stop()
    assert out.returncode == 0, out.stderr
    assert "check=ok" in out.stdout
    assert (caller / "cup.sqlite3").stat().st_size > 0
