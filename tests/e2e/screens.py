"""Shared by the screen tests (overlay, phone, print, embed, languages): tournaments worth
looking at, opening a page, the checks that nothing overflows, and screenshots."""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, ViewportSize

from tests.conftest import Server
from tests.e2e.test_browser import ARTIFACTS
from tests.helpers import create_tournament, ready_matches

# Real people's names, some long: cards must show them in full (shrunk or wrapped, not cut).
NAMES = [
    "Alexandra Konstantinopoulou", "Grace Hopper", "Linus Torvalds", "Barbara Liskov",
    "Ken Thompson", "Radia Perlman", "Margaret Hamilton", "Dennis Ritchie", "Frances Allen",
    "Edsger W. Dijkstra", "Hedy Lamarr", "Donald Knuth", "Sophie Wilson", "Tim Berners-Lee",
    "Katherine Johnson", "Jean-Baptiste Joseph Fourier",
]  # fmt: skip
DETAIL = {"map": "Inferno", "clock": "12:31"}
OUTPUTS: dict[str, ViewportSize] = {
    "720p": {"width": 1280, "height": 720},
    "1080p": {"width": 1920, "height": 1080},
    "2160p": {"width": 3840, "height": 2160},
}
PHONE: ViewportSize = {"width": 390, "height": 844}


def tournament(
    c: httpx.Client, fmt: str, players: int, results: int, settings: dict[str, Any] | None = None
) -> str:
    """A started tournament with ``results`` reported (the first side winning 2-1) and, when a
    match is left to play, one of them live with a scoreboard's detail."""
    t = create_tournament(c, f"Friday {fmt.replace('_', ' ')}", format=fmt, settings=settings or {})
    names = [{"name": NAMES[i % len(NAMES)] + (f" {i}" if i >= len(NAMES) else "")}
             for i in range(players)]  # fmt: skip
    assert c.post(f"/api/v1/tournaments/{t['id']}/participants", json=names).status_code == 201
    assert c.post(f"/api/v1/tournaments/{t['id']}/start").status_code == 200
    for _ in range(results):
        ready = ready_matches(c, t["id"])
        url = f"/api/v1/tournaments/{t['id']}/matches/{ready[0]['id']}/result"
        assert c.post(url, json={"scores": [2, 1]}).status_code == 200
    ready = ready_matches(c, t["id"])
    if ready:
        url = f"/api/v1/tournaments/{t['id']}/matches/{ready[0]['id']}/live"
        assert c.post(url, json={"scores": [1, 1], "detail": DETAIL}).status_code == 202
    return str(t["id"])


def open_page(browser: Browser, url: str, viewport: ViewportSize, **ctx: Any) -> Page:
    """A fresh context and page at ``url``, once the viewer has drawn (or, for other pages,
    once loaded). JavaScript errors fail the test when the context closes (see ``closing``)."""
    context = browser.new_context(viewport=viewport, **ctx)
    page = context.new_page()
    ERRORS[page] = []
    page.on("pageerror", lambda e: ERRORS[page].append(str(e)))
    page.goto(url)
    if "/t/" in url:
        page.wait_for_selector("html[data-rendered='1']", timeout=10_000)
    settle(page)
    return page


def settle(page: Page) -> None:
    """Let the page finish what it does after a change: the fit runs on the next frame."""
    page.evaluate("document.fonts.ready")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(100)


def wait_until(page: Page, predicate: str, timeout: float = 5.0) -> None:
    """Poll a JavaScript function until it returns true (wait_for_function evaluates strings,
    which the pages' policy refuses: no 'unsafe-eval')."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {predicate}"
        page.wait_for_timeout(50)


ERRORS: dict[Page, list[str]] = {}


def closing(page: Page) -> None:
    errors = ERRORS.pop(page, [])
    page.context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


# A stand-in for the video under a transparent overlay, so a person looking at the screenshot
# sees what a viewer of the stream would (the page's own background stays transparent).
STREAM = "linear-gradient(120deg, #23445e 0%, #6b7f4f 45%, #c9b27c 70%, #3d3a52 100%)"


def shot(page: Page, name: str, transparent: bool = False, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if transparent:
        page.evaluate("(bg) => { document.documentElement.style.background = bg; }", STREAM)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)
    if transparent:
        page.evaluate("() => { document.documentElement.style.background = ''; }")


OVERFLOW = """(sel) => {
  const W = innerWidth, H = innerHeight, out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > W) out.push(`page ${doc.scrollWidth} wide for ${W}`);
  if (doc.scrollHeight > H) out.push(`page ${doc.scrollHeight} tall for ${H}`);
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    const at = [r.left, r.top, r.right, r.bottom].map(Math.round);
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)
      out.push(`${el.className} ${el.dataset.id || ""} at ${at}`);
  }
  return out;
}"""

CUT_NAMES = """() => [...document.querySelectorAll('.nm:not(.tbd), .bug-name, .standings .left')]
  .filter((n) => n.getClientRects().length)
  .filter((n) => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1)
  .map((n) => `${n.textContent}: ${n.scrollWidth}x${n.scrollHeight} in ${n.clientWidth}x`
             + `${n.clientHeight}`)"""


def assert_fits(page: Page, what: str = ".match, .bug, table.standings, .toolbar") -> None:
    """Nothing outside the viewport, no page scrolling, and no name cut short."""
    outside = page.evaluate(OVERFLOW, what)
    assert not outside, f"outside the viewport: {outside[:5]}"
    cut = page.evaluate(CUT_NAMES)
    assert not cut, f"names cut short: {cut[:5]}"


def viewer(server: Server, tid: str, query: str = "") -> str:
    return f"{server.url}/t/{tid}{query}"
