"""``tourney demo``: the server plus a sample tournament whose matches play themselves.

A background thread drives the real HTTP API on loopback with the admin token: it takes the
data directory's demo cup (or creates one: a 16-player double elimination, single elimination
when that format is not registered), then sends a live score tick (with the match's clock as
its detail) to each running match about every second and reports a result once a side reaches
``TARGET``. When the cup is complete it is reset and played again at the same address, so a page
left open on it goes on; a demo started again later takes the same cup. The port is bound before
anything is said: a busy one is a clear error at once, never a link to whatever holds it. No
access log: the player's requests would drown the terminal. Ctrl-C stops both.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import random
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from . import logs
from .config import Config
from .tls import base_url

log = logging.getLogger("tourney.demo")

PLAYERS = [
    "Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia",
    "Alan", "Frances", "Edsger", "Hedy", "Donald", "Sophie", "Tim", "Katherine",
]  # fmt: skip
TARGET = 3  # first to three points wins a match
AT_ONCE = 4  # matches played at the same time
TICK_SECONDS = 1.0
AGAIN_SECONDS = 8.0  # a complete cup stays on screen this long before it is played again
CUP = "Demo cup"


class Api:
    """A tiny JSON client on the standard library (the demo needs no test dependencies)."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token
        # the player talks to its own process on loopback, where no certificate names the
        # address: over TLS it encrypts without checking who answers
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        context = self.context if self.base.startswith("https:") else None
        with urllib.request.urlopen(req, timeout=10, context=context) as res:
            raw = res.read()
        return json.loads(raw) if raw else None


class Player:
    """Plays the demo tournaments until ``stop`` is set."""

    def __init__(
        self, api: Api, public_base: str, stop: threading.Event, exiting: Callable[[], bool]
    ) -> None:
        self.exiting = exiting
        self.api = api
        self.public_base = public_base
        self.stop = stop
        self.rng = random.Random()
        self.scores: dict[str, list[int]] = {}
        self.started: dict[str, float] = {}  # match id -> when its first point was played

    def wait_ready(self) -> bool:
        while not self.stop.is_set():
            with contextlib.suppress(OSError, ValueError):
                self.api.call("GET", "/readyz")
                return True
            self.stop.wait(0.2)
        return False

    def format(self) -> str:
        try:
            spec = self.api.call("GET", "/openapi.json")
            formats = spec["components"]["schemas"]["TournamentIn"]["properties"]["format"]["enum"]
        except (OSError, ValueError, KeyError, TypeError):
            return "single_elimination"
        return "double_elimination" if "double_elimination" in formats else "single_elimination"

    def cup(self) -> str:
        """The demo cup: the one this data directory holds (reset, to play again), else a new
        one with its players."""
        page = self.api.call("GET", "/api/v1/tournaments?limit=200")
        mine = [x for x in page["items"] if x["name"] == CUP]
        if mine:
            tid = str(mine[-1]["id"])  # the oldest: the one a page may have been left on
            if mine[-1]["state"] != "pending":
                self.api.call("POST", f"/api/v1/tournaments/{tid}/reset")
        else:
            new = {"name": CUP, "format": self.format(), "visibility": "public"}
            t = self.api.call("POST", "/api/v1/tournaments", new)
            tid = str(t["id"])
            players = [{"name": n} for n in self.rng.sample(PLAYERS, len(PLAYERS))]
            self.api.call("POST", f"/api/v1/tournaments/{tid}/participants", players)
        return tid

    def play_again(self, tid: str) -> None:
        """Back to the draw and start: the same cup, at the same address, anew."""
        t = self.api.call("GET", f"/api/v1/tournaments/{tid}")
        if t["state"] != "pending":
            self.api.call("POST", f"/api/v1/tournaments/{tid}/reset")
        self.api.call("POST", f"/api/v1/tournaments/{tid}/start")
        self.scores.clear()
        self.started.clear()

    def announce(self, tid: str) -> None:
        at = f"{self.public_base}/t/{tid}"
        admin = f"{self.public_base}/admin#t={tid}&token={self.api.token}"
        print(
            f"\n  tourney demo: {CUP} plays itself, again and again, at the same address.\n\n"
            f"      watch it     {at}\n"
            f"      run it       {admin}\n"
            "                   (the operator page, signed in with this run's admin token)\n",
            flush=True,
        )

    def step(self, tid: str) -> bool:
        """One tick for every match being played; False once the tournament is complete."""
        t = self.api.call("GET", f"/api/v1/tournaments/{tid}")
        if t["state"] == "complete":
            return False
        playable = [m for m in t["matches"] if m["state"] in ("ready", "live")]
        playable.sort(key=lambda m: (m["state"] != "live", m["round"], m["number"]))
        for m in playable[:AT_ONCE]:
            if self.stop.is_set():
                break
            score = self.scores.setdefault(m["id"], [0, 0])
            score[self.rng.randrange(2)] += 1
            path = f"/api/v1/tournaments/{tid}/matches/{m['id']}"
            if max(score) >= TARGET:
                self.api.call("POST", path + "/result", {"scores": score})
                self.scores.pop(m["id"], None)
                self.started.pop(m["id"], None)
            else:
                self.api.call("POST", path + "/live", {"scores": score, "detail": self.clock(m)})
        return True

    def clock(self, m: dict[str, Any]) -> dict[str, Any]:
        """What a scoreboard sends beside the score: here the match's clock (the viewer draws
        it on the match's card and on the score bug)."""
        elapsed = int(time.monotonic() - self.started.setdefault(m["id"], time.monotonic()))
        return {"clock": f"{elapsed // 60}:{elapsed % 60:02}"}

    def run(self) -> None:
        if not self.wait_ready():
            return
        tid: str | None = None
        playing = False
        while not self.stop.is_set() and not self.exiting():
            try:
                if tid is None:
                    tid = self.cup()
                    self.announce(tid)
                if not playing:
                    self.play_again(tid)
                    playing = True
                elif not self.step(tid):
                    print(f"  tourney demo: {CUP} is complete; it starts again in"
                          f" {AGAIN_SECONDS:g} s, at the same address", flush=True)  # fmt: skip
                    playing = False
                    self.stop.wait(AGAIN_SECONDS)
            except (OSError, ValueError, KeyError) as exc:
                if self.exiting():
                    break
                log.warning("demo player: %s", exc)
                self.stop.wait(2)
            self.stop.wait(TICK_SECONDS)


def with_admin_token(cfg: Config) -> tuple[Config, str, bool]:
    """The config with an admin token set (generated when none is configured)."""
    if cfg.auth.admin_token:
        return cfg, cfg.auth.admin_token, False
    token = secrets.token_urlsafe(24)
    return (
        dataclasses.replace(cfg, auth=dataclasses.replace(cfg.auth, admin_token=token)),
        token,
        True,
    )


def demo_config(cfg: Config) -> tuple[Config, str]:
    """The demo's settings: an admin token for the player (this run's, unless one is set),
    no access log."""
    cfg, token, _generated = with_admin_token(cfg)
    quiet = dataclasses.replace(cfg.server, access_log=False)
    return dataclasses.replace(cfg, server=quiet), token


async def serve_and_play(cfg: Config, token: str, server: Any, sock: socket.socket) -> bool:
    base = base_url(cfg.server)
    stop = threading.Event()
    player = Player(Api(base, token), base, stop, lambda: bool(server.should_exit))

    async def play() -> None:
        while not server.started:
            if server.should_exit:
                return
            await asyncio.sleep(0.05)
        await asyncio.to_thread(player.run)

    task = asyncio.create_task(play())
    try:
        await server.serve(sockets=[sock])
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return bool(server.started)


def run_demo(cfg: Config) -> int:
    """Run the server with a self-playing sample tournament until Ctrl-C."""
    from .main import create_app
    from .serving import Server, bind, uvicorn_config

    logs.setup(cfg.server.log_level, cfg.server.log_format)
    cfg, token = demo_config(cfg)
    config = uvicorn_config(cfg, create_app(cfg))
    try:
        sock = bind(cfg, config)
    except OSError as exc:
        print(f"tourney demo: {exc.strerror or exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        ok = asyncio.run(serve_and_play(cfg, token, Server(config), sock))
    except KeyboardInterrupt:
        ok = True
    if not ok:
        print("tourney demo: the server did not start", file=sys.stderr)
        return 1
    log.info("demo stopped after %.0f s", time.monotonic() - started)
    return 0
