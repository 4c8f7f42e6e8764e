"""TRF-16, FIDE's Tournament Report File (FIDE Handbook C.04 Annex, "TRF16"): text in and out
of a neutral structure. Pure: no I/O.

A file is lines of a three-character code, a space and the data. ``001`` lines are players,
in fixed columns (1-based): 5-8 starting rank, 10 sex, 11-13 title, 15-47 name, 49-52 FIDE
rating, 54-56 federation, 58-68 FIDE number, 70-79 birth date, 81-84 points, 86-89 rank, then
one 10-column block per round from column 92: 4 columns of opponent (``0000`` for none), a
space, the colour (``w``, ``b`` or ``-``), a space, the result code (``RESULTS``), two spaces.
Every other line (``012`` the name, ``XXR`` the number of rounds, ...) is kept as it came, in
order, so that export -> import -> export gives the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dutch import (
    ABSENT,
    BYE,
    FORFEIT_LOSS,
    FORFEIT_WIN,
    GAME,
    PAB,
    RoundRecord,
)

RESULTS = {
    "1": "win",
    "0": "loss",
    "=": "draw",
    "+": "forfeit win",
    "-": "forfeit loss (or absent, without an opponent)",
    "W": "win in one move or less",
    "D": "draw in one move or less",
    "L": "loss in one move or less",
    "H": "half-point bye",
    "F": "full-point bye",
    "U": "pairing-allocated bye",
    "Z": "zero-point bye",
    "": "paired, not played yet",
}
PLAYER = "001"
BLOCK = 10
FIRST_BLOCK = 91  # 0-based column of round 1's block


class TrfError(ValueError):
    """A line that is not TRF-16, with its line number."""


@dataclass(frozen=True, slots=True)
class TrfRound:
    opponent: int | None  # starting rank; None for 0000
    colour: str  # "w", "b" or "-"
    result: str  # a key of RESULTS


@dataclass(slots=True)
class TrfPlayer:
    number: int
    name: str
    sex: str = ""
    title: str = ""
    rating: int = 0
    federation: str = ""
    fide_id: str = ""
    birth: str = ""
    points: float = 0.0
    rank: int = 0
    rounds: list[TrfRound | None] = field(default_factory=list)  # None: a blank block


@dataclass(slots=True)
class TrfFile:
    lines: list[tuple[str, str]] = field(default_factory=list)  # (code, data), not players
    players: list[TrfPlayer] = field(default_factory=list)

    def value(self, code: str) -> str | None:
        return next((data for c, data in self.lines if c == code), None)


COLUMNS = {  # 0-based slices of a 001 line
    "number": (4, 8),
    "sex": (9, 10),
    "title": (10, 13),
    "name": (14, 47),
    "rating": (48, 52),
    "federation": (53, 56),
    "fide_id": (57, 68),
    "birth": (69, 79),
    "points": (80, 84),
    "rank": (85, 89),
}


def cut(line: str, name: str) -> str:
    a, b = COLUMNS[name]
    return line[a:b].strip()


def parse_round(block: str, where: int) -> TrfRound | None:
    if not block.strip():
        return None
    opponent, colour, result = block[0:4].strip(), block[5:6], block[7:8].strip()
    if not opponent.isdigit() or colour not in ("w", "b", "-", " ") or result not in RESULTS:
        raise TrfError(f"line {where}: a round block {block!r} is not TRF-16")
    number = int(opponent)
    return TrfRound(number or None, colour if colour != " " else "-", result)


def parse_player(line: str, where: int) -> TrfPlayer:
    number, rating, points, rank = (cut(line, k) for k in ("number", "rating", "points", "rank"))
    if not number.isdigit() or not (rating == "" or rating.isdigit()):
        raise TrfError(f"line {where}: a player line needs a starting rank and a rating")
    try:
        score = float(points) if points else 0.0
    except ValueError:
        raise TrfError(f"line {where}: points {points!r} are not a number") from None
    p = TrfPlayer(int(number), cut(line, "name"), cut(line, "sex"), cut(line, "title"))
    p.rating, p.points, p.rank = int(rating or 0), score, int(rank) if rank.isdigit() else 0
    p.federation, p.fide_id, p.birth = (
        cut(line, "federation"),
        cut(line, "fide_id"),
        cut(line, "birth"),
    )
    blocks = line[FIRST_BLOCK:]
    p.rounds = [parse_round(blocks[k : k + BLOCK], where) for k in range(0, len(blocks), BLOCK)]
    while p.rounds and p.rounds[-1] is None:
        p.rounds.pop()
    return p


def parse(text: str) -> TrfFile:
    out = TrfFile()
    for where, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code = line[:3]
        if code == PLAYER:
            out.players.append(parse_player(line, where))
        elif len(code) == 3 and (len(line) == 3 or line[3] == " "):
            out.lines.append((code, line[4:]))
        else:
            raise TrfError(f"line {where}: {line[:20]!r} does not start with a code")
    out.players.sort(key=lambda p: p.number)
    return out


def format_round(r: TrfRound | None) -> str:
    if r is None:
        return " " * BLOCK
    opponent = f"{r.opponent or 0:04d}" if r.opponent is None else f"{r.opponent:>4}"
    return f"{opponent} {r.colour} {r.result or ' '}  "


def format_player(p: TrfPlayer) -> str:
    cells = {
        "number": f"{p.number:>4}",
        "sex": p.sex[:1],
        "title": f"{p.title:>3}"[:3],
        "name": f"{p.name:<33}"[:33],
        "rating": f"{p.rating:>4}" if p.rating else "",
        "federation": p.federation[:3],
        "fide_id": f"{p.fide_id:>11}"[:11],
        "birth": p.birth[:10],
        "points": f"{p.points:4.1f}",
        "rank": f"{p.rank:>4}" if p.rank else "",
    }
    line = [" "] * FIRST_BLOCK
    line[0:3] = PLAYER
    for name, text in cells.items():
        a, _ = COLUMNS[name]
        line[a : a + len(text)] = text
    return ("".join(line) + "".join(format_round(r) for r in p.rounds)).rstrip()


def write(doc: TrfFile) -> str:
    lines = [f"{code} {data}".rstrip() for code, data in doc.lines]
    lines += [format_player(p) for p in sorted(doc.players, key=lambda p: p.number)]
    return "\n".join(lines) + "\n"


# ---- TRF rounds as the Dutch system's records ------------------------------------------------


def record(r: TrfRound, numbers: dict[int, str]) -> RoundRecord | None:
    """One TRF round as a Dutch ``RoundRecord`` (chess points: 1, 1/2, 0); None when the
    round is paired but not played yet."""
    colour = r.colour if r.colour in ("w", "b") else None
    opponent = numbers.get(r.opponent) if r.opponent else None
    points = {"1": 1.0, "W": 1.0, "=": 0.5, "D": 0.5, "+": 1.0, "F": 1.0, "U": 1.0, "H": 0.5}
    score = points.get(r.result, 0.0)
    if r.result == "":
        return None
    if r.result in "10=WDL" and opponent is not None:
        return RoundRecord(GAME, score, opponent, colour)
    if r.result == "+":
        return RoundRecord(FORFEIT_WIN, score, opponent, colour)
    if r.result == "-" and opponent is not None:
        return RoundRecord(FORFEIT_LOSS, score, opponent, colour)
    if r.result == "U":
        return RoundRecord(PAB, score)
    if r.result in "HFZ":
        return RoundRecord(BYE, score)
    return RoundRecord(ABSENT, 0.0)


def trf_round(rec: RoundRecord, numbers: dict[str, int]) -> TrfRound:
    """A Dutch ``RoundRecord`` as a TRF round (its points read as chess points)."""
    opponent = numbers.get(rec.opponent) if rec.opponent else None
    colour = rec.colour or "-"
    if rec.kind == GAME:
        code = "1" if rec.points >= 1 else "=" if rec.points > 0 else "0"
        return TrfRound(opponent, colour, code)
    if rec.kind in (FORFEIT_WIN, FORFEIT_LOSS):
        return TrfRound(opponent, colour, "+" if rec.kind == FORFEIT_WIN else "-")
    if rec.kind == PAB:
        return TrfRound(None, "-", "U")
    if rec.kind == BYE:
        return TrfRound(None, "-", "F" if rec.points >= 1 else "H" if rec.points > 0 else "Z")
    return TrfRound(None, "-", "-")
