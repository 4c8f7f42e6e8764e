"""The FIDE Dutch system (FIDE Handbook C.04.3, 2025 edition, with the general rules C.04.1
and Baku acceleration C.04.5.1): pure, deterministic pairing of one round.

``pair(entrants, options, others)`` pairs ``entrants`` (the players present for the round) from
their histories; ``others`` are players not paired this round (withdrawn, absent) whose past
games the histories refer to. ``docs/formats.md`` says what is implemented and how.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import players as _players
from .brackets import Unpairable, pair_round
from .colours import allocate
from .graph import Rules
from .model import (
    ABSENT,
    BLACK,
    BYE,
    FORFEIT_LOSS,
    FORFEIT_WIN,
    GAME,
    KINDS,
    PAB,
    WHITE,
    Entrant,
    Options,
    Player,
    RoundRecord,
)
from .rules import check_pairing

__all__ = [
    "ABSENT",
    "BLACK",
    "BYE",
    "FORFEIT_LOSS",
    "FORFEIT_WIN",
    "GAME",
    "KINDS",
    "PAB",
    "WHITE",
    "Entrant",
    "Options",
    "Pairing",
    "RoundRecord",
    "check_pairing",
    "pair",
]

RELAXATIONS = ("none", "bye to a player who had one", "absolute colour rule", "rematches")


@dataclass(frozen=True, slots=True)
class Pairing:
    """Boards as (white, black), best board first; the pairing-allocated bye; and which
    absolute criterion had to give way (0: none; see ``RELAXATIONS``)."""

    boards: list[tuple[str, str]]
    bye: str | None
    relaxed: int = 0


def pair(entrants: Iterable[Entrant], options: Options, others: Iterable[Entrant] = ()) -> Pairing:
    ranked = _players.build(entrants, options, others)
    if not ranked:
        return Pairing([], None)
    for relax in range(len(RELAXATIONS)):
        try:
            pairs, bye = pair_round(ranked, options.initial_colour, Rules(relax), options.round - 1)
        except Unpairable:
            continue
        return Pairing(
            boards(pairs, ranked, options.initial_colour), bye.id if bye else None, relax
        )
    raise AssertionError("rematches allowed: every round can be paired")


def boards(
    pairs: list[tuple[Player, Player]], ranked: list[Player], initial: str
) -> list[tuple[str, str]]:
    """Board order: the higher score of the pair, then the sum of scores, then the rank of the
    higher-ranked player."""
    rank = {p.id: i for i, p in enumerate(ranked)}

    def order(pair: tuple[Player, Player]) -> tuple[float, float, int]:
        a, b = pair
        return (-max(a.score, b.score), -(a.score + b.score), min(rank[a.id], rank[b.id]))

    out = []
    for a, b in sorted(pairs, key=order):
        white, black = allocate(a, b, initial)
        out.append((white.id, black.id))
    return out
