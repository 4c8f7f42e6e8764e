"""tourney's tournaments, participants and matches in Challonge v1's shapes, each wrapped in its
envelope (``{"tournament": {...}}``).

States: a tournament is ``pending``, ``underway``, ``awaiting_review`` (every match decided, not
yet finalized) or ``complete`` (finalized); a match is ``pending`` (waiting for a side), ``open``
or ``complete``. Rounds of the losers' bracket are negative; the grand final follows the winners'
bracket's last round. Matches that are byes are not shown, as Challonge shows none.
"""

from __future__ import annotations

from typing import Any

from ...domain.formats import get_format
from ...domain.models import (
    FormatName,
    Match,
    MatchState,
    Participant,
    ParticipantStatus,
    Result,
    Tournament,
    TournamentState,
)
from .ids import to_int, to_int_or_none

TYPES = {
    FormatName.SINGLE_ELIMINATION: "single elimination",
    FormatName.DOUBLE_ELIMINATION: "double elimination",
    FormatName.ROUND_ROBIN: "round robin",
    FormatName.SWISS: "swiss",
    FormatName.GROUPS_PLAYOFFS: "single elimination",
}
GRAND_FINALS = {"double": None, "simple": "single match", "none": "skip"}
BRACKET_ORDER = {"winners": 0, "group": 0, "swiss": 0, "third_place": 1, "losers": 2,
                 "grand_final": 3}  # fmt: skip


def state(t: Tournament) -> str:
    if t.state is TournamentState.COMPLETE:
        return "complete" if t.finalized_at is not None else "awaiting_review"
    return str(t.state)


def tournament(t: Tournament, participants: bool = False, matches: bool = False) -> dict[str, Any]:
    shown = shown_matches(t)
    done = sum(1 for m in shown if m.state is MatchState.COMPLETE)
    d: dict[str, Any] = {
        "id": to_int(t.id),
        "tourney_id": t.id,
        "name": t.name,
        "url": t.id,
        "subdomain": None,
        "description": "",
        "tournament_type": TYPES[t.format],
        "state": state(t),
        "private": str(t.visibility) != "public",
        "open_signup": bool(t.day.signup["enabled"]),
        "signup_cap": t.day.capacity,
        "hold_third_place_match": bool(t.settings.get("third_place_match", False)),
        "grand_finals_modifier": GRAND_FINALS.get(t.settings.get("grand_final", "double")),
        "swiss_rounds": int(t.settings.get("rounds") or 0),
        "sequential_pairings": t.settings.get("seed_ordering") == "natural",
        "review_before_finalizing": True,
        "group_stages_enabled": t.format is FormatName.GROUPS_PLAYOFFS,
        "participants_count": len(t.participants),
        "progress_meter": round(100 * done / len(shown)) if shown else 0,
        "start_at": t.day.starts_at,
        "check_in_duration": t.day.check_in_minutes,
        "started_checking_in_at": t.day.check_in_opened_at,
        "check_in_opened_at": t.day.check_in_opened_at,
        "created_at": t.created_at,
        "updated_at": t.created_at,
        "started_at": t.started_at,
        "completed_at": t.finalized_at,
        "game_name": None,
        "game_id": None,
        "teams": False,
        "prediction_method": 0,
        "ranked_by": "match wins",
        "created_by_api": True,
    }
    if participants:
        ranks = final_ranks(t)
        d["participants"] = [participant(t, p, ranks) for p in t.participant_list()]
    if matches:
        last = last_winners_round(t)
        d["matches"] = [match(t, m, i, last) for i, m in enumerate(shown)]
    return {"tournament": d}


def final_ranks(t: Tournament) -> dict[str, int]:
    if t.state is not TournamentState.COMPLETE:
        return {}
    return {row["participant_id"]: int(row["rank"]) for row in get_format(t.format).standings(t)}


def participant(
    t: Tournament, p: Participant, ranks: dict[str, int] | None = None
) -> dict[str, Any]:
    active = p.status is ParticipantStatus.ACTIVE
    pending = t.state is TournamentState.PENDING
    return {"participant": {
        "id": to_int(p.id),
        "tourney_id": p.id,
        "tournament_id": to_int(t.id),
        "name": p.name,
        "display_name": p.name,
        "seed": p.seed,
        "active": active,
        "checked_in": p.checked_in_at is not None,
        "checked_in_at": p.checked_in_at,
        "can_check_in": pending and active and p.checked_in_at is None,
        "final_rank": (ranks or {}).get(p.id),
        "misc": None,
        "on_waiting_list": False,
        "removable": pending,
        "reactivatable": False,
        "group_id": None,
        "group_player_ids": [],
        "username": None,
        "challonge_username": None,
        "email": None,
        "invitation_id": None,
        "icon": None,
        "created_at": t.created_at,
        "updated_at": t.created_at,
    }}  # fmt: skip


def shown_matches(t: Tournament) -> list[Match]:
    """The matches Challonge would show, in its suggested play order: round by round (the
    losers' bracket's round after the winners' of the same number), top to bottom."""
    shown = [m for m in t.matches.values() if m.result is not Result.BYE]
    winners_rounds = last_winners_round(t)

    def place(m: Match) -> tuple[int, int, int, int]:
        rnd = abs(round_of(m, winners_rounds))
        return rnd, BRACKET_ORDER.get(m.bracket, 0), m.group or 0, m.number

    return sorted(shown, key=place)


def last_winners_round(t: Tournament) -> int:
    return max((m.round for m in t.matches.values() if m.bracket == "winners"), default=0)


def round_of(m: Match, winners_rounds: int) -> int:
    if m.bracket == "losers":
        return -m.round
    if m.bracket == "grand_final":
        return winners_rounds + m.round
    if m.bracket == "third_place":
        return winners_rounds
    return m.round


def identifier(i: int) -> str:
    """A, B, ... Z, AA, AB, ...: Challonge's match letters, by play order."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def match(t: Tournament, m: Match, order: int, winners_rounds: int | None = None) -> dict[str, Any]:
    """``m`` in Challonge's shape; ``order``: its place in play order; ``winners_rounds``: the
    winners' bracket's last round (found if not given: pass it when shaping many)."""
    a, b = m.participants
    prereq = [prerequisite(t, m, side) for side in (0, 1)]
    if winners_rounds is None:
        winners_rounds = last_winners_round(t)
    live = m.state is MatchState.LIVE
    return {"match": {
        "id": to_int(m.id),
        "tourney_id": m.id,
        "tournament_id": to_int(t.id),
        "identifier": identifier(order),
        "suggested_play_order": order + 1,
        "round": round_of(m, winners_rounds),
        "state": "complete" if m.state is MatchState.COMPLETE else (
            "open" if m.state.playable else "pending"),
        "player1_id": to_int_or_none(a),
        "player2_id": to_int_or_none(b),
        "player1_prereq_match_id": prereq[0][0],
        "player2_prereq_match_id": prereq[1][0],
        "player1_is_prereq_match_loser": prereq[0][1],
        "player2_is_prereq_match_loser": prereq[1][1],
        "prerequisite_match_ids_csv": ",".join(str(x) for x, _ in prereq if x is not None),
        "winner_id": to_int_or_none(m.winner_id),
        "loser_id": to_int_or_none(m.loser_id),
        "scores_csv": scores_csv(m),
        "underway_at": (m.live_detail or {}).get("underway_at") if live else None,
        "location": (m.station or {}).get("name"),
        "group_id": m.group,
        "has_attachment": False,
        "attachment_count": 0,
        "player1_votes": None,
        "player2_votes": None,
        "optional": m.bracket == "grand_final" and m.round == 2,
        "scheduled_time": None,
        "started_at": t.started_at,
        "created_at": t.started_at,
        "updated_at": t.started_at,
        "completed_at": None,
        "rushb_id": None,
    }}  # fmt: skip


def prerequisite(t: Tournament, m: Match, side: int) -> tuple[int | None, bool]:
    """The match a side comes from (None for a first-round side, or one that came from a
    bye), and whether it is that match's loser who comes."""
    slot = m.slots[side]
    src = t.matches.get(slot.from_match) if slot.from_match else None
    if src is None or src.result is Result.BYE:
        return None, False
    return to_int(src.id), slot.from_outcome == "loser"


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def scores_csv(m: Match) -> str:
    if m.games:
        return ",".join(f"{number(g[0])}-{number(g[1])}" for g in m.games)
    if m.scores is not None:
        return f"{number(m.scores[0])}-{number(m.scores[1])}"
    return ""
