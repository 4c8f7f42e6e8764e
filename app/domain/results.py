"""Results: a report (scores, games, a winner, a forfeit) checked against its match and turned
into ``match.result`` event data. Best-of: a match of best of N is decided when one side has won a
majority of N games; draws only where the format allows them (never in elimination)."""

from __future__ import annotations

from typing import Any

from .errors import Conflict, Invalid, NotFound
from .formats import get_format
from .models import Match, MatchState, Result, Tournament
from .validation import obj, only_keys, pair


def report_result(t: Tournament, mid: str, body: Any) -> dict[str, Any]:
    """``{"scores"}``, ``{"games"}``, ``{"winner_id"}`` or ``{"forfeit": pid | [pid, pid]}``."""
    m = t.matches.get(mid)
    if m is None:
        raise NotFound(f"no match {mid!r} in this tournament")
    if not m.state.playable:
        if m.state == MatchState.COMPLETE:
            raise Conflict("the match already has a result; reopen it first")
        raise Conflict("the match is not ready: it is waiting for a participant")
    return decided(t, m, body)


def decided(t: Tournament, m: Match, body: Any) -> dict[str, Any]:
    """What ``body`` decides for ``m`` (its state unchecked): the ``match.result`` data."""
    body = obj(body, "body")
    only_keys(body, {"scores", "games", "winner_id", "forfeit"})
    given = [k for k in ("scores", "games", "winner_id", "forfeit") if k in body]
    if not given:
        raise Invalid("give one of scores, games, winner_id or forfeit")
    if "forfeit" in body:
        if len(given) > 1:
            raise Invalid.field("forfeit", "cannot be combined with other fields")
        return forfeit_result(m, body["forfeit"])
    draws = get_format(t.format).draws_allowed(t, m)
    scores, games = scores_of(body, m, draws)
    return outcome(m, body, scores, games, draws)


def scores_of(
    body: dict[str, Any], m: Match, draws: bool
) -> tuple[list[float] | None, list[list[float]]]:
    """The match score from ``scores`` or ``games``, checked against the match's best-of."""
    if "games" in body:
        if "scores" in body:
            raise Invalid.field("scores", "give scores or games, not both")
        games = games_list(body["games"], m.best_of)
        wins: list[float] = [
            sum(1 for g in games if g[0] > g[1]),
            sum(1 for g in games if g[1] > g[0]),
        ]
        if draws and wins[0] == wins[1] and len(games) == m.best_of:
            return wins, games  # every game played, level: a draw
        check_best_of_decided(wins, m.best_of, "games")
        check_decided_last(games, m.best_of)
        return wins, games
    if "scores" in body:
        scores = pair(body["scores"], "scores")
        if m.best_of > 1 and not (draws and scores[0] == scores[1]):
            check_best_of_decided(scores, m.best_of, "scores")
        return scores, []
    return None, []


def outcome(
    m: Match,
    body: dict[str, Any],
    scores: list[float] | None,
    games: list[list[float]],
    draws: bool,
) -> dict[str, Any]:
    a, b = m.participants
    winner: str | None = None
    if "winner_id" in body:
        winner = body["winner_id"]
        if winner not in (a, b):
            raise Invalid.field("winner_id", "must be one of the match's participants")
        if scores is not None and scores[0] != scores[1]:
            by_score = a if scores[0] > scores[1] else b
            if by_score != winner:
                raise Invalid.field("winner_id", "contradicts the scores")
    elif scores is not None and scores[0] != scores[1]:
        winner = a if scores[0] > scores[1] else b
    base: dict[str, Any] = {"match_id": m.id, "scores": scores, "games": games}
    if winner is None:
        if not draws:
            raise Invalid.field("scores", "a draw is not allowed in this format: give a winner_id")
        return {**base, "winner_id": None, "loser_id": None, "result": Result.DRAW}
    loser = b if winner == a else a
    return {**base, "winner_id": winner, "loser_id": loser, "result": Result.WIN}


def forfeit_result(m: Match, value: Any) -> dict[str, Any]:
    a, b = m.participants
    who = value if isinstance(value, list) else [value]
    if not who or len(who) > 2 or any(x not in (a, b) for x in who) or len(set(who)) != len(who):
        raise Invalid.field("forfeit", "must be a participant of the match, or both of them")
    base: dict[str, Any] = {"match_id": m.id, "scores": None, "games": []}
    if len(who) == 2:
        return {**base, "winner_id": None, "loser_id": None, "result": Result.DOUBLE_FORFEIT}
    loser = who[0]
    return {
        **base,
        "winner_id": b if loser == a else a,
        "loser_id": loser,
        "result": Result.FORFEIT,
    }


def games_list(value: Any, best_of: int) -> list[list[float]]:
    if not isinstance(value, list) or not value:
        raise Invalid.field("games", "must be a non-empty list of [score, score] pairs")
    if len(value) > best_of:
        raise Invalid.field("games", f"the match is best of {best_of}")
    return [pair(g, f"games[{i}]") for i, g in enumerate(value)]


def check_best_of_decided(wins: list[float], best_of: int, field: str) -> None:
    need = best_of // 2 + 1
    if max(wins) != need or min(wins) >= need or sum(wins) > best_of:
        raise Invalid.field(field, f"a best of {best_of} is won by the first to {need} games")


def check_decided_last(games: list[list[float]], best_of: int) -> None:
    """No game may follow the one that decided the match."""
    need = best_of // 2 + 1
    wins = [0, 0]
    for i, g in enumerate(games):
        if g[0] != g[1]:
            wins[0 if g[0] > g[1] else 1] += 1
        if max(wins) >= need and i != len(games) - 1:
            raise Invalid.field("games", f"the match was decided by game {i + 1}")
