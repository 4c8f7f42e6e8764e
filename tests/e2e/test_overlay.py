"""The stream overlay in Chromium at the output sizes streams use (1280x720, 1920x1080,
3840x2160): it fits without scrollbars, names in full, the live detail drawn; its sections,
themes and score bug; and OBS's "Custom CSS" applied under the page's real policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Server
from tests.e2e.screens import (
    DETAIL,
    OUTPUTS,
    assert_fits,
    closing,
    open_page,
    settle,
    shot,
    tournament,
    viewer,
)
from tests.e2e.test_browser import browser
from tests.helpers import ready_matches

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with test_browser


@pytest.fixture(scope="module")
def tids(server: Server) -> Iterator[dict[str, str]]:
    with server.client() as c:
        yield {
            "double": tournament(c, "double_elimination", 16, 10),
            "single": tournament(c, "single_elimination", 32, 20, {"third_place_match": True}),
            "groups": tournament(c, "groups_playoffs", 8, 12, {"group_count": 2}),
            "swiss": tournament(c, "swiss", 12, 6),
        }


def effective_name_px(page: Any) -> float:
    """The on-screen size of the names' type: font size times the overlay's scale."""
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.nm')).fontSize)")
    return float(size) * float(page.evaluate("document.documentElement.dataset.scale"))


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_the_bracket_fits_each_output_size(
    server: Server, browser: Browser, tids: dict[str, str], output: str
) -> None:
    size = OUTPUTS[output]
    page = open_page(browser, viewer(server, tids["double"], "?overlay=1"), size)
    assert_fits(page)
    # it uses the screen: the content spans most of the width or most of the height
    box = page.locator("#board").bounding_box()
    assert box is not None
    assert box["width"] > 0.9 * size["width"] or box["height"] > 0.85 * size["height"]
    # type that reads on a stream: about 1 % of the output's height at the least
    assert effective_name_px(page) >= 0.009 * size["height"]
    live = page.locator(".match.s-live")
    expect(live.locator(".md")).to_have_text("Inferno · 12:31")
    assert page.locator(".match").count() == 31
    shot(page, f"overlay-double-{output}", transparent=True)
    closing(page)


@pytest.mark.parametrize(
    ("name", "query", "cards"),
    [
        ("winners", "section=winners", 15),
        ("losers", "section=losers", 14),
        ("finals", "section=finals", 4),
        ("round", "section=round", None),
        ("standings", "section=standings", 0),
    ],
)
def test_sections_at_1080p(
    server: Server, browser: Browser, tids: dict[str, str], name: str, query: str, cards: Any
) -> None:
    page = open_page(browser, viewer(server, tids["double"], f"?overlay=1&{query}"),
                     OUTPUTS["1080p"])  # fmt: skip
    assert_fits(page)
    if cards is not None:
        assert page.locator(".match").count() == cards
    if name == "standings":
        expect(page.locator("table.standings tbody tr")).to_have_count(16)
    if name == "round":  # one round column per bracket: the one being played
        expect(page.locator(".round-title")).to_have_text(["Winners round 2", "Losers round 1"])
        assert page.locator(".match.s-ready, .match.s-live").count() >= 1
    shot(page, f"overlay-double-{name}-1080p", transparent=True)
    closing(page)


@pytest.mark.parametrize(
    ("key", "output"), [("single", "1080p"), ("groups", "1080p"), ("swiss", "720p")]
)
def test_other_formats_fit(
    server: Server, browser: Browser, tids: dict[str, str], key: str, output: str
) -> None:
    page = open_page(browser, viewer(server, tids[key], "?overlay=1"), OUTPUTS[output])
    assert_fits(page)
    if key in ("groups", "swiss"):  # the server's tables, beside the rounds
        expect(page.locator("table.standings").first).to_be_visible()
    shot(page, f"overlay-{key}-{output}", transparent=True)
    closing(page)


@pytest.mark.parametrize("theme", ["transparent", "dark", "light"])
def test_themes(server: Server, browser: Browser, tids: dict[str, str], theme: str) -> None:
    scheme = "dark" if theme == "light" else "light"  # the theme wins over the browser's
    url = viewer(server, tids["double"], f"?overlay=1&theme={theme}")
    page = open_page(browser, url, OUTPUTS["720p"], color_scheme=scheme)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    card = page.evaluate("getComputedStyle(document.querySelector('.match')).backgroundColor")
    if theme == "transparent":
        assert background == "rgba(0, 0, 0, 0)"
    else:
        assert background != "rgba(0, 0, 0, 0)"
    light = theme == "light"
    channels = [float(x) for x in re.findall(r"[\d.]+", card)[:3]]
    assert (sum(channels) > 600) == light, f"{theme} cards are {card}"
    shot(page, f"overlay-theme-{theme}-720p", transparent=theme == "transparent")
    closing(page)


def test_the_score_bug_follows_the_live_match_and_draws_its_detail(
    server: Server, browser: Browser
) -> None:
    with server.client() as c:
        tid = tournament(c, "single_elimination", 4, 0)
        live = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "live"}).json()[0]
        page = open_page(browser, viewer(server, tid, "?overlay=1&match=live"), OUTPUTS["1080p"])
        bug = page.locator("#bug")
        expect(bug).to_have_attribute("data-id", live["id"])
        expect(bug.locator(".bug-score").first).to_have_text("1")
        expect(bug.locator(".detail")).to_contain_text("Inferno")
        expect(bug.locator(".detail")).to_contain_text("12:31")
        assert_fits(page, ".bug")
        shot(page, "overlay-bug-1080p", transparent=True)
        # a new tick: the score and the clock move
        url = f"/api/v1/tournaments/{tid}/matches/{live['id']}/live"
        c.post(url, json={"scores": [2, 1], "detail": {**DETAIL, "clock": "14:02"}})
        expect(bug.locator(".detail")).to_contain_text("14:02", timeout=3000)
        expect(bug.locator(".bug-score").first).to_have_text("2")
        # the match ends: the bug moves on to the next match to be played
        c.post(url.replace("/live", "/result"), json={"scores": [3, 1]})
        nxt = ready_matches(c, tid)[0]
        expect(bug).to_have_attribute("data-id", nxt["id"], timeout=3000)
        closing(page)


def test_one_match_by_id_at_a_small_source(server: Server, browser: Browser) -> None:
    with server.client() as c:
        tid = tournament(c, "single_elimination", 4, 0)
        m = c.get(f"/api/v1/tournaments/{tid}/matches", params={"state": "live"}).json()[0]
    page = open_page(browser, viewer(server, tid, f"?overlay=1&match={m['id']}"),
                     {"width": 640, "height": 200})  # fmt: skip
    assert_fits(page, ".bug")
    shot(page, "overlay-bug-640x200", transparent=True)
    closing(page)


# OBS's browser source applies its "Custom CSS" box once the page has loaded, by running this in
# the page (obs-browser, BrowserClient::OnLoadEnd): a <style> element with the CSS, in <head>.
OBS_CUSTOM_CSS = """(css) => {
  const obsCSS = document.createElement('style');
  obsCSS.appendChild(document.createTextNode(decodeURIComponent(encodeURIComponent(css))));
  document.querySelector('head').appendChild(obsCSS);
}"""
INLINE_SCRIPT = """() => {
  const s = document.createElement('script');
  s.textContent = 'window.__injected = 1';
  document.head.append(s);
  return window.__injected === 1;
}"""


def test_obs_custom_css_applies_while_scripts_stay_locked(
    server: Server, browser: Browser, tids: dict[str, str]
) -> None:
    url = viewer(server, tids["double"], "?overlay=1")
    policy = httpx.get(url).headers["content-security-policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" in policy.split("style-src")[1]
    page = open_page(browser, url, OUTPUTS["1080p"])
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    css = ".match { background: rgb(1, 2, 3) !important; } .ov-title { color: rgb(250, 0, 0); }"
    page.evaluate(OBS_CUSTOM_CSS, css)
    settle(page)
    card = page.evaluate("getComputedStyle(document.querySelector('.match')).backgroundColor")
    assert card == "rgb(1, 2, 3)"
    assert page.evaluate(INLINE_SCRIPT) is False, "an injected inline script ran"
    assert any("script-src" in v for v in violations)
    shot(page, "overlay-obs-custom-css-1080p", transparent=True)
    closing(page)
    # the operator's pages keep styles to this server's stylesheets
    admin = httpx.get(f"{server.url}/admin").headers["content-security-policy"]
    assert "style-src 'self';" in admin and "unsafe-inline" not in admin
