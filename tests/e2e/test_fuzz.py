"""Fuzzing against a real server: never a 5xx, and a refused request changes nothing.

1. schemathesis generates requests from the served OpenAPI document (the admin token attached,
   path ids swapped for real ones half of the time so that handlers past the lookup are reached)
   and checks every response: no server error, a documented status, content type and schema.
2. hypothesis posts random JSON (with the field names and ids the API knows mixed in) to every
   write endpoint of a pending and an underway tournament; every answer is a 2xx or a 4xx, and
   after a 4xx both tournaments read back exactly as before.

The number of requests each part sent is printed at the end of the module.
"""

from __future__ import annotations

import base64
import json
import os
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from websockets.sync.client import connect

from app.api.openapi import spec
from tests.conftest import ADMIN, Server
from tests.helpers import add_players, create_tournament, ready_matches

SCALE = int(os.environ.get("TOURNEY_FUZZ_SCALE", "1"))  # more examples for a longer local hunt
SCHEMA_EXAMPLES = 25 * SCALE  # per operation
BODY_EXAMPLES = 40 * SCALE  # per write endpoint
SENT = {"schemathesis": 0, "random bodies": 0}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
schemathesis.serializer.alias("application/x-ndjson", "text/plain")  # NDJSON: a string body
schema = schemathesis.openapi.from_dict(spec())


HOOK = "http://127.0.0.1:9/hook"  # nothing is sent: the server runs with webhooks.deliver off


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose webhooks may name loopback, and send nothing."""
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8", "TOURNEY_WEBHOOKS_DELIVER": "0"}
    s = Server(tmp_path_factory.mktemp("fuzz") / "data", env).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def ids(server: Server) -> Iterator[dict[str, list[str]]]:
    """Real ids to put in generated paths: tournaments (pending and underway), participants,
    matches, tokens. DELETE of a tournament never gets a real id, so the others stay."""
    with server.client() as c:
        pending = create_tournament(c, "Fuzz pending", signup={"enabled": True})
        add_players(c, pending["id"], 4)
        t = create_tournament(c, "Fuzz underway", format="double_elimination")
        players = add_players(c, t["id"], 6)
        station = c.post(f"/api/v1/tournaments/{t['id']}/stations", json={"name": "S1"}).json()
        assert c.post(f"/api/v1/tournaments/{t['id']}/start").status_code == 200
        matches = c.get(f"/api/v1/tournaments/{t['id']}/matches").json()
        tok = c.post("/api/v1/tokens", json={"tournament_id": t["id"], "scope": "report"}).json()
        hooks = [c.post(f"/api/v1/tournaments/{t['id']}/webhooks", json={"url": HOOK}).json(),
                 c.post("/api/v1/webhooks", json={"url": HOOK}).json()]  # fmt: skip
    yield {
        "tid": [pending["id"], t["id"]],
        "pid": [p["id"] for p in players],
        "mid": [m["id"] for m in matches],
        "token_id": [tok["id"]],
        "sid": [station["id"]],
        "wid": [h["id"] for h in hooks],
    }
    print(f"\nfuzzed requests: {SENT}")


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    import requests

    with requests.Session() as s:
        yield s


@schema.parametrize()
@settings(
    max_examples=SCHEMA_EXAMPLES,
    deadline=None,
    derandomize=SCALE == 1,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_openapi(case: Any, server: Server, ids: dict[str, list[str]], session: Any) -> None:
    rnd = random.Random(repr(case.path_parameters))
    params = case.path_parameters or {}
    for name, real in ids.items():
        if name in params and rnd.random() < 0.5:
            if case.method.upper() == "DELETE" and case.path.endswith("{" + name + "}"):
                continue  # the real ones stay for the other cases
            params[name] = rnd.choice(real)
    response = case.call(base_url=server.url, session=session,
                         headers={"Authorization": f"Bearer {ADMIN}"})  # fmt: skip
    SENT["schemathesis"] += 1
    case.validate_response(response, checks=CHECKS)


# ---- random bodies to every write endpoint ---------------------------------------------------

FIELDS = ["name", "format", "settings", "visibility", "seed", "rating", "scores", "games",
          "winner_id", "forfeit", "detail", "id", "tournament_id", "match_id", "scope", "label",
          "expires_at", "best_of", "seed_ordering", "third_place_match", "grand_final",
          "group_count", "legs", "points", "rounds", "tiebreakers", "win", "draw", "loss",
          "bye", "group_stage", "playoff", "advance", "signup", "enabled", "code", "capacity",
          "closes_at", "approval", "seeding", "check_in", "minutes_before", "starts_at",
          "call_matches", "round_times", "round", "bracket", "at", "order",
          "station_id", "url", "types", "description", "players", "points", "trf", "fide",
          "federation", "sex", "birth", "trf_header", "auto_pair", "late_entry_points",
          "half_point_byes", "chess"]  # fmt: skip
WORDS = ["single_elimination", "double_elimination", "round_robin", "swiss", "groups_playoffs",
         "public", "private", "unlisted", "manage", "report", "standard", "natural", "none",
         "simple", "double", "buchholz", "head_to_head", "points", "seed", "auto", "manual",
         "rating", "winners", "losers",
         "2030-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "", HOOK, "discord",
         "match.ready", "*", "http://10.0.0.1/", "https://[::1]:0/", "half", "zero", "POR",
         "012 A\n001    1      A\n", "m", "1990/01/01"]  # fmt: skip


def json_values(real_ids: list[str]) -> st.SearchStrategy[Any]:
    scalars = (
        st.none() | st.booleans() | st.integers(-(2**70), 2**70)
        | st.sampled_from([0, 1, 2, 3, -1, 0.5, 1e308, -0.0, 2**53 + 1])
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20) | st.sampled_from(WORDS + real_ids)
    )  # fmt: skip
    keys = st.sampled_from(FIELDS) | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=20,
    )


@pytest.fixture(scope="module")
def targets(server: Server) -> dict[str, Any]:
    """A pending and an underway tournament (double elimination, so draws and games matter)."""
    with server.client() as c:
        p = create_tournament(c, "Bodies pending", format="round_robin",
                              signup={"enabled": True, "capacity": 8})  # fmt: skip
        pp = add_players(c, p["id"], 4)
        u = create_tournament(c, "Bodies underway", format="double_elimination",
                              call_matches="manual")  # fmt: skip
        up = add_players(c, u["id"], 6)
        st = c.post(f"/api/v1/tournaments/{u['id']}/stations", json={"name": "S1"}).json()
        assert c.post(f"/api/v1/tournaments/{u['id']}/start").status_code == 200
        ready = ready_matches(c, u["id"])
        hook = c.post(f"/api/v1/tournaments/{u['id']}/webhooks", json={"url": HOOK}).json()
        sw = create_tournament(c, "Bodies Swiss", format="swiss", settings={"rounds": 4})
        sp = add_players(c, sw["id"], 5)
        assert c.post(f"/api/v1/tournaments/{sw['id']}/start").status_code == 200
        first, second = ready_matches(c, sw["id"])[:2]
        url = f"/api/v1/tournaments/{sw['id']}/matches/{first['id']}/result"
        assert c.post(url, json={"scores": [1, 0]}).status_code == 200
    return {"pending": p["id"], "pending_pid": pp[0]["id"], "underway": u["id"],
            "underway_pid": up[-1]["id"], "mid": ready[0]["id"], "sid": st["id"],
            "wid": hook["id"], "swiss": sw["id"], "swiss_pid": sp[0]["id"],
            "swiss_done": first["id"], "swiss_mid": second["id"],
            "ids": [p["id"], u["id"], pp[0]["id"], up[0]["id"], ready[0]["id"],
                    st["id"], sw["id"], *(x["id"] for x in sp)]}  # fmt: skip


WRITES = [
    ("POST", "/api/v1/tournaments"),
    ("PATCH", "/api/v1/tournaments/{pending}"),
    ("PATCH", "/api/v1/tournaments/{underway}"),
    ("POST", "/api/v1/tournaments/{pending}/participants"),
    ("PATCH", "/api/v1/tournaments/{pending}/participants/{pending_pid}"),
    ("PATCH", "/api/v1/tournaments/{underway}/participants/{underway_pid}"),
    ("POST", "/api/v1/tournaments/{underway}/matches/{mid}/result"),
    ("POST", "/api/v1/tournaments/{underway}/matches/{mid}/live"),
    ("POST", "/api/v1/events"),
    ("POST", "/api/v1/tokens"),
    ("POST", "/api/v1/tournaments/{pending}/signup"),
    ("POST", "/api/v1/tournaments/{pending}/waitlist/reorder"),
    ("POST", "/api/v1/tournaments/{underway}/stations"),
    ("PATCH", "/api/v1/tournaments/{underway}/stations/{sid}"),
    ("POST", "/api/v1/tournaments/{underway}/matches/{mid}/call"),
    ("POST", "/api/v1/tournaments/{underway}/webhooks"),
    ("PATCH", "/api/v1/tournaments/{underway}/webhooks/{wid}"),
    ("POST", "/api/v1/webhooks"),
    ("POST", "/api/v1/tournaments/{swiss}/rounds"),
    ("POST", "/api/v1/tournaments/{swiss}/rounds/1/swap"),
    ("POST", "/api/v1/tournaments/{swiss}/matches/{swiss_done}/correct"),
    ("POST", "/api/v1/tournaments/{swiss}/participants/{swiss_pid}/byes"),
    ("POST", "/api/v1/tournaments/{swiss}/participants"),
    ("PATCH", "/api/v1/tournaments/{swiss}/participants/{swiss_pid}"),
    ("POST", "/api/v1/tournaments/import.trf"),
]


def snapshot(c: httpx.Client, t: dict[str, Any]) -> list[Any]:
    out = []
    for tid in (t["pending"], t["underway"], t["swiss"]):
        r = c.get(f"/api/v1/tournaments/{tid}")
        out += [
            r.headers.get("etag"),
            r.json(),
            c.get(f"/api/v1/tournaments/{tid}/webhooks").json(),
        ]
    return [*out, c.get("/api/v1/webhooks").json()]


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_random_bodies_are_refused_cleanly(
    server: Server, targets: dict[str, Any], method: str, path: str
) -> None:
    url = path.format(**targets)
    with server.client() as c:

        @settings(max_examples=BODY_EXAMPLES, deadline=None, derandomize=SCALE == 1, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(body=json_values(targets["ids"]))
        def post(body: Any) -> None:
            before = snapshot(c, targets)
            r = c.request(method, url, json=body)
            SENT["random bodies"] += 1
            assert r.status_code < 500, (body, r.text)
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/problem+json")
                assert snapshot(c, targets) == before, (body, r.text)

        post()


# ---- what fuzzing found, pinned ---------------------------------------------------------------


def test_a_cursor_of_the_wrong_shape_is_a_422(server: Server, targets: dict[str, Any]) -> None:
    """It was a 500: a cursor decoding to [1, 2] was compared with (created_at, id)."""
    with server.client(token=None) as c:
        for value in ([1, 2], [None], ["a"], "ab", {"a": 1}, 5):
            cursor = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
            r = c.get("/api/v1/tournaments", params={"cursor": cursor})
            assert r.status_code == 422, (value, r.text)


@pytest.mark.parametrize("raw", [b'{"scores": [1, 0], "detail": {"x": NaN}}',
                                 b'{"scores": [1, 0], "detail": {"x": -Infinity}}',
                                 b'{"scores": [1, 0], "detail": {"x": 1e999}}'])  # fmt: skip
def test_non_finite_numbers_are_not_json(
    server: Server, targets: dict[str, Any], raw: bytes
) -> None:
    """They were accepted into a tick's detail, and came back out as NaN: invalid JSON."""
    url = f"/api/v1/tournaments/{targets['underway']}/matches/{targets['mid']}/live"
    with server.client() as c:
        before = snapshot(c, targets)
        r = c.post(url, content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, r.text
        assert snapshot(c, targets) == before


def test_ingest_answers_a_binary_frame(server: Server, targets: dict[str, Any]) -> None:
    """A binary frame used to kill the ingest socket (receive_text on bytes)."""
    tick = {"tournament_id": targets["underway"], "match_id": targets["mid"], "scores": [0, 0]}
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with connect(f"{server.ws_url}/api/v1/ingest/ws", additional_headers=headers) as ws:
        ws.send(b"\xff\xfe not json")
        assert json.loads(ws.recv(timeout=5))["status"] == 400
        ws.send(json.dumps(tick).encode())
        assert json.loads(ws.recv(timeout=5))["type"] == "ack"


def test_subscribe_ignores_an_after_that_is_not_a_number(
    server: Server, targets: dict[str, Any]
) -> None:
    """``?after=²``: isdigit() said yes, int() said no, and the socket died after accepting."""
    url = f"{server.ws_url}/api/v1/tournaments/{targets['underway']}/ws?after=%C2%B2"
    with connect(url, additional_headers={"Authorization": f"Bearer {ADMIN}"}) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "snapshot"
