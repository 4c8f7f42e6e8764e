"""Colour preferences (C.04.3 A.6) and colour allocation (C.04.3 E)."""

from __future__ import annotations

from .model import BLACK, WHITE, Player

NONE, MILD, STRONG, ABSOLUTE = 0, 1, 2, 3


def other(colour: str) -> str:
    return BLACK if colour == WHITE else WHITE


def preference(p: Player) -> tuple[str | None, int]:
    """(the colour wanted or None, its strength), as ``players.build`` found it."""
    return p.want, p.strength


def find_preference(p: Player) -> tuple[str | None, int]:
    """(the colour wanted or None, its strength), from played games only (A.6)."""
    cs = p.colours
    if not cs:
        return None, NONE
    diff = p.colour_difference
    if diff > 1 or diff < -1:
        return (BLACK if diff > 0 else WHITE), ABSOLUTE
    if len(cs) >= 2 and cs[-1] == cs[-2]:
        return other(cs[-1]), ABSOLUTE
    if diff:
        return (BLACK if diff > 0 else WHITE), STRONG
    return other(cs[-1]), MILD


def rank_key(p: Player) -> tuple[float, int]:
    """A.2: score (descending), then pairing number."""
    return (-p.score, p.number)


def allocate(a: Player, b: Player, initial: str) -> tuple[Player, Player]:
    """(white, black) for ``a`` v ``b`` by E.1-E.5."""
    wa, sa = preference(a)
    wb, sb = preference(b)
    if wa is not None and (wb is None or wa != wb):
        return (a, b) if wa == WHITE else (b, a)  # E.1 (or the only preference)
    if wb is not None and wa is None:
        return (b, a) if wb == WHITE else (a, b)
    if wa is not None and sa != sb:  # E.2: the stronger preference
        strong = a if sa > sb else b
        weak = b if strong is a else a
        return (strong, weak) if preference(strong)[0] == WHITE else (weak, strong)
    if wa is not None and sa == ABSOLUTE:  # E.2: both absolute: the wider difference
        da, db = abs(a.colour_difference), abs(b.colour_difference)
        if da != db:
            wide = a if da > db else b
            narrow = b if wide is a else a
            return (wide, narrow) if preference(wide)[0] == WHITE else (narrow, wide)
    alternated = alternate(a, b)  # E.3
    if alternated is not None:
        return alternated
    high, low = (a, b) if rank_key(a) <= rank_key(b) else (b, a)
    if wa is not None:  # E.4: both want the same: the higher-ranked player's
        return (high, low) if wa == WHITE else (low, high)
    high_gets = initial if high.number % 2 else other(initial)  # E.5
    return (high, low) if high_gets == WHITE else (low, high)


def alternate(a: Player, b: Player) -> tuple[Player, Player] | None:
    """E.3: back to the latest game in which one had white and the other black (played
    games, counted from each player's latest), and give both the other colour."""
    for ca, cb in zip(reversed(a.colours), reversed(b.colours), strict=False):
        if ca != cb:
            return (b, a) if ca == WHITE else (a, b)
    return None


def violations(white: Player, black: Player) -> tuple[int, int, int, int]:
    """For an allocated pair: (players past a colour difference of 2, players with the same
    colour three times running, players without their preference, players without their
    strong preference)."""
    beyond = three = missed = strong = 0
    for p, got in ((white, WHITE), (black, BLACK)):
        diff = p.colour_difference + (1 if got == WHITE else -1)
        beyond += abs(diff) > 2
        three += len(p.colours) >= 2 and p.colours[-1] == p.colours[-2] == got
        want, strength = preference(p)
        if want is not None and want != got:
            missed += 1
            strong += strength == STRONG
    return beyond, three, missed, strong


def absolute_conflict(a: Player, b: Player) -> bool:
    """Both have the same absolute preference (C.3): one of them would break it."""
    wa, sa = preference(a)
    wb, sb = preference(b)
    return sa == ABSOLUTE and sb == ABSOLUTE and wa == wb
