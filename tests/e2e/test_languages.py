"""The viewer, the overlay and the operator pages in English, German, French, Spanish and
Portuguese: picked from ?lang=, else from the browser's languages; an unknown one is English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ADMIN, Server
from tests.e2e.screens import OUTPUTS, PHONE, closing, open_page, shot, tournament, viewer
from tests.e2e.test_browser import browser

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with test_browser

# what the viewer of a double elimination says, per language
VIEWER = {
    "en": ("Winners bracket", "My player", "Winners round 1", "Live"),
    "de": ("Gewinnerseite", "Mein Spieler", "Gewinnerrunde 1", "Live"),
    "fr": ("Tableau des gagnants", "Mon joueur", "Gagnants, tour 1", "En direct"),
    "es": ("Cuadro de ganadores", "Mi jugador", "Ganadores, ronda 1", "En vivo"),
    "pt": ("Chave dos vencedores", "Meu jogador", "Vencedores, rodada 1", "Ao vivo"),
}
OPERATOR = {"en": "New tournament", "de": "Neues Turnier", "fr": "Nouveau tournoi",
            "es": "Nuevo torneo", "pt": "Novo torneio"}  # fmt: skip


@pytest.fixture(scope="module")
def tid(server: Server) -> Iterator[str]:
    with server.client() as c:
        yield tournament(c, "double_elimination", 8, 3)


@pytest.mark.parametrize("lang", list(VIEWER))
def test_the_viewer_speaks_the_language_asked_for(
    server: Server, browser: Browser, tid: str, lang: str
) -> None:
    section, player, first_round, live = VIEWER[lang]
    page = open_page(browser, viewer(server, tid, f"?lang={lang}"), PHONE)
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator(".stage h2").first).to_have_text(section)
    expect(page.locator(".follow > span")).to_have_text(player)
    expect(page.locator(".round-title").first).to_have_text(first_round)
    expect(page.locator(".match.s-live .ms")).to_have_text(live)
    shot(page, f"phone-list-{lang}")
    closing(page)


@pytest.mark.parametrize(("locale", "lang"), [("fr-CA", "fr"), ("pt-BR", "pt"), ("ja-JP", "en")])
def test_the_browsers_language_is_the_default(
    server: Server, browser: Browser, tid: str, locale: str, lang: str
) -> None:
    page = open_page(browser, viewer(server, tid), PHONE, locale=locale)
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator(".stage h2").first).to_have_text(VIEWER[lang][0])
    closing(page)


def test_the_overlay_in_german(server: Server, browser: Browser, tid: str) -> None:
    page = open_page(browser, viewer(server, tid, "?overlay=1&lang=de"), OUTPUTS["720p"])
    expect(page.locator(".counts")).to_contain_text("bereit")
    expect(page.locator(".stage h2").first).to_have_text("Gewinnerseite")
    shot(page, "overlay-de-720p", transparent=True)
    closing(page)


@pytest.mark.parametrize("lang", list(OPERATOR))
def test_the_operator_page_speaks_the_language_asked_for(
    server: Server, browser: Browser, lang: str
) -> None:
    page = open_page(browser, f"{server.url}/admin?lang={lang}", OUTPUTS["720p"])
    expect(page.locator("#create-h")).to_have_text(OPERATOR[lang])
    expect(page.locator("#lang")).to_have_value(lang)
    closing(page)


def test_a_language_chosen_on_the_operator_page_is_kept(
    server: Server, browser: Browser, tid: str
) -> None:
    page = open_page(browser, f"{server.url}/admin", OUTPUTS["720p"])
    page.evaluate(f"localStorage.setItem('tourney.token', {ADMIN!r})")
    page.select_option("#lang", "es")
    expect(page.locator("#create-h")).to_have_text("Nuevo torneo")
    page.goto(f"{server.url}/admin#t={tid}")
    expect(page.locator("#m-h")).to_have_text("Partidos")
    expect(page.locator("#board .match.s-live .ms")).to_have_text("En vivo")
    shot(page, "admin-es")
    closing(page)
