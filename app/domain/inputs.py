"""What a command is given besides the state (``commands.COMMANDS`` runs every command with
one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Input:
    """What a command is given besides the state: the request's body, the participant, match or
    station its path names (or a participant link names), where new ids come from (the
    server's; a test's counter), the time (the service's clock), the hash of a participant
    link the command hands out, who asks (a token's id, "admin"; results remember it), whether
    that is a referee (a report token), and how long a referee may correct its own last result
    (``referee.correction_window_seconds``)."""

    body: Any = None
    target: str = ""
    new_id: Callable[[str], str] = str
    now: str = ""
    link_hash: str = ""
    actor: str = ""
    referee: bool = False
    correction_window: float = 0.0
