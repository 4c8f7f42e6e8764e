"""From entrants to players: scores, colour histories, floats, bye eligibility, topscorers."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .colours import find_preference
from .model import FORFEIT_WIN, GAME, PAB, Entrant, Options, Player


def scores_before(e: Entrant, rnd: int) -> float:
    """The points of ``e`` before round ``rnd`` (1-based)."""
    return sum(r.points for r in e.rounds[: rnd - 1])


def baku_points(number: int, options: Options, field_size: int) -> float:
    """C.04.5.1: group A (the first 2 x ceil(N/4) pairing numbers) gets a virtual win in the
    first half (rounded up) of the accelerated rounds (the first half, rounded up, of the
    tournament) and half of it in the rest of them."""
    if not options.baku:
        return 0.0
    accelerated = math.ceil(options.rounds / 2)
    if options.round > accelerated or number > 2 * math.ceil(field_size / 4):
        return 0.0
    return options.win if options.round <= math.ceil(accelerated / 2) else options.win / 2


def floats_of(e: Entrant, known: dict[str, Entrant], options: Options) -> list[str]:
    """A.4: per past round, "down" to the higher scorer of a game between different scores,
    "up" to the lower; a round not played with points (a bye, a forfeit win) is a downfloat;
    a round not played without points floats nobody."""
    out = []
    for k, r in enumerate(e.rounds, start=1):
        if r.kind != GAME or r.opponent not in known:
            out.append("down" if r.kind != GAME and r.points > options.loss else "")
            continue
        mine, theirs = scores_before(e, k), scores_before(known[r.opponent], k)
        out.append("down" if mine > theirs else "up" if mine < theirs else "")
    return out


def build(
    entrants: Iterable[Entrant], options: Options, others: Iterable[Entrant] = ()
) -> list[Player]:
    """The players to pair, in pairing order (score, then pairing number)."""
    pairing = list(entrants)
    known = {e.id: e for e in [*pairing, *others]}
    field_size = options.players or len(known)
    last_round = options.round == options.rounds
    top_line = (options.round - 1) * options.win / 2
    out = []
    for e in pairing:
        real = scores_before(e, options.round)
        p = Player(e.id, e.number, real + baku_points(e.number, options, field_size))
        colours = []
        for r in e.rounds:
            if r.kind == GAME:
                assert r.colour is not None and r.opponent is not None
                colours.append(r.colour)
                p.opponents.add(r.opponent)
            else:
                p.unplayed += 1
            if r.kind in (PAB, FORFEIT_WIN) or (r.kind != GAME and r.points >= options.win):
                p.bye_eligible = False
        p.set_colours(colours)
        p.want, p.strength = find_preference(p)
        p.floats = floats_of(e, known, options)
        p.topscorer = last_round and real > top_line
        out.append(p)
    out.sort(key=lambda p: (-p.score, p.number))
    return out
