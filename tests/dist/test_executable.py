"""The single executable on a bare machine: copied alone into an empty directory outside the
clone, started as ``./tourney serve`` with an environment that holds no Python (``env -i``, an
empty PATH, a HOME and TMPDIR of its own), then driven through the README's walkthrough with real
HTTP and WebSocket clients."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, ROOT, Server, free_port
from tests.dist.conftest import bare_environment
from tests.e2e import test_walkthrough as walkthrough
from tests.e2e.test_tls import Certificate
from tests.helpers import add_players, create_tournament

# building the executable, when ./dev test has not, takes a few minutes
pytestmark = pytest.mark.timeout(1500)


def bare_directory(executable: Path, where: Path) -> Path:
    """An empty directory holding only the executable; it must be outside the clone."""
    where.mkdir(parents=True)
    shutil.copy2(executable, where / "tourney")
    assert ROOT not in where.resolve().parents
    return where


def bare_server(executable: Path, where: Path, env: dict[str, str] | None = None) -> Server:
    workdir = bare_directory(executable, where / "empty")
    s = Server(workdir / "data")
    s.command, s.cwd = ["./tourney"], workdir
    s.env = {**bare_environment(where / "home"), **(env or {})}
    return s


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(p for child in children for p in process_tree(int(child)))]


def mapped_files(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in maps if len(line.split(maxsplit=5)) == 6}


@pytest.fixture(scope="module")
def exe_server(executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TOURNEY_ADMIN_TOKEN": ADMIN, "TOURNEY_SERVER_RATE_LIMIT_PER_ADDRESS": "0"}
    s = bare_server(executable, tmp_path_factory.mktemp("exe"), env).start()
    yield s
    s.stop()


def test_it_runs_nothing_from_the_machines_python(exe_server: Server) -> None:
    assert exe_server.proc is not None
    tree = process_tree(exe_server.proc.pid)
    assert len(tree) == 3  # the launcher, the server, its valkey-server
    unpacked = Path(exe_server.env["TMPDIR"])
    foreign = [ROOT, Path(sys.prefix), Path(sys.base_prefix)]
    foreign += [*Path("/usr/lib").glob("python3*"), *Path("/usr/local/lib").glob("python3*")]
    for pid in tree:
        for path in map(Path, mapped_files(pid)):
            assert not any(path.is_relative_to(f) for f in foreign), (pid, path)
            if "python" in path.name:  # libpython and extension modules: the bundle's own
                assert path.is_relative_to(unpacked), (pid, path)
        exe = os.readlink(f"/proc/{pid}/exe")
        assert exe.endswith(("/empty/tourney", "/app/bin/valkey-server")), exe


def test_the_readme_walkthrough(exe_server: Server) -> None:
    walkthrough.test_walkthrough_over_http_and_websocket(exe_server)


def test_resume_after_a_reconnect(exe_server: Server) -> None:
    walkthrough.test_resume_replays_exactly_what_was_missed(exe_server)


def test_live_ticks(exe_server: Server) -> None:
    walkthrough.test_live_ticks_reach_subscribers_coalesced(exe_server)


def test_health_metrics_and_the_api_description(exe_server: Server) -> None:
    walkthrough.test_health_ready_metrics_openapi(exe_server)


def test_the_pages_and_their_files(exe_server: Server) -> None:
    with exe_server.client(token=None) as c:
        for page in ("/", "/admin", "/docs", "/t/t_anything"):
            r = c.get(page)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        for name in ("viewer.js", "bracket.js", "live.js", "style.css"):
            r = c.get(f"/static/{name}")
            assert r.status_code == 200 and r.content == (ROOT / "static" / name).read_bytes()


def wait_for_token(log: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(r"\b(adm_[A-Za-z0-9_-]{20,})", log.read_text()):
            return found.group(1)
        assert proc.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"no admin token printed: {log.read_text()}")


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} not ready")


def stop_gracefully(proc: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM: the launcher passes it on, the server stops as it does anywhere (uvicorn ends by
    re-raising the signal, so the exit status says SIGTERM) after its writer has drained."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == -signal.SIGTERM
    assert '"message": "stopped"' in log.read_text()


def test_first_start_prints_a_token_and_a_second_start_keeps_everything(
    executable: Path, tmp_path: Path
) -> None:
    """As the README says: ``./tourney serve``, note the admin token it prints, use it; the
    data lives in ./data, and a restart finds it all again."""
    workdir = bare_directory(executable, tmp_path / "empty")
    env = bare_environment(tmp_path / "home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def start(log: Path) -> subprocess.Popen[bytes]:
        with open(log, "wb") as out:
            return subprocess.Popen(["./tourney", "serve", "--port", str(port)],
                                    cwd=workdir, env=env, stdout=out, stderr=out)  # fmt: skip

    first = start(tmp_path / "first.log")
    try:
        token = wait_for_token(tmp_path / "first.log", first)
        wait_ready(url)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
            tid = create_tournament(c, "Friday Cup")["id"]
            add_players(c, tid, 4)
            assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
    finally:
        stop_gracefully(first, tmp_path / "first.log")
    assert (workdir / "data" / "tourney.sqlite3").is_file()
    assert not list((tmp_path / "home" / "tmp").iterdir())  # the unpacked bundle is removed

    second = start(tmp_path / "second.log")
    try:
        wait_ready(url)
        auth = {"Authorization": f"Bearer {token}"}
        t = httpx.get(f"{url}/api/v1/tournaments/{tid}", headers=auth)
        assert t.status_code == 200 and t.json()["state"] == "underway"
        assert "adm_" not in (tmp_path / "second.log").read_text()
    finally:
        stop_gracefully(second, tmp_path / "second.log")


def test_killing_the_launcher_stops_the_server_and_its_valkey(
    executable: Path, tmp_path: Path
) -> None:
    s = bare_server(executable, tmp_path, {"TOURNEY_ADMIN_TOKEN": ADMIN}).start()
    assert s.proc is not None
    tree = process_tree(s.proc.pid)
    s.proc.kill()  # SIGKILL to the launcher: it cannot pass anything on
    s.proc.wait(10)
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in tree[1:]) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in tree[1:] if Path(f"/proc/{pid}").exists()]
    assert not alive, f"left running: {alive}"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", s.port), timeout=2):
        pass
    assert '"message": "stopped"' in s.log.read_text()  # a graceful stop: the writer drained


def test_https_from_the_executable(executable: Path, tmp_path: Path) -> None:
    cert = Certificate(tmp_path / "tls")
    s = bare_server(executable, tmp_path, {"TOURNEY_ADMIN_TOKEN": ADMIN})
    s.use_tls(cert.cert, cert.key, cert.trusting()).start()
    try:
        with s.client() as c:
            assert create_tournament(c, "Secure Cup")["state"] == "pending"
            assert c.get("/static/live.js").status_code == 200
    finally:
        assert s.stop() == -signal.SIGTERM
        assert '"message": "stopped"' in s.log.read_text()
