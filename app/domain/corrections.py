"""Correcting a result after the fact.

In Swiss and round robin any past result may be corrected at any time, in place: the points
and tiebreaks follow, and the pairings already made stand (chess practice: a round paired on a
wrong result is not paired again). In a group stage, until the playoff is drawn. In elimination
a correction must keep the same winner (a score typed wrong): it is made in place and nothing
downstream changes; a new winner is a reopen, which resets what depended on the result.

A reopen's preview names the matches it would reset that are being played right now.
"""

from __future__ import annotations

from typing import Any

from .errors import Conflict, Invalid
from .formats.groups_playoffs import playoff_started
from .inputs import Input
from .models import FormatName, MatchState, Result, Tournament
from .names import names, round_label
from .results import decided
from .standings import ELIMINATION_BRACKETS

RESULT_FIELDS = ("scores", "games", "winner_id", "loser_id", "result")


def correct(t: Tournament, inp: Input) -> dict[str, Any]:
    """``POST .../matches/{mid}/correct``: a decided match's result replaced, with the same
    body as a report. The event keeps the result it replaces (``was``)."""
    m = t.match(inp.target)
    if m.state is not MatchState.COMPLETE:
        raise Conflict("the match has no result yet: report it")
    if m.result is Result.BYE or None in m.participants:
        raise Conflict("a bye has no result to correct")
    group_stage = m.bracket in ("group", "swiss")
    if t.format is FormatName.GROUPS_PLAYOFFS and group_stage and playoff_started(t):
        raise Conflict("the playoff has started: group-stage results are final")
    data = decided(t, m, inp.body)
    was = {k: getattr(m, k) for k in RESULT_FIELDS}
    if all(data[k] == was[k] for k in RESULT_FIELDS):
        raise Invalid("the match has this result already")
    if m.bracket in ELIMINATION_BRACKETS and data["winner_id"] != m.winner_id:
        raise Conflict("a correction keeps the winner in elimination: reopen the match to "
                       "change it (?dry_run=1 shows what a reopen resets)")  # fmt: skip
    return {**data, "was": was}


def fold_corrected(t: Tournament, data: dict[str, Any]) -> list[str]:
    m = t.matches[data["match_id"]]
    m.scores, m.games = data["scores"], data["games"]
    m.winner_id, m.loser_id = data["winner_id"], data["loser_id"]
    m.result = Result(data["result"])
    return [m.id]


def live_in(t: Tournament, reset: list[str]) -> dict[str, Any]:
    """Of the matches a reopen resets, those being played (live scores arriving): ``live``
    (their ids) and ``warnings`` (a line each, for the person about to reopen)."""
    live = [mid for mid in reset if t.matches[mid].state is MatchState.LIVE]
    lines = []
    for mid in live:
        m = t.matches[mid]
        who = " v ".join(n or "?" for n in names(t, m))
        lines.append(f"{round_label(t, m)} ({who}) is being played live: reopening resets it "
                     "and its live score is lost")  # fmt: skip
    return {"reset": reset, "live": live, "warnings": lines}
