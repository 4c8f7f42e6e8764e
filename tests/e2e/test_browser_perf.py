"""How fast the viewer draws a 256-player double elimination, and how it copes with live ticks.

Prints its figures (and writes them to test-artifacts/viewer-perf.json); it asserts what is drawn,
never a timing. Run: ``.venv/bin/pytest tests/e2e/test_browser_perf.py -s``.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Server
from tests.e2e.test_browser import ARTIFACTS, DESKTOP, browser, formats, started
from tests.helpers import ready_matches

pytestmark = pytest.mark.browser
__all__ = ["browser", "formats"]  # the fixtures, shared with test_browser

FRAME_PROBE = """() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last); last = now; requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
FRAME_STATS = """() => {
  const f = window.__frames.slice(3).sort((a, b) => a - b);
  const at = (q) => f[Math.min(f.length - 1, Math.floor(f.length * q))];
  return {frames: f.length, p50: at(0.5), p99: at(0.99), max: f[f.length - 1],
          flushMaxMs: window.__tourney.flushMaxMs, updates: window.__tourney.updates};
}"""


def send_ticks(c: httpx.Client, tid: str, matches: list[dict[str, Any]], seconds: float) -> int:
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        batch = [
            {"tournament_id": tid, "match_id": m["id"], "scores": [random.randint(0, 9), sent % 10]}
            for m in matches
        ]
        r = c.post("/api/v1/events", json=batch)
        assert r.status_code == 202, r.text
        sent += len(batch)
        time.sleep(0.1)
    return sent


def test_256_player_bracket_draw_time(server: Server, browser: Browser, formats: list[str]) -> None:
    fmt = "double_elimination" if "double_elimination" in formats else "single_elimination"
    with server.client() as c:
        tid = started(c, fmt, 256)
        for m in ready_matches(c, tid)[:64]:
            c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/result", json={"scores": [2, 1]})
        n_matches = len(c.get(f"/api/v1/tournaments/{tid}").json()["matches"])
        ctx = browser.new_context(viewport=DESKTOP)
        pg = ctx.new_page()
        figures: dict[str, Any] = {"format": fmt, "matches": n_matches}
        for attempt in ("cold", "warm"):
            t0 = time.monotonic()
            pg.goto(f"{server.url}/t/{tid}")
            pg.wait_for_selector("html[data-rendered='1']", timeout=10_000)
            figures[f"{attempt}_wall_ms"] = round((time.monotonic() - t0) * 1000)
            figures[f"{attempt}_navigation_to_bracket_ms"] = round(
                pg.evaluate("window.__tourney.firstPaintAt")
            )
            figures[f"{attempt}_render_ms"] = round(pg.evaluate("window.__tourney.firstRenderMs"))
        expect(pg.locator(".match")).to_have_count(n_matches)
        # live ticks: 40 running matches, each ticked ten times a second, for three seconds
        live = ready_matches(c, tid)[:40]
        pg.evaluate(FRAME_PROBE)
        figures["ticks_sent"] = send_ticks(c, tid, live, 3.0)
        last = c.get(f"/api/v1/tournaments/{tid}/matches/{live[-1]['id']}").json()
        card = pg.locator(f".match[data-id='{live[-1]['id']}'] .sc").first
        expect(card).to_have_text(str(last["scores"][0]), timeout=2000)
        figures["during_ticks"] = pg.evaluate(FRAME_STATS)
        ctx.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "viewer-perf.json").write_text(json.dumps(figures, indent=2))
    print("\nviewer figures:", json.dumps(figures))
