"""The ``points`` setting of the points-based formats."""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..validation import number


def check_points(raw: Any, defaults: dict[str, float]) -> dict[str, float]:
    """``{"win", "draw", "loss"}`` (Swiss adds ``bye``): numbers from -1000 to 1000, the win
    worth more than the loss; missing keys take the format's defaults."""
    if not isinstance(raw, dict):
        raise Invalid.field("settings.points", "must be an object")
    for key in raw:
        if key not in defaults:
            raise Invalid.field(f"settings.points.{key}", "is not a points setting")
    out = {
        k: number(raw.get(k, v), f"settings.points.{k}", -1000, 1000) for k, v in defaults.items()
    }
    if out["win"] <= out["loss"]:
        raise Invalid.field("settings.points.win", "must be worth more than a loss")
    return out
