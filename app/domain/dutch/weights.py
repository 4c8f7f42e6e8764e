"""Edge weights: the Dutch quality criteria, highest first, packed into one integer.

A maximum-weight matching then optimises the criteria in the Handbook's order (C.04.3 C.5 to
C.21 of the 2025 edition): each criterion is a field of the weight, wide enough that no sum of
the fields below it can carry into it. Every criterion is written as a benefit per pair (what
the pair avoids), so "minimise violations" becomes "maximise the field".

A field that has the same value on every pair of the bracket adds the same to every matching
with the same number of pairs there, which C.5 already fixed: it is left out, which keeps the
weights small enough for the matching library's 128-bit integers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .colours import allocate, violations
from .model import Player

MAX_BITS = 120  # rustworkx computes in 128-bit integers; twice the largest weight must fit

Fields = tuple[int, ...]


def level_bits(players: list[Player]) -> Callable[[float], int]:
    """Scores as one-hot bit groups, the highest score in the highest bits: a sum of them is
    larger when it holds more of the higher scores (C.6, the pairing score difference)."""
    counts = Counter(p.score for p in players)
    offsets, at = {}, 0
    for score in sorted(counts):
        offsets[score] = at
        at += (counts[score] + 1).bit_length()

    def bits(score: float) -> int:
        return 1 << offsets[score] if score in offsets else 0

    return bits


@dataclass(slots=True)
class Criteria:
    """The context of one bracket: who is in it, who is next, the round's rules."""

    bracket: list[Player]
    next_group: list[Player]
    initial: str
    in_bracket: set[str]
    in_next: set[str]
    level: Callable[[float], int] = field(init=False)
    next_level: Callable[[float], int] = field(init=False)
    near: set[str] = field(init=False)  # the bracket and the next score group

    def __post_init__(self) -> None:
        self.near = self.in_bracket | self.in_next
        self.level = level_bits(self.bracket)
        self.next_level = level_bits(self.bracket + self.next_group)

    def pair_fields(self, a: Player, b: Player) -> Fields:
        """Fields of a pair inside the bracket (``a`` ranked above ``b``)."""
        white, black = allocate(a, b, self.initial)
        beyond, three, missed, strong = violations(white, black)
        return (
            1,  # C.5: pairs in the bracket
            self.level(a.score),  # C.6: the scores of the paired players
            0,  # C.7: pairs in the next bracket
            0,  # C.8: the scores paired in the next bracket
            0,  # C.9: the bye's assignee
            2 - beyond,  # C.10: topscorers past a colour difference of 2
            2 - three,  # C.11: topscorers with the same colour three times
            2 - missed,  # C.12: colour preferences
            2 - strong,  # C.13: strong colour preferences
            *self.float_counts(a, b, a.score > b.score, a.score > b.score),
            *self.float_scores(a, b),
        )

    def float_counts(self, a: Player, b: Player, a_down: bool, b_up: bool) -> Fields:
        """C.14-C.17: players not getting the same float as one and two rounds before."""
        out = []
        for k in (1, 2):
            down = (b.float_back(k) == "down") + (a.float_back(k) == "down" and not a_down)
            up = 1 - (b.float_back(k) == "up" and b_up)
            out += [down, up]
        return (out[0], out[1], out[2], out[3])

    def float_scores(self, a: Player, b: Player) -> Fields:
        """C.18-C.21: the scores of repeated floaters kept in the bracket."""
        out = []
        for k in (1, 2):
            down = (self.level(b.score) if b.float_back(k) == "down" else 0) + (
                self.level(a.score) if a.float_back(k) == "down" else 0
            )
            up = 0 if (b.float_back(k) == "up" and a.score > b.score) else self.level(a.score)
            out += [down, up]
        return (out[0], out[1], out[2], out[3])

    def next_fields(self, a: Player, b: Player) -> Fields:
        """Fields of a pair that would be made in the next bracket (C.7, C.8)."""
        near = self.near
        if (a.id in self.in_next or b.id in self.in_next) and a.id in near and b.id in near:
            return (0, 0, 1, self.next_level(a.score), *(0,) * 13)
        return ZERO

    def fields(self, a: Player, b: Player) -> Fields:
        if a.id in self.in_bracket and b.id in self.in_bracket:
            return self.pair_fields(a, b)
        return self.next_fields(a, b)


ZERO: Fields = (0,) * 17
BYE_FIELD = 4


def bye_fields(p: Player, rounds_before: int) -> Fields:
    """The bye's edge: C.9 prefers the assignee with the fewest unplayed games."""
    out = [0] * len(ZERO)
    out[BYE_FIELD] = rounds_before - p.unplayed + 1
    return tuple(out)


def widths(rows: list[Fields], pairs: tuple[int, int]) -> list[int]:
    """Each field's width: room for its largest value on every pair it can count (the
    bracket's pairs, or the next bracket's for C.7 and C.8, one for the bye); 0 to leave it
    out (the same value on every edge that has it, or on none)."""
    out = []
    for i in range(len(rows[0]) if rows else 0):
        owner = BYE_FIELD if i == BYE_FIELD else 2 if i in (2, 3) else 0
        values = {r[i] for r in rows if r[owner]}
        keep = i == owner or len(values) > 1
        most = 1 if owner == BYE_FIELD else pairs[1] if owner == 2 else pairs[0]
        out.append((max(values, default=0) * most + 1).bit_length() if keep else 0)
    return out


def pack(fields: Fields, sizes: list[int]) -> int:
    w = 0
    for value, size in zip(fields, sizes, strict=True):
        if size:
            w = (w << size) | value
    return w


def fit(sizes: list[int], extra: list[int]) -> tuple[list[int], list[int]]:
    """Make the weight fit in ``MAX_BITS``: drop the hint (``extra[2]``) first, then the lowest
    criteria, never the exchange fields of the Dutch order (``extra[0:2]``)."""
    sizes, extra = list(sizes), list(extra)
    if 1 + sum(sizes) + sum(extra) > MAX_BITS:
        extra[2] = 0
    while 1 + sum(sizes) + sum(extra) > MAX_BITS and any(sizes[1:]):
        sizes[max(i for i, s in enumerate(sizes) if s)] = 0
    return sizes, extra
