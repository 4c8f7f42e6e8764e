"""What a decided match means for each side: the one tally every table is built from (the
elimination standings' counts, the points tables, the tiebreakers, the Swiss pairing's scores).

- A win, a draw and a loss are played over the board; a forfeit is a win for one side and a loss
  for the other, not played; a double forfeit is a loss for both, not played.
- A bye is neither won nor lost: the side that had it is credited the format's bye points, and
  a bye with nobody in it (an unneeded grand final reset) means nothing to anyone.
- Scores count only where the match has them (not for forfeits and byes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .models import Match, MatchState, Result


class Mark(StrEnum):
    """One side's outcome of a decided match."""

    WIN = "win"
    DRAW = "draw"
    LOSS = "loss"
    BYE = "bye"


@dataclass(frozen=True, slots=True)
class Outcome:
    pid: str
    mark: Mark
    opponent: str | None  # the other side, None for a bye
    played: bool  # over the board: not a forfeit, not a bye
    scored: float | None = None
    conceded: float | None = None

    @property
    def fraction(self) -> float:
        """The result as chess counts it: 1 a win, 1/2 a draw, 0 a loss; a bye counts as 1."""
        return {Mark.WIN: 1.0, Mark.DRAW: 0.5, Mark.LOSS: 0.0, Mark.BYE: 1.0}[self.mark]


def outcomes(m: Match) -> list[Outcome]:
    """Each side's outcome of ``m``; none while it is undecided."""
    if m.state is not MatchState.COMPLETE:
        return []
    a, b = m.participants
    if m.result is Result.BYE:
        return [Outcome(m.winner_id, Mark.BYE, None, False)] if m.winner_id else []
    if a is None or b is None:
        return []
    played = m.result in (Result.WIN, Result.DRAW)
    if m.result is Result.DRAW:
        marks = (Mark.DRAW, Mark.DRAW)
    else:
        marks = (Mark.WIN if m.winner_id == a else Mark.LOSS,
                 Mark.WIN if m.winner_id == b else Mark.LOSS)  # fmt: skip
    s = m.scores
    return [
        Outcome(a, marks[0], b, played, s[0] if s else None, s[1] if s else None),
        Outcome(b, marks[1], a, played, s[1] if s else None, s[0] if s else None),
    ]
