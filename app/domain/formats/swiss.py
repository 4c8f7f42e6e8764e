"""Swiss: a fixed number of rounds, each paired by the FIDE Dutch system (``app/domain/dutch``).

Round 1 is paired at start. Each later round is paired when the director asks (``auto_pair``
false, the default: ``director.pair_round``), or by itself once every match of the round before
is complete (``auto_pair`` true: ``followups``). Either way the pairing is computed (pure,
deterministic) from the results so far and carried, full matches and all, in the
``round.paired`` event, so applying it is deterministic too.

Side 0 of a match is White, side 1 Black; boards are numbered best first. The
pairing-allocated bye is a match with one empty slot, decided at once with result ``bye``; it
is worth ``points.bye``. A player with a bye for a round (requested, or a late entry's missed
round: ``Participant.byes``) is not paired in it and scores its points once the round is
paired; disqualified or withdrawn players are not paired. Matches: bracket ``swiss``,
``group`` 1 (or the group number inside groups-then-playoffs), ``round`` from 1. A result of
an earlier round is not reopened once the next round is paired (Conflict): it is corrected
in place (``corrections.py``), and the pairings made stand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..dutch import pair
from ..errors import Invalid
from ..events import EventType
from ..models import FormatName, Match, ParticipantStatus, Slot, Tournament
from ..validation import boolean, only_settings, whole
from .base import Format, best_of_for, check_best_of, check_tiebreakers, new_match
from .points import check_points
from .round_robin import chess_setting, points_table, snake_groups, two_per_group
from .swiss_entrants import bye_points, entrants, options, unpaired, violations

DEFAULT_POINTS: dict[str, float] = {"win": 1, "draw": 0.5, "loss": 0, "bye": 1}
DEFAULT_TIEBREAKERS = ["buchholz_cut1", "buchholz", "sonneborn_berger"]
PAIRINGS = ("dutch",)
INITIAL_COLOURS = ("draw", "white", "black")
NUMBERINGS = ("rating", "seed")
BYE_POINTS = ("zero", "half")
RELAXED = (None, "repeat_bye", "colour", "rematch")  # what gave way, by the engine's level
SETTINGS = {"rounds", "points", "best_of", "tiebreakers", "group_count", "pairing",
            "initial_colour", "pairing_numbers", "baku", "auto_pair", "late_entry_points",
            "half_point_byes", "chess"}  # fmt: skip


def one_of(raw: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        raise Invalid.field(f"settings.{key}", f"must be one of {', '.join(allowed)}")
    return str(value)


def normalize_swiss(
    raw: dict[str, Any], extra: set[str] | None = None, auto_pair: bool = False
) -> dict[str, Any]:
    """The Swiss settings; ``auto_pair`` is the default of the setting of that name (true in a
    group stage, which runs on by itself into its playoff)."""
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
        "auto_pair": boolean(raw.get("auto_pair", auto_pair), "settings.auto_pair"),
        "late_entry_points": one_of(raw, "late_entry_points", BYE_POINTS),
        "half_point_byes": whole(raw.get("half_point_byes", 2), "settings.half_point_byes", 0),
        "chess": chess_setting(raw),
    }


def swiss_groups(t: Tournament, settings: dict[str, Any]) -> dict[int, list[str]]:
    """Each group's players, in seed order: the start's snake over the seeds (the start set
    the seeds in its order); a late entry, next in seed, joins the one group there is."""
    ids = [p.id for p in t.participant_list()]
    groups = snake_groups(ids, int(settings.get("group_count", 1)))
    return {g: ps for g, ps in enumerate(groups, start=1) if ps}


def round_count(settings: dict[str, Any], group_sizes: list[int]) -> int:
    """``rounds``, by default ceil(log2 n) for the largest group (at least 1)."""
    if settings.get("rounds"):
        return int(settings["rounds"])
    n = max(group_sizes, default=2)
    return max(1, math.ceil(math.log2(max(n, 2))))


def rounds_of(t: Tournament, settings: dict[str, Any]) -> int:
    """The tournament's number of rounds; a late entry does not change it."""
    late = {p.id for p in t.participants.values() if any(b["reason"] == "late" for b in p.byes)}
    groups = swiss_groups(t, settings)
    return round_count(settings, [len([p for p in ps if p not in late]) for ps in groups.values()])


def swiss_matches(t: Tournament) -> list[Match]:
    return [m for m in t.matches.values() if m.bracket == "swiss"]


def paired_rounds(t: Tournament) -> int:
    """The last round paired (0 before any)."""
    return max((m.round for m in swiss_matches(t)), default=0)


@dataclass(slots=True)
class PairedRound:
    """A round's pairing: its matches, what gave way (the worst over the groups), and the
    absolute criteria it breaks, for the director."""

    round: int
    matches: list[Match] = field(default_factory=list)
    relaxed: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {"round": self.round, "matches": [m.to_dict() for m in self.matches],
                "relaxed": RELAXED[self.relaxed], "warnings": self.warnings}  # fmt: skip


def pair_group(
    t: Tournament,
    group: int,
    out: PairedRound,
    players: list[str],
    matches: list[Match],
    settings: dict[str, Any],
    rounds: int,
) -> None:
    """Round ``out.round`` of ``group``: the Dutch pairing of its players who play it."""
    rnd = out.round
    known = entrants(t, players, matches, rnd - 1, settings)
    away = unpaired(t, players, rnd)
    opts = options(t, settings, rnd, rounds, len(players))
    present, others = [known[p] for p in players if p not in away], [known[p] for p in away]
    pairing = pair(present, opts, others)
    made = []
    for number, (white, black) in enumerate(pairing.boards, start=1):
        m = new_match(t, "swiss", rnd, number, group)
        m.slots = [Slot(white), Slot(black)]
        made.append(m)
    if pairing.bye is not None:
        m = new_match(t, "swiss", rnd, len(pairing.boards) + 1, group)
        m.slots = [Slot(pairing.bye), Slot()]
        made.append(m)
    for m in made:
        m.best_of = best_of_for(settings, rnd)
    out.matches += made
    out.relaxed = max(out.relaxed, pairing.relaxed)
    if pairing.relaxed:
        found = violations(t, present, opts, others, pairing.boards, pairing.bye)
        out.warnings += [{**w, "group": group} for w in found]


def draw_swiss(t: Tournament, seeding: list[str], settings: dict[str, Any]) -> list[Match]:
    groups = snake_groups(seeding, settings["group_count"])
    rounds = round_count(settings, [len(ps) for ps in groups])
    out = PairedRound(1)
    for g, players in enumerate(groups, start=1):
        pair_group(t, g, out, players, [], settings, rounds)
    return out.matches


def pair_round(t: Tournament, settings: dict[str, Any], rnd: int) -> PairedRound:
    """Round ``rnd`` of every group from the rounds before it (what ``rnd`` and later rounds
    hold is not read: a round is paired again as if it had not been)."""
    before = [m for m in swiss_matches(t) if m.round < rnd]
    rounds = rounds_of(t, settings)
    out = PairedRound(rnd)
    for g, players in sorted(swiss_groups(t, settings).items()):
        if not any(t.participants[p].status is ParticipantStatus.ACTIVE for p in players):
            continue
        mine = [m for m in before if (m.group or 1) == g]
        pair_group(t, g, out, players, mine, settings, rounds)
    return out


def next_round(t: Tournament, settings: dict[str, Any]) -> PairedRound | None:
    """The next round from the results so far, or None when every round is paired."""
    rnd = paired_rounds(t) + 1
    if rnd > rounds_of(t, settings):
        return None
    out = pair_round(t, settings, rnd)
    return out if out.matches else None


def rounds_done(t: Tournament, settings: dict[str, Any]) -> bool:
    """Every round is paired."""
    return paired_rounds(t) >= rounds_of(t, settings)


def preview_pairing(t: Tournament, settings: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The pairing the next round would get from the results so far (undecided matches count
    as not played). Pure: the tournament is not changed."""
    nxt = next_round(t, settings if settings is not None else t.settings)
    return [m.to_dict() for m in nxt.matches] if nxt else []


def swiss_followups(
    t: Tournament, settings: dict[str, Any]
) -> list[tuple[EventType, dict[str, Any]]]:
    """The next round once the one before is complete, when rounds pair themselves (a
    tournament stored before ``auto_pair`` existed paired itself: it still does)."""
    if t.open_matches or not settings.get("auto_pair", True):
        return []
    nxt = next_round(t, settings)
    if nxt is None:
        return []
    return [(EventType.ROUND_PAIRED, {**nxt.data(), "by": "auto"})]


def swiss_reopen_blocker(t: Tournament, m: Match) -> str | None:
    if m.bracket != "swiss":
        return None
    if any(x.round > m.round and (x.group or 1) == (m.group or 1) for x in swiss_matches(t)):
        return (f"round {m.round + 1} is already paired: correct the result instead "
                "(POST .../correct), the pairings made stand")  # fmt: skip
    return None


def swiss_standings(t: Tournament, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """By points and tiebreakers; a bye of a paired round (requested, or a late entry's
    missed round) counts its points, as an unplayed round."""
    paired = {(m.group or 1, m.round) for m in swiss_matches(t)}
    groups = swiss_groups(t, settings)
    group_of = {p: g for g, ps in groups.items() for p in ps}
    unplayed: dict[str, list[float]] = {}
    for p in t.participants.values():
        counted = [b for b in p.byes if (group_of.get(p.id, 1), b["round"]) in paired]
        unplayed[p.id] = [bye_points(b, settings["points"]) for b in counted]
    return points_table(t, settings, "swiss", groups, unplayed)


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

    def finished(self, t: Tournament) -> bool:
        return rounds_done(t, t.settings)

    def swiss_stage(self, t: Tournament) -> dict[str, Any] | None:
        return t.settings

    def reopen_blocker(self, t: Tournament, m: Match) -> str | None:
        return swiss_reopen_blocker(t, m)

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        return swiss_standings(t, t.settings)

    def group_standings(self, t: Tournament) -> list[dict[str, Any]]:
        return self.standings(t)
