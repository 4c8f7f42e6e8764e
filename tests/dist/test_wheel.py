"""The wheel: publishing-ready metadata, checked with PyPA's own parsers and classifier list; a
build without setuptools warnings; and ``pipx install .`` giving a ``tourney`` that starts from
anywhere and serves its pages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trove_classifiers
from packaging.metadata import Metadata

from tests.conftest import ADMIN, ROOT, free_port

# what a source distribution holds; built from a copy, so the clone gets no build/ or egg-info
SOURCES = ("app", "static", "pyproject.toml", "README.md", "LICENSE")


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            skip = shutil.ignore_patterns("__pycache__")
            shutil.copytree(ROOT / name, dest / name, symlinks=True, ignore=skip)
        else:
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def built(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, and everything the build printed."""
    out = tmp_path_factory.mktemp("wheel")
    # (byte-compiling on, as it is by default: setuptools warns when it is turned off)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source_tree)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = out.glob("tourney-*.whl")
    return wheel, r.stdout + r.stderr


def test_the_build_prints_no_warnings(built: tuple[Path, str]) -> None:
    _, output = built
    flagged = [line for line in output.splitlines() if re.search("warn|deprecat", line, re.I)]
    assert not flagged, output


def test_the_editable_install_prints_no_warnings(
    source_tree: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What ./dev does, with the newest pip, which shows the build backend's warnings."""
    venv = tmp_path_factory.mktemp("editable") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # (no configuration file: this machine's extra package indexes have warnings of their own)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, env=env, timeout=300)
    r = subprocess.run(
        [*pip, "--no-deps", "--editable", str(source_tree)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), r.stdout + r.stderr


def test_the_metadata_is_valid_and_declares_the_licence(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as z:
        raw = z.read("tourney-0.1.0.dist-info/METADATA").decode()
        licence = z.read("tourney-0.1.0.dist-info/licenses/LICENSE")
        entry_points = z.read("tourney-0.1.0.dist-info/entry_points.txt").decode()
    meta = Metadata.from_email(raw, validate=True)  # raises on any invalid field
    assert meta.metadata_version == "2.4"
    assert str(meta.license_expression) == "MIT" and meta.license is None
    assert meta.license_files == ["LICENSE"] and licence == (ROOT / "LICENSE").read_bytes()
    assert meta.classifiers and meta.keywords and meta.description
    for classifier in meta.classifiers:
        assert classifier in trove_classifiers.classifiers, classifier
        assert classifier not in trove_classifiers.deprecated_classifiers, classifier
        assert not classifier.startswith("License ::"), "the licence is the SPDX expression"
    assert meta.description_content_type == "text/markdown"
    assert "tourney = app.cli:main" in entry_points


def test_the_wheel_carries_the_viewers_files_and_only_the_app(built: tuple[Path, str]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        for page in (ROOT / "static").iterdir():
            assert z.read(f"app/static/{page.name}") == page.read_bytes(), page.name
    assert {n.split("/")[0] for n in names} == {"app", "tourney-0.1.0.dist-info"}


@pytest.fixture(scope="module")
def pipx_installed(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``pipx install .`` in the source tree, into a pipx home of its own; the ``tourney`` it
    puts on PATH."""
    home = tmp_path_factory.mktemp("pipx")
    env = {
        **os.environ,
        "PIPX_HOME": str(home / "home"),
        "PIPX_BIN_DIR": str(home / "bin"),
        "PIPX_MAN_DIR": str(home / "man"),
    }
    r = subprocess.run(
        [sys.executable, "-m", "pipx", "install", "."],
        cwd=source_tree, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    yield home / "bin" / "tourney"


def test_pipx_install_serves_from_anywhere(pipx_installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TOURNEY_ADMIN_TOKEN": ADMIN}
    with open(tmp_path / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(pipx_installed), "serve", "--port", str(port)],
            cwd=elsewhere, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError((tmp_path / "server.log").read_text())
        assert httpx.get(url + "/").headers["content-type"].startswith("text/html")
        viewer = httpx.get(url + "/static/viewer.js")
        assert viewer.status_code == 200
        assert viewer.content == (ROOT / "static" / "viewer.js").read_bytes()
        assert (elsewhere / "data" / "tourney.sqlite3").is_file()
    finally:
        proc.terminate()
        proc.wait(30)
    # the app it ran is the installed one, not the clone's
    venv_python = pipx_installed.resolve().parent / "python"
    where = subprocess.run(
        [str(venv_python), "-c", "import app; print(app.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert not Path(where.strip()).is_relative_to(ROOT)
