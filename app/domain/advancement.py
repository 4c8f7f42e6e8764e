"""Moving participants through the draw: byes, forfeits, winners and losers to their next match,
and the reverse (reopen) with its cascade. Works from the slots' ``from`` links alone, so every
bracket format shares it.
"""

from __future__ import annotations

from .models import Match, MatchState, ParticipantStatus, Result, Tournament

INACTIVE = frozenset({ParticipantStatus.DISQUALIFIED, ParticipantStatus.WITHDRAWN})


def slot_is_dead(t: Tournament, m: Match, side: int) -> bool:
    """A side that will never be filled: a bye, or fed by a match that produced nobody."""
    s = m.slots[side]
    if s.participant_id is not None:
        return False
    if s.from_match is None:
        return True
    src = t.matches[s.from_match]
    return src.state == MatchState.COMPLETE


def decide(
    t: Tournament, m: Match, winner: str | None, loser: str | None, result: Result
) -> list[str]:
    """Record ``m`` as decided and move its winner and loser on. Returns every changed match."""
    if m.state != MatchState.COMPLETE:
        t.open_matches -= 1
    m.state = MatchState.COMPLETE
    m.winner_id = winner
    m.loser_id = loser
    m.result = result
    m.live_detail = None
    return [m.id, *feed_next(t, m)]


def add_matches(t: Tournament, matches: list[Match]) -> list[str]:
    """New matches into the draw (a start, a stage, a Swiss round), each brought in line with
    its slots (byes decided). Returns every changed match."""
    for m in matches:
        t.matches[m.id] = m
        if m.state is not MatchState.COMPLETE:
            t.open_matches += 1
    changed = [m.id for m in matches]
    for m in matches:
        changed += refresh(t, m)
    return list(dict.fromkeys(changed))


def feed_next(t: Tournament, m: Match) -> list[str]:
    """Put ``m``'s winner and loser in the slots they feed, then refresh those matches (both
    slots first: a grand final reset is fed by both outcomes of the same match)."""
    targets: list[str] = []
    for target_id, outcome, pid in (
        (m.winner_to, "winner", m.winner_id),
        (m.loser_to, "loser", m.loser_id),
    ):
        if target_id is None:
            continue
        target = t.matches[target_id]
        if target.state == MatchState.COMPLETE:  # an unneeded grand final reset, already settled
            continue
        for s in target.slots:
            if s.from_match == m.id and s.from_outcome == outcome:
                s.participant_id = pid
        if target_id not in targets:
            targets.append(target_id)
    changed: list[str] = []
    for target_id in targets:
        changed.append(target_id)
        changed += refresh(t, t.matches[target_id])
    return changed


def refresh(t: Tournament, m: Match) -> list[str]:
    """Bring a not-yet-decided match's state in line with its slots; auto-decide byes and
    forfeits of disqualified participants. Returns the matches changed beyond ``m``."""
    if m.state == MatchState.COMPLETE:
        return []
    if is_reset(m) and reset_unneeded(t, m):
        for s in m.slots:
            s.participant_id = None
        return decide(t, m, None, None, Result.BYE)[1:]
    dead = [slot_is_dead(t, m, i) for i in (0, 1)]
    pids = m.participants
    waiting = [pids[i] is None and not dead[i] for i in (0, 1)]
    if any(waiting):
        m.state = MatchState.PENDING
        return []
    if dead[0] and dead[1]:
        return decide(t, m, None, None, Result.BYE)[1:]
    if dead[0] or dead[1]:
        return decide(t, m, pids[1] if dead[0] else pids[0], None, Result.BYE)[1:]
    a, b = pids[0], pids[1]
    assert a is not None and b is not None
    out = [t.participants[a].status in INACTIVE, t.participants[b].status in INACTIVE]
    if out[0] and out[1]:
        return decide(t, m, None, None, Result.DOUBLE_FORFEIT)[1:]
    if out[0] or out[1]:
        return decide(t, m, b if out[0] else a, a if out[0] else b, Result.FORFEIT)[1:]
    if m.state == MatchState.PENDING:
        m.state = MatchState.READY
    return []


def is_reset(m: Match) -> bool:
    """The grand final reset of a double elimination: ``grand_final`` round 2."""
    return m.bracket == "grand_final" and m.round == 2


def reset_unneeded(t: Tournament, m: Match) -> bool:
    """The reset is played only when the first grand final is won, with a result, by its
    second side (the losers'-bracket champion). Once the first grand final is decided any other
    way (the winners'-bracket champion won, a bye, a double forfeit) the reset is complete
    without being played: result ``bye``, no participants, no winner."""
    src_id = m.slots[0].from_match
    if src_id is None:
        return False
    src = t.matches[src_id]
    if src.state != MatchState.COMPLETE:
        return False
    lb_champion = src.slots[1].participant_id
    return src.loser_id is None or lb_champion is None or src.winner_id != lb_champion


def reopen_plan(t: Tournament, mid: str) -> list[str]:
    """The matches a reopen of ``mid`` resets: it, and every decided or live match that took a
    participant from it, transitively (in the order they are reset)."""
    order: list[str] = []
    stack = [mid]
    seen = set()
    while stack:
        cur = stack.pop()
        if cur in seen:
            continue
        seen.add(cur)
        order.append(cur)
        m = t.matches[cur]
        for target_id in (m.winner_to, m.loser_to):
            if target_id is None:
                continue
            target = t.matches[target_id]
            if target.state in (MatchState.COMPLETE, MatchState.LIVE):
                stack.append(target_id)
    return order


def reopen(t: Tournament, mid: str) -> list[str]:
    """Undo the result of ``mid`` and every result that depended on it."""
    plan = reopen_plan(t, mid)
    for cur in plan:
        m = t.matches[cur]
        if m.state == MatchState.COMPLETE:
            t.open_matches += 1
        for target_id, outcome in ((m.winner_to, "winner"), (m.loser_to, "loser")):
            if target_id is None:
                continue
            for s in t.matches[target_id].slots:
                if s.from_match == cur and s.from_outcome == outcome:
                    s.participant_id = None
        m.state = MatchState.PENDING
        m.scores = None
        m.games = []
        m.winner_id = m.loser_id = m.result = None
        m.live_detail = None
    changed = list(plan)
    touched = set(plan)
    for cur in plan:
        m = t.matches[cur]
        touched.update(x for x in (m.winner_to, m.loser_to) if x is not None)
    for cur in sorted(touched, key=lambda x: (t.matches[x].round, t.matches[x].number)):
        changed.append(cur)
        changed += refresh(t, t.matches[cur])
    return list(dict.fromkeys(changed))
