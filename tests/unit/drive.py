"""Drive the pure domain as the service layer does: commands become events with increasing seq,
``apply`` folds them in, ``followups`` are applied until the state calls for nothing more."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from app.domain import commands, state
from app.domain.commands import COMMANDS, CommandName, Input
from app.domain.events import Event, EventType
from app.domain.formats import get_format
from app.domain.models import Match, Tournament
from app.domain.results import report_result


class Driver:
    def __init__(self, fmt: str, settings: dict[str, Any] | None = None, tid: str = "t1") -> None:
        self.seq = 0
        self.tid = tid
        data = commands.create_tournament({"name": "T", "format": fmt, "settings": settings or {}})
        self.created = self.event("tournament.created", data)
        self.t = state.new_tournament(self.created)
        self.events: list[Event] = []
        self.now = "2026-01-01T12:00:00.000Z"  # the clock the follow-ups see
        self.ids = 0

    def event(self, type_: str, data: dict[str, Any]) -> Event:
        self.seq += 1
        at = f"2026-01-01T00:00:{self.seq:02d}Z"
        return Event(f"e{self.seq}", self.seq, EventType(type_), self.tid, at, data)

    def emit(self, type_: str, data: dict[str, Any]) -> list[str]:
        e = self.event(type_, data)
        self.events.append(e)
        changed = state.apply(self.t, e)
        for ftype, fdata in commands.followups(self.t, self.now):
            changed += self.emit(ftype, fdata)
        return changed

    def new_id(self, prefix: str) -> str:
        self.ids += 1
        return f"{prefix}{self.ids}"

    def run(self, name: str, body: Any = None, target: str = "", link: str = "") -> list[str]:
        """Run the command ``name`` as the service does (decide, then emit with follow-ups)."""
        command = COMMANDS[CommandName(name)]
        inp = Input(body, target, self.new_id, self.now, link)
        return self.emit(command.event, command.decide(self.t, inp))

    def tick_clock(self, now: str) -> None:
        """The clock reaches ``now``: what it brings is emitted."""
        self.now = now
        for ftype, fdata in commands.followups(self.t, now):
            self.emit(ftype, fdata)

    def add(self, n: int, ratings: bool = False) -> list[str]:
        rows = [
            {"name": f"P{i + 1}"} | ({"rating": 2000 - 10 * i} if ratings else {}) for i in range(n)
        ]
        return self.add_rows(rows, [f"{self.tid}-p{i + 1}" for i in range(n)])

    def add_rows(self, rows: list[dict[str, Any]], ids: list[str]) -> list[str]:
        """Participants as the API takes them, with the ids given."""
        new_ids = iter(ids)
        inp = Input(rows, new_id=lambda _prefix: next(new_ids))
        self.emit("participant.added", commands.add_participants(self.t, inp))
        return ids

    def start(self) -> None:
        self.emit("tournament.started", commands.start(self.t, Input()))

    def report(self, mid: str, body: dict[str, Any]) -> list[str]:
        return self.emit("match.result", report_result(self.t, mid, body))

    def reopen(self, mid: str) -> dict[str, Any]:
        data = commands.reopen(self.t, Input(target=mid))
        self.emit("match.reopened", data)
        return data

    def disqualify(self, pid: str) -> None:
        self.emit("participant.disqualified", commands.disqualify(self.t, Input(target=pid)))

    def ready(self) -> list[Match]:
        ms = [m for m in self.t.matches.values() if m.state in ("ready", "live")]
        return sorted(ms, key=lambda m: m.id)

    def play(self, pick: Callable[[Match], dict[str, Any]], waves: int = 10_000) -> None:
        """Report every ready match with ``pick(match)``, wave by wave, until none is ready; a
        Swiss whose rounds the director pairs has its next round paired as the director would
        (``POST .../rounds``) each time a round is done."""
        for _ in range(waves):
            ready = self.ready()
            if not ready and not self.pair_next():
                return
            for m in ready:
                if m.state in ("ready", "live"):
                    self.report(m.id, pick(m))
        raise AssertionError("the tournament did not finish")

    def pair_next(self) -> bool:
        """The director pairs the next Swiss round, if there is one to pair now."""
        fmt = get_format(self.t.format)
        settings = fmt.swiss_stage(self.t)
        if self.t.state != "underway" or settings is None or settings.get("auto_pair"):
            return False
        if self.t.open_matches or fmt.finished(self.t):
            return False
        self.run("pair_round")
        return True

    def replay(self) -> Tournament:
        """A fresh tournament folded from the recorded events (determinism check)."""
        t = state.new_tournament(self.created)
        for e in self.events:
            state.apply(t, Event.from_dict(e.to_dict()))
        return t


def higher_seed_wins(t: Tournament) -> Callable[[Match], dict[str, Any]]:
    def pick(m: Match) -> dict[str, Any]:
        a, b = m.participants
        assert a is not None and b is not None
        w = a if t.participants[a].seed < t.participants[b].seed else b
        return {"winner_id": w}

    return pick


def random_results(
    t: Tournament, rng: random.Random, draws: bool, forfeits: bool = True
) -> Callable[[Match], dict[str, Any]]:
    fmt = get_format(t.format)

    def pick(m: Match) -> dict[str, Any]:
        a, b = m.participants
        x = rng.random()
        if forfeits and x < 0.04:
            return {"forfeit": [a, b]}
        if forfeits and x < 0.1:
            return {"forfeit": rng.choice([a, b])}
        if draws and x < 0.25 and m.best_of == 1 and fmt.draws_allowed(t, m):
            return {"scores": [1, 1]}
        s = [rng.randint(0, 3), rng.randint(0, 3)]
        if s[0] == s[1]:
            s[rng.randint(0, 1)] += 1
        if m.best_of > 1:
            need = m.best_of // 2 + 1
            s = (
                [need, rng.randint(0, need - 1)]
                if s[0] > s[1]
                else [rng.randint(0, need - 1), need]
            )
        return {"scores": s}

    return pick
