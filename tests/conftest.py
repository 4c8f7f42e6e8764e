"""Shared fixtures: a real Valkey server process, and real tourney servers on free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.pipeline.redis_server import find_binary

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "test-admin-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_socket(path: Path, proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"valkey exited with {proc.returncode}")
        if path.exists():
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as s:
                s.connect(str(path))
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        time.sleep(0.05)
    raise RuntimeError("valkey did not start")


class Valkey:
    """A real valkey-server on a Unix socket, for integration tests."""

    def __init__(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.socket = workdir / "v.sock"
        self.proc = subprocess.Popen(
            [find_binary(), "--port", "0", "--unixsocket", str(self.socket), "--dir",
             str(workdir), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_socket(self.socket, self.proc)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def valkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Valkey]:
    v = Valkey(tmp_path_factory.mktemp("valkey"))
    yield v
    v.stop()


class Server:
    """``python -m app serve`` in a subprocess on a free loopback port (or another ``command``,
    such as the single executable, run from ``cwd``). Over TLS once ``use_tls`` is called."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.command = [sys.executable, "-m", "app"]
        self.cwd = ROOT
        self.args: list[str] = []
        self.scheme = "http"
        self.verify: ssl.SSLContext | bool = True
        # rate limits are off unless a test turns them on: most tests are one client in a hurry
        limits = {
            "TOURNEY_SERVER_RATE_LIMIT_PER_ADDRESS": "0",
            "TOURNEY_SERVER_RATE_LIMIT_PER_TOKEN": "0",
        }
        self.env = {**os.environ, "TOURNEY_ADMIN_TOKEN": ADMIN, **limits, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.scheme == 'https' else 'ws'}://127.0.0.1:{self.port}"

    def use_tls(self, cert: Path, key: Path, verify: ssl.SSLContext) -> Server:
        """Serve HTTPS and WSS with this certificate; clients verify it with ``verify``."""
        self.args += ["--tls-cert", str(cert), "--tls-key", str(key)]
        self.scheme, self.verify = "https", verify
        return self

    def start(self, timeout: float = 30, wait_for: str = "/readyz") -> Server:
        """Start the server; return once ``wait_for`` answers 200 (/healthz: serving at all)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.command, "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), *self.args],
                cwd=self.cwd, env=self.env, stdout=log, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + wait_for, timeout=1, verify=self.verify).status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def client(self, token: str | None = ADMIN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10, verify=self.verify)


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def make(data_dir: Path | None = None, env: dict[str, str] | None = None) -> Server:
        s = Server(data_dir or tmp_path / "data", env)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on its embedded defaults (a private Valkey), shared by a module's tests."""
    s = Server(tmp_path_factory.mktemp("server") / "data").start()
    yield s
    s.stop()


OPEN: list[httpx.Client] = []  # clients made by ``client``: closed after each test


def client(server: Server, token: str | None = ADMIN) -> httpx.Client:
    c = server.client(token)
    OPEN.append(c)
    return c


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    for c in OPEN:
        c.close()
    OPEN.clear()
