"""The authorisation matrix: every endpoint, every kind of caller, own or foreign ids.

Each row below writes out the status expected of every cell, in the order of ``PRINCIPALS``:

    anon     no token                      admin    the admin token
    man      manage token of tournament A  man_o    manage token of tournament B
    rep      report token of A             rep_o    report token of B
    revoked  a revoked manage token of A   expired  an expired manage token of A
    par      a participant link of A       par_o    a participant link of B

The URL always names tournament A (private, so reads need a token). ``own`` cells use A's own
participant and match ids; ``foreign`` cells put tournament B's ids in A's URL (``None``: the
endpoint takes no such id). 401 is a missing, bad, revoked or expired token; 403 a token of the
wrong scope or tournament; 404 an id of another tournament; 101 a WebSocket accepted (a snapshot
received); for the ingest socket, 202 is an ``ack`` frame and 403/404 the ``error`` frame's status.

A refused cell must change nothing: both tournaments (as the admin sees them, ETag included) are
compared before and after. An allowed write runs on a fresh copy of A made for that one cell, so
the shared tournaments stay as the later cells expect them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import ADMIN, Server
from tests.helpers import add_players, create_tournament, ready_matches

PRINCIPALS = ("anon", "admin", "man", "man_o", "rep", "rep_o", "revoked", "expired", "par",
              "par_o")  # fmt: skip
EXPIRY_SECONDS = 2.0


@dataclass
class Side:
    """One tournament, the ids of its parts and its tokens."""

    tid: str
    pid: str
    sid: str = ""  # a station
    pid2: str = ""  # another participant (a Swiss side: both play round 1)
    mid: str | None = None  # a ready match
    done_mid: str | None = None  # a decided match (to reopen)
    wid: str | None = None  # a webhook endpoint of the tournament
    tokens: dict[str, str] | None = None
    token_ids: dict[str, str] | None = None


@dataclass
class Cell:
    """What a request needs: the caller's token, A (the URL's tournament) and the ids used."""

    a: Side
    ids: Side  # A itself for own cells, B for foreign ones
    token: str | None
    spare_token_id: str
    server_wid: str = ""  # a server-wide webhook endpoint


Send = Callable[[Server, Cell], int]

CLIENTS: dict[tuple[str, str | None], httpx.Client] = {}


def client(server: Server, token: str | None = ADMIN) -> httpx.Client:
    """One kept-alive client per server and token: a new one per request costs more than it."""
    key = (server.url, token)
    if key not in CLIENTS:
        CLIENTS[key] = server.client(token)
    return CLIENTS[key]


@pytest.fixture(scope="module", autouse=True)
def close_clients() -> Iterator[None]:
    yield
    for c in CLIENTS.values():
        c.close()
    CLIENTS.clear()


@dataclass(frozen=True)
class Row:
    name: str
    stage: str  # the state A must be in: "pending" or "underway"
    writes: bool  # an allowed call changes state, so it runs on a fresh A
    own: str
    foreign: str | None
    send: Send


# ---- the requests ------------------------------------------------------------------------------


def http(method: str, path: str, body: Callable[[Cell], Any] | None = None) -> Send:
    """``path`` is formatted with {tid} (A), {pid}, {mid}, {done}, {wid} (own or foreign ids),
    {hook} (the server-wide endpoint; foreign: B's endpoint)."""

    def send(server: Server, cell: Cell) -> int:
        hook = cell.server_wid if cell.ids is cell.a else cell.ids.wid
        url = path.format(tid=cell.a.tid, pid=cell.ids.pid, mid=cell.ids.mid, sid=cell.ids.sid,
                          done=cell.ids.done_mid, token_id=cell.spare_token_id,
                          wid=cell.ids.wid, hook=hook)  # fmt: skip
        c = client(server, cell.token)
        if body is None:
            return c.request(method, url).status_code
        return c.request(method, url, json=body(cell)).status_code

    return send


def unique(prefix: str) -> Callable[[Cell], Any]:
    return lambda _cell: {"name": f"{prefix}-{uuid.uuid4().hex[:8]}"}


def tick_batch(cell: Cell) -> Any:
    return [{"tournament_id": cell.a.tid, "match_id": cell.ids.mid, "scores": [1, 0]}]


def ws_headers(cell: Cell) -> dict[str, str]:
    return {"Authorization": f"Bearer {cell.token}"} if cell.token else {}


def subscribe(server: Server, cell: Cell) -> int:
    url = f"{server.ws_url}/api/v1/tournaments/{cell.a.tid}/ws?match={cell.ids.mid}"
    try:
        with connect(url, additional_headers=ws_headers(cell), open_timeout=5) as ws:
            first = json.loads(ws.recv(timeout=5))
            assert first["type"] == "snapshot", first
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


def ingest(server: Server, cell: Cell) -> int:
    url = f"{server.ws_url}/api/v1/ingest/ws"
    try:
        with connect(url, additional_headers=ws_headers(cell), open_timeout=5) as ws:
            ws.send(json.dumps(tick_batch(cell)))
            reply = json.loads(ws.recv(timeout=5))
    except InvalidStatus as exc:
        return exc.response.status_code
    return 202 if reply["type"] == "ack" else int(reply["status"])


def import_copy(server: Server, cell: Cell) -> int:
    """POST /api/v1/import: the admin's, a small tournament's export under a new id (made for
    it); anyone else's is refused before its body is read."""
    if cell.token != ADMIN:
        doc = {"schema": "tourney.tournament", "version": 1, "tournament": {}, "events": []}
        return client(server, cell.token).post("/api/v1/import", json=doc).status_code
    admin = client(server)
    tid = create_tournament(admin, "to copy")["id"]
    add_players(admin, tid, 2)
    text = admin.get(f"/api/v1/tournaments/{tid}/export").text
    doc = json.loads(text.replace(tid, "t_" + uuid.uuid4().hex[:12]))
    return client(server, cell.token).post("/api/v1/import", json=doc).status_code


def create_token(server: Server, cell: Cell) -> int:
    c = client(server, cell.token)
    r = c.post("/api/v1/tokens", json={"tournament_id": cell.a.tid, "scope": "report"})
    return r.status_code


def revoke_token(server: Server, cell: Cell) -> int:
    token_id = cell.spare_token_id
    if cell.token == ADMIN:  # the one allowed call: revoke a token made for it
        admin = client(server)
        token_id = admin.post(
            "/api/v1/tokens", json={"tournament_id": cell.a.tid, "scope": "report"}
        ).json()["id"]
    c = client(server, cell.token)
    return c.delete(f"/api/v1/tokens/{token_id}").status_code


def correct(server: Server, cell: Cell) -> int:
    """A correction of the caller's own last result: it reports the match first (a refused
    caller is refused both times, and nothing changes)."""
    c = client(server, cell.token)
    url = f"/api/v1/tournaments/{cell.a.tid}/matches/{cell.ids.mid}"
    c.post(url + "/result", json={"scores": [2, 1]})
    return c.post(url + "/correct", json={"scores": [2, 0]}).status_code


def qr(server: Server, cell: Cell) -> int:
    """A QR code of a link to this server: no token needed, a dead one ignored."""
    link = f"{server.url}/t/{cell.a.tid}"
    return client(server, cell.token).post("/api/v1/qr", json={"link": link}).status_code


def delete_server_webhook(server: Server, cell: Cell) -> int:
    wid = cell.server_wid if cell.ids is cell.a else cell.ids.wid
    if cell.token == ADMIN and cell.ids is cell.a:  # the one allowed call: delete one made for it
        wid = client(server).post("/api/v1/webhooks", json={"url": HOOK}).json()["id"]
    return client(server, cell.token).delete(f"/api/v1/webhooks/{wid}").status_code


T = "/api/v1/tournaments/{tid}"
OPEN = "200 200 200 200 200 200 200 200 200 200"  # no token needed, and a dead one is ignored
READ = "401 200 200 403 200 403 401 401 200 403"  # a participant link reads its tournament
READ_FOREIGN = "401 404 404 403 404 403 401 401 404 403"
ADMIN_ONLY = "401 {ok} 403 403 403 403 401 401 403 403"
MANAGE = "401 {ok} {ok} 403 403 403 401 401 403 403"
MANAGE_FOREIGN = "401 404 404 403 403 403 401 401 403 403"
REPORT = "401 {ok} {ok} 403 {ok} 403 401 401 403 403"
REPORT_FOREIGN = "401 404 404 403 404 403 401 401 403 403"
SIGNUP = "{ok} {ok} {ok} {ok} {ok} {ok} 401 401 {ok} {ok}"  # anyone, while it takes sign-ups
PARTICIPANT = "401 403 403 403 403 403 401 401 {ok} 403"  # its own link only
MANAGE_READ = "401 200 200 403 403 403 401 401 403 403"  # webhooks: their secrets' owners only
ADMIN_FOREIGN = "401 404 403 403 403 403 401 401 403 403"
ANY_TOKEN = "401 200 200 200 200 200 401 401 200 200"  # GET /api/v1/me: who a token is
HOOK = "http://127.0.0.1:9/hook"  # nothing is sent: the server runs with webhooks.deliver off
# Challonge v1 answers 403 as 401, 409 as 422; its index lists the key's own tournaments
CH = "/challonge/v1/tournaments/{tid}"
CH_INDEX = "401 200 200 200 200 200 401 401 401 401"
CH_READ = "401 200 200 401 200 401 401 401 200 401"
CH_READ_FOREIGN = "401 404 404 401 404 401 401 401 404 401"
CH_MANAGE = "401 {ok} {ok} 401 401 401 401 401 401 401"
CH_MANAGE_FOREIGN = "401 404 404 401 401 401 401 401 401 401"
CH_REPORT = "401 {ok} {ok} 401 {ok} 401 401 401 401 401"
CH_REPORT_FOREIGN = "401 404 404 401 404 401 401 401 401 401"
TRF = "012 Imported\nXXR 3\n001    1      A\n001    2      B\n"

# fmt: off
ROWS = [
    Row("GET /healthz", "underway", False, OPEN, None, http("GET", "/healthz")),
    Row("GET /readyz", "underway", False, OPEN, None, http("GET", "/readyz")),
    Row("GET /metrics", "underway", False, OPEN, None, http("GET", "/metrics")),
    Row("GET /openapi.json", "underway", False, OPEN, None, http("GET", "/openapi.json")),
    Row("GET /api/v1/tournaments", "underway", False, OPEN, None,
        http("GET", "/api/v1/tournaments")),
    Row("POST /api/v1/tournaments", "underway", False, ADMIN_ONLY.format(ok=201), None,
        http("POST", "/api/v1/tournaments", lambda _c: {"name": "matrix",
                                                         "visibility": "private"})),
    Row("GET /tournaments/{tid}", "underway", False, READ, None, http("GET", T)),
    Row("PATCH /tournaments/{tid}", "underway", True, MANAGE.format(ok=200), None,
        http("PATCH", T, unique("renamed"))),
    Row("DELETE /tournaments/{tid}", "underway", True, MANAGE.format(ok=204), None,
        http("DELETE", T)),
    Row("POST /tournaments/{tid}/participants", "pending", True, MANAGE.format(ok=201), None,
        http("POST", T + "/participants", unique("late"))),
    Row("PATCH /tournaments/{tid}/participants/{pid}", "pending", True, MANAGE.format(ok=200),
        MANAGE_FOREIGN, http("PATCH", T + "/participants/{pid}", unique("renamed"))),
    Row("DELETE /tournaments/{tid}/participants/{pid}", "pending", True, MANAGE.format(ok=204),
        MANAGE_FOREIGN, http("DELETE", T + "/participants/{pid}")),
    Row("POST /tournaments/{tid}/participants/{pid}/disqualify", "underway", True,
        MANAGE.format(ok=200), MANAGE_FOREIGN,
        http("POST", T + "/participants/{pid}/disqualify")),
    Row("POST /tournaments/{tid}/start", "pending", True, MANAGE.format(ok=200), None,
        http("POST", T + "/start")),
    Row("POST /tournaments/{tid}/reset", "underway", True, MANAGE.format(ok=200), None,
        http("POST", T + "/reset")),
    Row("GET /tournaments/{tid}/matches", "underway", False, READ, None,
        http("GET", T + "/matches")),
    Row("GET /tournaments/{tid}/matches/{mid}", "underway", False, READ, READ_FOREIGN,
        http("GET", T + "/matches/{mid}")),
    Row("POST /tournaments/{tid}/matches/{mid}/result", "underway", True, REPORT.format(ok=200),
        REPORT_FOREIGN, http("POST", T + "/matches/{mid}/result", lambda _c: {"scores": [2, 1]})),
    Row("POST /tournaments/{tid}/matches/{mid}/correct", "underway", True,
        REPORT.format(ok=200), REPORT_FOREIGN, correct),
    Row("POST /tournaments/{tid}/matches/{mid}/reopen", "underway", True, MANAGE.format(ok=200),
        MANAGE_FOREIGN, http("POST", T + "/matches/{done}/reopen")),
    Row("POST /tournaments/{tid}/matches/{mid}/live", "underway", True, REPORT.format(ok=202),
        REPORT_FOREIGN, http("POST", T + "/matches/{mid}/live", lambda _c: {"scores": [1, 0]})),
    Row("GET /tournaments/{tid}/standings", "underway", False, READ, None,
        http("GET", T + "/standings")),
    Row("GET /tournaments/{tid}/events", "underway", False, READ, None,
        http("GET", T + "/events")),
    Row("WS /tournaments/{tid}/ws", "underway", False, READ.replace("200", "101"),
        READ_FOREIGN, subscribe),
    Row("POST /api/v1/events", "underway", True, REPORT.format(ok=202), REPORT_FOREIGN,
        http("POST", "/api/v1/events", tick_batch)),
    Row("WS /api/v1/ingest/ws", "underway", True, REPORT.format(ok=202), REPORT_FOREIGN, ingest),
    Row("GET /tournaments/{tid}/webhooks", "underway", False, MANAGE_READ, None,
        http("GET", T + "/webhooks")),
    Row("POST /tournaments/{tid}/webhooks", "underway", True, MANAGE.format(ok=201), None,
        http("POST", T + "/webhooks", lambda _c: {"url": HOOK})),
    Row("GET /tournaments/{tid}/webhooks/{wid}", "underway", False, MANAGE_READ,
        MANAGE_FOREIGN, http("GET", T + "/webhooks/{wid}")),
    Row("PATCH /tournaments/{tid}/webhooks/{wid}", "underway", True, MANAGE.format(ok=200),
        MANAGE_FOREIGN, http("PATCH", T + "/webhooks/{wid}",
                             lambda _c: {"description": uuid.uuid4().hex})),
    Row("DELETE /tournaments/{tid}/webhooks/{wid}", "underway", True, MANAGE.format(ok=204),
        MANAGE_FOREIGN, http("DELETE", T + "/webhooks/{wid}")),
    Row("GET /tournaments/{tid}/webhooks/{wid}/deliveries", "underway", False, MANAGE_READ,
        MANAGE_FOREIGN, http("GET", T + "/webhooks/{wid}/deliveries")),
    Row("GET /api/v1/webhooks", "underway", False, ADMIN_ONLY.format(ok=200), None,
        http("GET", "/api/v1/webhooks")),
    Row("POST /api/v1/webhooks", "underway", False, ADMIN_ONLY.format(ok=201), None,
        http("POST", "/api/v1/webhooks", lambda _c: {"url": HOOK, "enabled": False})),
    Row("GET /api/v1/webhooks/{wid}", "underway", False, ADMIN_ONLY.format(ok=200),
        ADMIN_FOREIGN, http("GET", "/api/v1/webhooks/{hook}")),
    Row("PATCH /api/v1/webhooks/{wid}", "underway", False, ADMIN_ONLY.format(ok=200),
        ADMIN_FOREIGN, http("PATCH", "/api/v1/webhooks/{hook}",
                            lambda _c: {"description": uuid.uuid4().hex})),
    Row("DELETE /api/v1/webhooks/{wid}", "underway", False, ADMIN_ONLY.format(ok=204),
        ADMIN_FOREIGN, delete_server_webhook),
    Row("GET /api/v1/webhooks/{wid}/deliveries", "underway", False, ADMIN_ONLY.format(ok=200),
        ADMIN_FOREIGN, http("GET", "/api/v1/webhooks/{hook}/deliveries")),
    Row("POST /api/v1/tokens", "underway", False, ADMIN_ONLY.format(ok=201), None, create_token),
    Row("DELETE /api/v1/tokens/{id}", "underway", False, ADMIN_ONLY.format(ok=204), None,
        revoke_token),
    Row("GET /api/v1/me", "underway", False, ANY_TOKEN, None, http("GET", "/api/v1/me")),
    Row("POST /api/v1/qr", "underway", False, OPEN, None, qr),
    # the event day: A's pending side takes sign-ups; every side has a station, called by hand
    Row("GET /tournaments/{tid}/signup", "pending", False, SIGNUP.format(ok=200), None,
        http("GET", T + "/signup")),
    Row("GET /tournaments/{tid}/signup (no sign-ups)", "underway", False, READ, None,
        http("GET", T + "/signup")),
    Row("POST /tournaments/{tid}/signup", "pending", True, SIGNUP.format(ok=201), None,
        http("POST", T + "/signup", unique("player"))),
    Row("GET /tournaments/{tid}/signup/qr.svg", "pending", False, SIGNUP.format(ok=200), None,
        http("GET", T + "/signup/qr.svg")),
    Row("GET /tournaments/{tid}/signups", "pending", False, MANAGE.format(ok=200), None,
        http("GET", T + "/signups")),
    Row("POST /tournaments/{tid}/signups/{pid}/approve", "pending", False,
        MANAGE.format(ok=409), MANAGE_FOREIGN, http("POST", T + "/signups/{pid}/approve")),
    Row("POST /tournaments/{tid}/signups/{pid}/reject", "pending", False,
        MANAGE.format(ok=409), MANAGE_FOREIGN, http("POST", T + "/signups/{pid}/reject")),
    Row("POST /tournaments/{tid}/waitlist/reorder", "pending", True, MANAGE.format(ok=200), None,
        http("POST", T + "/waitlist/reorder", lambda _c: {"order": []})),
    Row("POST /tournaments/{tid}/check-in/open", "pending", True, MANAGE.format(ok=200), None,
        http("POST", T + "/check-in/open")),
    Row("POST /tournaments/{tid}/participants/{pid}/check-in", "pending", True,
        MANAGE.format(ok=200), MANAGE_FOREIGN, http("POST", T + "/participants/{pid}/check-in")),
    Row("POST /tournaments/{tid}/participants/{pid}/link", "underway", True,
        MANAGE.format(ok=201), MANAGE_FOREIGN, http("POST", T + "/participants/{pid}/link")),
    Row("GET /tournaments/{tid}/entry", "underway", False, PARTICIPANT.format(ok=200), None,
        http("GET", T + "/entry")),
    Row("GET /tournaments/{tid}/entry/qr.svg", "underway", False, PARTICIPANT.format(ok=200),
        None, http("GET", T + "/entry/qr.svg")),
    Row("POST /tournaments/{tid}/entry/check-in", "pending", False, PARTICIPANT.format(ok=409),
        None, http("POST", T + "/entry/check-in")),  # check-in is not open
    Row("POST /tournaments/{tid}/entry/withdraw", "pending", True, PARTICIPANT.format(ok=200),
        None, http("POST", T + "/entry/withdraw")),
    Row("GET /tournaments/{tid}/stations", "underway", False, READ, None,
        http("GET", T + "/stations")),
    Row("POST /tournaments/{tid}/stations", "underway", True, MANAGE.format(ok=201), None,
        http("POST", T + "/stations", unique("table"))),
    Row("PATCH /tournaments/{tid}/stations/{sid}", "underway", True, MANAGE.format(ok=200),
        MANAGE_FOREIGN, http("PATCH", T + "/stations/{sid}", unique("court"))),
    Row("DELETE /tournaments/{tid}/stations/{sid}", "underway", True, MANAGE.format(ok=204),
        MANAGE_FOREIGN, http("DELETE", T + "/stations/{sid}")),
    Row("POST /tournaments/{tid}/matches/{mid}/call", "underway", True, MANAGE.format(ok=200),
        MANAGE_FOREIGN, http("POST", T + "/matches/{mid}/call")),
    # a tournament as a file: the JSON export holds private data (manage), the tables do not
    Row("GET /tournaments/{tid}/export", "underway", False, MANAGE.format(ok=200), None,
        http("GET", T + "/export")),
    Row("GET /tournaments/{tid}/export/{table}.csv", "underway", False, READ, None,
        http("GET", T + "/export/standings.csv")),
    Row("POST /api/v1/import", "underway", False, ADMIN_ONLY.format(ok=201), None, import_copy),
    # Challonge v1, a call of each kind
    Row("GET /challonge/v1/tournaments", "underway", False, CH_INDEX, None,
        http("GET", "/challonge/v1/tournaments.json")),
    Row("GET /challonge/v1/tournaments/{tid}", "underway", False, CH_READ, None,
        http("GET", CH + ".json")),
    Row("PUT /challonge/v1/tournaments/{tid}", "pending", True, CH_MANAGE.format(ok=200), None,
        http("PUT", CH, lambda _c: {"tournament": {"name": f"renamed {uuid.uuid4().hex[:6]}"}})),
    Row("POST /challonge/v1/tournaments/{tid}/start", "pending", True,
        CH_MANAGE.format(ok=200), None, http("POST", CH + "/start.json")),
    Row("GET /challonge/v1/tournaments/{tid}/participants/{pid}", "underway", False, CH_READ,
        CH_READ_FOREIGN,
        http("GET", CH + "/participants/{pid}")),
    Row("DELETE /challonge/v1/tournaments/{tid}/participants/{pid}", "underway", True,
        CH_MANAGE.format(ok=200), CH_MANAGE_FOREIGN, http("DELETE", CH + "/participants/{pid}")),
    Row("PUT /challonge/v1/tournaments/{tid}/matches/{mid}", "underway", True,
        CH_REPORT.format(ok=200), CH_REPORT_FOREIGN,
        http("PUT", CH + "/matches/{mid}.json", lambda _c: {"match": {"scores_csv": "1-0"}})),
    Row("POST /challonge/v1/tournaments/{tid}/matches/{mid}/reopen", "underway", True,
        CH_MANAGE.format(ok=200), CH_MANAGE_FOREIGN, http("POST", CH + "/matches/{done}/reopen")),
    # the director's Swiss: a Swiss side has round 1 paired, no result, and a bye asked for
    # round 2 by its participant {pid}
    Row("POST /tournaments/{tid}/rounds", "swiss", False, MANAGE.format(ok=409), None,
        http("POST", T + "/rounds")),  # round 1 is not finished
    Row("DELETE /tournaments/{tid}/rounds/{round}", "swiss", True, MANAGE.format(ok=200), None,
        http("DELETE", T + "/rounds/1")),
    Row("POST /tournaments/{tid}/rounds/{round}/re-pair", "swiss", True, MANAGE.format(ok=200),
        None, http("POST", T + "/rounds/1/re-pair")),
    Row("POST /tournaments/{tid}/rounds/{round}/swap", "swiss", True, MANAGE.format(ok=200),
        MANAGE.format(ok=422),
        http("POST", T + "/rounds/1/swap", lambda c: {"players": [c.ids.pid, c.ids.pid2]})),
    Row("POST /tournaments/{tid}/matches/{mid}/correct", "underway", True,  # not a referee's own
        "401 200 200 403 409 403 401 401 403 403", REPORT_FOREIGN,
        http("POST", T + "/matches/{done}/correct", lambda _c: {"scores": [3, 0]})),
    Row("POST /tournaments/{tid}/participants/{pid}/withdraw", "swiss", True,
        MANAGE.format(ok=200), MANAGE_FOREIGN, http("POST", T + "/participants/{pid}/withdraw")),
    Row("POST /tournaments/{tid}/participants/{pid}/return", "swiss", False,
        MANAGE.format(ok=409), MANAGE_FOREIGN, http("POST", T + "/participants/{pid}/return")),
    Row("POST /tournaments/{tid}/participants/{pid}/byes", "swiss", True, MANAGE.format(ok=201),
        MANAGE_FOREIGN, http("POST", T + "/participants/{pid}/byes",
                             lambda _c: {"rounds": [3], "points": "zero"})),
    Row("DELETE /tournaments/{tid}/participants/{pid}/byes/{round}", "swiss", True,
        MANAGE.format(ok=200), MANAGE_FOREIGN, http("DELETE", T + "/participants/{pid}/byes/2")),
    Row("GET /tournaments/{tid}/export.trf", "swiss", False, READ, None,
        http("GET", T + "/export.trf")),
    Row("POST /api/v1/tournaments/import.trf", "swiss", False, ADMIN_ONLY.format(ok=201), None,
        http("POST", "/api/v1/tournaments/import.trf", lambda _c: {"trf": TRF})),
]
# fmt: on

CELLS = sum(len(PRINCIPALS) * (1 + (row.foreign is not None)) for row in ROWS)


# ---- the tournaments ---------------------------------------------------------------------------


def token(c: httpx.Client, tid: str, scope: str, **extra: Any) -> dict[str, Any]:
    r = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": scope, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def make_side(c: httpx.Client, stage: str, name: str) -> Side:
    """A private single-elimination tournament of four: pending (taking sign-ups), or underway
    with one match decided and one ready; with a station (matches called by hand), a manage and
    a report token, and a participant link."""
    signup = {"enabled": stage == "pending"}
    swiss = {"format": "swiss", "settings": {"rounds": 3}} if stage == "swiss" else {}
    t = create_tournament(c, name, visibility="private", signup=signup, call_matches="manual",
                          **swiss)  # fmt: skip
    players = add_players(c, t["id"], 4)
    side = Side(t["id"], players[0]["id"], pid2=players[1]["id"])
    r = c.post(f"/api/v1/tournaments/{side.tid}/stations", json={"name": "Table 1"})
    side.sid = r.json()["id"]
    if stage == "underway":
        assert c.post(f"/api/v1/tournaments/{side.tid}/start").status_code == 200
        first, second = ready_matches(c, side.tid)
        url = f"/api/v1/tournaments/{side.tid}/matches/{first['id']}/result"
        assert c.post(url, json={"scores": [2, 0]}).status_code == 200
        side.mid, side.done_mid = second["id"], first["id"]
        side.pid = second["slots"][0]["participant_id"]
    if stage == "swiss":
        r = c.post(f"/api/v1/tournaments/{side.tid}/participants/{side.pid}/byes",
                   json={"rounds": [2]})  # fmt: skip
        assert r.status_code == 201, r.text
        assert c.post(f"/api/v1/tournaments/{side.tid}/start").status_code == 200
    r = c.post(f"/api/v1/tournaments/{side.tid}/webhooks", json={"url": HOOK})
    assert r.status_code == 201, r.text
    side.wid = r.json()["id"]
    made = {scope: token(c, side.tid, scope) for scope in ("manage", "report")}
    link = c.post(f"/api/v1/tournaments/{side.tid}/participants/{side.pid}/link").json()
    side.tokens = {"man": made["manage"]["token"], "rep": made["report"]["token"],
                   "par": link["token"]}  # fmt: skip
    side.token_ids = {"man": made["manage"]["id"], "rep": made["report"]["id"]}
    return side


@dataclass
class World:
    a: dict[str, Side]  # by stage
    b: dict[str, Side]
    spare_token_id: str
    server_wid: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose webhooks may name loopback, and send nothing."""
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8", "TOURNEY_WEBHOOKS_DELIVER": "0"}
    s = Server(tmp_path_factory.mktemp("authz") / "data", env).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    c = client(server)
    a = {s: make_side(c, s, f"A {s}") for s in ("pending", "underway", "swiss")}
    b = {s: make_side(c, s, f"B {s}") for s in ("pending", "underway", "swiss")}
    soon = (datetime.now(UTC) + timedelta(seconds=EXPIRY_SECONDS)).isoformat()
    expires = time.monotonic() + EXPIRY_SECONDS
    for side in a.values():
        assert side.tokens is not None
        gone = token(c, side.tid, "manage")
        assert c.delete(f"/api/v1/tokens/{gone['id']}").status_code == 204
        side.tokens["revoked"] = gone["token"]
        side.tokens["expired"] = token(c, side.tid, "manage", expires_at=soon)["token"]
        with server.client(side.tokens["expired"]) as early:  # alive until it expires
            assert early.get(f"/api/v1/tournaments/{side.tid}").status_code == 200
    spare = token(c, a["underway"].tid, "report", label="spare")["id"]
    hook = c.post("/api/v1/webhooks", json={"url": HOOK, "types": ["tournament.created"]})
    assert hook.status_code == 201, hook.text
    time.sleep(max(0.0, expires - time.monotonic()) + 0.2)
    return World(a, b, spare, hook.json()["id"])


def token_for(who: str, a: Side, b: Side) -> str | None:
    if who == "anon":
        return None
    if who == "admin":
        return ADMIN
    assert a.tokens is not None and b.tokens is not None
    if who.endswith("_o"):
        return b.tokens[who.removesuffix("_o")]
    return a.tokens[who]


def endpoints(r: httpx.Response) -> Any:
    """A webhook list without its delivery counts: those move on by themselves, as the
    dispatcher queues what other cells' tournaments did."""
    body = r.json()
    for hook in body.get("items", []) if isinstance(body, dict) else []:
        hook.pop("deliveries", None)
    return body


def snapshot(server: Server, *sides: Side) -> list[Any]:
    out: list[Any] = []
    c = client(server)
    for s in sides:
        r = c.get(f"/api/v1/tournaments/{s.tid}")
        events = c.get(f"/api/v1/tournaments/{s.tid}/events", params={"limit": 1000})
        hooks = endpoints(c.get(f"/api/v1/tournaments/{s.tid}/webhooks"))
        out += [r.status_code, r.headers.get("etag"), r.json(), len(events.json()), hooks]
    return [*out, endpoints(c.get("/api/v1/webhooks"))]


def run_cell(server: Server, world: World, row: Row, who: str, foreign: bool, want: int) -> int:
    b = world.b[row.stage]
    if row.writes and want < 300:  # allowed, and it would use A up: a fresh A for this cell
        c = client(server)
        a = make_side(c, row.stage, f"A fresh {row.name}")
        ids = b if foreign else a
        return row.send(server, Cell(a, ids, token_for(who, a, b), world.spare_token_id,
                                     world.server_wid))  # fmt: skip
    a = world.a[row.stage]
    cell = Cell(a, b if foreign else a, token_for(who, a, b), world.spare_token_id,
                world.server_wid)  # fmt: skip
    before = snapshot(server, a, b)
    got = row.send(server, cell)
    if got >= 400:
        assert snapshot(server, a, b) == before, f"{row.name} as {who}: refused, yet changed"
    return got


# ---- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_authorisation_matrix(server: Server, world: World, row: Row) -> None:
    wrong = []
    for foreign, line in ((False, row.own), (True, row.foreign)):
        if line is None:
            continue
        for who, want in zip(PRINCIPALS, map(int, line.split()), strict=True):
            got = run_cell(server, world, row, who, foreign, want)
            if got != want:
                wrong.append(f"{'foreign' if foreign else 'own'} ids as {who}: {got}, not {want}")
    assert not wrong, f"{row.name}:\n  " + "\n  ".join(wrong)


def test_the_matrix_is_whole(server: Server, world: World) -> None:
    """Every API route has a row, and the spare token survived every refused revocation."""
    from app.api.routes import routes

    paths = {getattr(r, "path", "") for r in routes()}
    api = {
        p
        for p in paths
        if p.startswith("/api/") or p in ("/healthz", "/readyz", "/metrics", "/openapi.json")
    }
    named = {r.name.split(" ")[1].replace("/tournaments", "/api/v1/tournaments", 1)
             .replace("/api/v1/api/v1", "/api/v1").replace("{id}", "{token_id}")
             for r in ROWS}  # fmt: skip
    assert api <= named, sorted(api - named)
    c = client(server, token=None)
    r = c.get("/api/v1/tournaments/" + world.a["underway"].tid)
    assert r.status_code == 401
    print(f"\nauthorisation matrix: {CELLS} cells over {len(ROWS)} endpoints")


def test_expires_at_must_be_a_future_time(server: Server, world: World) -> None:
    tid = world.a["pending"].tid
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    c = client(server)
    for bad in (past, "yesterday", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                123, "2030-01-01" + "0" * 100):  # fmt: skip
        r = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": "report",
                                           "expires_at": bad})  # fmt: skip
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["errors"][0]["field"] == "expires_at"
    later = token(c, tid, "report", expires_at="2999-01-01T00:00:00Z")
    assert later["expires_at"].startswith("2999-01-01T00:00:00")


def test_an_idempotency_key_answers_only_its_own_caller(server: Server, world: World) -> None:
    """The admin's key for a new token must not hand that token to a referee who repeats it:
    the referee's request is its own, done and answered as such."""
    a, b = world.a["underway"], world.b["underway"]
    assert b.tokens is not None
    key = {"Idempotency-Key": f"mint-{uuid.uuid4().hex}"}
    admin = client(server)
    r = admin.post("/api/v1/tokens", json={"tournament_id": a.tid, "scope": "manage"},
                   headers=key)  # fmt: skip
    assert r.status_code == 201
    secret = r.json()["token"]
    ref = client(server, b.tokens["rep"])
    r = ref.post(f"/api/v1/tournaments/{b.tid}/matches/{b.mid}/live",
                 json={"scores": [1, 0]}, headers=key)  # fmt: skip
    assert r.status_code == 202, r.text
    assert secret not in r.text and "idempotent-replayed" not in r.headers
    match = admin.get(f"/api/v1/tournaments/{b.tid}/matches/{b.mid}").json()
    assert match["scores"] == [1, 0]
