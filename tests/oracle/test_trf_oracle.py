"""Our TRF-16 reader and writer against caissify-pairings' (an independent implementation),
both ways, on random tournaments. caissify-pairings reads and writes the title one column to
the right of columns 11-13 (12-14): two-letter titles survive that, three-letter ones (WGM,
WIM, WFM, WCM) do not, so this comparison gives two-letter titles only (docs/formats.md)."""

from __future__ import annotations

import contextlib
import random
import sys
from pathlib import Path
from typing import Any

from caissify_pairings.trf import TRFParser, TRFWriter
from simulate import Tournament

from app.domain import dutch
from app.domain.dutch import Options
from app.domain.trf import TrfFile, TrfPlayer, parse, trf_round, write

TITLES = ["", "GM", "IM", "FM", "CM"]


def played(seed: int, size: int, rounds: int) -> TrfFile:
    """A TRF of a random tournament played by our Dutch system."""
    rng = random.Random(seed)
    t = Tournament(rng, size, rounds)
    for rnd in range(1, rounds + 1):
        ids, away = t.present(rnd)
        pairing = dutch.pair(
            [t.entrant(p) for p in ids], Options(rnd, rounds), [t.entrant(p) for p in away]
        )
        t.play(rnd, pairing)
    numbers = {pid: int(pid[1:]) for pid in t.history}
    people = []
    for pid, hist in t.history.items():
        p = TrfPlayer(numbers[pid], f"Player, {pid.upper()}", rng.choice(["m", "w"]))
        p.title, p.rating = rng.choice(TITLES), rng.choice([0, rng.randint(1000, 2800)])
        p.points = sum(r.points for r in hist)
        p.rounds = [trf_round(r, numbers) for r in hist]
        people.append(p)
    return TrfFile([("012", f"Random {seed}"), ("XXR", str(rounds))], people)


def theirs_to_rounds(results: dict[int, dict[str, object]], count: int) -> list[tuple[object, ...]]:
    out = []
    for r in range(1, count + 1):
        x = results.get(r)
        out.append(None if x is None else (x["opponent"], x["color"] or "-", x["result"]))
    return out


def ours_to_rounds(p: TrfPlayer, count: int) -> list[tuple[object, ...]]:
    rounds = [*p.rounds, *[None] * (count - len(p.rounds))]
    return [None if r is None else (r.opponent, r.colour, r.result) for r in rounds]


def test_our_files_read_by_caissify() -> None:
    for seed in range(5):
        doc = played(seed, 9 + 7 * seed, 5 + seed % 3)
        count = int(doc.value("XXR") or 0)
        theirs = {p["starting_number"]: p for p in TRFParser(write(doc)).parse()["players"]}
        for p in doc.players:
            q = theirs[p.number]
            assert (q["name"], q["title"], q["rating"], q["sex"]) == (
                p.name, p.title, p.rating, p.sex,
            )  # fmt: skip
            assert q["score"] == p.points
            assert theirs_to_rounds(q["results"], count) == ours_to_rounds(p, count)


def test_caissify_files_read_by_us() -> None:
    for seed in range(5):
        doc = played(100 + seed, 8 + 5 * seed, 6)
        dicts = [
            {
                "starting_number": p.number, "name": p.name, "sex": p.sex, "title": p.title,
                "rating": p.rating, "score": p.points, "rank": p.number,
                "results": {
                    k: {"opponent": r.opponent, "color": r.colour, "result": r.result}
                    for k, r in enumerate(p.rounds, start=1) if r is not None
                },
            }
            for p in doc.players
        ]  # fmt: skip
        text = TRFWriter({"name": doc.value("012")}, dicts, 6).write()
        ours = parse(text)
        assert [(p.number, p.name, p.title, p.rating, p.points) for p in ours.players] == [
            (p.number, p.name, p.title, p.rating, p.points) for p in doc.players
        ]
        assert [ours_to_rounds(p, 6) for p in ours.players] == [
            ours_to_rounds(p, 6) for p in doc.players
        ]
        assert write(parse(write(ours))) == write(ours)


# ---- whole tournaments: our export read by caissify, its files imported by us ----------------

UNIT = str(Path(__file__).resolve().parent.parent / "unit")
if UNIT not in sys.path:
    sys.path.insert(0, UNIT)


def evening(seed: int) -> Any:
    """A Swiss run the way a director runs one (test_director.act): late entries, byes,
    withdrawals, forfeits, corrections, a round left unplayed."""
    from drive import Driver
    from test_director import ACTIONS, act

    from app.domain.errors import DomainError

    rng = random.Random(seed)
    d = Driver("swiss", {"rounds": 6, "late_entry_points": rng.choice(["zero", "half"])})
    d.add_rows([{"name": f"Player, {i:02d}", "rating": rng.randint(1200, 2700),
                 "title": rng.choice(["GM", "IM", "FM", "CM", None])}
                for i in range(9 + seed)], [f"p{i}" for i in range(9 + seed)])  # fmt: skip
    d.start()
    for _ in range(120):
        with contextlib.suppress(DomainError):
            act(d, rng, rng.choice(ACTIONS))
    return d


def test_our_export_of_a_directors_evening_read_by_caissify() -> None:
    from app.domain.trf_export import export

    for seed in range(6):
        text = export(evening(seed).t)
        ours = parse(text)
        theirs = TRFParser(text).parse()
        assert theirs["tournament"]["name"] == ours.value("012")
        assert theirs["tournament"]["total_rounds"] == int(ours.value("XXR") or 0)
        by_number = {p["starting_number"]: p for p in theirs["players"]}
        count = max(len(p.rounds) for p in ours.players)
        for p in ours.players:
            q = by_number[p.number]
            assert (q["name"], q["title"], q["rating"], q["score"]) == (
                p.name, p.title, p.rating, p.points)  # fmt: skip
            assert theirs_to_rounds(q["results"], count) == ours_to_rounds(p, count), seed


def test_a_file_caissify_writes_is_imported_and_continued() -> None:
    from app.domain import state
    from app.domain.events import Event, EventType
    from app.domain.trf_export import export
    from app.domain.trf_import import tournament_data

    for seed in range(4):
        doc = played(200 + seed, 10 + 3 * seed, 5)
        dicts = [
            {
                "starting_number": p.number, "name": p.name, "sex": p.sex, "title": p.title,
                "rating": p.rating, "score": p.points, "rank": p.number,
                "results": {
                    k: {"opponent": r.opponent, "color": r.colour, "result": r.result}
                    for k, r in enumerate(p.rounds, start=1) if r is not None
                },
            }
            for p in doc.players
        ]  # fmt: skip
        text = TRFWriter({"name": f"Elsewhere {seed}", "color_method": "white1"}, dicts, 7).write()
        ids = iter(range(10**6))
        data = tournament_data({"trf": text}, "t9", lambda prefix, ids=ids: f"{prefix}{next(ids)}")
        t = state.new_tournament(Event("e", 1, EventType.TOURNAMENT_CREATED, "t9",
                                       "2026-03-01T00:00:00Z", data))  # fmt: skip
        assert t.settings["rounds"] == 7 and t.settings["initial_colour"] == "white"
        again = parse(export(t))
        assert [(p.number, p.name, p.title, p.rating, p.points) for p in again.players] == [
            (p.number, p.name, p.title, p.rating, p.points) for p in doc.players
        ]
        absent = (None, "-", "-")  # a blank block and "0000 - -" both say: not played
        assert [ours_to_rounds(p, 5) for p in again.players] == [
            [r or absent for r in ours_to_rounds(p, 5)] for p in doc.players
        ]
