"""HAProxy in front of two tourney processes that share nothing, with the shipped haproxy.cfg."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, Server, free_port
from tests.helpers import add_players, create_tournament, ready_matches
from tests.ops.conftest import HAPROXY_CFG, Process, render, tool
from tests.ops.traffic import live_ticks, next_event, started_cup, subscribe

PROXY_ENV = {"TOURNEY_SERVER_TRUSTED_PROXIES": "127.0.0.1"}


class Cluster:
    """Two tourney processes, each with its own data directory, behind one HAProxy."""

    def __init__(self, tmp: Path) -> None:
        self.backends = [Server(tmp / name / "data", PROXY_ENV) for name in ("one", "two")]
        self.port = free_port()
        self.stats = f"http://127.0.0.1:{free_port()}/stats"
        one, two = (b.port for b in self.backends)
        cfg = render(
            HAPROXY_CFG.read_text(),
            {
                "bind :8080": f"bind 127.0.0.1:{self.port}",
                "bind 127.0.0.1:8404": f"bind {self.stats.split('/')[2]}",
                "server tourney1 127.0.0.1:8000": f"server tourney1 127.0.0.1:{one}",
                "server tourney2 127.0.0.1:8001": f"server tourney2 127.0.0.1:{two}",
            },
        )
        (tmp / "haproxy.cfg").write_text(cfg)
        check = subprocess.run(
            [tool("haproxy"), "-c", "-f", str(tmp / "haproxy.cfg")], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr
        for b in self.backends:
            b.start()
        self.haproxy = Process([tool("haproxy"), "-f", str(tmp / "haproxy.cfg"), "-db"],
                               tmp / "haproxy.log")  # fmt: skip
        self.haproxy.wait_http(self.stats)
        self.wait_status({"tourney1": "UP", "tourney2": "UP"})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10
        )

    def servers(self) -> dict[str, dict[str, str]]:
        """HAProxy's own view of the tourney backend's servers, from its stats CSV."""
        text = httpx.get(self.stats + ";csv", timeout=5).text.lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        servers = (r for r in rows if r["pxname"] == "tourney")
        return {r["svname"]: r for r in servers if r["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_status(self, want: dict[str, str], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = {name: row["status"] for name, row in self.servers().items()}
            if all(got.get(k, "").startswith(v) for k, v in want.items()):
                return
            time.sleep(0.2)
        raise AssertionError(f"servers not {want} after {timeout} s: {self.servers()}")

    def owner(self, tid: str) -> int:
        """Which backend holds the tournament, asked directly (not through HAProxy)."""
        found = [
            i for i, b in enumerate(self.backends)
            if httpx.get(f"{b.url}/api/v1/tournaments/{tid}", timeout=5).status_code == 200
        ]  # fmt: skip
        assert len(found) == 1, f"{tid} held by {found}"
        return found[0]

    def stop(self) -> None:
        self.haproxy.stop()
        for b in self.backends:
            b.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c = Cluster(tmp_path_factory.mktemp("haproxy"))
    yield c
    c.stop()


def test_api_and_websocket_through_haproxy(cluster: Cluster) -> None:
    with cluster.client() as c:
        tid = started_cup(c)
        with subscribe(cluster.ws_url, tid) as ws:
            match = ready_matches(c, tid)[0]
            live_ticks(c, tid, match["id"])
            r = c.post(
                f"/api/v1/tournaments/{tid}/matches/{match['id']}/result", json={"scores": [2, 0]}
            )
            assert r.status_code == 200, r.text
            frame = next_event(ws, "match.result")
            assert frame["event"]["tournament_id"] == tid
            assert any(m["id"] == match["id"] for m in frame["matches"])


def test_each_tournament_sticks_to_the_process_that_holds_it(cluster: Cluster) -> None:
    with cluster.client() as c:
        tids = [create_tournament(c, f"Cup {i}", format="round_robin")["id"] for i in range(6)]
        owners = {tid: cluster.owner(tid) for tid in tids}
        assert set(owners.values()) == {0, 1}, "new tournaments go to both processes"
        for tid in tids:
            add_players(c, tid, 3)
            for _ in range(4):
                assert c.get(f"/api/v1/tournaments/{tid}").status_code == 200
            r = c.post(f"/api/v1/tournaments/{tid}/start")
            assert r.status_code == 200, r.text
            assert c.get(f"/api/v1/tournaments/{tid}/standings").status_code == 200
        assert {tid: cluster.owner(tid) for tid in tids} == owners


def test_a_tournament_haproxy_has_not_seen_is_found_by_retrying(cluster: Cluster) -> None:
    """After an HAProxy restart its table is empty: a process without the tournament says 404,
    HAProxy retries on the other, then remembers which one answered."""
    for backend in cluster.backends:
        with backend.client() as direct:
            tid = create_tournament(direct, "Made behind HAProxy's back")["id"]
        with cluster.client() as c:
            add_players(c, tid, 2)  # a write first: retried as well, it was refused unapplied
            for _ in range(4):
                r = c.get(f"/api/v1/tournaments/{tid}")
                assert r.status_code == 200, r.text
                assert len(r.json()["participants"]) == 2
    with cluster.client() as c:
        assert c.get("/api/v1/tournaments/t_nowhere").status_code == 404


def test_a_client_cannot_choose_its_forwarded_address(cluster: Cluster) -> None:
    """HAProxy replaces X-Forwarded-For; tourney believes the header only from trusted proxies."""
    spoof = {"X-Forwarded-For": "203.0.113.7"}
    backend = cluster.backends[0]
    assert httpx.get(cluster.url + "/healthz?via=proxy", headers=spoof).status_code == 200
    assert httpx.get(backend.url + "/healthz?direct", headers=spoof).status_code == 200
    claimed = '"client": "203.0.113.7"'
    deadline = time.monotonic() + 5
    while claimed not in backend.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    # the direct request came from 127.0.0.1, a trusted proxy: its header is believed ...
    assert claimed in backend.log.read_text()
    # ... and the one through HAProxy, whichever process it reached, did not carry the claim
    logs = "".join(b.log.read_text() for b in cluster.backends)
    assert logs.count(claimed) == 1, [ln for ln in logs.splitlines() if "/healthz" in ln]


def test_a_stopped_process_is_taken_out_of_rotation(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    try:
        with cluster.client() as c:
            tids = [create_tournament(c, f"Cup {i}")["id"] for i in range(4)]
            survivors = [t for t in tids if cluster.owner(t) == 1]
            cluster.backends[0].stop(signal.SIGTERM)  # a graceful stop, as systemd does
            cluster.wait_status({"tourney1": "DOWN", "tourney2": "UP"})
            assert cluster.servers()["tourney1"]["check_status"] in ("L4CON", "L7STS", "L4TOUT")
            for i in range(6):  # every new tournament lands on the process still up
                tid = create_tournament(c, f"After {i}")["id"]
                with cluster.backends[1].client() as direct:
                    assert direct.get(f"/api/v1/tournaments/{tid}").status_code == 200
                survivors.append(tid)
            for tid in survivors:
                assert c.get(f"/api/v1/tournaments/{tid}").status_code == 200
            assert c.get("/readyz").status_code == 200
    finally:
        cluster.stop()
