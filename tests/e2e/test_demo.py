"""``tourney demo``: a sample double elimination that plays itself, live, within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ADMIN, ROOT, free_port


def test_the_demo_plays_itself(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TOURNEY_ADMIN_TOKEN": ADMIN}
    log = open(tmp_path / "demo.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "demo", "--port", str(port), "--data-dir",
         str(tmp_path / "data")],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not {"live", "complete"} <= seen:
            time.sleep(0.5)
            try:
                items = httpx.get(url + "/api/v1/tournaments").json()["items"]
            except httpx.HTTPError:
                continue
            for item in items:
                t = httpx.get(f"{url}/api/v1/tournaments/{item['id']}").json()
                assert t["format"] == "double_elimination" and len(t["participants"]) == 16
                seen |= {m["state"] for m in t["matches"]}
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
        log.close()
    assert {"live", "complete"} <= seen, (tmp_path / "demo.log").read_text()[-2000:]
    assert code == 0
    assert f"{url}/t/" in (tmp_path / "demo.log").read_text()  # the viewer's address is printed
