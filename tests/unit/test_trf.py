"""TRF-16 in and out: a file read by hand, export -> import -> export identical on arbitrary
files, and the Dutch records a TRF round stands for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.dutch import BYE, FORFEIT_WIN, GAME, PAB, RoundRecord
from app.domain.trf import (
    RESULTS,
    TrfError,
    TrfFile,
    TrfPlayer,
    TrfRound,
    parse,
    record,
    trf_round,
    write,
)

# columns: 1-3 code, 5-8 number, 10 sex, 11-13 title, 15-47 name, 49-52 rating, 54-56
# federation, 58-68 FIDE id, 70-79 birth, 81-84 points, 86-89 rank, 92- rounds of 10
SAMPLE = (
    "\n".join(
        [
            "012 Friday Cup",
            "042 2026/11/27",
            "XXR 3",
            "001    1 m GM Carlsen, Magnus                   2830 NOR     1503014 1990/11/30"
            "  2.5    1     3 w 1     2 b =     4 w 1",
            "001    2 wWGM Ju, Wenjun                        2560 CHN     8603006 1991/01/31"
            "  1.5    2     4 b 1     1 w =  0000 - H",
            "001    3 m    Smith, John                       1500 ENG                        "
            " 0.0    4     1 b 0     4 w -",
            "001    4 m FM Doe, Jane                         2100 USA                        "
            " 1.0    3     2 w 0     3 b +     1 b 0",
        ]
    )
    + "\n"
)


def test_a_file_read_by_hand() -> None:
    doc = parse(SAMPLE)
    assert doc.value("012") == "Friday Cup" and doc.value("XXR") == "3"
    one, two, three, four = doc.players
    assert (one.number, one.sex, one.title, one.name, one.rating) == (
        1, "m", "GM", "Carlsen, Magnus", 2830,
    )  # fmt: skip
    assert (one.federation, one.fide_id, one.birth, one.points, one.rank) == (
        "NOR", "1503014", "1990/11/30", 2.5, 1,
    )  # fmt: skip
    assert one.rounds == [TrfRound(3, "w", "1"), TrfRound(2, "b", "="), TrfRound(4, "w", "1")]
    assert two.title == "WGM" and two.rounds[2] == TrfRound(None, "-", "H")
    assert three.rounds == [TrfRound(1, "b", "0"), TrfRound(4, "w", "-")]  # round 3 blank
    assert four.rounds[1] == TrfRound(3, "b", "+") and four.fide_id == ""


def test_the_sample_round_trips() -> None:
    once = write(parse(SAMPLE))
    assert write(parse(once)) == once
    assert once == SAMPLE


@pytest.mark.parametrize(
    "line",
    ["001 abcd", "001    1 m     Name                              12x4", "ABCDE", "01 short"],
)
def test_lines_that_are_not_trf_are_refused(line: str) -> None:
    with pytest.raises(TrfError):
        parse(line)


def test_a_bad_round_block_is_refused() -> None:
    bad = SAMPLE.splitlines()[3][:91] + "   3 x 1  "
    with pytest.raises(TrfError, match="line 1"):
        parse(bad)


def without_trailing_blanks(rs: list[TrfRound | None]) -> list[TrfRound | None]:
    while rs and rs[-1] is None:
        rs = rs[:-1]
    return rs


names = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=33)
rounds = st.one_of(
    st.none(),
    st.builds(
        TrfRound, st.integers(1, 9999), st.sampled_from("wb"), st.sampled_from(list(RESULTS))
    ),
    st.builds(TrfRound, st.none(), st.just("-"), st.sampled_from(list("HFUZ-"))),
)
players = st.builds(
    TrfPlayer,
    number=st.integers(1, 9999),
    name=names,
    sex=st.sampled_from(["", "m", "w"]),
    title=st.sampled_from(["", "GM", "IM", "WGM", "FM", "WIM", "CM", "WFM", "WCM"]),
    rating=st.integers(0, 3000),
    federation=st.sampled_from(["", "FRA", "IND"]),
    fide_id=st.sampled_from(["", "1503014", "12345678901"]),
    birth=st.sampled_from(["", "1990/11/30"]),
    points=st.integers(0, 30).map(lambda x: x / 2),
    rank=st.integers(0, 9999),
    rounds=st.lists(rounds, max_size=12).map(without_trailing_blanks),
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(players, max_size=20, unique_by=lambda p: p.number), names)
def test_export_import_export_is_identical(people: list[TrfPlayer], name: str) -> None:
    doc = TrfFile([("012", name), ("XXR", "9")], people)
    text = write(doc)
    again = parse(text)
    assert write(again) == text
    assert [p.rounds for p in again.players] == [
        p.rounds for p in sorted(people, key=lambda p: p.number)
    ]


def test_rounds_as_dutch_records_and_back() -> None:
    numbers = {1: "a", 2: "b"}
    back = {"a": 1, "b": 2}
    cases = [
        (TrfRound(2, "w", "1"), RoundRecord(GAME, 1.0, "b", "w")),
        (TrfRound(2, "b", "="), RoundRecord(GAME, 0.5, "b", "b")),
        (TrfRound(2, "w", "+"), RoundRecord(FORFEIT_WIN, 1.0, "b", "w")),
        (TrfRound(None, "-", "U"), RoundRecord(PAB, 1.0)),
        (TrfRound(None, "-", "H"), RoundRecord(BYE, 0.5)),
        (TrfRound(None, "-", "Z"), RoundRecord(BYE, 0.0)),
    ]
    for trf, rec in cases:
        assert record(trf, numbers) == rec
        assert trf_round(rec, back) == trf
    assert record(TrfRound(2, "w", ""), numbers) is None
