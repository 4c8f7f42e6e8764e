"""A referee correcting its own last result (``POST .../correct`` with a report token).

A result reported with a token is remembered as that token's last one (``EventDay.reports``:
the match, when, and the seq of the event that decided it). Within the correction window the
same token may replace it with ``match.corrected``, as long as nothing has moved on from it:
the match is as that report left it (no reopen, no other report since), no match it feeds has
begun (live or decided), and the format would allow a reopen (a Swiss round paired on it, a
playoff drawn from its group, block it). Unlike the organiser's correction (``corrections.py``),
it may change the winner in elimination: the bracket then moves as a reopen and a report would.
Anything else is the organiser's reopen.

The window counts from the first report: a correction does not extend it.
"""

from __future__ import annotations

from typing import Any

from . import advancement
from .errors import Conflict, Invalid
from .eventday import instant
from .formats import get_format
from .models import Match, MatchState, Result, Tournament, TournamentState
from .results import decided
from .standings import ELIMINATION_BRACKETS

OUTCOME = ("scores", "games", "winner_id", "loser_id", "result")
ASK = "ask the organiser to reopen it"


def record_report(t: Tournament, reporter: str, mid: str, at: str, seq: int) -> None:
    """Remember ``reporter``'s last result (the fold of ``match.result``)."""
    if reporter:
        t.day.reports[reporter] = {"match_id": mid, "at": at, "seq": seq}


def record_correction(t: Tournament, reporter: str, mid: str, at: str, seq: int) -> None:
    """A correction is still the reporter's last result, as of the first report's time."""
    last = t.day.reports.get(reporter)
    first = last["at"] if last is not None and last["match_id"] == mid else at
    record_report(t, reporter, mid, first, seq)


def correctable_until(t: Tournament, reporter: str, window: float) -> dict[str, Any] | None:
    """The reporter's last result and until when it may be corrected (None: none may be)."""
    last = t.day.reports.get(reporter)
    m = t.matches.get(last["match_id"]) if last is not None else None
    if last is None or m is None or window <= 0 or blocker(t, m, last) is not None:
        return None
    until = instant(last["at"]).timestamp() + window
    return {"match_id": m.id, "reported_at": last["at"], "until": until}


def blocker(t: Tournament, m: Match, last: dict[str, Any]) -> str | None:
    """Why the result of ``m`` cannot be corrected by the token whose last report is ``last``
    (the time aside), or None."""
    if last["match_id"] != m.id or m.seq != last["seq"] or m.state is not MatchState.COMPLETE:
        return f"only your own last result can be corrected, as it stands; {ASK}"
    if m.result is Result.BYE:
        return "a bye has no result to correct"
    if advancement.reopen_plan(t, m.id) != [m.id]:
        return f"a match this result feeds has begun; {ASK}"
    reason = get_format(t.format).reopen_blocker(t, m)
    return f"{reason}; {ASK}" if reason else None


def correct(
    t: Tournament, mid: str, body: Any, reporter: str, window: float, now: str
) -> dict[str, Any]:
    """``match.corrected``: the new outcome (a report's body, checked as a report of ``m``)
    and the one it replaces."""
    m = t.match(mid)
    last = t.day.reports.get(reporter)
    if window <= 0:
        raise Conflict(f"this server does not let referees correct results; {ASK}")
    if last is None:
        raise Conflict(f"only your own last result can be corrected; {ASK}")
    why = blocker(t, m, last)
    if why is not None:
        raise Conflict(why)
    elapsed = instant(now).timestamp() - instant(last["at"]).timestamp()
    if elapsed > window:
        raise Conflict(f"the {window:g} s to correct a result have passed; {ASK}")
    data = decided(t, m, body)
    before = {k: getattr(m, k) for k in OUTCOME}
    if all(data[k] == before[k] for k in OUTCOME):
        raise Invalid("that is the result already reported")
    return {**data, "was": before, "reporter": reporter}


def moves_the_bracket(t: Tournament, d: dict[str, Any]) -> bool:
    """A correction giving an elimination match another winner (only a referee's may)."""
    m = t.matches[d["match_id"]]
    return m.bracket in ELIMINATION_BRACKETS and d["winner_id"] != m.winner_id


def fold_moved(t: Tournament, d: dict[str, Any]) -> list[str]:
    """Another winner in elimination: as a reopen then a report; a ready match the old outcome
    filled loses its station call (its players changed; the next call is its own)."""
    m = t.matches[d["match_id"]]
    fmt = get_format(t.format)
    changed = uncall_next(t, m)
    if t.state is TournamentState.COMPLETE:
        t.state, t.completed_at = TournamentState.UNDERWAY, None
    changed += advancement.reopen(t, m.id) + fmt.on_reopened(t, m.id)
    m.scores, m.games = d["scores"], d["games"]
    changed += advancement.decide(t, m, d["winner_id"], d["loser_id"], Result(d["result"]))
    return changed + fmt.on_decided(t, m)


def uncall_next(t: Tournament, m: Match) -> list[str]:
    out = []
    for nid in (m.winner_to, m.loser_to):
        nxt = t.matches.get(nid) if nid is not None else None
        if nxt is None or nxt.station is None:
            continue
        held = t.day.stations.get(nxt.station["id"])
        if held is not None and held.match_id == nxt.id:
            held.match_id = None
        nxt.station = nxt.called_at = None
        out.append(nxt.id)
    return out
