"""Groups then playoffs: a group stage (round robin or Swiss), then an elimination playoff.

Settings: ``group_stage`` {"format": "round_robin" | "swiss", ...its settings}, ``group_count``
[2], ``advance`` [2] (the top K active players of each group), ``playoff`` {"format":
"single_elimination" | "double_elimination", ...its settings}, ``tiebreakers`` (the group
stage's; defaults to that format's).

When every group-stage match is complete (and, for Swiss, every round is played), ``followups``
returns a ``stage.started`` event {"stage": 2, "seeding": [...]}: group winners first in group
order, then the runners-up in group order, and so on (A1, B1, A2, B2 for two groups), so the
standard bracket pairs A1 v B2 and B1 v A2 -- groups cross in the first playoff round whenever
the group count is even. Applying it draws the playoff over that seeding. Group-stage matches
cannot be reopened once the playoff has started.
"""

from __future__ import annotations

from typing import Any

from ..errors import Invalid
from ..events import EventType
from ..models import FormatName, Match, ParticipantStatus, Tournament
from ..validation import only_settings, whole
from .base import Format, check_tiebreakers, match_id
from .double_elimination import DoubleElimination, draw_double
from .round_robin import draw_groups, normalize_rr, rr_standings
from .single_elimination import SingleElimination, draw_bracket
from .swiss import (
    draw_swiss,
    normalize_swiss,
    rounds_done,
    swiss_followups,
    swiss_reopen_blocker,
    swiss_standings,
)

GROUP_FORMATS = ("round_robin", "swiss")
PLAYOFF_FORMATS = {
    "single_elimination": SingleElimination(),
    "double_elimination": DoubleElimination(),
}
GROUP_BRACKETS = ("group", "swiss")


def normalize_stage(raw: dict[str, Any], tiebreakers: Any) -> dict[str, Any]:
    gs = raw.get("group_stage", {"format": "round_robin"})
    if not isinstance(gs, dict) or gs.get("format", "round_robin") not in GROUP_FORMATS:
        raise Invalid.field("settings.group_stage.format", "must be round_robin or swiss")
    fmt = gs.get("format", "round_robin")
    body = {k: v for k, v in gs.items() if k != "format"}
    if "group_count" in body:
        raise Invalid.field("settings.group_stage.group_count", "set group_count at the top level")
    if tiebreakers is not None:
        body["tiebreakers"] = tiebreakers
    norm = normalize_rr(body) if fmt == "round_robin" else normalize_swiss(body, auto_pair=True)
    del norm["group_count"]
    return {"format": fmt, **norm}


def normalize_playoff(raw: dict[str, Any]) -> dict[str, Any]:
    po = raw.get("playoff", {"format": "single_elimination"})
    if not isinstance(po, dict) or po.get("format", "single_elimination") not in PLAYOFF_FORMATS:
        raise Invalid.field(
            "settings.playoff.format", "must be single_elimination or double_elimination"
        )
    fmt = po.get("format", "single_elimination")
    body = {k: v for k, v in po.items() if k != "format"}
    return {"format": fmt, **PLAYOFF_FORMATS[fmt].normalize_settings(body)}


def stage_settings(t: Tournament) -> dict[str, Any]:
    return {**t.settings["group_stage"], "group_count": t.settings["group_count"]}


def playoff_started(t: Tournament) -> bool:
    return match_id(t, "winners", 1, 1) in t.matches


def group_standings(t: Tournament) -> list[dict[str, Any]]:
    gs = stage_settings(t)
    if gs["format"] == "swiss":
        return swiss_standings(t, gs)
    return rr_standings(t, gs)


def advancing(t: Tournament) -> list[str]:
    """The playoff seeding: per group the top ``advance`` active players; tier by tier."""
    k = int(t.settings["advance"])
    tiers: list[list[str]] = [[] for _ in range(k)]
    taken: dict[int, int] = {}
    for r in group_standings(t):
        g = int(r["group"])
        if (
            t.participants[r["participant_id"]].status is not ParticipantStatus.ACTIVE
            or taken.get(g, 0) >= k
        ):
            continue
        tiers[taken.get(g, 0)].append(r["participant_id"])
        taken[g] = taken.get(g, 0) + 1
    return [pid for tier in tiers for pid in tier]


class GroupsPlayoffs(Format):
    name = FormatName.GROUPS_PLAYOFFS
    allows_draws = True
    has_group_stage = True

    def normalize_settings(self, raw: dict[str, Any]) -> dict[str, Any]:
        only_settings(raw, {"group_stage", "group_count", "advance", "playoff", "tiebreakers"})
        tb = raw.get("tiebreakers")
        if tb is not None:
            tb = check_tiebreakers(tb)
        stage = normalize_stage(raw, tb)
        return {
            "group_stage": stage,
            "group_count": whole(raw.get("group_count", 2), "settings.group_count", 1, 512),
            "advance": whole(raw.get("advance", 2), "settings.advance", 1, 512),
            "playoff": normalize_playoff(raw),
            "tiebreakers": stage["tiebreakers"],
        }

    def start_blocker(self, t: Tournament, n: int) -> str | None:
        g, k = int(t.settings["group_count"]), int(t.settings["advance"])
        if n < g * max(2, k):
            return f"{g} groups with {k} advancing need at least {g * max(2, k)} participants"
        if g * k < 2:
            return "at least 2 participants must advance to the playoff"
        return None

    def draws_allowed(self, t: Tournament, m: Match) -> bool:
        return m.bracket in GROUP_BRACKETS

    def draw(self, t: Tournament, seeding: list[str]) -> list[Match]:
        gs = stage_settings(t)
        if gs["format"] == "swiss":
            return draw_swiss(t, seeding, gs)
        return draw_groups(t, seeding, gs)

    def followups(self, t: Tournament) -> list[tuple[EventType, dict[str, Any]]]:
        if t.open_matches or playoff_started(t):
            return []
        gs = stage_settings(t)
        if gs["format"] == "swiss" and not rounds_done(t, gs):
            return swiss_followups(t, gs)
        seeding = advancing(t)
        if len(seeding) < 2:
            return []
        return [(EventType.STAGE_STARTED, {"stage": 2, "seeding": seeding})]

    def finished(self, t: Tournament) -> bool:
        gs = stage_settings(t)
        return playoff_started(t) or gs["format"] != "swiss" or rounds_done(t, gs)

    def swiss_stage(self, t: Tournament) -> dict[str, Any] | None:
        gs = stage_settings(t)
        return gs if gs["format"] == "swiss" and not playoff_started(t) else None

    def draw_stage(self, t: Tournament, data: dict[str, Any]) -> list[Match]:
        po = t.settings["playoff"]
        if po["format"] == "double_elimination":
            return draw_double(t, data["seeding"], po)
        return draw_bracket(t, data["seeding"], po, "winners", po["third_place_match"])

    def reopen_blocker(self, t: Tournament, m: Match) -> str | None:
        if m.bracket in GROUP_BRACKETS and playoff_started(t):
            return "the playoff has started: group-stage results are final"
        return swiss_reopen_blocker(t, m)

    def group_standings(self, t: Tournament) -> list[dict[str, Any]]:
        return group_standings(t)

    def standings(self, t: Tournament) -> list[dict[str, Any]]:
        from ..standings import elimination_standings

        groups = group_standings(t)
        if not playoff_started(t):
            return groups
        first = [m for m in t.matches.values() if m.bracket == "winners" and m.round == 1]
        pids = [p for m in first for p in m.participants if p]
        out = elimination_standings(t, pids)
        inside = set(pids)
        rest = [r for r in groups if r["participant_id"] not in inside]
        rest.sort(key=lambda r: (r["rank"], -r["points"], t.participants[r["participant_id"]].seed))
        base = len(out)
        place, last = base, None
        for i, r in enumerate(rest):  # out in the groups: by group place, shared across groups
            if r["rank"] != last:
                place, last = base + i + 1, r["rank"]
            out.append({**r, "rank": place})
        return out
