"""Our TRF-16 reader and writer against caissify-pairings' (an independent implementation),
both ways, on random tournaments. caissify-pairings reads and writes the title one column to
the right of columns 11-13 (12-14): two-letter titles survive that, three-letter ones (WGM,
WIM, WFM, WCM) do not, so this comparison gives two-letter titles only (docs/formats.md)."""

from __future__ import annotations

import random

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
