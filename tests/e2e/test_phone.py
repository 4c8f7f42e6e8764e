"""The viewer on a phone (390x844) and a laptop (1280x720), in Chromium: the page stays put and
only the board scrolls; on a phone, matches by round with live scores and a jump to "my
player"; controls big enough for a thumb; the server's standings, fetched again only when a
result changes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Server
from tests.e2e.screens import (
    PHONE,
    assert_fits,
    closing,
    open_page,
    shot,
    tournament,
    viewer,
    wait_until,
)
from tests.e2e.test_browser import browser
from tests.helpers import ready_matches

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with test_browser

LAPTOP = {"width": 1280, "height": 720}
HEADER = (
    "() => ['top', 'bottom'].map((k) => document.querySelector('.top').getBoundingClientRect()[k])"
)


@pytest.fixture(scope="module")
def tids(server: Server) -> Iterator[dict[str, str]]:
    with server.client() as c:
        yield {
            "double": tournament(c, "double_elimination", 16, 10),
            "robin": tournament(c, "round_robin", 8, 4, {"group_count": 2}),
        }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_the_page_stays_put_and_lists_matches_by_round(
    server: Server, browser: Browser, tids: dict[str, str], scheme: str
) -> None:
    page = open_page(browser, viewer(server, tids["double"]), PHONE, color_scheme=scheme,
                     has_touch=True, is_mobile=True)  # fmt: skip
    expect(page.locator("#board")).to_have_class("board as-list")
    assert_fits(page, ".top, .toolbar")
    # every card is as wide as the screen allows, none wider
    widths = page.eval_on_selector_all(".match", "cs => cs.map((c) => c.getBoundingClientRect())")
    assert all(r["left"] >= 0 and r["right"] <= PHONE["width"] for r in widths)
    assert min(r["width"] for r in widths) > 300
    shot(page, f"phone-list-{scheme}")
    # scrolling moves the matches, never the header or the controls
    before = page.evaluate(HEADER)
    page.mouse.move(200, 600)
    page.mouse.wheel(0, 3000)
    wait_until(page, "() => document.getElementById('board').scrollTop > 1000")
    assert page.evaluate(HEADER) == before
    assert page.evaluate("document.scrollingElement.scrollTop") == 0
    expect(page.locator("#player")).to_be_in_viewport()
    shot(page, f"phone-list-scrolled-{scheme}")
    closing(page)


def test_phone_controls_are_big_enough_for_a_thumb(
    server: Server, browser: Browser, tids: dict[str, str]
) -> None:
    page = open_page(browser, viewer(server, tids["double"]), PHONE, has_touch=True)
    for sel in ("#player", "#jump", "#view-list", "#view-bracket"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, sel
    rows = page.eval_on_selector_all(".match .side", "ss => ss.map((s) => s.offsetHeight)")
    assert min(rows) >= 30
    closing(page)


def test_live_scores_reach_the_phone_list(server: Server, browser: Browser) -> None:
    with server.client() as c:
        tid = tournament(c, "single_elimination", 8, 0)
        m = ready_matches(c, tid)[0]
        page = open_page(browser, viewer(server, tid), PHONE)
        card = page.locator(f".match[data-id='{m['id']}']")
        c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/live",
               json={"scores": [4, 2], "detail": {"set": 3}})  # fmt: skip
        expect(card).to_have_class("match s-live", timeout=2000)
        expect(card.locator(".sc")).to_have_text(["4", "2"])
        expect(card.locator(".md")).to_have_text("3")
        closing(page)


def test_jump_to_my_player(server: Server, browser: Browser, tids: dict[str, str]) -> None:
    page = open_page(browser, viewer(server, tids["double"]), PHONE)
    # someone whose next match is far down the list: a losers' bracket player
    with server.client() as c:
        t = c.get(f"/api/v1/tournaments/{tids['double']}").json()
    losers = [m for m in t["matches"] if m["bracket"] == "losers" and m["state"] == "ready"]
    pid = losers[-1]["slots"][0]["participant_id"]
    card = page.locator(f".match[data-id='{losers[-1]['id']}']")
    expect(card).not_to_be_in_viewport()
    page.select_option("#player", pid)
    page.click("#jump")
    expect(card).to_be_in_viewport(timeout=3000)
    expect(card).to_have_class("match s-ready on-path flash")
    expect(page.locator(f".side.lit[data-pid='{pid}']").first).to_be_visible()
    shot(page, "phone-jumped")
    # the choice is kept for this tournament
    page.reload()
    page.wait_for_selector("html[data-rendered='1']")
    expect(page.locator("#player")).to_have_value(pid)
    closing(page)


def test_the_bracket_on_a_phone_scrolls_inside_the_page(
    server: Server, browser: Browser, tids: dict[str, str]
) -> None:
    page = open_page(browser, viewer(server, tids["double"]), PHONE)
    page.click("#view-bracket")
    expect(page.locator("#board")).to_have_class("board")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    before = page.evaluate(HEADER)
    scroller = page.locator(".scroller").first
    scroller.evaluate("(s) => s.scrollBy(600, 0)")
    page.locator("#board").evaluate("(b) => b.scrollBy(0, 900)")
    assert page.evaluate(HEADER) == before
    shot(page, "phone-bracket")
    closing(page)


def test_laptop_page_stays_put(server: Server, browser: Browser, tids: dict[str, str]) -> None:
    for key in ("double", "robin"):
        page = open_page(browser, viewer(server, tids[key]), LAPTOP)
        expect(page.locator("#board")).to_have_class("board")
        assert_fits(page, ".top, .toolbar")
        before = page.evaluate(HEADER)
        page.mouse.move(640, 500)
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(300)
        assert page.evaluate(HEADER) == before
        page.locator("#board").evaluate("(b) => b.scrollTo(0, 0)")
        page.mouse.move(1, 700)  # off the names: nothing lit
        shot(page, f"viewer-{key}-1280x720")
        closing(page)


STANDINGS_ROWS = """() => [...document.querySelectorAll('table.standings tbody tr')].map(
  (tr) => [...tr.children].map((c) => c.textContent))"""


def test_the_viewer_shows_the_servers_standings_and_refetches_on_results(
    server: Server, browser: Browser
) -> None:
    with server.client() as c:
        tid = tournament(c, "round_robin", 4, 2)
        page = open_page(browser, viewer(server, tid), LAPTOP)
        rows = c.get(f"/api/v1/tournaments/{tid}/standings").json()
        drawn = page.evaluate(STANDINGS_ROWS)
        assert [r[1] for r in drawn] == [r["name"] for r in rows]
        assert [float(r[2]) for r in drawn] == [r["points"] for r in rows]
        fetches = page.evaluate("window.__tourney.standingsFetches")
        live = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "live"}).json()[0]
        url = f"/api/v1/tournaments/{tid}/matches/{live['id']}"
        c.post(url + "/live", json={"scores": [3, 0]})  # a live tick changes no standings
        expect(page.locator(f".match[data-id='{live['id']}'] .sc").first).to_have_text("3")
        page.wait_for_timeout(600)
        assert page.evaluate("window.__tourney.standingsFetches") == fetches
        c.post(url + "/result", json={"scores": [3, 0]})
        wait_until(page, f"() => window.__tourney.standingsFetches > {fetches}")
        rows = c.get(f"/api/v1/tournaments/{tid}/standings").json()
        wait_until(page, "() => Number(document.querySelector('table.standings tbody td.pts')"
                         f".textContent) === {rows[0]['points']}")  # fmt: skip
        closing(page)
