"""A whole night, in real headless Chromium against a real server (uvicorn, its Valkey, SQLite).

The organiser opens the sign-up, adds two stations and makes a referee link for each on the
operator page; twelve players sign up from phone-sized pages (ten places, two in line); ten check
in (seven from their phones, one at the organiser's desk, and both in line); the start drops the
two no-shows and promotes the line; matches are called to the stations and the referees report
them from their phones, one correcting its result. A webhook receiver on loopback gets every
message in the order of the tournament's events, each verified by the Standard Webhooks library
(``standardwebhooks``), and a Discord-shaped endpoint gets a line a person can read for each.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import ADMIN, Server
from tests.e2e.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, shot  # noqa: F401  (the fixture)
from tests.e2e.test_player_pages import fits_the_phone
from tests.e2e.test_webhooks import discord_shaped, log_of
from tests.receiver import Receiver, firsts

pytestmark = pytest.mark.browser

NAME = "Friday Night LAN"
PLAYERS = ["Ada", "Linus", "Grace", "Barbara", "Ken", "Margaret", "Dennis", "Frances",
           "Edsger", "Radia", "Alan", "Hedy"]  # fmt: skip
NO_SHOWS = {"Barbara", "Edsger"}  # placed, never check in: dropped at the start
AT_THE_DESK = "Frances"  # checked in by the organiser
IN_LINE = ["Alan", "Hedy"]  # the waiting list, both here: promoted at the start
CODE = "pizza"
# the types taken one to one from the tournament's events (match.ready follows state changes)
FROM_EVENTS = {"participant.signed_up", "participant.checked_in", "participant.promoted",
               "tournament.started", "match.called", "match.result", "match.corrected",
               "tournament.completed"}  # fmt: skip
DISCORD_TYPES = ["match.called", "match.result", "match.corrected", "tournament.completed"]
DASH = "\N{EN DASH}"  # as the referee's page writes a score
RAW_ID = re.compile(r"\b(?:t|pt|m|st|wh|msg)_[0-9A-Za-z]{6,}")


@pytest.fixture(scope="module")
def night_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8"}
    s = Server(tmp_path_factory.mktemp("night") / "data", env).start()
    yield s
    s.stop()


class Phones:
    """Browser contexts, each checked for JavaScript errors when the night is over."""

    def __init__(self, browser: Browser) -> None:  # noqa: F811
        self.browser = browser
        self.errors: list[str] = []

    def open(self, url: str, desktop: bool = False) -> Page:
        if desktop:
            ctx = self.browser.new_context(viewport=DESKTOP)
            ctx.add_init_script(f"localStorage.setItem('tourney.token', {ADMIN!r})")
        else:
            ctx = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: self.errors.append(f"{url}: {e}"))
        pg.goto(url)
        return pg


def decode_qr(box: Locator) -> str:
    expect(box.locator("img.qr")).to_be_visible()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(box.locator("img.qr").screenshot())))
    assert len(found) == 1, "no QR code read from the page"
    return str(found[0].text)


def organiser_prepares(desk: Page) -> tuple[str, dict[str, str]]:
    """Open the sign-up with places and a code, add two stations, a referee link for each:
    the sign-up link (read back from its QR code) and the referee links by station name."""
    form = desk.locator("#signup-form")
    form.locator("input[name=enabled]").check()
    form.locator("input[name=capacity]").fill("10")
    form.locator("input[name=code]").fill(CODE)
    form.get_by_role("button", name="Save").click()
    expect(desk.locator("#signup-status")).to_contain_text("Sign-up is open")
    handout = desk.locator("#signup-handout")
    link = handout.locator(".link-out").inner_text()
    assert link.endswith(f"/signup?code={CODE}") and decode_qr(handout) == link
    desk.locator("#station-form input[name=names]").fill("Setup 1, Setup 2")
    desk.locator("#station-form").get_by_role("button", name="Add").click()
    rows = desk.locator("#day-stations > li")
    expect(rows).to_have_count(2)
    referees = {}
    for i, station in enumerate(("Setup 1", "Setup 2")):
        rows.nth(i).get_by_role("button", name="Referee link").click()
        out = rows.nth(i).locator(".handout")
        expect(out.locator(".link-out")).to_contain_text("/admin#t=")
        referees[station] = out.locator(".link-out").inner_text()
        assert decode_qr(out) == referees[station]
    return link, referees


def sign_up(phones: Phones, link: str, name: str) -> str:
    """One player signs up on a phone of their own; the address of their own page."""
    pg = phones.open(link)
    pg.wait_for_selector("html[data-rendered='1']")
    expect(pg.get_by_label("Sign-up code")).to_have_value(CODE)
    pg.get_by_label("Your name").fill(name)
    pg.get_by_role("button", name="Sign up").or_(
        pg.get_by_role("button", name="Join the waiting list")).click()  # fmt: skip
    pg.wait_for_url("**/entry#pt_*")
    pg.wait_for_selector("html[data-rendered='1']")
    expect(pg.locator("#me")).to_contain_text(
        "On the waiting list" if name in IN_LINE else "You have a place")  # fmt: skip
    fits_the_phone(pg)
    if name == IN_LINE[-1]:
        shot(pg, "night-player-waiting")
    url = pg.url
    pg.context.close()
    return url


def check_in(phones: Phones, entry: str) -> None:
    """A player back at the venue opens their page again and checks in."""
    pg = phones.open(entry)
    pg.get_by_role("button", name="Check in").click()
    expect(pg.locator("#me")).to_contain_text("Checked in")
    pg.context.close()


def organiser_checks_in_and_starts(desk: Page, who: str) -> None:
    desk.get_by_role("button", name=f"Check {who} in").click()
    expect(desk.locator("#check-in-status")).to_contain_text("8 of 10 here, and 2 from the")
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "night-organiser-desk.png"), full_page=True)
    desk.locator("#start").click()


def viewers_see_the_stations(phones: Phones, api: httpx.Client, url: str, tid: str) -> Page:
    """The bracket on a phone names the stations; so does the stream overlay's score bug.
    The phone's page, left open for the rest of the night."""
    viewer = phones.open(f"{url}/t/{tid}")
    expect(viewer.locator(".match .mst").first).to_contain_text("Setup")
    shot(viewer, "night-viewer-phone")
    held = {
        s["name"]: s["match_id"] for s in api.get(f"/api/v1/tournaments/{tid}").json()["stations"]
    }
    bug = phones.open(f"{url}/t/{tid}?overlay=1&match={held['Setup 1']}", desktop=True)
    expect(bug.locator("#bug .bug-title")).to_have_text(f"{NAME} · W1.2 · Setup 1")
    expect(bug.locator("#bug")).not_to_contain_text("null")  # no detail: no row for it
    shot(bug, "night-overlay-bug")
    bug.context.close()
    return viewer


def referee_reports(ref: Page, turn: int) -> str | None:
    """The referee at this phone reports the first match called to its station, tapping the
    points in (the winner's side changes from match to match); its id, or None if none."""
    card = ref.locator("#referee > article.ref-card:not(.ref-done)").first
    if not card.count():
        return None
    mid = card.get_attribute("data-id")
    won = turn % 2
    for side, taps in ((won, 2), (1 - won, 1)):
        for _ in range(taps):
            card.locator(".ref-plus").nth(side).click()
    expect(card.locator(".ref-score").nth(won)).to_have_text("2")
    card.locator(".ref-finish button.big").click()
    expect(ref.locator(f"#referee > .ref-card:not(.ref-done)[data-id='{mid}']")).to_have_count(0)
    expect(ref.locator(".ref-done .ref-result")).to_contain_text(["2", "1"][won] + DASH)
    return mid


def referee_corrects(ref: Page) -> None:
    """The referee saw it wrong: the other side won 2-1. It corrects its own result."""
    done = ref.locator(".ref-done")
    expect(done.locator(".ref-left")).to_contain_text("s left to correct it")
    shot(ref, "night-referee-reported")
    done.get_by_role("button", name="Correct this result").click()
    fixing = ref.locator(".ref-card.fixing")
    fixing.locator(".ref-minus").nth(0).click()
    fixing.locator(".ref-plus").nth(1).click()
    fixing.locator(".ref-finish button.big").click()
    expect(ref.locator(".ref-done .ref-result")).to_contain_text(f"1{DASH}2")
    expect(ref.locator(".ref-done .msg")).to_have_text("Result corrected.")


def play_the_night(api: httpx.Client, tid: str, referees: dict[str, Page]) -> int:
    """Both referees report whatever is called to them until the tournament is complete."""
    reported, corrected = 0, False
    deadline = time.monotonic() + 180
    while api.get(f"/api/v1/tournaments/{tid}").json()["state"] != "complete":
        assert time.monotonic() < deadline, "the night did not end"
        for station, ref in referees.items():
            if referee_reports(ref, reported) is None:
                continue
            reported += 1
            if station == "Setup 1" and not corrected:
                referee_corrects(ref)
                corrected = True
            if reported == 2:
                shot(ref, "night-referee-next")
        time.sleep(0.2)
    assert corrected
    return reported


def subject(kind: str, data: dict[str, Any]) -> str | None:
    for key in ("match", "participant"):
        if isinstance(data.get(key), dict):
            return str(data[key]["id"])
        if f"{key}_id" in data:
            return str(data[f"{key}_id"])
    return None


def the_events(api: httpx.Client, tid: str) -> list[dict[str, Any]]:
    """The tournament's event log (as stored in SQLite), once it holds the completion."""
    deadline = time.monotonic() + 20
    while True:
        events = api.get(f"/api/v1/tournaments/{tid}/events", params={"limit": 1000}).json()
        if events and events[-1]["type"] == "tournament.completed":
            return list(events)
        assert time.monotonic() < deadline, "the completion never reached the event log"
        time.sleep(0.2)


def check_the_deliveries(api: httpx.Client, tid: str, rx: Receiver, hook: dict[str, Any]) -> None:
    """Every message arrived, signed, and in the order of the events it tells of."""
    base = f"/api/v1/tournaments/{tid}"
    events = the_events(api, tid)
    wanted = [
        (e["type"], subject(e["type"], e["data"])) for e in events if e["type"] in FROM_EVENTS
    ]
    got = rx.wait_for(len(wanted))
    deadline = time.monotonic() + 20
    while api.get(f"{base}/webhooks/{hook['id']}").json()["deliveries"]["pending"]:
        assert time.monotonic() < deadline, "deliveries still pending"
        time.sleep(0.2)
    got = firsts(rx.accepted())
    payloads = [r.verified(hook["secret"]) for r in got]  # the library raises on a bad one
    told = [
        (p["type"], subject(p["type"], p["data"])) for p in payloads if p["type"] in FROM_EVENTS
    ]
    assert told == wanted
    assert [r.headers["webhook-id"] for r in got] == [
        d["id"] for d in log_of(api, base, hook["id"])
    ]
    stamps = [p["timestamp"] for p in payloads]
    assert stamps == sorted(stamps)
    kinds = {p["type"] for p in payloads}
    assert {"match.ready", "match.corrected", "participant.checked_in"} <= kinds


def check_the_discord_lines(api: httpx.Client, tid: str, discord: Receiver) -> None:
    """A line for people per call and result: names, the round, the station; never an id."""
    base = f"/api/v1/tournaments/{tid}"
    t = api.get(base).json()
    names = {p["id"]: p["name"] for p in t["participants"]}
    final = max(t["matches"], key=lambda m: (m["round"], m["number"]))
    a, b = (names[s["participant_id"]] for s in final["slots"])
    x, y = final["scores"]
    line = f"{a} {x}-{y} {b} · Final · {final['station']['name']} · {NAME}"
    deadline = time.monotonic() + 20
    while line not in [r.json()["content"] for r in firsts(discord.accepted())]:
        assert time.monotonic() < deadline, f"no {line!r} among the Discord messages"
        time.sleep(0.2)
    got = firsts(discord.accepted())
    assert all(r.status == 204 for r in discord.got)  # every body is one Discord takes
    lines = [r.json()["content"] for r in got]
    assert not [x for x in lines if RAW_ID.search(x)], "a line shows an id"
    assert sum(x.startswith("Called: ") for x in lines) >= 9
    assert sum(x.startswith("Corrected: ") for x in lines) == 1
    assert lines[-1] == f"{NAME} is complete. Champion: {(a, b)[0 if x > y else 1]}"


def test_a_whole_night(night_server: Server, browser: Browser) -> None:  # noqa: F811
    phones = Phones(browser)
    with Receiver() as rx, Receiver() as discord, night_server.client() as api:
        discord.answer = discord_shaped
        tid = api.post("/api/v1/tournaments", json={"name": NAME}).json()["id"]
        base = f"/api/v1/tournaments/{tid}"
        hook = api.post(f"{base}/webhooks", json={"url": rx.url, "description": "score bot"}).json()
        api.post(f"{base}/webhooks", json={"url": discord.url, "format": "discord",
                                           "types": DISCORD_TYPES})  # fmt: skip
        desk = phones.open(f"{night_server.url}/admin#t={tid}", desktop=True)
        signup_link, referee_links = organiser_prepares(desk)
        entries = {name: sign_up(phones, signup_link, name) for name in PLAYERS}
        desk.get_by_role("button", name="Open check-in now").click()
        expect(desk.locator("#check-in-status")).to_contain_text("0 of 10 here")
        for name in PLAYERS:
            if name not in NO_SHOWS and name != AT_THE_DESK:
                check_in(phones, entries[name])
        organiser_checks_in_and_starts(desk, AT_THE_DESK)

        t = api.get(base).json()
        playing = {p["name"] for p in t["participants"]}
        assert playing == set(PLAYERS) - NO_SHOWS and len(playing) == 10
        for station in ("Setup 1", "Setup 2"):  # both called to, in bracket order
            expect(desk.locator("#day-stations > li", has_text=station)).to_contain_text("W1.")

        viewer = viewers_see_the_stations(phones, api, night_server.url, tid)
        referees = {s: phones.open(link) for s, link in referee_links.items()}
        for station, ref in referees.items():
            expect(ref.locator("#ref-h")).to_have_text(station)
            expect(ref.locator("#who")).to_have_text(f"Signed in: referee at {station}")
            fits_the_phone(ref)
        shot(referees["Setup 2"], "night-referee-called")
        assert play_the_night(api, tid, referees) == 9  # ten players: nine matches

        expect(viewer.locator("#champion")).to_contain_text("Champion")
        check_the_deliveries(api, tid, rx, hook)
        check_the_discord_lines(api, tid, discord)
        for ref in referees.values():
            expect(ref.locator("#referee .ref-empty")).to_be_visible()
    assert not phones.errors, phones.errors
