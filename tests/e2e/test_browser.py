"""The pages in real headless Chromium against a real server: viewer, overlay, operator flow.

Chromium comes from the system (Debian's ``chromium`` package, or ``$TOURNEY_CHROMIUM``); when it
is missing these tests fail with a message saying how to install it. Screenshots go to
``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.conftest import ADMIN, ROOT, Server
from tests.helpers import add_players, create_tournament, ready_matches

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("TOURNEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
ALL_FORMATS = [
    "single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) "
            "or point TOURNEY_CHROMIUM at a Chromium binary",
            pytrace=False,
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport=DESKTOP)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def formats(server: Server) -> list[str]:
    spec = httpx.get(server.url + "/openapi.json").json()
    enum: list[str] = spec["components"]["schemas"]["TournamentIn"]["properties"]["format"]["enum"]
    return enum


def shot(pg: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def started(c: httpx.Client, fmt: str, n: int, settings: dict[str, Any] | None = None) -> str:
    t = create_tournament(c, f"{fmt} cup", format=fmt, settings=settings or {})
    add_players(c, t["id"], n)
    r = c.post(f"/api/v1/tournaments/{t['id']}/start")
    assert r.status_code == 200, r.text
    return str(t["id"])


def report(c: httpx.Client, tid: str, mid: str, scores: list[int]) -> None:
    r = c.post(f"/api/v1/tournaments/{tid}/matches/{mid}/result", json={"scores": scores})
    assert r.status_code == 200, r.text


def play(c: httpx.Client, tid: str, count: int) -> None:
    for _ in range(count):
        ready = ready_matches(c, tid)
        if not ready:
            return
        report(c, tid, ready[0]["id"], [2, 1])


def open_viewer(pg: Page, server: Server, tid: str, query: str = "") -> None:
    pg.goto(f"{server.url}/t/{tid}{query}")
    pg.wait_for_selector("html[data-rendered='1']", timeout=10_000)


SETTINGS: dict[str, dict[str, Any]] = {
    "single_elimination": {"third_place_match": True},
    "round_robin": {"group_count": 2},
    "groups_playoffs": {
        "group_stage": {"format": "round_robin"},
        "playoff": {"format": "single_elimination"},
    },
}
EXPECTED_TEXT = {
    "single_elimination": ["Bracket", "Semifinals", "Final", "Third-place match"],
    "double_elimination": ["Winners bracket", "Losers bracket", "Grand final", "Grand final reset"],
    "round_robin": ["Group A", "Group B", "Standings"],
    "swiss": ["Swiss rounds", "Standings"],
    "groups_playoffs": ["Group A", "Group B", "Standings"],
}


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_viewer_draws_each_format(server: Server, page: Page, formats: list[str], fmt: str) -> None:
    # every format the server offers is drawn here, and every one drawn here is offered
    assert sorted(formats) == sorted(ALL_FORMATS)
    with server.client() as c:
        tid = started(c, fmt, 8, SETTINGS.get(fmt))
        play(c, tid, 3)
        t = c.get(f"/api/v1/tournaments/{tid}").json()
    open_viewer(page, server, tid)
    cards = page.locator(".match")
    expect(cards).to_have_count(len(t["matches"]))
    if "Standings" in EXPECTED_TEXT[fmt]:
        expect(page.locator("table.standings").first).to_be_visible()
    text = page.locator("#board").inner_text()
    for words in EXPECTED_TEXT[fmt]:
        assert words.lower() in text.lower(), f"{words!r} missing from the {fmt} view"
    done = [m for m in t["matches"] if m["state"] == "complete" and m["result"] != "bye"]
    assert page.locator(".match.s-complete").count() >= len(done)
    # every card is labelled for screen readers, and the connection state is announced
    labels = cards.evaluate_all("cs => cs.every(c => (c.getAttribute('aria-label') || '').length)")
    assert labels
    expect(page.locator("#conn")).to_have_attribute("role", "status")
    expect(page.locator("#conn")).to_have_class("conn conn-live")
    # hovering a participant lights their path
    page.locator(".side[data-pid]").first.hover()
    assert page.locator(".side.lit").count() >= 1
    shot(page, f"viewer-{fmt}-desktop")


def test_result_appears_without_reload(server: Server, page: Page) -> None:
    with server.client() as c:
        tid = started(c, "single_elimination", 8)
        open_viewer(page, server, tid)
        page.evaluate("window.__sameDocument = true")
        m = ready_matches(c, tid)[0]
        card = page.locator(f".match[data-id='{m['id']}']")
        expect(card).to_have_class("match s-ready")
        r = c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/live", json={"scores": [1, 0]})
        assert r.status_code == 202, r.text
        expect(card).to_have_class("match s-live", timeout=1000)
        expect(card.locator(".sc").first).to_have_text("1", timeout=1000)
        report(c, tid, m["id"], [3, 1])
        sent = time.monotonic()
        expect(card).to_have_class("match s-complete", timeout=1000)
        assert time.monotonic() - sent < 1.0
        winner = card.locator(".side.win .nm")
        expect(winner).to_have_count(1)
        # the next round now shows the winner, still in the same document (no reload)
        nxt = page.locator(f".match[data-id='{m['next']['winner_to']}']")
        expect(nxt).to_contain_text(winner.inner_text())
        assert page.evaluate("window.__sameDocument") is True
        assert page.evaluate("window.__tourney.renders") == 1


def test_reconnect_resumes_without_a_gap(server: Server, page: Page) -> None:
    with server.client() as c:
        tid = started(c, "single_elimination", 8)
        open_viewer(page, server, tid)
        page.evaluate("window.__sameDocument = true")
        # the socket drops; a result arrives while it is down; the resumed socket brings it
        page.evaluate("window.__tourney.drop()")
        m = ready_matches(c, tid)[0]
        report(c, tid, m["id"], [2, 0])
        card = page.locator(f".match[data-id='{m['id']}']")
        expect(card).to_have_class("match s-complete", timeout=5000)
        page.wait_for_function(
            "window.__tourney.reconnects >= 1 && window.__tourney.status === 'live'"
        )
        expect(page.locator("#conn")).to_have_class("conn conn-live")
        m2 = ready_matches(c, tid)[0]
        report(c, tid, m2["id"], [0, 2])
        expect(page.locator(f".match[data-id='{m2['id']}']")).to_have_class(
            "match s-complete", timeout=2000
        )
        assert page.evaluate("window.__sameDocument") is True


def test_overlay_is_transparent_and_score_bug(server: Server, page: Page) -> None:
    with server.client() as c:
        tid = started(c, "single_elimination", 4)
        m = ready_matches(c, tid)[0]
        c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/live", json={"scores": [5, 3]})
    open_viewer(page, server, tid, "?overlay=1")
    for sel in ("html", "body"):
        bg = page.eval_on_selector(sel, "e => getComputedStyle(e).backgroundColor")
        assert bg in ("rgba(0, 0, 0, 0)", "transparent"), f"{sel} background is {bg}"
    expect(page.locator(".match")).to_have_count(3)
    open_viewer(page, server, tid, f"?overlay=1&match={m['id']}")
    bg = page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
    assert bg == "rgba(0, 0, 0, 0)"
    expect(page.locator("#bug")).to_be_visible()
    expect(page.locator("#bug .bug-score").first).to_have_text("5")
    expect(page.locator("#board")).to_be_hidden()


def test_operator_flow_through_the_ui(server: Server, browser: Browser) -> None:
    ctx = browser.new_context(viewport=DESKTOP)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: d.accept())
    pg.goto(server.url + "/admin")
    pg.fill("#token", "adm_mistyped")  # checked by the server before anything says signed in
    pg.click("#signin-form button[type=submit]")
    expect(pg.locator("#flash")).to_contain_text("That token does not work")
    expect(pg.locator("#who")).to_have_text("Not signed in")
    expect(pg.locator("#signin")).to_be_visible()
    assert not pg.evaluate("localStorage.getItem('tourney.token')")
    pg.fill("#token", ADMIN)
    pg.click("#signin-form button[type=submit]")
    expect(pg.locator("#who")).to_have_text("Signed in as the admin")
    # create
    pg.fill("#create-form input[name=name]", "Office cup")
    pg.select_option("#format", "single_elimination")
    pg.click("#create-form button[type=submit]")
    expect(pg.locator("#t-name")).to_have_text("Office cup")
    # add one by typing, then a pasted CSV list
    pg.fill("#add-one input[name=name]", "Ada")
    pg.click("#add-one button[type=submit]")
    expect(pg.locator("#seeds li")).to_have_count(1)
    pg.click("#p-panel details summary")
    pg.fill("#add-many textarea", 'name,rating\nGrace,1800\nLinus,1700\n"Hopper, M",1600\n')
    pg.click("#add-many button[type=submit]")
    expect(pg.locator("#seeds li")).to_have_count(4)
    expect(pg.locator("#seeds li").nth(3)).to_contain_text("Hopper, M")
    # drag the fourth seed onto the first
    pg.drag_and_drop("#seeds li:nth-child(4)", "#seeds li:nth-child(1)")
    expect(pg.locator("#seeds li").first).to_contain_text("Hopper, M")
    expect(pg.locator("#seeds li").first.locator(".seed")).to_have_text("1")
    shot(pg, "admin-participants-desktop")
    # start
    pg.click("#start")
    expect(pg.locator("#m-panel")).to_be_visible()
    expect(pg.locator("#board .match")).to_have_count(3)
    tid = pg.evaluate("decodeURIComponent(location.hash.split('t=')[1])")

    def report_first_ready(a: str, b: str) -> None:
        pg.locator("#board .match.s-ready").first.click()
        expect(pg.locator("#mdlg")).to_be_visible()
        pg.fill("#score-0", a)
        pg.fill("#score-1", b)
        pg.click("#btn-result")
        expect(pg.locator("#mdlg-msg")).to_have_text("Result reported.")
        pg.click("#mdlg-close")

    # a live score, then the result, for the first semifinal
    pg.locator("#board .match.s-ready").first.click()
    pg.fill("#score-0", "1")
    pg.fill("#score-1", "0")
    pg.click("#btn-live")
    expect(pg.locator("#board .match.s-live")).to_have_count(1)
    pg.fill("#score-0", "2")
    pg.click("#btn-result")
    expect(pg.locator("#mdlg-msg")).to_have_text("Result reported.")
    pg.click("#mdlg-close")
    # reopen it, after a preview of what it resets
    pg.locator("#board .match.s-complete").first.click()
    pg.click("#btn-preview")
    expect(pg.locator("#reopen-preview li")).to_have_count(1)
    shot(pg, "admin-reopen-preview-desktop")
    pg.click("#btn-reopen")
    expect(pg.locator("#mdlg-msg")).to_have_text("Reopened.")
    pg.click("#mdlg-close")
    expect(pg.locator("#board .match.s-complete")).to_have_count(0)
    report_first_ready("2", "0")
    report_first_ready("0", "2")
    # a referee link, created here and opened in another browser
    pg.click("#token-form button[type=submit]")
    link = pg.locator("#links .link-out").first.inner_text()
    assert f"/admin#t={tid}&token=tt_" in link
    ref_ctx = browser.new_context(viewport=PHONE)
    ref = ref_ctx.new_page()
    ref.goto(link)
    expect(ref.locator("#ref-h")).to_have_text("Office cup")  # the referee's view, nothing else
    expect(ref.locator("#tour")).to_be_hidden()
    assert "token=" not in ref.url, "the token must be stripped from the address"
    assert ref.evaluate("localStorage.getItem('tourney.token')")
    # the referee reports the final: three points to one
    final = ref.locator(".ref-card").first
    for side, points in ((0, 3), (1, 1)):
        for _ in range(points):
            final.locator(".ref-plus").nth(side).click()
    final.get_by_role("button", name="Report:").click()
    expect(ref.locator(".ref-done .ref-result")).to_contain_text("3\N{EN DASH}1")
    shot(ref, "admin-referee-phone")
    ref_ctx.close()
    # the operator sees the champion
    expect(pg.locator("#t-meta")).to_contain_text("Champion:", timeout=3000)
    expect(pg.locator("#t-meta")).to_contain_text("Complete")
    shot(pg, "admin-complete-desktop")
    ctx.close()
    assert not errors, errors


def test_screenshots_phone_and_desktop(
    server: Server, browser: Browser, formats: list[str]
) -> None:
    fmt = "double_elimination" if "double_elimination" in formats else "single_elimination"
    with server.client() as c:
        tid = started(c, fmt, 16)
        play(c, tid, 12)
        live = ready_matches(c, tid)[0]
        c.post(f"/api/v1/tournaments/{tid}/matches/{live['id']}/live", json={"scores": [2, 1]})
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        for scheme in ("light", "dark"):
            ctx = browser.new_context(viewport=viewport, color_scheme=scheme)
            pg = ctx.new_page()
            open_viewer(pg, server, tid)
            pg.wait_for_timeout(100)
            shot(pg, f"viewer-{size}-{scheme}")
            if scheme == "light":
                pg.goto(server.url + "/")
                expect(pg.locator("#list li").first).to_be_visible()
                shot(pg, f"index-{size}")
                pg.goto(server.url + "/docs")
                expect(pg.locator(".endpoint").first).to_be_visible()
                shot(pg, f"docs-{size}")
            ctx.close()
    for name in ("viewer-phone-light", "viewer-desktop-dark", "index-phone", "docs-desktop"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 1000


CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors *"
)


def test_pages_work_under_the_content_security_policy(server: Server, browser: Browser) -> None:
    with server.client() as c:
        tid = started(c, "round_robin", 4)
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.add_init_script(f"localStorage.setItem('tourney.token', {ADMIN!r})")

    def with_csp(route: Any) -> None:
        res = route.fetch()
        route.fulfill(response=res, headers={**res.headers, "content-security-policy": CSP})

    ctx.route(lambda url: "/api/" not in url and "/static/" not in url, with_csp)
    pg = ctx.new_page()
    violations: list[str] = []
    pg.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    open_viewer(pg, server, tid)
    inline = "() => { const s = document.createElement('script'); s.textContent = 'window.__x = 1';"
    inline += " document.head.append(s); return window.__x === 1 ? 'allowed' : 'blocked'; }"
    assert pg.evaluate(inline) == "blocked", "the policy is not in force"
    violations.clear()
    expect(pg.locator("table.standings").first).to_be_visible()
    pg.locator(".side[data-pid]").first.hover()
    open_viewer(pg, server, tid, "?overlay=1")
    pg.goto(f"{server.url}/admin#t={tid}")
    expect(pg.locator("#board .match")).to_have_count(6)
    pg.locator("#board .match.s-ready").first.click()
    expect(pg.locator("#mdlg")).to_be_visible()
    pg.goto(server.url + "/")
    expect(pg.locator("#list li").first).to_be_visible()
    pg.goto(server.url + "/docs")
    pg.locator(".endpoint summary").first.click()
    pg.locator(".endpoint").first.locator("button[type=submit]").click()
    expect(pg.locator(".endpoint pre").first).to_contain_text("200")
    ctx.close()
    assert not violations, violations
    assert not errors, errors
