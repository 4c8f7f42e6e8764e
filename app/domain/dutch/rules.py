"""The absolute criteria of a round's pairing, checked on their own (C.04.1 b-g, C.04.3 C.1-C.3):
for tests, and for a director who overrides a pairing by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import players as _players
from .model import BLACK, WHITE, Entrant, Options


@dataclass(frozen=True, slots=True)
class Violation:
    """What breaks a criterion, and whom it concerns. ``code``: ``rematch`` (C.1),
    ``repeat_bye`` (C.2), ``colour_difference`` and ``same_colour_three_times`` (C.3), or a
    pairing that is not one of the round: ``paired_twice``, ``not_a_player``, ``not_paired``,
    ``odd_bye``. ``value``: the colour difference given."""

    code: str
    players: tuple[str, ...] = ()
    value: int = 0

    def text(self) -> str:
        who = " and ".join(self.players)
        return {
            "rematch": f"{who} have played each other (C.1)",
            "repeat_bye": f"{who} gets the bye after a bye or a forfeit win (C.2)",
            "colour_difference": f"{who} gets a colour difference of {self.value} (C.3)",
            "same_colour_three_times": f"{who} gets the same colour three times running (C.3)",
            "paired_twice": f"{who} is paired twice",
            "not_a_player": f"{who} is not a player of this round",
            "not_paired": f"{who} is not paired",
            "odd_bye": "a bye in a round with an even number of players",
        }[self.code]


def find_violations(
    entrants: Iterable[Entrant],
    options: Options,
    boards: Sequence[tuple[str, str]],
    bye: str | None,
    others: Iterable[Entrant] = (),
) -> list[Violation]:
    """What in ``boards`` (white, black) and ``bye`` breaks an absolute criterion (empty when
    nothing does)."""
    ranked = {p.id: p for p in _players.build(entrants, options, others)}
    seen = Counter([p for board in boards for p in board] + ([bye] if bye else []))
    out = [Violation("paired_twice", (pid,)) for pid, n in seen.items() if n > 1]
    out += [Violation("not_a_player", (pid,)) for pid in seen if pid not in ranked]
    out += [Violation("not_paired", (pid,)) for pid in ranked if pid not in seen]
    if len(ranked) % 2 == 0 and bye is not None:
        out.append(Violation("odd_bye"))
    if bye in ranked and not ranked[bye].bye_eligible:
        out.append(Violation("repeat_bye", (bye,)))
    for white, black in boards:
        a, b = ranked.get(white), ranked.get(black)
        if a is None or b is None:
            continue
        if b.id in a.opponents:
            out.append(Violation("rematch", (white, black)))
        if a.topscorer or b.topscorer:
            continue  # C.3 binds non-topscorers only
        for p, got in ((a, WHITE), (b, BLACK)):
            diff = p.colour_difference + (1 if got == WHITE else -1)
            if abs(diff) > 2 and abs(diff) > abs(p.colour_difference):
                out.append(Violation("colour_difference", (p.id,), diff))
            if len(p.colours) >= 2 and p.colours[-1] == p.colours[-2] == got:
                out.append(Violation("same_colour_three_times", (p.id,)))
    return out


def check_pairing(
    entrants: Iterable[Entrant],
    options: Options,
    boards: Sequence[tuple[str, str]],
    bye: str | None,
    others: Iterable[Entrant] = (),
) -> list[str]:
    """``find_violations`` as sentences (empty when nothing breaks a criterion)."""
    return [v.text() for v in find_violations(entrants, options, boards, bye, others)]
