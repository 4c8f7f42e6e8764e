"""Fixtures of the fault suite: an external Valkey the test can kill and start again."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.load import ExternalValkey


@pytest.fixture
def external_valkey(tmp_path: Path) -> Iterator[ExternalValkey]:
    """Not started: the test chooses when it is up. Always stopped at the end."""
    v = ExternalValkey(tmp_path / "valkey")
    try:
        yield v
    finally:
        v.stop()


@pytest.fixture
def key_prefix() -> str:
    return f"fault{secrets.token_hex(4)}:"
