"""Random Swiss tournaments played through our Dutch engine, each round compared with the
independent engine of caissify-pairings (the oracle) on the same history.

Tournaments have draws, forfeits (either way), requested half-point and zero-point byes, late
entries (their missed rounds scored 0 or 1/2 with no colour) and withdrawals.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field

from caissify_pairings.engines.dutch import DutchEngine

from app.domain import dutch
from app.domain.dutch import (
    ABSENT,
    BLACK,
    BYE,
    FORFEIT_LOSS,
    FORFEIT_WIN,
    GAME,
    PAB,
    WHITE,
    Entrant,
    Options,
    RoundRecord,
)
from app.domain.dutch.colours import alternate, preference, rank_key
from app.domain.dutch.model import Player
from app.domain.dutch.players import build

Board = tuple[str, str]


@dataclass
class RoundReport:
    players: int
    round: int
    ours: dutch.Pairing
    oracle_boards: list[Board]
    oracle_bye: str | None
    violations: list[str]
    oracle_violations: list[str]
    oracle_e4: int = 0  # colour differences that are the oracle's E.4 ranking (see below)

    @property
    def same_pairs(self) -> bool:
        mine = {frozenset(b) for b in self.ours.boards}
        theirs = {frozenset(b) for b in self.oracle_boards}
        return mine == theirs and self.ours.bye == self.oracle_bye

    def colour_counts(self) -> tuple[int, int]:
        """(pairs in both pairings, of which with the same colours)."""
        theirs = set(self.oracle_boards)
        flipped = {(b, w) for w, b in self.oracle_boards}
        common = [b for b in self.ours.boards if b in theirs or b in flipped]
        return len(common), sum(1 for b in common if b in theirs)


@dataclass
class Tournament:
    rng: random.Random
    size: int
    rounds: int
    history: dict[str, list[RoundRecord]] = field(default_factory=dict)
    joins: dict[str, int] = field(default_factory=dict)  # pid -> first round present
    gone: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for i in range(1, self.size + 1):
            late = self.rng.random() < 0.08 and self.rounds > 2
            self.joins[f"p{i}"] = self.rng.randint(2, min(3, self.rounds)) if late else 1
            self.history[f"p{i}"] = []

    def entrant(self, pid: str) -> Entrant:
        return Entrant(pid, int(pid[1:]), tuple(self.history[pid]))

    def present(self, rnd: int) -> tuple[list[str], list[str]]:
        """(players to pair, players not paired this round), recording the absences."""
        pairing, out = [], []
        for pid, hist in self.history.items():
            if pid in self.gone or self.joins[pid] > rnd:
                out.append(pid)
                continue
            while len(hist) < rnd - 1:  # a late entry's missed rounds
                missed = (
                    RoundRecord(BYE, 0.5) if self.rng.random() < 0.5 else RoundRecord(ABSENT, 0)
                )
                hist.append(missed)
            if rnd > 1 and self.rng.random() < 0.03:
                hist.append(RoundRecord(BYE, self.rng.choice([0.5, 0.0])))
                out.append(pid)
                continue
            pairing.append(pid)
        return pairing, out

    def play(self, rnd: int, pairing: dutch.Pairing) -> None:
        for w, b in pairing.boards:
            x = self.rng.random()
            if x < 0.04:
                loser = self.rng.choice([w, b])
                winner = b if loser == w else w
                side = {w: WHITE, b: BLACK}
                self.history[winner].append(RoundRecord(FORFEIT_WIN, 1.0, loser, side[winner]))
                self.history[loser].append(RoundRecord(FORFEIT_LOSS, 0.0, winner, side[loser]))
                continue
            pw = 1.0 if x < 0.42 else 0.5 if x < 0.72 else 0.0
            self.history[w].append(RoundRecord(GAME, pw, b, WHITE))
            self.history[b].append(RoundRecord(GAME, 1.0 - pw, w, BLACK))
        if pairing.bye:
            self.history[pairing.bye].append(RoundRecord(PAB, 1.0))
        for pid in list(self.history):
            if pid not in self.gone and self.rng.random() < 0.02 and rnd < self.rounds:
                self.gone.add(pid)


def oracle_pairing(
    entrants: list[Entrant], others: list[Entrant], options: Options
) -> tuple[list[Board], str | None]:
    """The oracle's pairing, from the same histories (its documented input contract)."""
    players = build(entrants, options, others)
    by_id = {e.id: e for e in entrants}
    dicts = [
        {
            "id": p.number,
            "name": p.id,
            "score": p.score,
            "rating": 3000 - p.number,
            "pairing_number": p.number,
            "starting_number": p.number,
            "color_hist": ["white" if c == WHITE else "black" for c in p.colours],
            "float_history": [f or "none" for f in p.floats],
            "bye_count": sum(1 for r in by_id[p.id].rounds if r.kind == PAB),
            "forfeit_win_count": 0 if p.bye_eligible else 1,
        }
        for p in players
    ]
    previous = {
        (int(e.id[1:]), int(r.opponent[1:]))
        for e in entrants
        for r in e.rounds
        if r.kind == GAME and r.opponent is not None
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        engine = DutchEngine(dicts, previous, options.round, options.rounds, initial_color="white")
        out = engine.generate_pairings()
    boards = [
        (f"p{x['white_id']}", f"p{x['black_id']}") for x in out if x.get("black_id") is not None
    ]
    bye = next((f"p{x['white_id']}" for x in out if x.get("black_id") is None), None)
    return boards, bye


def oracle_e4_differences(report: RoundReport, players: dict[str, Player]) -> int:
    """Colour differences on common pairs that are the oracle's E.4 reading: it gives the
    preference to the lower pairing number, where C.04.3 A.2 ranks by score first."""
    theirs = set(report.oracle_boards)
    count = 0
    for white, black in report.ours.boards:
        if (black, white) not in theirs:
            continue
        a, b = players[white], players[black]
        (wa, sa), (wb, sb) = preference(a), preference(b)
        same = wa == wb and sa == sb and abs(a.colour_difference) == abs(b.colour_difference)
        by_number = min((a, b), key=lambda p: p.number)
        by_rank = min((a, b), key=rank_key)
        if same and alternate(a, b) is None and by_number is not by_rank:
            count += 1
    return count


def run(seed: int, size: int, rounds: int) -> list[RoundReport]:
    t = Tournament(random.Random(seed), size, rounds)
    reports = []
    for rnd in range(1, rounds + 1):
        pairing_ids, out_ids = t.present(rnd)
        if len(pairing_ids) < 2:
            break
        entrants = [t.entrant(p) for p in pairing_ids]
        others = [t.entrant(p) for p in out_ids]
        options = Options(rnd, rounds)
        ours = dutch.pair(entrants, options, others)
        boards, bye = oracle_pairing(entrants, others, options)
        report = RoundReport(
            len(entrants),
            rnd,
            ours,
            boards,
            bye,
            dutch.check_pairing(entrants, options, ours.boards, ours.bye, others),
            dutch.check_pairing(entrants, options, boards, bye, others),
        )
        players = {p.id: p for p in build(entrants, options, others)}
        report.oracle_e4 = oracle_e4_differences(report, players)
        reports.append(report)
        t.play(rnd, ours)
    return reports


@dataclass
class Totals:
    rounds: int = 0
    identical: int = 0
    unpairable: int = 0  # rounds no pairing can give without breaking an absolute criterion
    violations: int = 0  # ours, in rounds that have a legal pairing
    oracle_violations: int = 0  # the oracle's, in the same rounds
    common_pairs: int = 0
    same_colours: int = 0
    oracle_e4: int = 0

    def add(self, r: RoundReport) -> None:
        self.rounds += 1
        self.identical += r.same_pairs
        if r.ours.relaxed:
            self.unpairable += 1
        else:
            self.violations += bool(r.violations)
            self.oracle_violations += bool(r.oracle_violations)
        common, same = r.colour_counts()
        self.common_pairs += common
        self.same_colours += same
        self.oracle_e4 += r.oracle_e4

    def line(self) -> str:
        pct = 100 * self.identical / max(1, self.rounds)
        col = 100 * self.same_colours / max(1, self.common_pairs)
        fair = 100 * (self.same_colours + self.oracle_e4) / max(1, self.common_pairs)
        return (
            f"rounds compared {self.rounds}, identical (pairs and bye) {self.identical} "
            f"({pct:.1f} %), absolute-criteria violations {self.violations} "
            f"(oracle {self.oracle_violations}), rounds with no legal pairing "
            f"{self.unpairable}; same colours {self.same_colours}/{self.common_pairs} "
            f"({col:.1f} %), {fair:.1f} % counting the {self.oracle_e4} that are the oracle's "
            "E.4 ranking"
        )


def tournament_shape(seed: int, largest: int) -> tuple[int, int]:
    """Players (5..``largest``) and rounds (5..9) of the tournament ``seed``."""
    rng = random.Random(seed)
    return rng.randint(5, largest), rng.randint(5, 9)
