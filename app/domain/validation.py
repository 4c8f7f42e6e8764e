"""Checks on the shapes of request fields, shared by every command. Raise ``Invalid``."""

from __future__ import annotations

import math
from typing import Any

from .errors import Invalid
from .eventday import instant, iso

MAX_NAME = 200
MAX_SCORE = 1_000_000_000


def text(value: Any, field: str, max_len: int = MAX_NAME, required: bool = True) -> str:
    if not isinstance(value, str):
        raise Invalid.field(field, "must be a string")
    out = str(value).strip()
    if required and not out:
        raise Invalid.field(field, "must not be empty")
    if len(out) > max_len:
        raise Invalid.field(field, f"must be at most {max_len} characters")
    return out


def number(value: Any, field: str, low: float = 0, high: float = MAX_SCORE) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid.field(field, "must be a number")
    if value < low or value > high:
        raise Invalid.field(field, f"must be between {low:g} and {high:g}")
    return int(value) if float(value).is_integer() else float(value)


def whole(value: Any, field: str, low: int = 1, high: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid.field(field, f"must be a whole number from {low} to {high}")
    return value


def boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid.field(field, "must be true or false")
    return value


def pair(value: Any, field: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid.field(field, "must be a list of two numbers")
    return [number(value[0], f"{field}[0]"), number(value[1], f"{field}[1]")]


def obj(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid.field(field, "must be an object")
    return value


def only_keys(
    value: dict[str, Any],
    allowed: set[str],
    prefix: str = "",
    message: str = "is not a known field",
) -> None:
    for key in value:
        if key not in allowed:
            raise Invalid.field(prefix + key, message)


def only_settings(raw: dict[str, Any], known: set[str]) -> None:
    only_keys(raw, known, "settings.", "is not a setting of this format")


def when(value: Any, field: str) -> str:
    """An ISO-8601 time, as UTC with milliseconds (a time without a zone is taken as UTC)."""
    message = "must be an ISO-8601 time, such as 2030-01-31T12:00:00Z"
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid.field(field, message)
    try:
        return iso(instant(value))
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        raise Invalid.field(field, message) from None


# FIDE titles, highest first (FIDE Handbook C.04.2 orders pairing numbers by them).
TITLES = ("GM", "IM", "WGM", "FM", "WIM", "CM", "WFM", "WCM")


def title(value: Any, field: str) -> str:
    if value not in TITLES:
        raise Invalid.field(field, f"must be one of {', '.join(TITLES)} (or null)")
    return str(value)
