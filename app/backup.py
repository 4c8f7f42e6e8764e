"""``tourney backup``: a consistent copy of the SQLite database, taken while the server runs.

SQLite's online backup API copies page by page and restarts if a writer changes the database
mid-copy, so the copy is a snapshot of one moment. Events acknowledged but not yet written by
then are still in the Redis stream (and its append-only file), not in the copy.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path


def backup(data_dir: Path, dest: Path) -> dict[str, object]:
    source = data_dir / "tourney.sqlite3"
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    if dest.exists():
        raise FileExistsError(f"{dest} exists; choose a new file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst, pages=1024)  # in steps, so a running server's writer is not held up
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        (events,) = dst.execute("SELECT COUNT(*) FROM events").fetchone()
        (tournaments,) = dst.execute("SELECT COUNT(*) FROM tournaments").fetchone()
        (seq,) = dst.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        (check,) = dst.execute("PRAGMA quick_check").fetchone()
    finally:
        src.close()
        dst.close()
    return {
        "file": str(dest), "bytes": dest.stat().st_size, "events": events,
        "tournaments": tournaments, "last_seq": seq, "check": check,
        "seconds": round(time.monotonic() - started, 3),
    }  # fmt: skip


def main(data_dir: str, dest: str) -> int:
    try:
        out = backup(Path(data_dir), Path(dest))
    except (OSError, sqlite3.Error) as exc:
        print(f"tourney backup: {exc}", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v}" for k, v in out.items()))
    return 0 if out["check"] == "ok" else 1
