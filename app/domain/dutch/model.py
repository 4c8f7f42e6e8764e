"""What the Dutch system is told about each player, and what it derives from it.

The input is neutral (no tournament, no matches): for every player to pair, the pairing number
and one ``RoundRecord`` per round already paired. A late entry has records for the rounds it
missed (``ABSENT`` or a requested ``BYE`` with its points); a withdrawn player is simply not
passed in (its past games stay in its opponents' records).
"""

from __future__ import annotations

from dataclasses import dataclass, field

GAME = "game"  # played over the board (a win, draw or loss)
FORFEIT_WIN = "forfeit_win"  # paired, the opponent did not play: not a game, blocks the PAB
FORFEIT_LOSS = "forfeit_loss"  # paired, did not play
PAB = "pab"  # the pairing-allocated bye
BYE = "bye"  # not paired, by request or by rule (a half-point bye, a zero-point bye)
ABSENT = "absent"  # not paired, no points (a late entry's missed round, an absence)
KINDS = (GAME, FORFEIT_WIN, FORFEIT_LOSS, PAB, BYE, ABSENT)

WHITE, BLACK = "w", "b"


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """One past round of one player: what happened and the points it earned."""

    kind: str
    points: float
    opponent: str | None = None
    colour: str | None = None  # WHITE or BLACK for a game or a forfeit (as paired)


@dataclass(frozen=True, slots=True)
class Entrant:
    """A player to pair: id, pairing number (1 is the top) and the rounds so far."""

    id: str
    number: int
    rounds: tuple[RoundRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Options:
    """The round to pair and the tournament's rules for it."""

    round: int  # 1-based: the round being paired
    rounds: int  # the tournament's number of rounds
    initial_colour: str = WHITE  # what pairing number 1 gets in round 1 (C.04.3 E.5)
    baku: bool = False  # Baku acceleration (C.04.5.1)
    win: float = 1.0  # the points of a win (topscorers, floats of unplayed rounds)
    loss: float = 0.0
    players: int = 0  # the field's size for Baku's group A (0: the players passed in)


@dataclass(slots=True)
class Player:
    """An entrant with what the rules read from its history, in pairing order."""

    id: str
    number: int
    score: float  # the pairing score (Baku's virtual points included)
    colours: list[str] = field(default_factory=list)  # played games only, in order
    floats: list[str] = field(default_factory=list)  # "up" | "down" | "" per round
    opponents: set[str] = field(default_factory=set)  # played games only
    bye_eligible: bool = True
    unplayed: int = 0  # rounds without a game
    topscorer: bool = False
    colour_difference: int = 0  # whites less blacks
    want: str | None = None  # the colour preference (A.6), set by ``players.build``
    strength: int = 0

    def set_colours(self, colours: list[str]) -> None:
        self.colours = colours
        self.colour_difference = colours.count(WHITE) - colours.count(BLACK)

    def float_back(self, k: int) -> str:
        """The float of k rounds ago (1: the last round), or ""."""
        return self.floats[-k] if len(self.floats) >= k else ""
