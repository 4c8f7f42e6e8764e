"""The director's Swiss in real headless Chromium against a real server: a club night run from
the operator page (a round previewed then paired, a withdrawal and the round paired again, a
swap warned of and made anyway, a bye, a late entry, a past result corrected, the TRF saved, a
TRF imported), the viewer's boards and standings in the chess look, kept live, the printable
round sheet and standings, and a reopen preview that warns of a match being played.
Screenshots go to test-artifacts/director-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ADMIN, Server
from tests.e2e.test_browser import ARTIFACTS, DESKTOP, PHONE, browser, shot  # noqa: F401
from tests.helpers import add_players, create_tournament, ready_matches

pytestmark = pytest.mark.browser

PLAYERS = [("Carlsen, Magnus", 2830, "GM"), ("Giri, Anish", 2760, "GM"),
           ("Ju, Wenjun", 2560, "WGM"), ("Silva, Ana", 2150, "WIM"), ("Costa, Rui", 2050, "FM"),
           ("Pereira, Joana", 1900, None), ("Santos, Tiago", 1850, None)]  # fmt: skip


@pytest.fixture
def operator(browser: Browser) -> Iterator[Page]:  # noqa: F811
    ctx = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    ctx.add_init_script(f"localStorage.setItem('tourney.token', {ADMIN!r})")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: d.accept())
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def report_row(pg: Page, row: Any, white: str, black: str) -> None:
    """Report a board from its row on the operator page (the match dialog)."""
    row.click()
    expect(pg.locator("#mdlg")).to_be_visible()
    pg.fill("#score-0", white)
    pg.fill("#score-1", black)
    pg.click("#btn-result")
    expect(pg.locator("#mdlg-msg")).to_have_text("Result reported.")
    pg.click("#mdlg-close")


def play_round(pg: Page, r: int) -> None:
    rows = pg.locator(f".round-boards[data-round='{r}'] tr.board-row.s-ready")
    results = [("1", "0"), ("0.5", "0.5"), ("0", "1")]
    for i in range(rows.count()):
        report_row(pg, pg.locator(f".round-boards[data-round='{r}'] tr.board-row.s-ready").first,
                   *results[i % 3])  # fmt: skip
    expect(pg.locator(f".round-boards[data-round='{r}'] tr.board-row.s-ready")).to_have_count(0)


def pair(pg: Page, button: str, r: int) -> None:
    pg.click(button)
    expect(pg.locator("#d-preview-box")).to_be_visible()
    expect(pg.locator("#d-preview-box table.boards")).to_be_visible()
    pg.click("#d-confirm")
    expect(pg.locator(f"#board .round-boards[data-round='{r}']")).to_be_visible()


def boards_of(c: httpx.Client, tid: str, r: int) -> list[list[str | None]]:
    ms = [m for m in c.get(f"/api/v1/tournaments/{tid}/matches").json() if m["round"] == r]
    ms.sort(key=lambda m: m["number"])
    return [[s["participant_id"] for s in m["slots"]] for m in ms]


def test_a_club_night_from_the_operator_page(server: Server, operator: Page) -> None:
    pg = operator
    pg.goto(server.url + "/admin")
    pg.fill("#create-form input[name=name]", "Tuesday rapid")
    pg.select_option("#format", "swiss")
    pg.fill("#create-form input[name=rounds]", "4")
    expect(pg.locator("#create-form input[name=by_hand]")).to_be_checked()
    pg.check("#create-form input[name=chess]")
    pg.click("#create-form button[type=submit]")
    expect(pg.locator("#t-name")).to_have_text("Tuesday rapid")
    tid = pg.evaluate("decodeURIComponent(location.hash.split('t=')[1])")
    with server.client() as c:
        rows = [{"name": n, "rating": r, **({"title": ti} if ti else {})} for n, r, ti in PLAYERS]
        assert c.post(f"/api/v1/tournaments/{tid}/participants", json=rows).status_code == 201
    pg.reload()
    expect(pg.locator("#seeds li")).to_have_count(7)
    pg.click("#start")
    expect(pg.locator("#d-panel")).to_be_visible()
    expect(pg.locator("#board table.boards")).to_have_count(1)
    expect(pg.locator("#board table.boards thead")).to_contain_text("White")
    play_round(pg, 1)
    expect(pg.locator("#d-state")).to_contain_text("Round 1 of 4: 3 of 3 results in")
    # round 2: previewed, then paired as previewed
    pair(pg, "#d-pair", 2)
    shot(pg, "director-round-2-paired")
    # a withdrawal, and the round paired again without them
    with server.client() as c:
        r2 = boards_of(c, tid, 2)
        gone = next(p for b in r2 for p in b if p)
        name = next(p["name"] for p in c.get(f"/api/v1/tournaments/{tid}").json()["participants"]
                    if p["id"] == gone)  # fmt: skip
    pg.locator(f"#d-roster tr[data-pid='{gone}'] button.withdraw").click()
    expect(pg.locator(f"#d-roster tr[data-pid='{gone}']")).to_contain_text("withdrawn")
    pair(pg, "#d-repair", 2)
    with server.client() as c:
        assert all(gone not in b for b in boards_of(c, tid, 2))
    # a swap that makes two players of round 1 meet again: warned, then made anyway
    with server.client() as c:
        a, b = rematch_swap(c, tid)
    pg.click("#d-swap summary")
    pg.select_option("#d-swap-a", a)
    pg.select_option("#d-swap-b", b)
    pg.click("#d-swap-preview")
    expect(pg.locator("#d-swap-out .warnings")).to_contain_text("have played each other")
    expect(pg.locator("#d-swap-out .warnings")).to_contain_text("This swap breaks")
    shot(pg, "director-swap-warning")
    pg.click("#d-swap-do")
    expect(pg.locator("#flash")).to_have_text("Swapped.")
    expect(pg.locator("#d-body .warnings")).to_contain_text("Changed by hand")
    # a bye for round 3 and a late entry
    pg.select_option("#d-bye-who", label="Silva, Ana")
    pg.fill("#d-bye-rounds", "3")
    pg.click("#d-bye-form button[type=submit]")
    expect(pg.locator("#d-roster")).to_contain_text("R3: ½")
    pg.fill("#d-late-name", "Late, Lou")
    pg.fill("#d-late-rating", "1500")
    pg.click("#d-late-form button[type=submit]")
    expect(pg.locator("#d-roster")).to_contain_text("Late, Lou")
    expect(pg.locator("#d-roster tr:has-text('Late, Lou')")).to_contain_text("R1: 0")
    play_round(pg, 2)
    # a result of round 1 corrected from the board's dialog: the pairing made stands
    first = pg.locator(".round-boards[data-round='1'] tr.board-row.s-complete").first
    first.click()
    pg.click("#correct summary")
    pg.fill("#score-0", "0")
    pg.fill("#score-1", "1")
    pg.click("#btn-correct")
    expect(pg.locator("#mdlg-msg")).to_have_text("Result corrected.")
    pg.click("#mdlg-close")
    expect(first.locator(".res")).to_have_text("0-1")
    pair(pg, "#d-pair", 3)
    with server.client() as c:
        silva = next(p["id"] for p in c.get(f"/api/v1/tournaments/{tid}").json()["participants"]
                     if p["name"] == "Silva, Ana")  # fmt: skip
        assert all(silva not in b for b in boards_of(c, tid, 3))
    expect(pg.locator(".round-boards[data-round='3'] .byes")).to_contain_text("WIM Silva, Ana (½)")
    # the files: the TRF is saved, the sheets open
    with pg.expect_download() as dl:
        pg.click("#d-trf")
    text = Path(dl.value.path()).read_text()
    assert "012 Tuesday rapid" in text and "GM Carlsen, Magnus" in text and "XXR 4" in text
    assert pg.locator("#d-sheet").get_attribute("href") == f"/t/{tid}?sheet=round&round=3"
    pg.locator("#d-panel").scroll_into_view_if_needed()
    shot(pg, "director-panel")
    assert name  # the withdrawn player was found by name above


def rematch_swap(c: httpx.Client, tid: str) -> tuple[str, str]:
    met = {frozenset(b) for b in boards_of(c, tid, 1) if None not in b}
    boards = [b for b in boards_of(c, tid, 2) if None not in b]
    for x in boards:
        for y in boards:
            for i in (0, 1):
                for q in y:
                    if x is not y and frozenset((x[1 - i], q)) in met:
                        return str(x[i]), str(q)
    raise AssertionError("no swap makes a rematch")


def chess_night(c: httpx.Client) -> str:
    t = create_tournament(
        c,
        "Lisbon club",
        format="swiss",
        settings={
            "rounds": 4,
            "tiebreakers": ["buchholz_cut1", "buchholz", "sonneborn_berger", "wins"],
        },
    )
    rows = [{"name": n, "rating": r, **({"title": ti} if ti else {})} for n, r, ti in PLAYERS]
    c.post(f"/api/v1/tournaments/{t['id']}/participants", json=rows)
    c.post(f"/api/v1/tournaments/{t['id']}/start")
    bodies = [{"scores": [1, 0]}, {"scores": [0.5, 0.5]}, {"forfeit": None}]
    for i, m in enumerate(ready_matches(c, t["id"])):
        body = bodies[i % 3] if i % 3 != 2 else {"forfeit": m["slots"][1]["participant_id"]}
        c.post(f"/api/v1/tournaments/{t['id']}/matches/{m['id']}/result", json=body)
    c.post(f"/api/v1/tournaments/{t['id']}/rounds")
    return str(t["id"])


def test_the_viewer_draws_boards_and_every_tiebreak_live(server: Server, browser: Browser) -> None:  # noqa: F811
    with server.client() as c:
        tid = chess_night(c)
        gone = c.get(f"/api/v1/tournaments/{tid}").json()["participants"][-1]["id"]
        c.post(f"/api/v1/tournaments/{tid}/participants/{gone}/withdraw")
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        ctx = browser.new_context(viewport=viewport)
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        pg.goto(f"{server.url}/t/{tid}")
        pg.wait_for_selector("html[data-rendered='1']")
        r1 = pg.locator(".round-boards[data-round='1'] table.boards")
        expect(r1.locator("thead")).to_contain_text("White")
        expect(r1.locator("thead")).to_contain_text("Black")
        results = r1.locator("td.res").all_inner_texts()
        assert results[:3] == ["1-0", "½-½", "+/\u2212"] and results[3] == "1", results
        expect(r1.locator("tr").nth(1)).to_contain_text("GM Carlsen, Magnus")
        heads = pg.locator("table.standings.chess thead th").all_inner_texts()
        assert heads[-4:] == ["Bh-1", "Bh", "SB", "Won"], heads
        expect(pg.locator("table.standings.chess")).to_contain_text("withdrawn")
        if size == "desktop":
            # a result reported elsewhere appears on its board without a reload
            pg.evaluate("window.__sameDocument = true")
            with server.client() as c:
                m = ready_matches(c, tid)[0]
                url = f"/api/v1/tournaments/{tid}/matches/{m['id']}/result"
                assert c.post(url, json={"scores": [0, 1]}).status_code == 200
            row = pg.locator(f"tr.board-row[data-id='{m['id']}']")
            expect(row.locator(".res")).to_have_text("0-1", timeout=2000)
            assert pg.evaluate("window.__sameDocument") is True
        shot(pg, f"director-viewer-{size}")
        ctx.close()
        assert not errors, errors


def test_the_round_sheet_and_standings_print(server: Server, browser: Browser) -> None:  # noqa: F811
    with server.client() as c:
        tid = chess_night(c)
    ctx = browser.new_context(viewport={"width": 900, "height": 1200})
    pg = ctx.new_page()
    pg.goto(f"{server.url}/t/{tid}?sheet=round&round=2")
    pg.wait_for_selector("html[data-rendered='1']")
    expect(pg.locator(".sheet-head h2")).to_have_text("Lisbon club")
    expect(pg.locator(".sheet table.boards tbody tr")).to_have_count(4)
    expect(pg.locator("#print")).to_be_visible()
    pg.emulate_media(media="print")
    expect(pg.locator("#print")).to_be_hidden()
    expect(pg.locator(".top")).to_be_hidden()
    assert pg.locator(".sheet table.boards td.res").first.inner_text() == ""  # to fill in
    shot(pg, "director-round-sheet-print")
    pdf = pg.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    pg.emulate_media(media="screen")
    pg.goto(f"{server.url}/t/{tid}?sheet=standings")
    pg.wait_for_selector("html[data-rendered='1']")
    expect(pg.locator(".sheet table.standings.chess tbody tr")).to_have_count(7)
    expect(pg.locator(".sheet-head .meta")).to_contain_text("after round 1")
    pg.emulate_media(media="print")
    shot(pg, "director-standings-print")
    ctx.close()


def test_a_trf_imported_from_the_operator_page(
    server: Server, operator: Page, tmp_path: Path
) -> None:
    with server.client() as c:
        tid = chess_night(c)
        text = c.get(f"/api/v1/tournaments/{tid}/export.trf").text
    path = tmp_path / "club.trf"
    path.write_text(text)
    operator.goto(server.url + "/admin")
    operator.set_input_files("#trf-file", str(path))
    operator.click("#import-form button[type=submit]")
    expect(operator.locator("#t-name")).to_have_text("Lisbon club")
    expect(operator.locator("#flash")).to_contain_text("Imported")
    expect(operator.locator("#board table.boards")).to_have_count(2)
    expect(operator.locator("#d-state")).to_contain_text("Round 2 of 4")
    shot(operator, "director-imported")


def test_a_reopen_preview_warns_of_a_match_being_played(server: Server, operator: Page) -> None:
    with server.client() as c:
        t = create_tournament(c, "Cup")
        add_players(c, t["id"], 4)
        c.post(f"/api/v1/tournaments/{t['id']}/start")
        semis = ready_matches(c, t["id"])
        base = f"/api/v1/tournaments/{t['id']}/matches/"
        for m in semis:
            c.post(base + f"{m['id']}/result", json={"scores": [2, 0]})
        (final,) = ready_matches(c, t["id"])
        c.post(base + f"{final['id']}/live", json={"scores": [1, 1]})
    operator.goto(f"{server.url}/admin#t={t['id']}")
    operator.locator(f"#board .match[data-id='{semis[0]['id']}']").click()
    operator.click("#btn-preview")
    loud = operator.locator("#reopen-preview .loud")
    expect(loud).to_contain_text("W2.1 (P1 v P2) is being played live")
    shot(operator, "director-reopen-live-warning")
