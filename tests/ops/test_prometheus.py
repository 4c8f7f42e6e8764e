"""A real Prometheus scrapes a real tourney: every dashboard and alert expression runs on it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server, free_port
from tests.ops.conftest import (
    ALERTS,
    PROMETHEUS_YML,
    Process,
    alert_exprs,
    concrete,
    panel_targets,
    render,
    tool,
)
from tests.ops.traffic import event_day

# Panels whose series only exist once something has gone wrong: a labelled counter has no series
# before its first increment. The traffic here is healthy, so these answer an empty vector.
NEEDS_A_FAILURE = {
    ("Server errors (5xx) by route and status", "A"): "a 5xx response",
    ("Dead letters and writer errors", "B"): "a failed SQLite or Redis call of the writer",
    ("Backpressure (503s)", "A"): "a write refused by backpressure",
    ("Backpressure (503s)", "B"): "a 503 response",
    # (and, today, a change in app/: nothing increments tourney_ws_refused_total yet)
    ("Slow-consumer closes and refusals", "B"): "a WebSocket refused by a cap",
}
# Alerts that may legitimately fire on a healthy test machine (they measure timing).
MAY_FIRE = {"TourneyEventLoopLag"}


class Prometheus:
    def __init__(self, tmp: Path, target: str, processes: list[Process]) -> None:
        shutil.copy(ALERTS, tmp / "alerts.yml")
        config = render(
            PROMETHEUS_YML.read_text(),
            {
                "scrape_interval: 15s": "scrape_interval: 1s",
                "evaluation_interval: 15s": "evaluation_interval: 1s",
                "- 127.0.0.1:8000\n          - 127.0.0.1:8001": f"- {target}",
            },
        )
        (tmp / "prometheus.yml").write_text(config)
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process = Process(
            [tool("prometheus"), f"--config.file={tmp / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp / 'tsdb'}",
             f"--web.listen-address={self.url.removeprefix('http://')}", "--log.level=warn"],
            tmp / "prometheus.log", cwd=tmp,
        )  # fmt: skip
        processes.append(self.process)
        self.process.wait_http(self.url + "/-/ready")

    def query(self, expr: str) -> list[dict[str, Any]]:
        r = httpx.get(self.url + "/api/v1/query", params={"query": expr}, timeout=10)
        body = r.json()
        assert r.status_code == 200 and body["status"] == "success", f"{expr}\n{body}"
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def wait_for(self, expr: str, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := self.query(expr):
                return result
            time.sleep(0.25)
        raise AssertionError(f"{expr} still empty after {timeout} s\n{self.process.output()}")


def test_prometheus_scrapes_tourney_and_runs_every_panel_and_alert(
    make_server: Any, tmp_path: Path, processes: list[Process]
) -> None:
    server: Server = make_server().start()
    prom = Prometheus(tmp_path, f"127.0.0.1:{server.port}", processes)
    prom.wait_for('up{job="tourney"} == 1')

    with server.client() as c, event_day(c, server.ws_url):
        # the traffic is in at least two scrapes, so every rate() has something to work on
        prom.wait_for("count_over_time(tourney_ws_frames_sent_total[1m]) >= 2")
        prom.wait_for("tourney_ws_subscribers > 0")
        prom.wait_for("rate(tourney_match_ready_to_result_seconds_count[1m]) > 0")
        empty = []
        for title, ref, expr in panel_targets():
            result = prom.query(concrete(expr))
            if not result and (title, ref) not in NEEDS_A_FAILURE:
                empty.append(f"{title} [{ref}]: {expr}")
            if result and (title, ref) in NEEDS_A_FAILURE:
                empty.append(f"{title} [{ref}] has data now: drop it from NEEDS_A_FAILURE")
        assert not empty, "panels without data:\n" + "\n".join(empty)

    rules = httpx.get(prom.url + "/api/v1/rules", timeout=10).json()["data"]["groups"]
    loaded = {r["name"]: r for g in rules for r in g["rules"]}
    assert set(loaded) == set(alert_exprs()), "Prometheus loaded other rules than alerts.yml"
    for name, expr in alert_exprs().items():
        firing = prom.query(expr)  # runs without error, the same expression as the file's
        assert not firing or name in MAY_FIRE, f"{name} fires on a healthy server: {firing}"
    deadline = time.monotonic() + 10
    while any(r["health"] == "unknown" for r in loaded.values()) and time.monotonic() < deadline:
        time.sleep(0.25)
        rules = httpx.get(prom.url + "/api/v1/rules", timeout=10).json()["data"]["groups"]
        loaded = {r["name"]: r for g in rules for r in g["rules"]}
    bad = {n: r.get("lastError") for n, r in loaded.items() if r["health"] != "ok"}
    assert not bad, bad

    server.stop()  # the scrape target goes down: TourneyTargetDown's expression now matches
    prom.wait_for(alert_exprs()["TourneyTargetDown"])


@pytest.mark.parametrize("title_ref", sorted(NEEDS_A_FAILURE))
def test_known_empty_panels_exist(title_ref: tuple[str, str]) -> None:
    """Each exception above names a real panel target, so the list cannot go stale silently."""
    assert title_ref in [(title, ref) for title, ref, _ in panel_targets()]
