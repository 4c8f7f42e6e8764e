"""A bot written against pychallonge, unchanged: run in pychallonge's own environment by
tests/e2e/test_challonge_clients.py, with the library's host constant pointed at the test server.

argv: host:port, API key, tournament type ("single elimination" | "double elimination").
Prints JSON lines: {"created": tourney id} (then waits for a line on stdin), then the summary.
"""

import datetime
import json
import sys
import time

import challonge
import challonge.client

host, key, kind = sys.argv[1], sys.argv[2], sys.argv[3]
challonge.client.CHALLONGE_API_URL = f"{host}/challonge/v1"


def say(**what):
    print(json.dumps(what), flush=True)


with challonge.Client("bot", key, timezone="UTC") as c:
    extra = {"hold_third_place_match": True} if kind == "single elimination" else {}
    t = c.tournaments.create("Friday Cup", "friday_cup", tournament_type=kind, **extra)
    say(created=t.url, id=t.id)
    sys.stdin.readline()
    names = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret"]
    c.participants.bulk_add(t.id, names)
    late = c.participants.create(t.id, "Late Larry")
    c.participants.update(t.id, late.id, name="Larry")
    gone = c.participants.create(t.id, "Gone Gus")
    c.participants.destroy(t.id, gone.id)  # pending: removed
    c.participants.randomize(t.id)

    # check-in: a start time an hour ahead with a 90-minute window opens it at once
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    c.tournaments.update(t.id, start_at=soon, check_in_duration=90)
    for _ in range(100):  # the server's clock opens it within a second
        if c.tournaments.show(t.id).check_in_opened_at:
            break
        time.sleep(0.1)
    people = c.participants.index(t.id)
    larry = next(p for p in people if p.name == "Larry")
    for p in people:
        if p.name != "Margaret":
            c.participants.check_in(t.id, p.id)
    c.participants.undo_check_in(t.id, larry.id)
    assert not c.participants.show(t.id, larry.id).checked_in
    c.participants.check_in(t.id, larry.id)
    c.tournaments.process_check_ins(t.id, include_participants=1)
    dropped = [p.name for p in people if p.name not in {q.name for q in c.participants.index(t.id)}]
    c.tournaments.abort_check_in(t.id)

    c.tournaments.start(t.id, include_participants=1, include_matches=1)
    reported, rounds, forfeited = [], set(), None
    while True:
        ready = c.matches.index(t.id, state="open")
        if not ready:
            break
        m = ready[0]
        rounds.add(m.round)
        if forfeited is None and kind == "single elimination":
            forfeited = m.player2_id  # a player leaves once underway: a forfeit
            c.participants.destroy(t.id, forfeited)
            continue
        c.matches.mark_as_underway(t.id, m.id)
        c.matches.update(t.id, m.id, scores_csv="1-0")  # a live score: still open
        assert c.matches.show(t.id, m.id).state == "open"
        if not reported:
            c.matches.unmark_as_underway(t.id, m.id)
        c.matches.update(t.id, m.id, scores_csv="2-1", winner_id=m.player1_id)
        if len(reported) == 1:  # a second thought: reopened, then the other side wins
            c.matches.reopen(t.id, m.id)
            c.matches.update(t.id, m.id, scores_csv="0-2", winner_id=m.player2_id)
            reported.append([m.id, m.player2_id])
        else:
            reported.append([m.id, m.player1_id])
        mine = c.matches.index(t.id, participant_id=m.player1_id)
        assert any(x.id == m.id for x in mine)
    before = c.tournaments.show(t.id).state
    final = c.tournaments.finalize(t.id, include_participants=1)
    ranks = {p.name: p.final_rank for p in c.participants.index(t.id)}
    say(
        reported=reported,
        rounds=sorted(rounds),
        before=before,
        state=final.state,
        ranks=ranks,
        dropped=dropped,
        forfeited=forfeited,
        count=len(c.tournaments.index()),
    )
