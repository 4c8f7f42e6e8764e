"""What the fault cases share: a retrying load client, a restartable external Valkey, a server
that can start while it is not ready, and the final count of sent / acknowledged / stored."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from app.pipeline.redis_server import find_binary
from tests.conftest import ADMIN, Server, wait_for_socket
from tests.helpers import ready_matches, started


def live_tournament(c: httpx.Client, n: int = 8) -> tuple[str, list[str]]:
    """A started single-elimination tournament and its ready matches, to send live ticks to."""
    t = started(c, n)
    return t["id"], [m["id"] for m in ready_matches(c, t["id"])]


class Sender(threading.Thread):
    """Live ticks with ids, ``size`` per POST /api/v1/events; on any error or non-202 answer the
    same batch (same ids) is sent again, until it is acknowledged or the deadline passes."""

    def __init__(
        self, url: str, tid: str, mids: list[str], batches: int, size: int = 20,
        prefix: str = "tick", deadline: float = 90.0,
    ) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.url, self.tid, self.mids = url, tid, mids
        self.batches, self.size, self.prefix = batches, size, prefix
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.retry_after: Counter[str] = Counter()  # Retry-After values seen with a 503
        self.conn_errors = 0
        self.halt = threading.Event()
        self.stop_at = time.monotonic() + deadline

    def batch(self, b: int) -> list[dict[str, Any]]:
        return [{"id": f"{self.prefix}-{b}-{i}", "tournament_id": self.tid,
                 "match_id": self.mids[i % len(self.mids)], "scores": [b, i]}
                for i in range(self.size)]  # fmt: skip

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(headers=headers, timeout=5) as c:
            for b in range(self.batches):
                ticks = self.batch(b)
                ids = [t["id"] for t in ticks]
                while not self.halt.is_set() and time.monotonic() < self.stop_at:
                    self.sent.update(ids)
                    try:
                        r = c.post(self.url + "/api/v1/events", json=ticks)
                    except httpx.HTTPError:
                        self.conn_errors += 1
                        time.sleep(0.05)
                        continue
                    self.statuses[r.status_code] += 1
                    if r.status_code == 202:
                        self.acked.update(ids)
                        break
                    if r.status_code == 503:
                        self.retry_after[r.headers.get("Retry-After", "missing")] += 1
                    time.sleep(0.05)
                else:
                    return

    def wait_acked(self, n: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < n and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.acked) >= n, f"only {len(self.acked)} of {n} ticks acknowledged"

    def wait_status(self, status: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.statuses[status] and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.statuses[status], f"no {status} seen: {dict(self.statuses)}"

    def finish(self, timeout: float = 90) -> None:
        self.join(timeout)
        self.halt.set()
        assert not self.is_alive(), "the sender did not finish"

    @property
    def unavailable(self) -> int:
        return self.statuses[503]


def stored_ids(db: Path, prefix: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT id FROM events WHERE id LIKE ?", (prefix + "-%",))
        return [r[0] for r in rows]


def settle_and_count(case: str, server: Server, sender: Sender) -> None:
    """Wait for the writer to drain, stop the server, then count what SQLite holds; print the
    figures and assert that nothing acknowledged was lost and nothing was stored twice."""
    wait_drained(server)
    server.stop()
    ids = stored_ids(server.data_dir / "tourney.sqlite3", sender.prefix)
    unique = set(ids)
    lost = sender.acked - unique
    print(
        f"\n[fault {case}] sent={len(sender.sent)} acknowledged={len(sender.acked)}"
        f" stored={len(ids)} lost={len(lost)} stored_twice={len(ids) - len(unique)}"
        f" 503s={sender.unavailable} retry_after={dict(sender.retry_after)}"
        f" statuses={dict(sender.statuses)} connection_errors={sender.conn_errors}"
    )
    assert len(ids) == len(unique), "an event was stored twice"
    assert not lost, f"{len(lost)} acknowledged events lost: {sorted(lost)[:5]}"
    assert unique <= sender.sent, "stored an event nobody sent"
    assert len(sender.acked) == sender.batches * sender.size, "the sender did not complete"


def wait_drained(server: Server, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            body = httpx.get(server.url + "/readyz", timeout=2).json()
            if body.get("ok") and body["backlog"] == 0:
                return body
        time.sleep(0.1)
    raise AssertionError(f"the writer did not drain: {body}")


def start_unready(server: Server, timeout: float = 30) -> Server:
    """Start ``server`` and wait only until it serves (/healthz), not until it is ready."""
    return server.start(timeout, wait_for="/healthz")


def readyz(server: Server) -> tuple[int, dict[str, Any]]:
    r = httpx.get(server.url + "/readyz", timeout=5)
    body: dict[str, Any] = r.json()
    return r.status_code, body


def wait_ready(server: Server, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            status, body = readyz(server)
            if status == 200:
                return body
        time.sleep(0.1)
    raise AssertionError(f"not ready after {timeout} s: {body}")


def metric(server: Server, name: str) -> float:
    text = httpx.get(server.url + "/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}")


class ExternalValkey:
    """A valkey-server on a Unix socket that keeps its data in an append-only file fsynced on
    every write, so it can be killed and started again on the same files without losing what it
    acknowledged."""

    def __init__(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.dir = workdir
        self.socket = workdir / "v.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> ExternalValkey:
        self.proc = subprocess.Popen(
            [find_binary(), "--port", "0", "--unixsocket", str(self.socket), "--dir",
             str(self.dir), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--logfile", str(self.dir / "valkey.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_socket(self.socket, self.proc)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
