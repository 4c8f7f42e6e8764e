"""Double elimination: any N >= 2, byes carried through both brackets, brackets-manager.js layout.

The winners' bracket is the single-elimination bracket (``single_elimination.draw_bracket``).
The losers' bracket of a bracket of size 2^k has 2(k - 1) rounds:

- losers' round 1 pairs the losers of winners' round 1 (matches 1 and 2, 3 and 4, ...);
- losers' round 2j (a "major" round) takes, on side 0, the losers of winners' round j + 1, in the
  order given by ``LOSER_ORDERINGS`` (to keep early rematches away), against, on side 1, the
  winner of the losers' match of the same number in the round before;
- losers' round 2j + 1 (a "minor" round) pairs the winners of the round before, two by two.

The grand final (``grand_final`` round 1) has the winners' champion on side 0 and the losers'
champion on side 1. With ``grand_final: double`` a reset (round 2) follows; it is played only when
the losers' champion wins round 1, else it completes unplayed (result ``bye``, no participants) --
see ``advancement.reset_unneeded``. A bye (an empty slot) in the winners' bracket sends nobody
down, so the losers' match it feeds is a bye too: byes carry through both brackets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Invalid
from ..models import FormatName, Match, Slot, Tournament
from ..validation import only_settings
from .base import Format, best_of_for, check_best_of, check_tiebreakers, new_match
from .single_elimination import SEED_ORDERINGS, bracket_size, draw_bracket

GRAND_FINALS = ("none", "simple", "double")

Ordering = Callable[[list[int]], list[int]]


def natural(a: list[int]) -> list[int]:
    return list(a)


def reverse(a: list[int]) -> list[int]:
    return a[::-1]


def half_shift(a: list[int]) -> list[int]:
    h = len(a) // 2
    return a[h:] + a[:h]


def reverse_half_shift(a: list[int]) -> list[int]:
    h = len(a) // 2
    return a[:h][::-1] + a[h:][::-1]


def pair_flip(a: list[int]) -> list[int]:
    return [x for i in range(0, len(a) - 1, 2) for x in (a[i + 1], a[i])]


ORDERINGS: dict[str, Ordering] = {
    "natural": natural,
    "reverse": reverse,
    "half_shift": half_shift,
    "reverse_half_shift": reverse_half_shift,
    "pair_flip": pair_flip,
}

# brackets-manager.js ``defaultMinorOrdering``: entry r - 1 orders the losers of winners' round r.
LOSER_ORDERINGS: dict[int, list[str]] = {
    4: ["natural", "reverse"],
    8: ["natural", "reverse", "natural"],
    16: ["natural", "reverse_half_shift", "reverse", "natural"],
    32: ["natural", "reverse", "half_shift", "natural", "natural"],
    64: ["natural", "reverse", "half_shift", "reverse", "natural", "natural"],
    128: ["natural", "reverse", "half_shift", "pair_flip", "pair_flip", "pair_flip", "natural"],
}


def loser_orderings(size: int) -> list[str]:
    """The drop orderings for a bracket of ``size``. brackets-manager.js stops at 128; beyond it
    (our extension) the 128 pattern grows: natural, reverse, half_shift, then pair_flip for every
    further round, the final's loser natural. (Measured on random results: the first rematch in
    the losers' bracket comes later than with reverse/half_shift alternating.)"""
    if size in LOSER_ORDERINGS:
        return LOSER_ORDERINGS[size]
    k = size.bit_length() - 1
    return ["natural", "reverse", "half_shift", *["pair_flip"] * (k - 4), "natural"]


def drop_position(size: int, wb_round: int, wb_number: int) -> int:
    """Where (1-based, among the losers' round's entrants) the loser of a winners' match drops."""
    count = size >> wb_round
    names = loser_orderings(size)
    ordered = ORDERINGS[names[wb_round - 1]](list(range(1, count + 1)))
    return ordered.index(wb_number) + 1


def drop_table(size: int) -> list[list[int]]:
    """For docs and tests: per winners' round r, the losers' match each winners' match feeds."""
    k = size.bit_length() - 1
    table = []
    for r in range(1, k + 1):
        count = size >> r
        row = [drop_position(size, r, n) for n in range(1, count + 1)]
        table.append([(p + 1) // 2 for p in row] if r == 1 else row)
    return table


class DoubleElimination(Format):
    name = FormatName.DOUBLE_ELIMINATION

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        only_settings(raw, {"seed_ordering", "grand_final", "best_of", "tiebreakers"})
        ordering = raw.get("seed_ordering", "standard")
        if ordering not in SEED_ORDERINGS:
            raise Invalid.field("settings.seed_ordering", "must be standard or natural")
        gf = raw.get("grand_final", "double")
        if gf not in GRAND_FINALS:
            raise Invalid.field("settings.grand_final", "must be none, simple or double")
        return {
            "seed_ordering": ordering,
            "grand_final": gf,
            "best_of": check_best_of(raw.get("best_of", 1), "settings.best_of"),
            "tiebreakers": check_tiebreakers(raw.get("tiebreakers", [])),
        }

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        return draw_double(t, seeding, t.settings)

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        from ..standings import elimination_standings

        return elimination_standings(t)


def draw_double(t: Tournament, seeding: list[str], settings: dict[str, Any]) -> list[Match]:
    winners = draw_bracket(t, seeding, settings, "winners", False)
    size = bracket_size(len(seeding))
    by_round: dict[int, list[Match]] = {}
    for m in winners:
        by_round.setdefault(m.round, []).append(m)
    losers = draw_losers(t, size, by_round)
    wb_final = by_round[max(by_round)][0]
    lb_final = losers[-1] if losers else None
    finals = draw_grand_final(t, settings["grand_final"], wb_final, lb_final)
    for m in losers + finals:
        m.best_of = best_of_for(settings, m.round)
    if finals:
        for m in finals:
            m.best_of = best_of_for(settings, 10**6)  # the final entry of a per-round list
    return winners + losers + finals


def link(src: Match, outcome: str, dst: Match, side: int) -> None:
    dst.slots[side] = Slot(None, src.id, outcome)
    if outcome == "winner":
        src.winner_to = dst.id
    else:
        src.loser_to = dst.id


def draw_losers(t: Tournament, size: int, wb: dict[int, list[Match]]) -> list[Match]:
    k = size.bit_length() - 1
    if k < 2:
        return []
    out: list[Match] = []
    first = [new_match(t, "losers", 1, i + 1) for i in range(size // 4)]
    for m in wb[1]:
        pos = drop_position(size, 1, m.number)
        link(m, "loser", first[(pos - 1) // 2], (pos - 1) % 2)
    out += first
    prev = first
    for j in range(1, k):
        major = [new_match(t, "losers", 2 * j, i + 1) for i in range(len(prev))]
        for m in wb[j + 1]:
            link(m, "loser", major[drop_position(size, j + 1, m.number) - 1], 0)
        for i, m in enumerate(prev):
            link(m, "winner", major[i], 1)
        out += major
        prev = major
        if j == k - 1:
            break
        minor = [new_match(t, "losers", 2 * j + 1, i + 1) for i in range(len(prev) // 2)]
        for i, m in enumerate(prev):
            link(m, "winner", minor[i // 2], i % 2)
        out += minor
        prev = minor
    return out


def draw_grand_final(
    t: Tournament, mode: str, wb_final: Match, lb_final: Match | None
) -> list[Match]:
    if mode == "none":
        return []
    gf = new_match(t, "grand_final", 1, 1)
    link(wb_final, "winner", gf, 0)
    if lb_final is None:  # two participants: the winners' final loser has no losers' bracket
        link(wb_final, "loser", gf, 1)
    else:
        link(lb_final, "winner", gf, 1)
    if mode == "simple":
        return [gf]
    reset = new_match(t, "grand_final", 2, 1)
    link(gf, "loser", reset, 0)  # the winners' champion keeps side 0 when the reset is played
    link(gf, "winner", reset, 1)
    return [gf, reset]
