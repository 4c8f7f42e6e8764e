"""The players' pages in headless Chromium at phone size (390x844) against a real server: sign
up from the public page, land on one's own entry, check in when the organiser opens check-in,
withdraw (the next in line is promoted, live), see the match called to a station. The QR code
on the page is read back by an independent decoder (zxing-cpp) from Chromium's screenshot."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import Server
from tests.e2e.test_browser import PHONE, browser, shot  # noqa: F401  (the browser fixture)
from tests.helpers import create_tournament

pytestmark = pytest.mark.browser


@pytest.fixture
def phones(browser: Browser) -> Iterator[Any]:  # noqa: F811
    """New phone-sized browsers (one per player), each checked for JavaScript errors."""
    made: list[tuple[BrowserContext, list[str]]] = []

    def phone() -> Page:
        ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        errors: list[str] = []
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        made.append((ctx, errors))
        return pg

    yield phone
    for ctx, errors in made:
        ctx.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def sign_up_on(pg: Page, server: Server, tid: str, name: str, rating: str = "") -> None:
    pg.goto(f"{server.url}/t/{tid}/signup?code=gg")
    pg.wait_for_selector("html[data-rendered='1']")
    pg.get_by_label("Your name").fill(name)
    if rating:
        pg.get_by_label("Rating").fill(rating)
    pg.get_by_role("button", name="Sign up").or_(
        pg.get_by_role("button", name="Join the waiting list")).click()  # fmt: skip
    pg.wait_for_url(f"**/t/{tid}/entry#pt_*")
    pg.wait_for_selector("html[data-rendered='1']")


def fits_the_phone(pg: Page) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def decode_qr(pg: Page) -> str:
    png = pg.locator("#qr").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "no QR code read from the page"
    return str(found[0].text)


def test_sign_up_check_in_and_the_call_on_a_phone(server: Server, phones: Any) -> None:
    with server.client() as c:
        t = create_tournament(c, "Friday Night Smash",
                              signup={"enabled": True, "capacity": 2, "code": "gg"})  # fmt: skip
        tid = t["id"]
        ada, bob, cy = phones(), phones(), phones()
        ada.goto(f"{server.url}/t/{tid}/signup?code=gg")
        ada.wait_for_selector("html[data-rendered='1']")
        expect(ada.get_by_label("Sign-up code")).to_have_value("gg")
        expect(ada.locator("#status")).to_contain_text("0 of 2 taken")
        fits_the_phone(ada)
        shot(ada, "player-signup-form")

        sign_up_on(ada, server, tid, "Ada", "1500")
        expect(ada.locator("#me")).to_contain_text("You have a place")
        expect(ada.locator("#check-in-note")).to_have_text("Check-in is not open yet.")
        fits_the_phone(ada)
        assert decode_qr(ada) == ada.url  # the link, read back by zxing-cpp
        shot(ada, "player-entry-signed-up")

        sign_up_on(bob, server, tid, "Bob")
        sign_up_on(cy, server, tid, "Cy")
        expect(cy.locator("#me")).to_contain_text("On the waiting list")
        expect(cy.locator("#me")).to_contain_text("#1")
        shot(cy, "player-entry-waiting")

        # the organiser opens check-in: the pages offer it without a reload
        assert c.post(f"/api/v1/tournaments/{tid}/check-in/open").status_code == 200
        for pg in (ada, cy):
            pg.get_by_role("button", name="Check in").click()
            expect(pg.locator("#me")).to_contain_text("Checked in")
            expect(pg.get_by_role("button", name="Check in")).to_be_hidden()
        shot(ada, "player-entry-checked-in")

        bob.once("dialog", lambda d: d.accept())
        bob.get_by_role("button", name="Withdraw my sign-up").click()
        expect(bob.locator("#me")).to_contain_text("Withdrawn")
        expect(cy.locator("#me")).to_contain_text("You have a place")  # promoted, live

        c.post(f"/api/v1/tournaments/{tid}/stations", json={"name": "Setup 4"})
        assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
        for pg in (ada, cy):
            expect(pg.locator("#match")).to_contain_text("Your match is called")
            expect(pg.locator("#match")).to_contain_text("Setup 4")
        expect(ada.locator("#match")).to_contain_text("vs Cy")
        fits_the_phone(ada)
        shot(ada, "player-entry-called")


def test_a_closed_sign_up_and_a_missing_link_say_so(server: Server, phones: Any) -> None:
    with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer test-admin-token"}
                      ) as c:  # fmt: skip
        t = create_tournament(c, "Closed Cup", signup={"enabled": False})
        c.patch(f"/api/v1/tournaments/{t['id']}", json={"signup": {"enabled": True,
                "closes_at": "2020-01-01T00:00:00Z"}})  # fmt: skip
    pg = phones()
    pg.goto(f"{server.url}/t/{t['id']}/signup")
    pg.wait_for_selector("html[data-rendered='1']")
    expect(pg.locator("#status")).to_contain_text("Sign-up is closed")
    expect(pg.locator("#form")).to_be_hidden()
    shot(pg, "player-signup-closed")
    pg.goto(f"{server.url}/t/{t['id']}/entry")
    expect(pg.locator("#error")).to_contain_text("needs your participant link")
