"""The state, and the fold: state + event -> state.

``State`` holds every tournament this process knows; ``fold`` applies one event to it. The fold is
deterministic: the same events in the same order give the same tournaments, which is what makes
replay after a restart (and another process folding the same stream) safe.
"""

from __future__ import annotations

from collections.abc import Callable

from . import (
    advancement,
    corrections,
    director,
    referee,
    review,
    roster,
    signup,
    stations,
    swiss_roster,
)
from .advancement import add_matches
from .errors import NotFound
from .eventday import EntryStatus
from .events import Event, EventType
from .formats import get_format
from .models import (
    FormatName,
    Match,
    MatchState,
    Participant,
    ParticipantStatus,
    Result,
    Tournament,
    TournamentState,
    Visibility,
)


class State:
    """Every tournament, by id."""

    def __init__(self, tournaments: dict[str, Tournament] | None = None) -> None:
        self.tournaments: dict[str, Tournament] = tournaments or {}

    def get(self, tid: str) -> Tournament:
        t = self.tournaments.get(tid)
        if t is None:
            raise NotFound(f"no tournament {tid!r}")
        return t

    def lookup(self, tid: str) -> Tournament | None:
        return self.tournaments.get(tid)

    def fold(self, e: Event) -> list[str] | None:
        return fold(self.tournaments, e)


def fold(tournaments: dict[str, Tournament], e: Event) -> list[str] | None:
    """Apply ``e`` to the tournament it names in ``tournaments`` (creating or deleting it).

    Returns the changed match ids, or None when the event was already applied (its seq is not
    newer than the tournament's) or names no tournament: replaying an event changes nothing.
    """
    t = tournaments.get(e.tournament_id)
    if e.type is EventType.TOURNAMENT_CREATED:
        if t is not None:
            return None
        t = new_tournament(e)
        t.seq, t.version = e.seq, 1
        tournaments[t.id] = t
        return []
    if t is None:
        return None
    if e.type is EventType.MATCH_LIVE:
        return _tick(t, e)
    if e.seq <= t.seq:
        return None
    if e.type is EventType.TOURNAMENT_DELETED:
        del tournaments[t.id]
        return []
    return apply(t, e)


def new_tournament(e: Event) -> Tournament:
    d = e.data
    t = Tournament(
        id=e.tournament_id,
        name=d["name"],
        format=FormatName(d["format"]),
        settings=d["settings"],
        visibility=Visibility(d["visibility"]),
        created_at=e.at,
    )
    signup.apply_settings(t, d)
    stations.apply_settings(t, d)
    t.trf_header = dict(d.get("trf_header") or {})
    if "import" in d:  # a tournament brought in with its rounds (trf_import.py)
        _added(t, Event(e.id, e.seq, EventType.PARTICIPANT_ADDED, t.id, e.at, d["import"]))
        t.state, t.started_at = TournamentState.UNDERWAY, e.at
        add_matches(t, [Match.from_dict(m) for m in d["import"]["matches"]])
    return t


def apply(t: Tournament, e: Event) -> list[str]:
    """Fold ``e`` into ``t``; returns the ids of the matches it changed."""
    handler = APPLY.get(e.type)
    changed = handler(t, e) if handler else []
    if t.day.stations and e.type.structural:
        stations.release(t, changed)
    t.seq = max(t.seq, e.seq)
    for mid in changed:
        t.matches[mid].seq = e.seq
    if e.type.structural:
        t.version += 1
    return changed


def _tick(t: Tournament, e: Event) -> list[str] | None:
    """A live score tick is guarded by its match's seq, not its tournament's: ticks of other
    matches (or from another process) may come later with a lower seq, and still count."""
    m = t.matches.get(e.data["match_id"])
    if m is None or e.seq <= m.seq:
        return None
    return apply(t, e)


def _updated(t: Tournament, e: Event) -> list[str]:
    d = e.data
    if "name" in d:
        t.name = d["name"]
    if "settings" in d:
        t.settings = d["settings"]
    if "visibility" in d:
        t.visibility = Visibility(d["visibility"])
    signup.apply_settings(t, d)
    stations.apply_settings(t, d)
    if "trf_header" in d:
        t.trf_header = dict(d["trf_header"])
    return []


def _added(t: Tournament, e: Event) -> list[str]:
    for p in e.data["participants"]:
        t.participants[p["id"]] = Participant(p["id"], p["name"], p["seed"], p.get("rating"),
                                              title=p.get("title"), fide=p.get("fide"),
                                              byes=list(p.get("byes", [])))  # fmt: skip
    return []


def _participant_updated(t: Tournament, e: Event) -> list[str]:
    p = t.participants[e.data["participant_id"]]
    if "name" in e.data:
        p.name = e.data["name"]
    if "rating" in e.data:
        p.rating = e.data["rating"]
    if "title" in e.data:
        p.title = e.data["title"]
    if "fide" in e.data:
        p.fide = e.data["fide"]
    if "seed" in e.data:
        reseed(t, p, e.data["seed"])
    return []


def reseed(t: Tournament, p: Participant, seed: int) -> None:
    """Move ``p`` to ``seed``; the others keep their order and close up around it."""
    others = [o for o in t.participant_list() if o.id != p.id]
    others.insert(seed - 1, p)
    for i, o in enumerate(others):
        o.seed = i + 1


def _removed(t: Tournament, e: Event) -> list[str]:
    del t.participants[e.data["participant_id"]]
    for i, o in enumerate(t.participant_list()):
        o.seed = i + 1
    return []


def _started(t: Tournament, e: Event) -> list[str]:
    if "dropped" in e.data:  # the start plan: no-shows out, the waiting list in, the seeds
        signup.fold_start_roster(t, e.data, e.at)
    t.state = TournamentState.UNDERWAY
    t.started_at = e.at
    return add_matches(t, get_format(t.format).draw(t, e.data["seeding"]))


def _result(t: Tournament, e: Event) -> list[str]:
    d = e.data
    m = t.matches[d["match_id"]]
    m.scores = d["scores"]
    m.games = d["games"]
    changed = advancement.decide(t, m, d["winner_id"], d["loser_id"], Result(d["result"]))
    referee.record_report(t, d.get("reporter", ""), m.id, e.at, e.seq)
    return changed + get_format(t.format).on_decided(t, m)


def _corrected(t: Tournament, e: Event) -> list[str]:
    """The organiser's correction in place; a referee's may move an elimination bracket."""
    d = e.data
    if referee.moves_the_bracket(t, d):
        changed = referee.fold_moved(t, d)
    else:
        changed = corrections.fold_corrected(t, d)
    if d.get("reporter"):
        referee.record_correction(t, d["reporter"], d["match_id"], e.at, e.seq)
    return list(dict.fromkeys(changed))


def _reopened(t: Tournament, e: Event) -> list[str]:
    if t.state is TournamentState.COMPLETE:
        t.state = TournamentState.UNDERWAY
        t.completed_at = None
    fmt = get_format(t.format)
    return advancement.reopen(t, e.data["match_id"]) + fmt.on_reopened(t, e.data["match_id"])


def _live(t: Tournament, e: Event) -> list[str]:
    m = t.matches[e.data["match_id"]]
    if not m.state.playable:
        return []  # a tick that arrived after the result: nothing to show
    m.state = MatchState.LIVE
    m.scores = e.data["scores"]
    m.live_detail = e.data.get("detail")
    return [m.id]


def _disqualified(t: Tournament, e: Event) -> list[str]:
    p = t.participants[e.data["participant_id"]]
    p.status = ParticipantStatus.DISQUALIFIED
    changed: list[str] = []
    for m in list(t.matches.values()):
        if m.state.playable and p.id in m.participants:
            changed.append(m.id)
            changed += advancement.refresh(t, m)
    return list(dict.fromkeys(changed + get_format(t.format).on_disqualified(t, p.id)))


def _round_paired(t: Tournament, e: Event) -> list[str]:
    return add_matches(t, [Match.from_dict(m) for m in e.data["matches"]])


def _stage_started(t: Tournament, e: Event) -> list[str]:
    """The next stage (groups then playoffs): its draw over the seeding carried in the event."""
    return add_matches(t, get_format(t.format).draw_stage(t, e.data))


def _reset(t: Tournament, e: Event) -> list[str]:
    t.state = TournamentState.PENDING
    t.started_at = t.completed_at = t.finalized_at = None
    t.matches.clear()
    t.open_matches = 0
    for s in t.day.stations.values():
        s.match_id = None
    t.day.reports.clear()
    for p in t.participants.values():
        p.status = ParticipantStatus.ACTIVE
    return []


def _completed(t: Tournament, e: Event) -> list[str]:
    t.state = TournamentState.COMPLETE
    t.completed_at = e.at
    return []


Handler = Callable[[Tournament, Event], list[str]]  # a fold: the ids of the matches it changed


def _nothing_changed(fold: Callable[[Tournament, Event], object]) -> Handler:
    """A fold of an event that changes no match."""

    def handler(t: Tournament, e: Event) -> list[str]:
        fold(t, e)
        return []

    return handler


def _reordered(t: Tournament, e: Event) -> None:
    t.day.waitlist = list(e.data["order"])


def _check_in_opened(t: Tournament, e: Event) -> None:
    t.day.check_in_opened_at = e.at


def _signup_closed(t: Tournament, e: Event) -> None:
    t.day.closed_at = e.at


def _promoted(t: Tournament, e: Event) -> None:
    signup.give_place(t, t.day.entries[e.data["participant_id"]])


def _turned_away(status: EntryStatus) -> Handler:
    def fold(t: Tournament, e: Event) -> list[str]:
        if status is EntryStatus.WITHDRAWN and t.state is not TournamentState.PENDING:
            return swiss_roster.fold_withdrawn(t, e.data)  # a player leaving a Swiss under way
        signup.fold_turned_away(t, e.data["participant_id"], status, e.at)
        return []

    return fold


APPLY: dict[EventType, Handler] = {
    EventType.TOURNAMENT_UPDATED: _updated,
    EventType.PARTICIPANT_ADDED: _added,
    EventType.PARTICIPANT_UPDATED: _participant_updated,
    EventType.PARTICIPANT_REMOVED: _removed,
    EventType.TOURNAMENT_STARTED: _started,
    EventType.MATCH_RESULT: _result,
    EventType.MATCH_REOPENED: _reopened,
    EventType.MATCH_CORRECTED: _corrected,
    EventType.MATCH_LIVE: _live,
    EventType.PARTICIPANT_DISQUALIFIED: _disqualified,
    EventType.ROUND_PAIRED: _round_paired,
    EventType.STAGE_STARTED: _stage_started,
    EventType.TOURNAMENT_COMPLETED: _completed,
    EventType.TOURNAMENT_RESET: _reset,
    EventType.PARTICIPANT_SIGNED_UP: _nothing_changed(
        lambda t, e: signup.fold_signed_up(t, e.data, e.at)
    ),
    EventType.PARTICIPANT_APPROVED: _nothing_changed(
        lambda t, e: signup.fold_approved(t, e.data, e.at)
    ),
    EventType.PARTICIPANT_REJECTED: _turned_away(EntryStatus.REJECTED),
    EventType.PARTICIPANT_WITHDRAWN: _turned_away(EntryStatus.WITHDRAWN),
    EventType.PARTICIPANT_PROMOTED: _nothing_changed(_promoted),
    EventType.PARTICIPANT_CHECKED_IN: _nothing_changed(
        lambda t, e: signup.fold_checked_in(t, e.data, e.at)
    ),
    EventType.PARTICIPANT_LINK_ISSUED: _nothing_changed(lambda t, e: signup.fold_link(t, e.data)),
    EventType.WAITLIST_REORDERED: _nothing_changed(_reordered),
    EventType.SIGNUP_CLOSED: _nothing_changed(_signup_closed),
    EventType.CHECK_IN_OPENED: _nothing_changed(_check_in_opened),
    EventType.STATION_ADDED: lambda t, e: stations.fold_added(t, e.data),
    EventType.STATION_UPDATED: lambda t, e: stations.fold_updated(t, e.data),
    EventType.STATION_REMOVED: lambda t, e: stations.fold_removed(t, e.data),
    EventType.MATCH_CALLED: lambda t, e: stations.fold_called(t, e.data, e.at),
    EventType.PARTICIPANT_CHECK_IN_UNDONE: _nothing_changed(
        lambda t, e: roster.fold_check_in_undone(t, e.data)
    ),
    EventType.CHECK_IN_ABORTED: _nothing_changed(
        lambda t, e: roster.fold_check_in_aborted(t, e.data)
    ),
    EventType.CHECK_IN_PROCESSED: _nothing_changed(
        lambda t, e: roster.fold_check_in_processed(t, e.data, e.at)
    ),
    EventType.PARTICIPANTS_RESEEDED: _nothing_changed(lambda t, e: roster.fold_reseeded(t, e.data)),
    EventType.TOURNAMENT_FINALIZED: _nothing_changed(lambda t, e: review.fold_finalized(t, e.at)),
    EventType.MATCH_LIVE_CLEARED: lambda t, e: review.fold_live_cleared(t, e.data["match_id"]),
    # the director's Swiss
    EventType.ROUND_REPAIRED: lambda t, e: director.fold_repaired(t, e.data),
    EventType.ROUND_DELETED: lambda t, e: director.fold_deleted(t, e.data),
    EventType.ROUND_SWAPPED: lambda t, e: director.fold_swapped(t, e.data),
    EventType.PARTICIPANT_RETURNED: lambda t, e: swiss_roster.fold_returned(t, e.data),
    EventType.BYE_REQUESTED: lambda t, e: swiss_roster.fold_bye_requested(t, e.data),
    EventType.BYE_CANCELLED: lambda t, e: swiss_roster.fold_bye_cancelled(t, e.data),
}
