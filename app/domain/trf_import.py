"""A Swiss started elsewhere, continued here from its TRF-16 (``trf_export`` writes the same).

The file's players become the participants, seeded by their starting rank (the pairing numbers
stay the file's: ``pairing_numbers = "seed"``), with their title, rating and FIDE record. Each
round's blocks become its matches, checked against each other (both players name each other,
with opposite colours and results that agree): games, forfeits, double forfeits, the
pairing-allocated bye (``U``, or ``F``), and games paired but not played yet (no result), which
are ready to be reported. ``H`` and ``Z`` are byes of half a point and none; ``0000 - -`` is a
round not played. The number of rounds (XXR), the colour of round 1 (XXC, else as pairing
number 1 played it) and points other than chess's (BBW, BBD, BBL, BBU) become settings; the
other header lines are kept (``trf_header``) and written back on export.

Everything arrives in one ``tournament.created`` event: the import is whole or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .commands import visibility
from .errors import Invalid
from .fide import WRITTEN, fide_record
from .formats.base import match_id
from .formats.swiss import normalize_swiss
from .models import FormatName, Match, MatchState, Result, Slot, Tournament
from .signup import MAX_PARTICIPANTS
from .trf import TrfError, TrfFile, TrfPlayer, TrfRound, parse
from .validation import MAX_NAME, TITLES, obj, only_keys, text

GAME_RESULTS = {("1", "0"), ("0", "1"), ("=", "="), ("W", "L"), ("L", "W"), ("D", "D"),
                ("+", "-"), ("-", "+"), ("-", "-"), ("", "")}  # fmt: skip
POINT_LINES = {"BBW": "win", "BBD": "draw", "BBL": "loss", "BBU": "bye"}
MAX_ROUNDS = 64


def read_body(body: Any) -> tuple[str, dict[str, Any]]:
    """The TRF text, and the fields given beside it (``name``, ``visibility``, ``settings``)."""
    if isinstance(body, str):
        return body, {}
    body = obj(body, "body")
    only_keys(body, {"trf", "name", "visibility", "settings"})
    trf = body.get("trf")
    if not isinstance(trf, str) or not trf.strip():
        raise Invalid.field("trf", "must be the text of a TRF-16 file")
    return trf, body


def tournament_data(body: Any, tid: str, new_id: Callable[[str], str]) -> dict[str, Any]:
    """The ``tournament.created`` data of tournament ``tid`` from a TRF (Invalid, naming the
    line, when the file does not hold together)."""
    text_, fields = read_body(body)
    try:
        doc = parse(text_)
    except TrfError as exc:
        raise Invalid.field("trf", str(exc)) from None
    players = check_players(doc)
    ids = {p.number: new_id("p_") for p in players}
    t = Tournament(tid, "", FormatName.SWISS, {})
    matches, byes = rounds(t, players, ids)
    played = max((m.round for m in matches), default=0)
    xxr = (doc.value("XXR") or "").strip()
    if xxr and not xxr.isdigit():
        raise Invalid.field("trf", f"XXR {xxr!r} is not a number of rounds")
    given = obj(fields.get("settings", {}), "settings")
    settings = {**import_settings(doc, players, int(xxr or 0) or max(played, 1)), **given}
    if isinstance(settings.get("rounds"), int) and settings["rounds"] < played:
        raise Invalid.field("settings.rounds", f"the file has {played} rounds paired already")
    name = fields.get("name") or doc.value("012") or "Imported tournament"
    people = [participant(p, i, ids[p.number], byes.get(p.number, []))
              for i, p in enumerate(players, start=1)]  # fmt: skip
    return {
        "name": text(name, "name"),
        "format": FormatName.SWISS,
        "settings": normalize_swiss(settings),
        "visibility": visibility(fields.get("visibility", "public")),
        "trf_header": {c: v.strip() for c, v in doc.lines if c not in WRITTEN and v.strip()},
        "import": {
            "participants": people,
            "matches": [m.to_dict() for m in matches],
        },
    }


def check_players(doc: TrfFile) -> list[TrfPlayer]:
    if not doc.players:
        raise Invalid.field("trf", "the file lists no players (001 lines)")
    if len(doc.players) > MAX_PARTICIPANTS:
        raise Invalid.field("trf", f"a tournament holds at most {MAX_PARTICIPANTS} players")
    seen: set[int] = set()
    names: set[str] = set()
    for p in doc.players:
        if p.number in seen or p.number < 1:
            raise Invalid.field("trf", f"player {p.number}: a starting rank twice (or 0)")
        if not p.name or len(p.name) > MAX_NAME or p.name.casefold() in names:
            raise Invalid.field("trf", f"player {p.number}: no name, or a name given twice")
        seen.add(p.number)
        names.add(p.name.casefold())
    return sorted(doc.players, key=lambda p: p.number)


def participant(p: TrfPlayer, seed: int, pid: str, byes: list[dict[str, Any]]) -> dict[str, Any]:
    fide = {"id": p.fide_id, "federation": p.federation, "sex": p.sex, "birth": p.birth}
    row: dict[str, Any] = {"id": pid, "name": p.name, "seed": seed,
                           "rating": p.rating or None, "byes": byes}  # fmt: skip
    if p.title in TITLES:
        row["title"] = p.title
    try:
        record = fide_record({k: v for k, v in fide.items() if v}, "fide")
    except Invalid as exc:
        raise Invalid.field("trf", f"player {p.number}: {exc.detail}") from None
    if record:
        row["fide"] = record
    return row


def rounds(
    t: Tournament, players: list[TrfPlayer], ids: dict[int, str]
) -> tuple[list[Match], dict[int, list[dict[str, Any]]]]:
    """Every round's matches, and each player's byes."""
    by_number = {p.number: p for p in players}
    count = max((len(p.rounds) for p in players), default=0)
    if count > MAX_ROUNDS:
        raise Invalid.field("trf", f"a tournament has at most {MAX_ROUNDS} rounds")
    matches: list[Match] = []
    byes: dict[int, list[dict[str, Any]]] = {}
    for r in range(1, count + 1):
        games: list[tuple[int, int, str, str]] = []  # (white, black, white's, black's)
        pabs: list[int] = []
        for p in players:
            block = p.rounds[r - 1] if r <= len(p.rounds) else None
            if block is None or block.opponent is None:
                unpaired_block(p, block, r, pabs, byes)
            elif p.number < block.opponent:
                games.append(pair_up(p, block, by_number, r))
            else:
                pair_up(p, block, by_number, r)  # checked from the other side too
        matches += round_matches(t, r, games, pabs, ids)
    return matches, byes


def unpaired_block(
    p: TrfPlayer, block: TrfRound | None, r: int, pabs: list[int],
    byes: dict[int, list[dict[str, Any]]],
) -> None:  # fmt: skip
    code = block.result if block is not None else "-"
    if code in ("U", "F"):
        pabs.append(p.number)
    elif code in ("H", "Z"):
        points = "half" if code == "H" else "zero"
        byes.setdefault(p.number, []).append({"round": r, "points": points,
                                              "reason": "requested"})  # fmt: skip
    elif code not in ("-", "0", ""):
        raise Invalid.field("trf", f"player {p.number}, round {r}: {code!r} needs an opponent")


def pair_up(
    p: TrfPlayer, block: TrfRound, by_number: dict[int, TrfPlayer], r: int
) -> tuple[int, int, str, str]:
    """A game as (white, black, white's result, black's result), checked from both sides."""
    where = f"player {p.number}, round {r}"
    assert block.opponent is not None
    other = by_number.get(block.opponent)
    theirs = other.rounds[r - 1] if other is not None and r <= len(other.rounds) else None
    if theirs is None or theirs.opponent != p.number:
        raise Invalid.field("trf", f"{where}: player {block.opponent} does not name them back")
    if (block.result, theirs.result) not in GAME_RESULTS:
        raise Invalid.field("trf", f"{where}: results {block.result!r} and {theirs.result!r} "
                                   "do not agree")  # fmt: skip
    colours = (block.colour, theirs.colour)
    if colours not in (("w", "b"), ("b", "w"), ("-", "-")):
        raise Invalid.field("trf", f"{where}: colours {colours[0]!r} and {colours[1]!r}")
    if colours[0] == "b":
        return block.opponent, p.number, theirs.result, block.result
    return p.number, block.opponent, block.result, theirs.result


def round_matches(
    t: Tournament, r: int, games: list[tuple[int, int, str, str]], pabs: list[int],
    ids: dict[int, str],
) -> list[Match]:  # fmt: skip
    out = []
    games.sort(key=lambda g: min(g[0], g[1]))
    for number, (white, black, rw, rb) in enumerate(games, start=1):
        m = Match(match_id(t, "swiss", r, number, 1), "swiss", r, number,
                  [Slot(ids[white]), Slot(ids[black])], group=1)  # fmt: skip
        decide(m, rw, rb)
        out.append(m)
    for number, pnum in enumerate(sorted(pabs), start=len(games) + 1):
        m = Match(match_id(t, "swiss", r, number, 1), "swiss", r, number,
                  [Slot(ids[pnum]), Slot()], group=1)  # fmt: skip
        m.state, m.result, m.winner_id = MatchState.COMPLETE, Result.BYE, ids[pnum]
        out.append(m)
    return out


def decide(m: Match, white: str, black: str) -> None:
    """The match as the two results say (both empty: paired, not played yet)."""
    a, b = m.participants
    if white == "" and black == "":
        return
    m.state = MatchState.COMPLETE
    if white == black == "-":
        m.result = Result.DOUBLE_FORFEIT
    elif "+" in (white, black):
        m.result = Result.FORFEIT
        m.winner_id, m.loser_id = (a, b) if white == "+" else (b, a)
    elif white in ("=", "D"):
        m.result = Result.DRAW
    else:
        m.result = Result.WIN
        m.winner_id, m.loser_id = (a, b) if white in ("1", "W") else (b, a)


def import_settings(doc: TrfFile, players: list[TrfPlayer], rounds_given: int) -> dict[str, Any]:
    """The settings a TRF says: rounds, the first colour, points, numbering by the file's."""
    settings: dict[str, Any] = {"rounds": max(1, min(rounds_given, 64)),
                                "pairing_numbers": "seed"}  # fmt: skip
    colour = (doc.value("XXC") or "").strip().lower()
    if colour in ("white1", "black1"):
        settings["initial_colour"] = colour.removesuffix("1")
    else:
        first = players[0].rounds[0] if players and players[0].rounds else None
        if first is not None and first.colour in ("w", "b"):
            white = first.colour == "w"
            settings["initial_colour"] = "white" if white == (players[0].number % 2 == 1) \
                else "black"  # fmt: skip
    points = {}
    for code, key in POINT_LINES.items():
        given = doc.value(code)
        if given is not None:
            try:
                points[key] = float(given)
            except ValueError:
                raise Invalid.field("trf", f"{code} {given!r} is not a number") from None
    if points:
        settings["points"] = points
    return settings
