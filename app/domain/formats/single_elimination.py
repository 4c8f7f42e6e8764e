"""Single elimination: any N >= 2, byes to the top seeds, optional third-place match."""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..models import FormatName, Match, Slot, Tournament
from ..validation import boolean, only_settings
from .base import Format, best_of_for, check_best_of, check_tiebreakers, new_match

SEED_ORDERINGS = ("standard", "natural")


def bracket_size(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return max(size, 2)


def standard_order(size: int) -> list[int]:
    """Seed numbers in bracket order: 1 v size, and the top seeds' halves meet last.

    For 8: [1, 8, 4, 5, 2, 7, 3, 6], so 1 and 2 can meet only in the final.
    """
    order = [1]
    while len(order) < size:
        n = 2 * len(order)
        order = [x for s in order for x in (s, n + 1 - s)]
    return order


def natural_order(size: int, n: int) -> list[int]:
    """Seeds in the order given (1 v 2, 3 v 4, ...); the byes fall to the top seeds' pairs.

    With byes, the bottom ``size - n`` pairs would be empty; instead the top ``size - n`` seeds
    each get a bye and the rest pair up in order, so no match has two empty sides.
    """
    byes = size - n
    order: list[int] = []
    for seed in range(1, byes + 1):
        order += [seed, size + 1]  # size + 1 never exists: a bye
    order += list(range(byes + 1, n + 1))
    return order


def first_round_order(settings: dict[str, Any], n: int) -> list[int]:
    size = bracket_size(n)
    if settings.get("seed_ordering", "standard") == "natural":
        return natural_order(size, n)
    return standard_order(size)


class SingleElimination(Format):
    name = FormatName.SINGLE_ELIMINATION

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        only_settings(raw, {"seed_ordering", "third_place_match", "best_of", "tiebreakers"})
        ordering = raw.get("seed_ordering", "standard")
        if ordering not in SEED_ORDERINGS:
            raise Invalid.field("settings.seed_ordering", "must be standard or natural")
        return {
            "seed_ordering": ordering,
            "third_place_match": boolean(
                raw.get("third_place_match", False), "settings.third_place_match"
            ),
            "best_of": check_best_of(raw.get("best_of", 1), "settings.best_of"),
            "tiebreakers": check_tiebreakers(raw.get("tiebreakers", [])),
        }

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        return draw_bracket(t, seeding, t.settings, "winners", t.settings["third_place_match"])

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        from ..standings import elimination_standings

        return elimination_standings(t)


def draw_bracket(
    t: Tournament,
    seeding: list[str],
    settings: dict[str, Any],
    bracket: str,
    third_place: bool,
) -> list[Match]:
    """A single-elimination bracket over ``seeding``, linked winner_to / loser_to."""
    n = len(seeding)
    size = bracket_size(n)
    order = first_round_order(settings, n)
    rounds: list[list[Match]] = []
    first: list[Match] = []
    for i in range(size // 2):
        m = new_match(t, bracket, 1, i + 1)
        for side in (0, 1):
            seed = order[2 * i + side]
            m.slots[side] = Slot(seeding[seed - 1] if seed <= n else None)
        first.append(m)
    rounds.append(first)
    while len(rounds[-1]) > 1:
        prev = rounds[-1]
        rnd = len(rounds) + 1
        cur = []
        for i in range(len(prev) // 2):
            m = new_match(t, bracket, rnd, i + 1)
            for side in (0, 1):
                src = prev[2 * i + side]
                m.slots[side] = Slot(None, src.id, "winner")
                src.winner_to = m.id
            cur.append(m)
        rounds.append(cur)
    matches = [m for r in rounds for m in r]
    if third_place and len(rounds) >= 2:
        semis = rounds[-2]
        tp = new_match(t, "third_place", 1, 1)
        for side in (0, 1):
            tp.slots[side] = Slot(None, semis[side].id, "loser")
            semis[side].loser_to = tp.id
        matches.append(tp)
    for m in matches:
        m.best_of = best_of_for(settings, m.round)
    return matches
