"""Swiss: a fixed number of rounds, each paired by the FIDE Dutch system (``app/domain/dutch``).

Round 1 is paired at start. Each later round is paired once every match of the round before is
complete: ``followups`` computes the pairing (pure, deterministic) and returns a ``round.paired``
event whose data carries the full matches, so applying it is deterministic too.
``preview_pairing(t)`` shows the next pairing from the results so far.

Side 0 of a match is White, side 1 Black; boards are numbered best first. The
pairing-allocated bye is a match with one empty slot, decided at once with result ``bye``; it
is worth ``points.bye``. Disqualified or withdrawn players are not paired again. Matches:
bracket ``swiss``, ``group`` 1 (or the group number inside groups-then-playoffs), ``round``
from 1. A match of an earlier round cannot be reopened once the next round is paired
(Conflict): the pairing that followed depended on it.
"""

from __future__ import annotations

import math
from typing import Any

from ..dutch import pair
from ..errors import Invalid
from ..events import EventType
from ..models import FormatName, Match, ParticipantStatus, Slot, Tournament
from ..validation import boolean, only_settings, whole
from .base import Format, best_of_for, check_best_of, check_tiebreakers, match_id, new_match
from .points import check_points
from .round_robin import group_members, points_table, snake_groups, two_per_group
from .swiss_entrants import entrants, options

DEFAULT_POINTS: dict[str, float] = {"win": 1, "draw": 0.5, "loss": 0, "bye": 1}
DEFAULT_TIEBREAKERS = ["buchholz_cut1", "buchholz", "sonneborn_berger"]
PAIRINGS = ("dutch",)
INITIAL_COLOURS = ("draw", "white", "black")
NUMBERINGS = ("rating", "seed")
SETTINGS = {"rounds", "points", "best_of", "tiebreakers", "group_count", "pairing",
            "initial_colour", "pairing_numbers", "baku"}  # fmt: skip


def one_of(raw: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        raise Invalid.field(f"settings.{key}", f"must be one of {', '.join(allowed)}")
    return str(value)


def normalize_swiss(raw: dict[str, Any], extra: set[str] | None = None) -> dict[str, Any]:
    only_settings(raw, SETTINGS | (extra or set()))
    rounds = raw.get("rounds")
    return {
        "rounds": None if rounds is None else whole(rounds, "settings.rounds", 1, 64),
        "group_count": whole(raw.get("group_count", 1), "settings.group_count", 1, 512),
        "points": check_points(raw.get("points", {}), DEFAULT_POINTS),
        "best_of": check_best_of(raw.get("best_of", 1), "settings.best_of"),
        "tiebreakers": check_tiebreakers(raw.get("tiebreakers", DEFAULT_TIEBREAKERS)),
        "pairing": one_of(raw, "pairing", PAIRINGS),
        "initial_colour": one_of(raw, "initial_colour", INITIAL_COLOURS),
        "pairing_numbers": one_of(raw, "pairing_numbers", NUMBERINGS),
        "baku": boolean(raw.get("baku", False), "settings.baku"),
    }


def round_count(settings: dict[str, Any], group_sizes: list[int]) -> int:
    """``rounds``, by default ceil(log2 n) for the largest group (at least 1)."""
    if settings.get("rounds"):
        return int(settings["rounds"])
    n = max(group_sizes, default=2)
    return max(1, math.ceil(math.log2(max(n, 2))))


def round_matches(
    t: Tournament,
    group: int,
    rnd: int,
    players: list[str],
    matches: list[Match],
    settings: dict[str, Any],
    rounds: int,
) -> list[Match]:
    """Round ``rnd`` of ``group``: the Dutch pairing of its active players."""
    known = entrants(t, players, matches, rnd - 1, settings)
    active = [known[p] for p in players if t.participants[p].status is ParticipantStatus.ACTIVE]
    away = [known[p] for p in players if t.participants[p].status is not ParticipantStatus.ACTIVE]
    pairing = pair(active, options(t, settings, rnd, rounds, len(players)), away)
    out = []
    for number, (white, black) in enumerate(pairing.boards, start=1):
        m = new_match(t, "swiss", rnd, number, group)
        m.slots = [Slot(white), Slot(black)]
        out.append(m)
    if pairing.bye is not None:
        m = new_match(t, "swiss", rnd, len(pairing.boards) + 1, group)
        m.slots = [Slot(pairing.bye), Slot()]
        out.append(m)
    for m in out:
        m.best_of = best_of_for(settings, rnd)
    return out


def draw_swiss(t: Tournament, seeding: list[str], settings: dict[str, Any]) -> list[Match]:
    groups = snake_groups(seeding, settings["group_count"])
    rounds = round_count(settings, [len(ps) for ps in groups])
    out: list[Match] = []
    for g, players in enumerate(groups, start=1):
        out += round_matches(t, g, 1, players, [], settings, rounds)
    return out


def next_round(t: Tournament, settings: dict[str, Any]) -> tuple[int, list[Match]] | None:
    """The next round's matches from the results so far, or None when the rounds are done."""
    matches = [m for m in t.matches.values() if m.bracket == "swiss"]
    current = max((m.round for m in matches), default=0)
    groups = group_members(t, "swiss")
    rounds = round_count(settings, [len(ps) for ps in groups.values()])
    if current >= rounds:
        return None
    out: list[Match] = []
    for g, players in sorted(groups.items()):
        if sum(1 for p in players if t.participants[p].status is ParticipantStatus.ACTIVE) < 1:
            continue
        mine = [m for m in matches if (m.group or 1) == g]
        out += round_matches(t, g, current + 1, players, mine, settings, rounds)
    return (current + 1, out) if out else None


def preview_pairing(t: Tournament, settings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The pairing the next round would get from the results so far (undecided matches count
    as not played). Pure: the tournament is not changed."""
    nxt = next_round(t, settings if settings is not None else t.settings)
    return [m.to_dict() for m in nxt[1]] if nxt else []


def swiss_followups(
    t: Tournament, settings: dict[str, Any]
) -> list[tuple[EventType, dict[str, Any]]]:
    if t.open_matches:
        return []
    nxt = next_round(t, settings)
    if nxt is None:
        return []
    return [(EventType.ROUND_PAIRED, {"round": nxt[0], "matches": [m.to_dict() for m in nxt[1]]})]


def swiss_reopen_blocker(t: Tournament, m: Match) -> str | None:
    if m.bracket != "swiss":
        return None
    if match_id(t, "swiss", m.round + 1, 1, m.group or 1) in t.matches:
        return f"round {m.round + 1} is already paired: a Swiss round cannot be reopened after it"
    return None


def swiss_standings(t: Tournament, settings: dict[str, Any]) -> list[dict[str, Any]]:
    return points_table(t, settings, "swiss")


class Swiss(Format):
    name = FormatName.SWISS
    allows_draws = True
    has_group_stage = True

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        return normalize_swiss(raw)

    def start_blocker(self, t: Tournament, n: int) -> str | None:
        return two_per_group(t, n)

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        return draw_swiss(t, seeding, t.settings)

    def followups(self, t: Tournament) -> list[tuple[EventType, dict[str, Any]]]:
        return swiss_followups(t, t.settings)

    def reopen_blocker(self, t: Tournament, m: Match) -> str | None:
        return swiss_reopen_blocker(t, m)

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        return swiss_standings(t, t.settings)

    def group_standings(self, t: Tournament) -> list[dict[str, Any]]:
        return self.standings(t)
