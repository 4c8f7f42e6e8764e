"""The interface every format implements; the engine does the rest (results, advancement,
reopen)."""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..events import EventType
from ..models import FormatName, Match, Slot, Tournament


class Format:
    """A tournament format: its settings, its draw, what follows a result, its standings."""

    name: FormatName
    allows_draws = False
    min_participants = 2
    has_group_stage = False

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate ``raw`` and return it with every default filled in (raises ``Invalid``)."""
        raise NotImplementedError

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        """The matches created at start, ``seeding`` being participant ids from seed 1 down."""
        raise NotImplementedError

    def draws_allowed(self, t: Tournament, m: Match) -> bool:
        """Whether ``m`` may end in a draw (a stage-based format answers per match)."""
        return self.allows_draws

    def start_blocker(self, t: Tournament, n: int) -> str | None:
        """Why ``n`` active participants cannot start this tournament, or None."""
        return None

    def draw_stage(self, t: Tournament, data: dict[str, Any]) -> list[Match]:
        """The matches of a later stage, from the data of its ``stage.started`` event."""
        raise NotImplementedError

    def followups(self, t: Tournament) -> list[tuple[EventType, dict[str, Any]]]:
        """Events the state now calls for (a new Swiss round, a next stage), as (type, data)."""
        return []

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        raise NotImplementedError

    def group_standings(self, t: Tournament) -> list[dict[str, Any]]:
        """The group stage's tables, each row with its ``group``, still there after a later
        stage has started (formats with ``has_group_stage``)."""
        raise NotImplementedError

    def on_decided(self, t: Tournament, m: Match) -> list[str]:
        """Format-specific consequences of a decided match (e.g. a grand final reset)."""
        return []

    def on_reopened(self, t: Tournament, mid: str) -> list[str]:
        return []

    def on_disqualified(self, t: Tournament, pid: str) -> list[str]:
        """Format-specific forfeits beyond the ready matches (e.g. a round robin's later rounds)."""
        return []

    def reopen_blocker(self, t: Tournament, m: Match) -> str | None:
        """Why ``m`` cannot be reopened, or None."""
        return None

    def finished(self, t: Tournament) -> bool:
        """Whether nothing is left to draw once every match is decided (a Swiss may still have
        rounds for the director to pair)."""
        return True

    def swiss_stage(self, t: Tournament) -> dict[str, Any] | None:
        """The settings of the Swiss being played (the format's, or its Swiss group stage's
        before the playoff), or None: what the director's Swiss commands work on."""
        return None


def match_id(t: Tournament, bracket: str, rnd: int, number: int, group: int | None = None) -> str:
    """Match ids are unique across tournaments: the tournament id, then the place in the draw."""
    code = {"winners": "w", "losers": "l", "grand_final": "f", "third_place": "t", "swiss": "s"}
    prefix = f"g{group}" if group is not None else code.get(bracket, bracket[:1])
    return f"{t.id}-{prefix}r{rnd}m{number}"


def new_match(
    t: Tournament, bracket: str, rnd: int, number: int, group: int | None = None
) -> Match:
    return Match(
        id=match_id(t, bracket, rnd, number, group),
        bracket=bracket,
        round=rnd,
        number=number,
        group=group,
        slots=[Slot(), Slot()],
    )


def best_of_for(settings: dict[str, Any], rnd: int) -> int:
    """``best_of`` is a number, or a list by round (the last entry holds for later rounds)."""
    bo = settings.get("best_of", 1)
    if isinstance(bo, list):
        return int(bo[min(rnd, len(bo)) - 1]) if bo else 1
    return int(bo)


def check_best_of(value: Any, field: str = "best_of") -> int | list[int]:
    def one(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1 or v % 2 == 0 or v > 99:
            raise Invalid.field(field, "must be an odd whole number from 1 to 99")
        return v

    if isinstance(value, list):
        if not value or len(value) > 64:
            raise Invalid.field(field, "must list 1 to 64 rounds")
        return [one(v) for v in value]
    return one(value)


TIEBREAKERS = (
    "points",
    "wins",
    "head_to_head",
    "buchholz",
    "buchholz_cut1",
    "sonneborn_berger",
    "score_difference",
    "scored",
    "seed",
)


def check_tiebreakers(value: Any, field: str = "settings.tiebreakers") -> list[str]:
    """An ordered list of distinct names from ``TIEBREAKERS`` (see standings.py for each rule)."""
    if not isinstance(value, list) or len(value) > len(TIEBREAKERS):
        raise Invalid.field(field, f"must be a list of at most {len(TIEBREAKERS)} names")
    for i, name in enumerate(value):
        if name not in TIEBREAKERS:
            raise Invalid.field(f"{field}[{i}]", f"must be one of {', '.join(TIEBREAKERS)}")
    if len(set(value)) != len(value):
        raise Invalid.field(field, "must not repeat a name")
    return list(value)
