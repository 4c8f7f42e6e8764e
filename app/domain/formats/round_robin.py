"""Round robin: the circle method, any N, optional groups and a second leg.

Groups: seeds are dealt in a snake, so with g groups group 1 gets seeds 1, 2g, 2g + 1, 4g, ...
and group g gets g, g + 1, 3g, ... (brackets-manager.js ``groups.seed_optimized``).

Within a group of n (in seed order), the circle method: seat the players in a circle with the
first fixed; in each round the seat i plays seat n - 1 - i, then everyone but the first moves one
seat on. With n odd a phantom fills the circle and whoever draws it sits the round out: no match
is created for them; ``sitting_out`` names them. Sides: the fixed player alternates round by
round; otherwise the upper seat (i < n / 2) has side 0. A moving player spends n/2 - 1 rounds in
the upper seats and as many in the lower (besides the game with the fixed player), so everyone
has side 0 in (n - 1) / 2 of their matches, give or take one. The second leg repeats the
first with the sides swapped, in rounds n', n' + 1, ... (n' the first leg's round count + 1).
Matches: bracket ``group``, ``group`` from 1, ``round`` from 1 within the group.

``schedule = "berger"`` plays the FIDE Berger tables instead (Handbook C.05, Annex 1): seeds
are the table numbers 1..n (with n odd, n + 1 is the phantom whose opponent sits out); in
round r the last number meets s = (r - 1) * n / 2 mod (n - 1) + 1, with White in even rounds,
and on the other boards s + i meets s - i (numbers taken round 1..n - 1), s + i with White.
Side 0 is White.
"""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..models import FormatName, Match, Slot, Tournament
from ..validation import boolean, only_settings, whole
from .base import Format, best_of_for, check_best_of, check_tiebreakers, new_match
from .points import check_points

DEFAULT_POINTS: dict[str, float] = {"win": 3, "draw": 1, "loss": 0}
DEFAULT_TIEBREAKERS = ["head_to_head", "score_difference", "scored"]
SCHEDULES = ("circle", "berger")


def snake_groups(seeding: list[str], count: int) -> list[list[str]]:
    """Deal ``seeding`` (seed order) into ``count`` groups in a snake."""
    groups: list[list[str]] = [[] for _ in range(count)]
    for i, pid in enumerate(seeding):
        run, pos = divmod(i, count)
        groups[pos if run % 2 == 0 else count - 1 - pos].append(pid)
    return groups


def circle(players: list[str]) -> list[list[tuple[str | None, str | None]]]:
    """The first leg: per round, the pairs (side 0, side 1); None is the phantom (a sit-out)."""
    seats: list[str | None] = list(players)
    if len(seats) % 2:
        seats.append(None)
    n = len(seats)
    rounds = []
    for r in range(n - 1):
        pairs = []
        for i in range(n // 2):
            a, b = seats[i], seats[n - 1 - i]
            home_first = r % 2 == 0 if i == 0 else True
            pairs.append((a, b) if home_first else (b, a))
        rounds.append(pairs)
        seats = [seats[0], seats[-1], *seats[1:-1]]
    return rounds


def berger(players: list[str]) -> list[list[tuple[str | None, str | None]]]:
    """The FIDE Berger tables: per round, (White, Black) by board; None is the phantom."""
    seats: list[str | None] = list(players)
    if len(seats) % 2:
        seats.append(None)
    n = len(seats)

    def at(k: int) -> str | None:  # table number k, taken round 1..n - 1
        return seats[(k - 1) % (n - 1)]

    rounds = []
    for r in range(1, n):
        s = (r - 1) * (n // 2) % (n - 1) + 1
        last, other = seats[n - 1], at(s)
        pairs = [(other, last) if r % 2 else (last, other)]
        pairs += [(at(s + i), at(s - i)) for i in range(1, n // 2)]
        rounds.append(pairs)
    return rounds


def schedule(
    players: list[str], legs: int, kind: str = "circle"
) -> list[list[tuple[str | None, str | None]]]:
    first = berger(players) if kind == "berger" else circle(players)
    if legs == 2:
        return first + [[(b, a) for a, b in pairs] for pairs in first]
    return first


def draw_groups(t: Tournament, seeding: list[str], settings: dict[str, Any]) -> list[Match]:
    out: list[Match] = []
    for g, players in enumerate(snake_groups(seeding, settings["group_count"]), start=1):
        rounds = schedule(players, settings["legs"], settings.get("schedule", "circle"))
        for r, pairs in enumerate(rounds, start=1):
            number = 0
            for a, b in pairs:
                if a is None or b is None:
                    continue
                number += 1
                m = new_match(t, "group", r, number, g)
                m.slots = [Slot(a), Slot(b)]
                m.best_of = best_of_for(settings, r)
                out.append(m)
    return out


def group_members(t: Tournament, bracket: str = "group") -> dict[int, list[str]]:
    """Each group's participants (seed order), read from its matches."""
    groups: dict[int, set[str]] = {}
    for m in t.matches.values():
        if m.bracket == bracket:
            groups.setdefault(m.group or 1, set()).update(p for p in m.participants if p)
    seed = {p.id: p.seed for p in t.participants.values()}
    return {g: sorted(ps, key=lambda p: seed[p]) for g, ps in groups.items()}


def sitting_out(t: Tournament, group: int, rnd: int) -> str | None:
    """Who sits out round ``rnd`` of ``group`` (an odd group), else None."""
    players = group_members(t).get(group, [])
    settings = t.settings if t.format == "round_robin" else t.settings.get("group_stage", {})
    rounds = schedule(players, int(settings.get("legs", 1)), settings.get("schedule", "circle"))
    if not 1 <= rnd <= len(rounds):
        return None
    for a, b in rounds[rnd - 1]:
        if a is None or b is None:
            return a or b
    return None


def chess_setting(raw: dict[str, Any]) -> bool | None:
    """``chess``: the viewer's chess look, true or false, or null (decided by the tournament:
    docs/formats.md)."""
    value = raw.get("chess")
    return None if value is None else boolean(value, "settings.chess")


def normalize_rr(raw: dict[str, Any], extra: set[str] | None = None) -> dict[str, Any]:
    only_settings(
        raw,
        {"group_count", "legs", "points", "best_of", "tiebreakers", "schedule", "chess"}
        | (extra or set()),
    )
    legs = raw.get("legs", 1)
    if legs not in (1, 2) or isinstance(legs, bool):
        raise Invalid.field("settings.legs", "must be 1 or 2")
    kind = raw.get("schedule", "circle")
    if kind not in SCHEDULES:
        raise Invalid.field("settings.schedule", "must be circle or berger")
    return {
        "schedule": kind,
        "group_count": whole(raw.get("group_count", 1), "settings.group_count", 1, 512),
        "legs": legs,
        "points": check_points(raw.get("points", {}), DEFAULT_POINTS),
        "best_of": check_best_of(raw.get("best_of", 1), "settings.best_of"),
        "tiebreakers": check_tiebreakers(raw.get("tiebreakers", DEFAULT_TIEBREAKERS)),
        "chess": chess_setting(raw),
    }


def points_table(
    t: Tournament,
    settings: dict[str, Any],
    bracket: str,
    groups: dict[int, list[str]] | None = None,
    unplayed: dict[str, list[float]] | None = None,
) -> list[dict[str, Any]]:
    """Standings by points and tiebreakers over the matches of ``bracket``, group by group
    (``groups``: by default as the matches hold them); ``unplayed``: each player's rounds not
    paired that score (a Swiss bye), by their points."""
    from ..tiebreak import points_standings

    matches = [m for m in t.matches.values() if m.bracket == bracket]
    groups = groups or group_members(t, bracket) or {1: [p.id for p in t.participant_list()]}
    return points_standings(t, groups, matches, settings["points"], settings["tiebreakers"],
                            unplayed or {})  # fmt: skip


def rr_standings(t: Tournament, settings: dict[str, Any]) -> list[dict[str, Any]]:
    return points_table(t, settings, "group")


def two_per_group(t: Tournament, n: int) -> str | None:
    """Why ``n`` participants cannot start: every group needs two."""
    g = int(t.settings.get("group_count", 1))
    if n < 2 * g:
        return f"{g} groups need at least {2 * g} participants"
    return None


class RoundRobin(Format):
    name = FormatName.ROUND_ROBIN
    allows_draws = True
    has_group_stage = True

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        return normalize_rr(raw)

    def start_blocker(self, t: Tournament, n: int) -> str | None:
        return two_per_group(t, n)

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        return draw_groups(t, seeding, t.settings)

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        return rr_standings(t, t.settings)

    def group_standings(self, t: Tournament) -> list[dict[str, Any]]:
        return self.standings(t)
