"""The single executable, built (or found up to date) once per session, and a bare machine
to run it on: an empty directory, an environment with no Python on PATH and a HOME of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXECUTABLE = ROOT / "dist" / "tourney"


@pytest.fixture(scope="session")
def executable() -> Path:
    """dist/tourney, from bundle/build.py (./dev test has built it already; then this is quick)."""
    subprocess.run([sys.executable, str(ROOT / "bundle" / "build.py")], check=True, timeout=1500)
    return EXECUTABLE


def bare_environment(home: Path) -> dict[str, str]:
    """All a process gets under ``env -i``, plus a PATH holding nothing (so no Python either),
    a HOME and a TMPDIR of its own."""
    for sub in ("bin", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {"PATH": str(home / "bin"), "HOME": str(home), "TMPDIR": str(home / "tmp")}
