"""Checks on the shapes of request fields, shared by every command. Raise ``Invalid``."""

from __future__ import annotations

import math
from typing import Any

from .errors import Invalid

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


def positive_int(value: Any, field: str, high: int = 1_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise Invalid.field(field, f"must be a whole number from 1 to {high}")
    return value


def pair(value: Any, field: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid.field(field, "must be a list of two numbers")
    return [number(value[0], f"{field}[0]"), number(value[1], f"{field}[1]")]


def obj(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid.field(field, "must be an object")
    return value


def only_keys(value: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
    for key in value:
        if key not in allowed:
            raise Invalid.field(prefix + key, "is not a known field")


# FIDE titles, highest first (FIDE Handbook C.04.2 orders pairing numbers by them).
TITLES = ("GM", "IM", "WGM", "FM", "WIM", "CM", "WFM", "WCM")


def title(value: Any, field: str) -> str:
    if value not in TITLES:
        raise Invalid.field(field, f"must be one of {', '.join(TITLES)} (or null)")
    return str(value)
