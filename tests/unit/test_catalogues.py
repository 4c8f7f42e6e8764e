"""The pages' language catalogues (static/i18n/*.json): every key in every catalogue, the same
placeholders in every language, plural forms the browser can pick, and every key the pages ask
for present."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.auth import TOKEN_SCOPES as SCOPES
from app.domain.formats import FORMATS
from app.domain.formats.base import TIEBREAKERS

STATIC = Path(__file__).resolve().parents[2] / "static"
CATALOGUES = {p.stem: json.loads(p.read_text()) for p in sorted((STATIC / "i18n").glob("*.json"))}
ENGLISH = CATALOGUES["en"]
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}  # Intl.PluralRules (CLDR)
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# The public contract's closed sets, each shown in words by some page.
CONTRACT = {
    "match_state": ["pending", "ready", "live", "complete", "bye"],
    "bug": ["pending", "ready", "live", "complete"],
    "tournament_state": ["pending", "underway", "complete"],
    "conn": ["connecting", "live", "reconnecting", "offline"],
    "result": ["win", "draw", "forfeit", "bye", "double_forfeit"],
    "participant_status": ["active", "disqualified", "withdrawn"],
}


def forms(message: Any) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def placeholders(message: Any) -> set[str]:
    return {name for text in forms(message) for name in PLACEHOLDER.findall(text)}


def test_the_five_languages_are_there() -> None:
    assert set(CATALOGUES) == {"en", "de", "fr", "es", "pt"}


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_every_key_is_in_every_catalogue(code: str) -> None:
    keys = set(CATALOGUES[code])
    assert not set(ENGLISH) - keys, f"{code} lacks {sorted(set(ENGLISH) - keys)}"
    assert not keys - set(ENGLISH), f"{code} has keys English lacks: {sorted(keys - set(ENGLISH))}"


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_messages_keep_their_placeholders_and_plural_forms(code: str) -> None:
    for key, message in CATALOGUES[code].items():
        assert placeholders(message) == placeholders(ENGLISH[key]), f"{code}: {key}"
        if isinstance(message, dict):
            assert "other" in message and set(message) <= PLURAL_CATEGORIES, f"{code}: {key}"
            assert "n" in placeholders(message), f"{code}: {key} is plural but has no {{n}}"
        else:
            assert isinstance(message, str) and message.strip(), f"{code}: {key} is empty"


def keys_the_pages_use() -> set[str]:
    """Literal keys in the scripts and pages, and the families they build from data."""
    namespaces = {k.split(".")[0] for k in ENGLISH}
    names = "|".join(namespaces)
    literal = re.compile(rf"[\"'`]((?:{names})\.[a-z0-9_]+)[\"'`]")
    used: set[str] = set()
    for path in STATIC.rglob("*.js"):
        used |= set(literal.findall(path.read_text()))
    for path in STATIC.rglob("*.html"):
        text = path.read_text()
        used |= set(re.findall(r'data-i18n="([^"]+)"', text))
        for attrs in re.findall(r'data-i18n-attr="([^"]+)"', text):
            used |= {pair.split(":")[1].strip() for pair in attrs.split(";")}
    sections = re.search(r"SECTIONS = \[([^\]]+)\]", (STATIC / "state/sections.js").read_text())
    assert sections is not None
    families = {
        **CONTRACT,
        "format": list(FORMATS),
        "section_option": re.findall(r'"(\w+)"', sections.group(1)),
        "tiebreak": [x for x in TIEBREAKERS if x not in ("points", "wins", "scored", "seed")],
    }
    for family, names in families.items():
        used |= {f"{family}.{n}" for n in names}
    used |= {f"tiebreak.{n}_long" for n in families["tiebreak"]}
    used |= {f"admin.link_made_{s}" for s in SCOPES} | {f"admin.scope_{s}" for s in SCOPES}
    return used


def test_every_key_the_pages_use_is_in_the_catalogues() -> None:
    missing = sorted(keys_the_pages_use() - set(ENGLISH))
    assert not missing, f"keys used but not in en.json: {missing}"


def test_no_key_is_left_unused() -> None:
    unused = sorted(set(ENGLISH) - keys_the_pages_use())
    assert not unused, f"keys in en.json no page uses: {unused}"
