"""The referee's view on a phone (390x844) in real headless Chromium against a real server: a
best of three scored game by game with the big buttons, every tap a live score the viewers see;
the result reported; the correction offered only within the server's window; a referee without a
station sees every playable match; and nothing on the page a report token cannot use."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.conftest import Server
from tests.e2e.test_browser import PHONE, browser, shot  # noqa: F401  (the browser fixture)
from tests.e2e.test_player_pages import fits_the_phone
from tests.helpers import create_tournament

pytestmark = pytest.mark.browser

WINDOW = 4  # seconds a referee may correct its result, short for the test
DASH = "\N{EN DASH}"


@pytest.fixture(scope="module")
def ref_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TOURNEY_REFEREE_CORRECTION_WINDOW_SECONDS": str(WINDOW)}
    s = Server(tmp_path_factory.mktemp("referee-phone") / "data", env).start()
    yield s
    s.stop()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Any]:  # noqa: F811
    made: list[tuple[Page, list[str]]] = []

    def open_at(url: str, screen: ViewportSize | None = None) -> Page:
        if screen:  # a stream's output (OBS)
            ctx = browser.new_context(viewport=screen)
        else:
            ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        made.append((pg, errors))
        pg.goto(url)
        return pg

    yield open_at
    for pg, errors in made:
        pg.context.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def cup(c: httpx.Client, names: list[str], **fields: Any) -> tuple[str, str]:
    """A started tournament with one station; its id, and the station's referee link."""
    t = create_tournament(c, "Darts Night", **fields)
    tid = t["id"]
    c.post(f"/api/v1/tournaments/{tid}/participants", json=[{"name": n} for n in names])
    (station,) = c.post(f"/api/v1/tournaments/{tid}/stations", json=[{"name": "Oche 1"}]).json()
    assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
    r = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "report",
                                       "station_id": station["id"], "label": "Oche 1"})  # fmt: skip
    return tid, str(r.json()["link"])


def tap(pg: Page, side: int, times: int) -> None:
    for _ in range(times):
        pg.locator("#referee > .ref-card .ref-plus").nth(side).click()


def test_a_best_of_three_game_by_game(ref_server: Server, phone: Any) -> None:
    with ref_server.client() as c:
        tid, link = cup(c, ["Phil", "Michael"], settings={"best_of": 3})
        ref = phone(link)
        expect(ref.locator("#ref-h")).to_have_text("Oche 1")
        card = ref.locator("#referee > .ref-card")
        mid = card.get_attribute("data-id")
        assert mid
        expect(card).to_contain_text("best of 3")
        tap(ref, 0, 3)
        tap(ref, 1, 1)
        expect(card.locator(".ref-score")).to_have_text(["3", "1"])
        ref.locator("#referee > .ref-card .ref-minus").nth(0).click()  # a point given by mistake
        expect(card.locator(".ref-score")).to_have_text(["2", "1"])
        shot(ref, "referee-best-of-phone")
        fits_the_phone(ref)
        m = c.get(f"/api/v1/tournaments/{tid}/matches/{mid}").json()
        assert m["state"] == "live" and m["live"]["points"] == [2, 1] and m["live"]["game"] == 1
        bug = phone(
            f"{ref_server.url}/t/{tid}?overlay=1&match={mid}", {"width": 1280, "height": 720}
        )
        expect(bug.locator("#bug .bug-title")).to_have_text("Darts Night · W1.1 · Oche 1")
        expect(bug.locator("#bug .detail")).to_have_text(f"game1points2{DASH}1")
        shot(bug, "referee-overlay-bug-720p")
        card.get_by_role("button", name="End game 1: Phil wins it").click()
        tap(ref, 1, 2)
        card.get_by_role("button", name="End game 2: Michael wins it").click()
        expect(card.locator(".ref-game-list li")).to_have_text(
            [f"Game 1: 2{DASH}1", f"Game 2: 0{DASH}2"]
        )
        report = card.locator(".ref-finish button.big")
        expect(report).to_be_disabled()  # one game each: nobody has won yet
        tap(ref, 0, 1)
        expect(card.get_by_role("button", name="Game 3: level, play on")).to_have_count(0)
        card.get_by_role("button", name="End game 3: Phil wins it").click()
        expect(report).to_have_text(f"Report: Phil 2{DASH}1 Michael")
        report.click()
        done = ref.locator(".ref-done")
        expect(done.locator(".ref-result")).to_have_text(f"Phil 2{DASH}1 Michael")
        m = c.get(f"/api/v1/tournaments/{tid}/matches/{mid}").json()
        assert m["state"] == "complete" and m["games"] == [[2, 1], [0, 2], [1, 0]]
        expect(ref.locator("#referee .ref-empty")).to_contain_text("No match at Oche 1 yet")
        # the window closes: the button goes (a little early, never late), and the server
        # refuses a correction once it has passed
        token = {"Authorization": f"Bearer {link.split('token=')[1]}"}
        me = httpx.get(f"{ref_server.url}/api/v1/me", headers=token).json()
        assert me["correction"]["match_id"] == mid
        until = datetime.fromisoformat(me["correction"]["until"])
        expect(done).to_have_count(0, timeout=(WINDOW + 4) * 1000)
        assert datetime.now(UTC) < until + timedelta(seconds=1)
        time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
        url = f"{ref_server.url}/api/v1/tournaments/{tid}/matches/{mid}/correct"
        r = httpx.post(url, json={"games": [[0, 2], [0, 2]]}, headers=token)
        assert r.status_code == 409 and "have passed" in r.text, r.text


def test_a_referee_for_every_station_sees_only_what_it_can_use(
    ref_server: Server, phone: Any
) -> None:
    with ref_server.client() as c:
        t = create_tournament(c, "Club Evening")
        tid = t["id"]
        names = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"]
        c.post(f"/api/v1/tournaments/{tid}/participants", json=[{"name": n} for n in names])
        c.post(f"/api/v1/tournaments/{tid}/stations", json=[{"name": "Table 1"}])
        c.post(f"/api/v1/tournaments/{tid}/start")
        tok = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "report"}).json()
    ref = phone(tok["link"])
    expect(ref.locator("#ref-h")).to_have_text("Club Evening")
    expect(ref.locator("#who")).to_have_text("Signed in: referee")
    cards = ref.locator("#referee > .ref-card")
    expect(cards).to_have_count(2)  # six players: two first-round matches, one called
    expect(cards.first.locator(".ref-station")).to_have_text("Table 1")  # called ones first
    expect(cards.nth(1).locator(".ref-station")).to_have_count(0)
    for hidden in ("#home", "#tour", "#k-panel", "#hooks-t", "#signin", ".lang-pick"):
        assert not ref.locator(hidden).is_visible(), hidden
    for text in ref.locator("button:visible").all_inner_texts():  # none it cannot use
        assert text.strip() in ("Sign out", "+ 1", "\N{MINUS SIGN}") or text.startswith("Report: ")
    fits_the_phone(ref)
    shot(ref, "referee-every-station-phone")
