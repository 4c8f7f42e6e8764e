"""The formats by name. A new format implements ``Format`` and is added here."""

from __future__ import annotations

from ..errors import Invalid
from .base import Format
from .double_elimination import DoubleElimination
from .groups_playoffs import GroupsPlayoffs
from .round_robin import RoundRobin
from .single_elimination import SingleElimination
from .swiss import Swiss

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (SingleElimination(), DoubleElimination(), RoundRobin(), Swiss(), GroupsPlayoffs())
}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise Invalid.field("format", f"must be one of {', '.join(sorted(FORMATS))}") from None
