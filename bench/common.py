"""Shared by the benchmarks: start tourney (and a bare Valkey) on loopback, wait, count."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "bench-admin-token"
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Tourney:
    """A tourney server subprocess on its embedded defaults, in a fresh data directory."""

    def __init__(self, env: dict[str, str] | None = None, root: Path = ROOT) -> None:
        self.root = root  # another checkout's app, to compare against
        self.dir = Path(tempfile.mkdtemp(prefix="tourney-bench-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "TOURNEY_ADMIN_TOKEN": ADMIN, "TOURNEY_SERVER_ACCESS_LOG": "0",
                    "TOURNEY_SERVER_LOG_LEVEL": "warning",
                    # the load comes from one address: a benchmark measures, it is not an abuser
                    "TOURNEY_SERVER_RATE_LIMIT_PER_ADDRESS": "0",
                    "TOURNEY_SERVER_RATE_LIMIT_PER_TOKEN": "0",
                    "TOURNEY_LIVE_MAX_CONNECTIONS": "30000",
                    "TOURNEY_LIVE_MAX_CONNECTIONS_PER_ADDRESS": "30000", **(env or {})}  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Tourney:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(self.port),
             "--data-dir", str(self.dir / "data")],
            cwd=self.root, env=self.env, stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "server.log", "wb"),
        )  # fmt: skip
        wait_ready(self.url + "/readyz", self.proc)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {ADMIN}"},
                            timeout=30)  # fmt: skip

    def drained(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if httpx.get(self.url + "/readyz").json()["backlog"] == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the writer did not drain")

    def stored(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        with sqlite3.connect(self.dir / "data" / "tourney.sqlite3") as db:
            return int(db.execute(sql, args).fetchone()[0])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def tournament(c: httpx.Client, players: int, fmt: str = "single_elimination") -> dict[str, Any]:
    t = c.post("/api/v1/tournaments", json={"name": "Bench", "format": fmt}).json()
    c.post(f"/api/v1/tournaments/{t['id']}/participants",
           json=[{"name": f"P{i}"} for i in range(players)])  # fmt: skip
    started: dict[str, Any] = c.post(f"/api/v1/tournaments/{t['id']}/start").json()
    return started


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (its children, theirs, ...)."""
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for kid in map(int, f.read().split()):
                    out += [kid, *descendants(kid)]
    return out


def is_redis(pid: int) -> bool:
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return "valkey" in exe or "redis" in exe


def family(pid: int) -> list[int]:
    """``pid`` and the processes below it but the embedded Redis: with ``--workers`` the
    supervisor and every worker, so a figure is the whole server's."""
    return [pid, *(p for p in descendants(pid) if not is_redis(p))]


def valkey_pid(pid: int) -> int | None:
    """The embedded Valkey the server (or its supervisor) started, if any."""
    return next((p for p in descendants(pid) if is_redis(p)), None)


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its processes (``family``)."""
    total = 0
    for p in family(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its processes (``family``), user and system."""
    ticks = 0
    for p in family(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def open_fds(pid: int) -> int:
    return sum(len(os.listdir(f"/proc/{p}/fd")) for p in family(pid))
