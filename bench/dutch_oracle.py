"""The Dutch system against the independent engine of caissify-pairings, on many random
tournaments (draws, forfeits, requested byes, late entries, withdrawals), round by round.

Run: ``.venv/bin/python bench/dutch_oracle.py --tournaments 40 --largest 150`` (from the
repository root). Prints every round that differs, then the totals: rounds compared,
identical, absolute-criteria violations (ours and the oracle's), colours on common pairs.
The oracle is slow on large fields (about half a minute a round at 120 players).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "oracle"))

from simulate import Totals, run, tournament_shape  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tournaments", type=int, default=40)
    ap.add_argument("--largest", type=int, default=150, help="players: 5 to this many")
    ap.add_argument("--first-seed", type=int, default=0)
    args = ap.parse_args()
    totals = Totals()
    started = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.tournaments):
        size, rounds = tournament_shape(seed, args.largest)
        for report in run(seed, size, rounds):
            totals.add(report)
            if not report.same_pairs:
                why = "no legal pairing" if report.ours.relaxed else "differs"
                print(
                    f"  seed {seed} ({size} players, {rounds} rounds) round {report.round}: {why}"
                )
            for v in report.violations if not report.ours.relaxed else []:
                print(f"  seed {seed} round {report.round}: violation: {v}")
        print(f"seed {seed}: {size} players, {rounds} rounds; so far: {totals.line()}", flush=True)
    print(f"{time.perf_counter() - started:.0f} s")
    print(totals.line())


if __name__ == "__main__":
    main()
