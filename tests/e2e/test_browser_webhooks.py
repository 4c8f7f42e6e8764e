"""The operator page's webhooks in real headless Chromium: add one, see its secret once, watch its
delivery log fill as a real receiver on loopback takes the messages; a referee sees none of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ADMIN, Server
from tests.e2e.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, shot  # noqa: F401
from tests.helpers import add_players, create_tournament, play_out
from tests.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8"}
    s = Server(tmp_path_factory.mktemp("hooks-ui") / "data", env).start()
    yield s
    s.stop()


def signed_in(browser: Browser, token: str, phone: bool = False) -> Page:  # noqa: F811
    ctx = browser.new_context(viewport=PHONE if phone else DESKTOP)
    ctx.add_init_script(f"localStorage.setItem('tourney.token', {token!r})")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    return pg


def test_add_a_webhook_and_watch_its_deliveries(
    hooks_server: Server,
    browser: Browser,  # noqa: F811
) -> None:
    with Receiver() as rx, hooks_server.client() as c:
        t = create_tournament(c, "Clicked Cup")
        tid = t["id"]
        pg = signed_in(browser, ADMIN)
        pg.goto(f"{hooks_server.url}/admin#t={tid}")
        panel = pg.locator("#hooks-t")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("No webhooks yet.")
        expect(pg.locator("#hooks-s")).to_be_hidden()  # the server's are on the home view
        panel.locator("input[name=url]").fill(rx.url)
        panel.locator("input[name=description]").fill("results bot")
        panel.locator("input[name=every]").uncheck()
        for kind in ("match.result", "tournament.completed"):
            panel.locator(f"input[name=type][value='{kind}']").check()
        panel.locator("button[type=submit]").click()
        expect(panel.locator(".hooks-secret-value")).to_contain_text("whsec_")
        secret = panel.locator(".hooks-secret-value").inner_text()
        item = panel.locator(".hooks-item")
        expect(item).to_contain_text("match.result, tournament.completed")
        expect(item).to_contain_text("enabled")
        add_players(c, tid, 4)
        c.post(f"/api/v1/tournaments/{tid}/start")
        play_out(c, tid)
        got = rx.wait_for(4)
        assert [r.verified(secret)["type"] for r in got] == ["match.result"] * 3 + [
            "tournament.completed"]  # fmt: skip
        item.locator("button", has_text="Delivery log").click()
        rows = item.locator(".hooks-table tbody tr")
        expect(rows).to_have_count(4, timeout=10_000)
        expect(rows.first).to_contain_text("tournament.completed")
        expect(item.locator(".hooks-delivered")).to_have_count(4)
        expect(item).to_contain_text("4 delivered · 0 waiting · 0 failed", timeout=10_000)
        expect(panel.locator("input[name=every]")).to_be_checked()  # the form is new again
        item.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        panel.screenshot(path=str(ARTIFACTS / "admin-webhooks-desktop.png"))
        item.locator("button", has_text="Disable").click()
        expect(item.locator(".badge.hooks-off")).to_have_text("disabled")
        assert c.get(f"/api/v1/tournaments/{tid}/webhooks").json()["items"][0]["enabled"] is False
        pg.goto(f"{hooks_server.url}/admin")
        expect(pg.locator("#hooks-s")).to_be_visible()  # the admin sees the server's
        assert not pg.errors  # type: ignore[attr-defined]
        pg.context.close()


def test_a_referee_sees_no_webhooks_and_a_phone_fits(
    hooks_server: Server,
    browser: Browser,  # noqa: F811
) -> None:
    with hooks_server.client() as c:
        t = create_tournament(c, "Phone Cup")
        tid = t["id"]
        c.post(f"/api/v1/tournaments/{tid}/webhooks", json={"url": "http://127.0.0.1:9/x"})
        ref = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "report"}).json()
        man = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "manage"}).json()
    pg = signed_in(browser, ref["token"], phone=True)
    pg.goto(f"{hooks_server.url}/admin#t={tid}")
    expect(pg.locator("#ref-h")).to_have_text("Phone Cup")  # the referee's view
    expect(pg.locator("#hooks-t")).to_be_hidden()
    pg.context.close()
    pg = signed_in(browser, man["token"], phone=True)
    pg.goto(f"{hooks_server.url}/admin#t={tid}")
    panel = pg.locator("#hooks-t")
    expect(panel.locator(".hooks-item")).to_have_count(1)
    panel.scroll_into_view_if_needed()
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a 390px phone"
    shot(pg, "admin-webhooks-phone")
    pg.goto(f"{hooks_server.url}/admin")
    expect(pg.locator("#hooks-s")).to_be_hidden()  # not the admin
    assert not pg.errors  # type: ignore[attr-defined]
    pg.context.close()
