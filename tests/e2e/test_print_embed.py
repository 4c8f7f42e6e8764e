"""Print (landscape pages, the bracket zoomed to fit one, no controls) and embedding: the
snippets the operator page shows, pasted into a page of another site served over real HTTP,
and the overlay addresses it builds."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ADMIN, Server, free_port
from tests.e2e.screens import (
    CUT_NAMES,
    OUTPUTS,
    assert_fits,
    closing,
    open_page,
    shot,
    tournament,
    viewer,
    wait_until,
)
from tests.e2e.test_browser import browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with test_browser

A4_LANDSCAPE = {"width": 1047, "height": 718}  # the printable area at 10 mm margins, CSS px
ZOOMS = "bs => bs.map((b) => Number(getComputedStyle(b).zoom))"
BOXES = "bs => bs.map((b) => b.getBoundingClientRect())"


@pytest.fixture(scope="module")
def tids(server: Server) -> Iterator[dict[str, str]]:
    with server.client() as c:
        yield {
            "double": tournament(c, "double_elimination", 16, 10),
            "big": tournament(c, "single_elimination", 64, 40),
            "robin": tournament(c, "round_robin", 8, 6, {"group_count": 2}),
        }


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, from the PDF's page objects."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.parametrize("key", ["double", "big"])
def test_print_fits_each_bracket_to_a_landscape_page(
    server: Server, browser: Browser, tids: dict[str, str], key: str
) -> None:
    page = open_page(browser, viewer(server, tids[key]), A4_LANDSCAPE)
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    for sel in ("#player", "#jump", ".view-toggle", "#conn", ".skip"):
        expect(page.locator(sel).first).to_be_hidden()
    zooms = page.eval_on_selector_all(".bracket", ZOOMS)
    assert min(zooms) >= 0.6, f"too small to read on paper: {zooms}"
    for b in page.eval_on_selector_all(".bracket", BOXES):
        assert b["width"] <= 980, b
        assert key == "big" or b["height"] <= 660, b  # 64 players run over pages instead
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_LANDSCAPE["width"]
    cut = page.evaluate(CUT_NAMES)
    assert not cut, f"names cut short on paper: {cut}"
    shot(page, f"print-{key}", full=True)
    pages = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=False))
    brackets = page.locator(".bracket").count()
    assert 1 <= len(pages) <= (brackets + 1 if key == "double" else 6)
    assert all(w > h for w, h in pages), f"not landscape: {pages}"
    page.emulate_media(media="screen")
    closing(page)


def test_print_lists_group_matches_and_standings(
    server: Server, browser: Browser, tids: dict[str, str]
) -> None:
    page = open_page(browser, viewer(server, tids["robin"], "?view=list"), A4_LANDSCAPE)
    page.emulate_media(media="print")
    page.wait_for_timeout(200)
    expect(page.locator("#board")).to_have_class("board")  # the list view prints as a board
    expect(page.locator("table.standings")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_LANDSCAPE["width"]
    shot(page, "print-robin", full=True)
    assert all(w > h for w, h in pdf_pages(page.pdf(prefer_css_page_size=True)))
    closing(page)


class Site:
    """Another site, on another port (so another origin), serving one page: ours to embed in."""

    def __init__(self) -> None:
        self.body = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.body)))
                self.end_headers()
                self.wfile.write(site.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/club.html"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, snippet: str) -> None:
        self.body = (
            "<!doctype html><html><head><title>Chess club</title></head><body>"
            "<h1>Our club's Friday cup</h1>" + snippet + "<p>Footer of the club site</p>"
            "</body></html>"
        ).encode()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def operator_page(browser: Browser, server: Server, tid: str) -> Page:
    page = open_page(browser, f"{server.url}/admin", OUTPUTS["720p"])
    page.evaluate(f"localStorage.setItem('tourney.token', {ADMIN!r})")
    page.goto(f"{server.url}/admin#t={tid}")
    expect(page.locator("#t-name")).to_have_text("Friday double elimination")
    return page


def test_the_embed_snippets_work_on_another_site(
    server: Server, browser: Browser, tids: dict[str, str], site: Site
) -> None:
    tid = tids["double"]
    admin = operator_page(browser, server, tid)
    script = admin.locator("#embed-script").input_value()
    frame_snippet = admin.locator("#embed-iframe").input_value()
    assert f'data-tournament="{tid}"' in script and "/static/embed.js" in script
    assert f"/t/{tid}?embed=1" in frame_snippet
    closing(admin)
    # the script tag: a frame sized to the bracket, however tall it is
    site.serve(script)
    page = open_page(browser, site.url, {"width": 1280, "height": 900})
    frame = page.locator("iframe")
    expect(frame).to_have_attribute("title", "Tournament bracket")
    wait_until(page, "() => document.querySelector('iframe').offsetHeight > 900", 10)
    inner = next(f for f in page.frames if "/t/" in f.url)
    inner.wait_for_selector("html[data-rendered='1']")
    content = inner.evaluate("document.documentElement.scrollHeight")
    wait_until(page, f"() => document.querySelector('iframe').offsetHeight === {content}")
    assert inner.evaluate("getComputedStyle(document.querySelector('.brand')).display") == "none"
    expect(inner.locator(".match")).to_have_count(31)
    shot(page, "embed-script", full=True)
    closing(page)
    # the plain frame, of a fixed height: its header stays put, its matches scroll
    site.serve(frame_snippet)
    page = open_page(browser, site.url, {"width": 1280, "height": 900})
    inner_frame = page.frame_locator("iframe")
    expect(inner_frame.locator(".match")).to_have_count(31)
    assert inner_frame.locator("#board").evaluate("(b) => b.scrollHeight > b.clientHeight")
    top = inner_frame.locator(".top").bounding_box()
    inner_frame.locator("#board").evaluate("(b) => b.scrollBy(0, 500)")
    assert inner_frame.locator(".top").bounding_box() == top
    shot(page, "embed-iframe")
    closing(page)


def test_the_operator_page_builds_overlay_addresses(
    server: Server, browser: Browser, tids: dict[str, str]
) -> None:
    tid = tids["double"]
    page = operator_page(browser, server, tid)
    form = page.locator("#overlay-form")
    form.locator("select[name=section]").select_option("finals")
    form.locator("select[name=size]").select_option("3840x2160")
    form.locator("select[name=theme]").select_option("dark")
    url = page.locator("#overlay-url").inner_text()
    for part in (f"/t/{tid}?overlay=1", "section=finals", "width=3840", "height=2160",
                 "theme=dark"):  # fmt: skip
        assert part in url, url
    form.locator("select[name=match]").select_option("live")
    bug = page.locator("#overlay-url").inner_text()
    assert "match=live" in bug and "section=" not in bug
    page.locator("#e-panel").scroll_into_view_if_needed()
    shot(page, "admin-embed-and-overlays")
    closing(page)
    overlay = open_page(browser, url, OUTPUTS["2160p"])
    assert_fits(overlay)
    expect(overlay.locator(".match")).to_have_count(4)
    closing(overlay)
