"""The director's Swiss rounds: the next round paired when the director asks, and a round's
pairing changed by hand until its first result: paired again, deleted, or two players swapped
(places or colours), with a warning for every absolute criterion the swap breaks, recorded in
the event as an override.

A round "has a result" once a match of it is decided by a report, or is being played (live
scores). The pairing-allocated bye and the forfeits given by a withdrawal or a disqualification
are the pairing's own doing, not results: a round holding only those may still change.
"""

from __future__ import annotations

from typing import Any

from . import advancement
from .errors import Conflict, Invalid
from .formats import get_format
from .formats.swiss import pair_round as pair_swiss_round
from .formats.swiss import paired_rounds, rounds_of, swiss_groups, swiss_matches
from .formats.swiss_entrants import entrants, options, unpaired, violations
from .inputs import Input
from .models import Match, MatchState, ParticipantStatus, Result, Tournament, TournamentState
from .validation import obj, only_keys, whole

CRITERIA = ("rematch", "repeat_bye", "colour_difference", "same_colour_three_times")


def swiss_settings(t: Tournament) -> dict[str, Any]:
    """The settings of the Swiss the director runs (Conflict when there is none now)."""
    if t.state is not TournamentState.UNDERWAY:
        raise Conflict("the tournament has not started" if t.state is TournamentState.PENDING
                       else "the tournament is complete")  # fmt: skip
    settings = get_format(t.format).swiss_stage(t)
    if settings is None:
        raise Conflict("rounds are paired by hand in a Swiss (or a Swiss group stage before "
                       "its playoff) only")  # fmt: skip
    return settings


def in_play(t: Tournament, pid: str) -> bool:
    return t.participants[pid].status is ParticipantStatus.ACTIVE


def automatic(t: Tournament, m: Match) -> bool:
    """Decided by the pairing itself: the pairing-allocated bye, or a forfeit of a player who
    is no longer in play (withdrawn, disqualified)."""
    if m.result is Result.BYE:
        return True
    if m.result is Result.FORFEIT:
        return m.loser_id is not None and not in_play(t, m.loser_id)
    if m.result is Result.DOUBLE_FORFEIT:
        return not any(in_play(t, p) for p in m.participants if p)
    return False


def round_of(t: Tournament, rnd: int) -> list[Match]:
    return sorted((m for m in swiss_matches(t) if m.round == rnd),
                  key=lambda m: (m.group or 1, m.number))  # fmt: skip


def changeable(t: Tournament, rnd: int) -> list[Match]:
    """Round ``rnd``'s matches, if its pairing may still change (Conflict if not)."""
    if rnd != paired_rounds(t):
        raise Conflict(f"only the last round paired ({paired_rounds(t)}) can change")
    ms = round_of(t, rnd)
    for m in ms:
        if m.state is MatchState.LIVE:
            raise Conflict(f"round {rnd} is being played (board {m.number} has live scores)")
        if m.state is MatchState.COMPLETE and not automatic(t, m):
            raise Conflict(f"round {rnd} has a result (board {m.number}): its pairing stands")
    return ms


def round_number(target: str) -> int:
    if not (target.isascii() and target.isdigit()) or not 1 <= int(target) <= 64:
        raise Invalid.field("round", "must be a round number from 1 to 64")
    return int(target)


# ---- the commands ------------------------------------------------------------------------------


def pair_round(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../rounds``: the next round, once every match of the one before is decided.
    An optional ``{"round": n}`` says which round the director means to pair."""
    settings = swiss_settings(t)
    rnd = paired_rounds(t) + 1
    if inp.body is not None:
        body = obj(inp.body, "body")
        only_keys(body, {"round"})
        if "round" in body and whole(body["round"], "round", 1, 64) != rnd:
            raise Conflict(f"the next round to pair is round {rnd}")
    left = [m for m in swiss_matches(t) if m.state is not MatchState.COMPLETE]
    if left:
        raise Conflict(f"round {rnd - 1} is not finished: {len(left)} result(s) to come")
    if rnd > rounds_of(t, settings):
        raise Conflict(f"all {rounds_of(t, settings)} rounds are paired")
    paired = pair_swiss_round(t, settings, rnd)
    if not paired.matches:
        raise Conflict("nobody is left to pair")
    return {**paired.data(), "by": "director"}


def repair_round(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../rounds/{round}/re-pair``: the last round paired again from the results before
    it, with the players as they stand now (late entries, withdrawals, byes)."""
    settings = swiss_settings(t)
    rnd = round_number(inp.target)
    old = changeable(t, rnd)
    paired = pair_swiss_round(t, settings, rnd)
    return {**paired.data(), "by": "director", "removed": [m.id for m in old]}


def delete_round(t: Tournament, inp: Input) -> dict[str, Any]:
    """``DELETE .../rounds/{round}``: the last round's pairing undone."""
    swiss_settings(t)
    rnd = round_number(inp.target)
    return {"round": rnd, "removed": [m.id for m in changeable(t, rnd)]}


def swap(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../rounds/{round}/swap`` ``{"players": [a, b]}``: a and b change places (and
    colours); two opponents change colours; one of them with the bye gives it to the other."""
    settings = swiss_settings(t)
    rnd = round_number(inp.target)
    ms = changeable(t, rnd)
    body = obj(inp.body, "body")
    only_keys(body, {"players"})
    a, b = two_players(body.get("players"))
    where = {p: m for m in ms for p in m.participants if p}
    for i, p in enumerate((a, b)):
        if p not in where:
            raise Invalid.field(f"players[{i}]", f"is not paired in round {rnd}")
    ma, mb = where[a], where[b]
    if (ma.group or 1) != (mb.group or 1):
        raise Invalid.field("players", "are in different groups")
    slots = {m.id: list(m.participants) for m in (ma, mb)}
    if ma is mb:
        slots[ma.id].reverse()
    else:
        slots[ma.id] = [b if p == a else p for p in slots[ma.id]]
        slots[mb.id] = [a if p == b else p for p in slots[mb.id]]
    found = swap_warnings(t, settings, ms, slots, ma.group or 1, rnd)
    boards = [{"match_id": mid, "slots": s} for mid, s in slots.items()]
    return {"round": rnd, "players": [a, b], "boards": boards, "warnings": found,
            "override": bool(found)}  # fmt: skip


def two_players(value: Any) -> tuple[str, str]:
    ok = isinstance(value, list) and len(value) == 2 and all(isinstance(p, str) for p in value)
    if not ok or value[0] == value[1]:
        raise Invalid.field("players", "must be two different participant ids")
    return value[0], value[1]


def swap_warnings(
    t: Tournament,
    settings: dict[str, Any],
    ms: list[Match],
    slots: dict[str, list[str | None]],
    group: int,
    rnd: int,
) -> list[dict[str, Any]]:
    """The absolute criteria the round breaks after the swap, on the boards it changed."""
    players = swiss_groups(t, settings)[group]
    before = [m for m in swiss_matches(t) if m.round < rnd and (m.group or 1) == group]
    known = entrants(t, players, before, rnd - 1, settings)
    away = unpaired(t, players, rnd)
    present, others = [known[p] for p in players if p not in away], [known[p] for p in away]
    boards: list[tuple[str, str]] = []
    bye = None
    for m in ms:
        if (m.group or 1) != group:
            continue
        w, b = slots.get(m.id, m.participants)
        if w is not None and b is not None:
            boards.append((w, b))
        else:
            bye = w or b
    opts = options(t, settings, rnd, rounds_of(t, settings), len(players))
    moved = {p for s in slots.values() for p in s if p}
    found = violations(t, present, opts, others, boards, bye)
    return [w for w in found if w["code"] in CRITERIA and moved & set(w["participants"])]


# ---- the folds ---------------------------------------------------------------------------------


def remove_matches(t: Tournament, ids: list[str]) -> None:
    """Take matches out of the draw: their stations are free again."""
    gone = set(ids)
    for s in t.day.stations.values():
        if s.match_id in gone:
            s.match_id = None
    for mid in ids:
        m = t.matches.pop(mid, None)
        if m is not None and m.state is not MatchState.COMPLETE:
            t.open_matches -= 1


def fold_repaired(t: Tournament, data: dict[str, Any]) -> list[str]:
    remove_matches(t, data["removed"])
    return advancement.add_matches(t, [Match.from_dict(m) for m in data["matches"]])


def fold_deleted(t: Tournament, data: dict[str, Any]) -> list[str]:
    remove_matches(t, data["removed"])
    return []


def fold_swapped(t: Tournament, data: dict[str, Any]) -> list[str]:
    """Each changed board takes its new players and is decided again as a new pairing is (a
    bye at once, a forfeit for a player no longer in play), else ready."""
    changed: list[str] = []
    for board in data["boards"]:
        m = t.matches[board["match_id"]]
        if m.state is MatchState.COMPLETE:
            t.open_matches += 1
        for slot, pid in zip(m.slots, board["slots"], strict=True):
            slot.participant_id = pid
        m.state = MatchState.PENDING
        m.scores, m.games, m.live_detail = None, [], None
        m.winner_id = m.loser_id = m.result = None
        changed += [m.id, *advancement.refresh(t, m)]
    return list(dict.fromkeys(changed))
