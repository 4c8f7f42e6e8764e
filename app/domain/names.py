"""Matches as people read them: participant names beside the ids, and a round's name
("Winners semifinal", "Group B round 2"), for bots, webhooks and chat messages."""

from __future__ import annotations

from typing import Any

from .models import Match, Tournament

EXPANDABLE = ("participants",)


def names(t: Tournament, m: Match) -> list[str | None]:
    """The name in each slot, None where nobody is (yet)."""
    out: list[str | None] = []
    for pid in m.participants:
        p = t.participants.get(pid) if pid is not None else None
        out.append(p.name if p is not None else None)
    return out


def expanded(t: Tournament, m: Match) -> dict[str, Any]:
    """The match's JSON with each slot's participant written out (``slots[i].participant``:
    ``{"id", "name", "seed", "rating", "status"}`` or null)."""
    d = m.to_dict()
    for slot in d["slots"]:
        pid = slot["participant_id"]
        p = t.participants.get(pid) if pid is not None else None
        slot["participant"] = p.to_dict() if p is not None else None
    return d


def group_letter(group: int | None) -> str:
    """1 → A, 26 → Z, 27 → AA (as the bracket viewer writes them)."""
    n, out = group or 1, ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def round_label(t: Tournament, m: Match) -> str:
    """The name of the round ``m`` is in, in the singular: one match of it."""
    if m.bracket == "grand_final":
        return "Grand final reset" if m.round == 2 else "Grand final"
    if m.bracket == "third_place":
        return "Third-place match"
    groups = {x.group for x in t.matches.values() if x.bracket == m.bracket}
    if m.bracket in ("group", "swiss"):
        word = "Swiss round" if m.bracket == "swiss" else "Round"
        if len(groups) > 1:
            return f"Group {group_letter(m.group)} {word.lower()} {m.round}"
        return f"{word} {m.round}"
    rounds = max(x.round for x in t.matches.values() if x.bracket == m.bracket)
    if m.bracket == "losers":
        return "Losers final" if m.round == rounds else f"Losers round {m.round}"
    return winners_round(m.round, rounds, any(x.bracket == "losers" for x in t.matches.values()))


def winners_round(r: int, rounds: int, double: bool) -> str:
    left = rounds - r
    if left == 0:
        return "Winners final" if double else "Final"
    if left == 1:
        return "Winners semifinal" if double else "Semifinal"
    if left == 2 and not double:
        return "Quarterfinal"
    return f"Winners round {r}" if double else f"Round {r}"
