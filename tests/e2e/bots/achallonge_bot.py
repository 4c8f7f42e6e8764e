"""A bot written against achallonge, unchanged: run in achallonge's own environment by
tests/e2e/test_challonge_clients.py, with the library's URL constant pointed at the test server.

argv: host:port, API key, tournament type ("single elimination" | "double elimination").
Prints JSON lines: {"created": tourney id} (then waits for a line on stdin), then the summary.
"""

import asyncio
import json
import sys

import challonge
from challonge.helpers import Connection

host, key, kind = sys.argv[1], sys.argv[2], sys.argv[3]
Connection.challonge_api_url = f"https://{host}/challonge/v1/{{}}.json"
KINDS = {
    "single elimination": challonge.TournamentType.single_elimination,
    "double elimination": challonge.TournamentType.double_elimination,
}


def say(**what):
    print(json.dumps(what), flush=True)


async def main():
    user = await challonge.get_user("bot", key)
    t = await user.create_tournament("Saturday Cup", "saturday_cup", KINDS[kind])
    say(created=t.url, id=t.id)
    sys.stdin.readline()
    if kind == "double elimination":
        await t.update_double_elim_ending(challonge.DoubleEliminationEnding.single_match)
    await t.add_participants("Ada", "Grace", "Linus", "Barbara", "Ken")
    await t.add_participant("Margaret")
    await t.shuffle_participants()

    await t.start()
    reported, rounds = [], set()
    while True:
        matches = await t.get_matches(force_update=True)
        ready = [m for m in matches if m.state == "open"]
        if not ready:
            break
        m = ready[0]
        rounds.add(m.round)
        await m.mark_as_underway()
        await m.report_live_scores("1-1")
        winner = await t.get_participant(m.player2_id)
        await m.report_winner(winner, "1-2")
        reported.append([m.id, m.player2_id])
        nxt = await winner.get_next_match()
        assert nxt is None or nxt.state in ("open", "pending")
    await t.finalize()
    ranking = await t.get_final_ranking()
    people = await t.get_participants(force_update=True)
    say(
        reported=reported,
        rounds=sorted(rounds),
        state=t.state,
        ranks={p.name: p.final_rank for p in people},
        podium=[p.name for p in ranking[1]],
    )
    await user.destroy_tournament(t)


asyncio.run(main())
