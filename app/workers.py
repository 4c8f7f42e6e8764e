"""``tourney serve --workers N``: N serving processes on one port, each a replica of the event log.

This process (the supervisor) serves nothing itself. It starts the embedded Redis (unless one is
configured), sets up the admin token once, then starts N ``tourney serve`` processes that share
the port (SO_REUSEPORT: the kernel spreads connections over them) and the Redis with
``redis.shared`` on: each folds every event into its own state, and one at a time holds the
writer's lease (runtime.py). A worker that dies is started again; a stop is passed on to every
worker, and the embedded Redis stops last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

from .config import Config
from .pipeline.redis_server import EmbeddedRedis, die_with_parent
from .runtime import admin_token_once
from .welcome import show, welcome

GREET_WITHIN = 60.0  # seconds the supervisor waits for the port to answer before it says so
log = logging.getLogger("tourney.workers")

STOP_SECONDS = 45.0  # a worker's graceful stop: WebSockets closed, the writer's batch stored
CRASH_WINDOW = 5.0  # a worker that dies sooner than this after its start is failing to start


def worker_command(extra: list[str]) -> list[str]:
    """How to start one more ``tourney serve`` (also from a single-file executable)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "serve", *extra]
    return [sys.executable, "-m", "app", "serve", *extra]


class Supervisor:
    def __init__(self, cfg: Config, argv: list[str]) -> None:
        self.cfg = cfg
        self.argv = argv  # the serve options as given (passed on to every worker)
        self.count = cfg.worker_count
        self.embedded: EmbeddedRedis | None = None
        self.procs: dict[int, asyncio.subprocess.Process] = {}
        self.stopping = asyncio.Event()

    async def run(self) -> int:
        url = self.cfg.redis.url
        if not url:
            self.embedded = EmbeddedRedis(self.cfg.data_path, self.cfg.appendfsync,
                                          self.cfg.redis.binary)  # fmt: skip
            await self.embedded.start()
            url = self.embedded.url
        fresh = not (self.cfg.data_path / "tourney.sqlite3").exists()
        token = await admin_token_once(self.cfg)
        env = {**os.environ, "TOURNEY_REDIS_URL": url, "TOURNEY_REDIS_SHARED": "true",
               "TOURNEY_SERVER_WORKERS": "1"}  # fmt: skip
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        log.info("starting workers", extra={"workers": self.count, "port": self.cfg.server.port})
        try:
            runs = [self._keep(i, env) for i in range(self.count)]
            runs.append(self._greet(fresh, token))
            if self.embedded is not None:
                runs.append(self._supervise_redis())
            results = await asyncio.gather(*runs)
        finally:
            await self._stop_all()
            if self.embedded is not None:
                await self.embedded.stop()
        return max(results, default=0)

    async def _greet(self, fresh: bool, token: str | None) -> int:
        """Once a worker answers on the port: where to open it, the data, the new token."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(
            self.cfg.server.host, self.cfg.server.host
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GREET_WITHIN
        while not self.stopping.is_set() and loop.time() < deadline:
            try:
                _, writer = await asyncio.open_connection(host, self.cfg.server.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            show(welcome(self.cfg, fresh, None, token))
            return 0
        return 0

    async def _supervise_redis(self) -> int:
        assert self.embedded is not None
        supervising = asyncio.ensure_future(self.embedded.supervise())
        await self.stopping.wait()
        supervising.cancel()
        return 0

    async def _keep(self, index: int, env: dict[str, str]) -> int:
        """Keep worker ``index`` running until the stop; 1 if it cannot start at all."""
        quick_deaths = 0
        while not self.stopping.is_set():
            started = asyncio.get_running_loop().time()
            proc = await asyncio.create_subprocess_exec(
                *worker_command([*self.argv, "--reuse-port"]), env=env,
                preexec_fn=die_with_parent,
            )  # fmt: skip
            self.procs[index] = proc
            stop = asyncio.ensure_future(self.stopping.wait())
            done = asyncio.ensure_future(proc.wait())
            await asyncio.wait({stop, done}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not done.done():
                return 0  # stopping: _stop_all ends it
            code = done.result()
            lived = asyncio.get_running_loop().time() - started
            quick_deaths = quick_deaths + 1 if lived < CRASH_WINDOW else 0
            log.error("a worker exited; starting it again",
                      extra={"worker": index, "code": code, "pid": proc.pid})  # fmt: skip
            if quick_deaths >= 5:
                log.error("a worker keeps failing to start; stopping", extra={"worker": index})
                self.stopping.set()
                return 1
            await asyncio.sleep(min(0.2 * 2**quick_deaths, 5.0))
        return 0

    async def _stop_all(self) -> None:
        live = [p for p in self.procs.values() if p.returncode is None]
        for p in live:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(signal.SIGTERM)
        for p in live:
            try:
                await asyncio.wait_for(p.wait(), STOP_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    p.kill()
                await p.wait()


def serve_workers(cfg: Config, argv: list[str]) -> int:
    return asyncio.run(Supervisor(cfg, argv).run())
