"""The absolute criteria of a round's pairing, checked on their own (C.04.1 b-g, C.04.3 C.1-C.3):
for tests, and for a director who overrides a pairing by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from . import players as _players
from .model import BLACK, WHITE, Entrant, Options


def check_pairing(
    entrants: Iterable[Entrant],
    options: Options,
    boards: Sequence[tuple[str, str]],
    bye: str | None,
    others: Iterable[Entrant] = (),
) -> list[str]:
    """What in ``boards`` (white, black) and ``bye`` breaks an absolute criterion (empty when
    nothing does)."""
    ranked = {p.id: p for p in _players.build(entrants, options, others)}
    seen = Counter([p for board in boards for p in board] + ([bye] if bye else []))
    out = [f"{pid} is paired {n} times" for pid, n in seen.items() if n > 1]
    out += [f"{pid} is not a player of this round" for pid in seen if pid not in ranked]
    out += [f"{pid} is not paired" for pid in ranked if pid not in seen]
    if len(ranked) % 2 == 0 and bye is not None:
        out.append("a bye in a round with an even number of players")
    if bye in ranked and not ranked[bye].bye_eligible:
        out.append(f"{bye} gets the bye after a bye or a forfeit win (C.2)")
    for white, black in boards:
        a, b = ranked.get(white), ranked.get(black)
        if a is None or b is None:
            continue
        if b.id in a.opponents:
            out.append(f"{white} and {black} have played each other (C.1)")
        if a.topscorer or b.topscorer:
            continue  # C.3 binds non-topscorers only
        for p, got in ((a, WHITE), (b, BLACK)):
            diff = p.colour_difference + (1 if got == WHITE else -1)
            if abs(diff) > 2 and abs(diff) > abs(p.colour_difference):
                out.append(f"{p.id} gets a colour difference of {diff} (C.3)")
            if len(p.colours) >= 2 and p.colours[-1] == p.colours[-2] == got:
                out.append(f"{p.id} gets the same colour three times running (C.3)")
    return out
