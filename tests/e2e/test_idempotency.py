"""An Idempotency-Key belongs to its caller: on every endpoint that honours it, a second caller
sending the same key gets its own request done and its own answer, never the first caller's;
each caller's repeat replays its own first answer. Within one caller, a key names one request:
another body is a 422, another method, path or tournament a 409.

Callers are distinct principals allowed on the endpoint: two tokens of one tournament, the
referees of two tournaments, or the admin and a token (for admin-only endpoints the token is
refused, and must not be handed the admin's answer).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, Server
from tests.helpers import add_players, create_tournament, ready_matches, started


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose webhooks may name loopback, and send nothing."""
    env = {"TOURNEY_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8", "TOURNEY_WEBHOOKS_DELIVER": "0"}
    s = Server(tmp_path_factory.mktemp("idempotency") / "data", env).start()
    yield s
    s.stop()


def token(c: httpx.Client, tid: str, scope: str) -> dict[str, Any]:
    r = c.post("/api/v1/tokens", json={"tournament_id": tid, "scope": scope})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


@dataclass
class Request:
    """One caller's request: who sends it, and what."""

    token: str
    method: str
    path: str
    body: Any = None

    def send(self, server: Server, key: str) -> httpx.Response:
        with server.client(self.token) as c:
            kwargs: dict[str, Any] = {"headers": {"Idempotency-Key": key}}
            if self.body is not None:
                kwargs["json"] = self.body
            return c.request(self.method, self.path, **kwargs)


@dataclass
class Case:
    """Two callers' requests, what each should answer, and how to see that both took effect."""

    first: Request
    second: Request
    statuses: tuple[int, int]
    took_effect: Callable[[httpx.Client], bool]


Setup = Callable[[httpx.Client], Case]


def pending_with_two_managers(c: httpx.Client) -> tuple[str, list[str], list[str]]:
    t = create_tournament(c, "Idem pending")
    pids = [p["id"] for p in add_players(c, t["id"], 4)]
    return t["id"], pids, [token(c, t["id"], "manage")["token"] for _ in range(2)]


def underway_with_two(c: httpx.Client, scope: str) -> tuple[str, dict[str, Any], list[str]]:
    t = started(c, 4)
    return t["id"], t, [token(c, t["id"], scope)["token"] for _ in range(2)]


def tournament(c: httpx.Client, tid: str) -> dict[str, Any]:
    body: dict[str, Any] = c.get(f"/api/v1/tournaments/{tid}").json()
    return body


def patch_tournament(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}"
    return Case(Request(x, "PATCH", path, {"name": "Named by X"}),
                Request(y, "PATCH", path, {"name": "Named by Y"}), (200, 200),
                lambda c: tournament(c, tid)["name"] == "Named by Y")  # fmt: skip


def add_participants(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/participants"
    names = lambda c: {p["name"] for p in tournament(c, tid)["participants"]}  # noqa: E731
    return Case(Request(x, "POST", path, {"name": "Xavier"}),
                Request(y, "POST", path, {"name": "Yolanda"}), (201, 201),
                lambda c: {"Xavier", "Yolanda"} <= names(c))  # fmt: skip


def patch_participant(c: httpx.Client) -> Case:
    tid, pids, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/participants/"
    names = lambda c: {p["name"] for p in tournament(c, tid)["participants"]}  # noqa: E731
    return Case(Request(x, "PATCH", path + pids[0], {"name": "X1"}),
                Request(y, "PATCH", path + pids[1], {"name": "Y2"}), (200, 200),
                lambda c: {"X1", "Y2"} <= names(c))  # fmt: skip


def disqualify(c: httpx.Client) -> Case:
    tid, t, (x, y) = underway_with_two(c, "manage")
    path = f"/api/v1/tournaments/{tid}/participants/"
    p1, p2 = t["participants"][0]["id"], t["participants"][1]["id"]
    out = lambda c: {p["status"] for p in tournament(c, tid)["participants"]  # noqa: E731
                     if p["id"] in (p1, p2)}  # fmt: skip
    return Case(Request(x, "POST", path + p1 + "/disqualify"),
                Request(y, "POST", path + p2 + "/disqualify"), (200, 200),
                lambda c: out(c) == {"disqualified"})  # fmt: skip


def start(c: httpx.Client) -> Case:
    tids = [create_tournament(c, f"Idem start {i}")["id"] for i in range(2)]
    for tid in tids:
        add_players(c, tid, 2)
    x, y = (token(c, tid, "manage")["token"] for tid in tids)
    return Case(Request(x, "POST", f"/api/v1/tournaments/{tids[0]}/start"),
                Request(y, "POST", f"/api/v1/tournaments/{tids[1]}/start"), (200, 200),
                lambda c: all(tournament(c, t)["state"] == "underway" for t in tids))  # fmt: skip


def reset(c: httpx.Client) -> Case:
    tids = [started(c, 2)["id"] for _ in range(2)]
    x, y = (token(c, tid, "manage")["token"] for tid in tids)
    return Case(Request(x, "POST", f"/api/v1/tournaments/{tids[0]}/reset"),
                Request(y, "POST", f"/api/v1/tournaments/{tids[1]}/reset"), (200, 200),
                lambda c: all(tournament(c, t)["state"] == "pending" for t in tids))  # fmt: skip


def report_result(c: httpx.Client) -> Case:
    tid, _, (x, y) = underway_with_two(c, "report")
    m1, m2 = (m["id"] for m in ready_matches(c, tid))
    path = f"/api/v1/tournaments/{tid}/matches/"
    done = lambda c: {m["id"] for m in tournament(c, tid)["matches"]  # noqa: E731
                      if m["state"] == "complete"}  # fmt: skip
    return Case(Request(x, "POST", path + m1 + "/result", {"scores": [2, 0]}),
                Request(y, "POST", path + m2 + "/result", {"scores": [0, 2]}), (200, 200),
                lambda c: {m1, m2} <= done(c))  # fmt: skip


def reopen(c: httpx.Client) -> Case:
    tid, _, (x, y) = underway_with_two(c, "manage")
    m1, m2 = (m["id"] for m in ready_matches(c, tid))
    path = f"/api/v1/tournaments/{tid}/matches/"
    for mid in (m1, m2):
        assert c.post(path + mid + "/result", json={"scores": [1, 0]}).status_code == 200
    ready = lambda c: {m["id"] for m in ready_matches(c, tid)}  # noqa: E731
    return Case(Request(x, "POST", path + m1 + "/reopen"),
                Request(y, "POST", path + m2 + "/reopen"), (200, 200),
                lambda c: {m1, m2} <= ready(c))  # fmt: skip


def live_tick(c: httpx.Client) -> Case:
    tid, _, (x, y) = underway_with_two(c, "report")
    m1, m2 = (m["id"] for m in ready_matches(c, tid))
    path = f"/api/v1/tournaments/{tid}/matches/"
    scores = lambda c: {m["id"]: m["scores"] for m in tournament(c, tid)["matches"]}  # noqa: E731
    return Case(Request(x, "POST", path + m1 + "/live", {"scores": [1, 0]}),
                Request(y, "POST", path + m2 + "/live", {"scores": [0, 3]}), (202, 202),
                lambda c: scores(c)[m1] == [1, 0] and scores(c)[m2] == [0, 3])  # fmt: skip


def post_events(c: httpx.Client) -> Case:
    """The case as it was found: the referee of B, then the referee of A, one key."""
    a, b = started(c, 2), started(c, 2)
    ref_a, ref_b = token(c, a["id"], "report")["token"], token(c, b["id"], "report")["token"]
    (ma,), (mb,) = ready_matches(c, a["id"]), ready_matches(c, b["id"])
    tick = lambda t, m, s: [{"tournament_id": t["id"], "match_id": m["id"],  # noqa: E731
                             "scores": s}]  # fmt: skip
    live = lambda c, t: tournament(c, t["id"])["matches"][0]["scores"]  # noqa: E731
    return Case(Request(ref_b, "POST", "/api/v1/events", tick(b, mb, [4, 0])),
                Request(ref_a, "POST", "/api/v1/events", tick(a, ma, [0, 5])), (202, 202),
                lambda c: live(c, b) == [4, 0] and live(c, a) == [0, 5])  # fmt: skip


def create_tournament_case(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem other")
    manager = token(c, t["id"], "manage")["token"]
    named = lambda c: [x["name"] for x in c.get("/api/v1/tournaments",  # noqa: E731
                                                params={"limit": 200}).json()["items"]]  # fmt: skip
    return Case(Request(ADMIN, "POST", "/api/v1/tournaments", {"name": "Admin's cup"}),
                Request(manager, "POST", "/api/v1/tournaments", {"name": "Manager's cup"}),
                (201, 403), lambda c: "Manager's cup" not in named(c))  # fmt: skip


def create_token_case(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem tokens")
    manager = token(c, t["id"], "manage")["token"]
    body = {"tournament_id": t["id"], "scope": "manage"}
    return Case(Request(ADMIN, "POST", "/api/v1/tokens", body),
                Request(manager, "POST", "/api/v1/tokens", body), (201, 403),
                lambda c: True)  # fmt: skip


# ---- the event day ------------------------------------------------------------------------------


def with_signup(c: httpx.Client, **signup: Any) -> tuple[str, list[str]]:
    """A tournament taking sign-ups, and two manage tokens of it."""
    t = create_tournament(c, "Idem day", signup={"enabled": True, **signup})
    return t["id"], [token(c, t["id"], "manage")["token"] for _ in range(2)]


def signed_up(c: httpx.Client, tid: str, *names: str) -> list[dict[str, Any]]:
    """Sign ``names`` up (anonymously): each answer carries the participant link's token."""
    out = []
    for name in names:
        r = httpx.post(f"{c.base_url}/api/v1/tournaments/{tid}/signup", json={"name": name})
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def entries(c: httpx.Client, tid: str) -> dict[str, dict[str, Any]]:
    """Every sign-up by name: those holding a place and those waiting or awaiting approval."""
    t = tournament(c, tid)
    held = {p["name"]: {**p, "place": True} for p in t["participants"]}
    others = c.get(f"/api/v1/tournaments/{tid}/signups").json()["entries"]
    return held | {e["name"]: {**e, "place": False} for e in others}


def sign_up(c: httpx.Client) -> Case:
    tid, (x, y) = with_signup(c)
    path = f"/api/v1/tournaments/{tid}/signup"
    return Case(Request(x, "POST", path, {"name": "Xavier"}),
                Request(y, "POST", path, {"name": "Yolanda"}), (201, 201),
                lambda c: {"Xavier", "Yolanda"} <= set(entries(c, tid)))  # fmt: skip


def entry_check_in(c: httpx.Client) -> Case:
    tid, _ = with_signup(c)
    xe, ye = signed_up(c, tid, "Xena", "Yann")
    assert c.post(f"/api/v1/tournaments/{tid}/check-in/open").status_code == 200
    path = f"/api/v1/tournaments/{tid}/entry/check-in"
    here = lambda c: all(entries(c, tid)[n]["checked_in_at"] for n in ("Xena", "Yann"))  # noqa: E731
    return Case(Request(xe["token"], "POST", path), Request(ye["token"], "POST", path),
                (200, 200), here)  # fmt: skip


def entry_withdraw(c: httpx.Client) -> Case:
    tid, _ = with_signup(c)
    xe, ye = signed_up(c, tid, "Xena", "Yann")
    path = f"/api/v1/tournaments/{tid}/entry/withdraw"
    gone = lambda c: {"Xena", "Yann"}.isdisjoint(  # noqa: E731
        n for n, e in entries(c, tid).items() if e["place"])  # fmt: skip
    return Case(Request(xe["token"], "POST", path), Request(ye["token"], "POST", path),
                (200, 200), gone)  # fmt: skip


def judged(verb: str, placed: bool) -> Setup:
    def setup(c: httpx.Client) -> Case:
        tid, (x, y) = with_signup(c, approval=True)
        xe, ye = signed_up(c, tid, "Xena", "Yann")
        path = f"/api/v1/tournaments/{tid}/signups/"
        done = lambda c: all(  # noqa: E731
            entries(c, tid)[n]["place"] is placed
            and (placed or entries(c, tid)[n]["status"] == "rejected")
            for n in ("Xena", "Yann")
        )
        return Case(Request(x, "POST", path + xe["entry"]["id"] + f"/{verb}"),
                    Request(y, "POST", path + ye["entry"]["id"] + f"/{verb}"), (200, 200),
                    done)  # fmt: skip

    return setup


def reorder(c: httpx.Client) -> Case:
    tids, managers, waiting = [], [], []
    for _ in range(2):
        tid, (manager, _) = with_signup(c, capacity=2)
        signed = signed_up(c, tid, "A", "B", "C", "D")
        tids.append(tid)
        managers.append(manager)
        waiting.append([s["entry"]["id"] for s in signed[2:]])
    order = lambda c, i: [w["id"] for w in tournament(c, tids[i])["waiting_list"]]  # noqa: E731
    return Case(
        Request(
            managers[0],
            "POST",
            f"/api/v1/tournaments/{tids[0]}/waitlist/reorder",
            {"order": waiting[0][::-1]},
        ),
        Request(
            managers[1],
            "POST",
            f"/api/v1/tournaments/{tids[1]}/waitlist/reorder",
            {"order": waiting[1][::-1]},
        ),
        (200, 200),
        lambda c: order(c, 0) == waiting[0][::-1] and order(c, 1) == waiting[1][::-1],
    )


def open_check_in(c: httpx.Client) -> Case:
    (a, (x, _)), (b, (y, _)) = with_signup(c), with_signup(c)
    opened = lambda c: all(tournament(c, t)["check_in"]["opened_at"] for t in (a, b))  # noqa: E731
    return Case(Request(x, "POST", f"/api/v1/tournaments/{a}/check-in/open"),
                Request(y, "POST", f"/api/v1/tournaments/{b}/check-in/open"), (200, 200),
                opened)  # fmt: skip


def check_in_by_organiser(c: httpx.Client) -> Case:
    tid, pids, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/participants/"
    here = lambda c: all(p["checked_in_at"] for p in tournament(c, tid)["participants"]  # noqa: E731
                         if p["id"] in pids[:2])  # fmt: skip
    return Case(Request(x, "POST", path + pids[0] + "/check-in"),
                Request(y, "POST", path + pids[1] + "/check-in"), (200, 200), here)  # fmt: skip


def issue_link(c: httpx.Client) -> Case:
    tid, pids, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/participants/"
    return Case(Request(x, "POST", path + pids[0] + "/link"),
                Request(y, "POST", path + pids[1] + "/link"), (201, 201),
                lambda c: True)  # fmt: skip


def stations_of(c: httpx.Client, tid: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = c.get(f"/api/v1/tournaments/{tid}/stations").json()
    return out


def add_stations(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/stations"
    names = lambda c: {s["name"] for s in stations_of(c, tid)}  # noqa: E731
    return Case(Request(x, "POST", path, {"name": "Board X"}),
                Request(y, "POST", path, {"name": "Board Y"}), (201, 201),
                lambda c: {"Board X", "Board Y"} <= names(c))  # fmt: skip


def patch_station(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/stations"
    s1, s2 = c.post(path, json=[{"name": "One"}, {"name": "Two"}]).json()
    names = lambda c: {s["name"] for s in stations_of(c, tid)}  # noqa: E731
    return Case(Request(x, "PATCH", f"{path}/{s1['id']}", {"name": "Table X"}),
                Request(y, "PATCH", f"{path}/{s2['id']}", {"name": "Table Y"}), (200, 200),
                lambda c: names(c) == {"Table X", "Table Y"})  # fmt: skip


def call_match(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem calls", call_matches="manual")
    tid = t["id"]
    add_players(c, tid, 4)
    c.post(f"/api/v1/tournaments/{tid}/stations", json=[{"name": "One"}, {"name": "Two"}])
    assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
    x, y = (token(c, tid, "manage")["token"] for _ in range(2))
    m1, m2 = (m["id"] for m in ready_matches(c, tid))
    path = f"/api/v1/tournaments/{tid}/matches/"
    called = lambda c: all(m["station"] for m in tournament(c, tid)["matches"]  # noqa: E731
                           if m["id"] in (m1, m2))  # fmt: skip
    return Case(Request(x, "POST", path + m1 + "/call"), Request(y, "POST", path + m2 + "/call"),
                (200, 200), called)  # fmt: skip


# ---- webhooks -----------------------------------------------------------------------------------

HOOK = "http://127.0.0.1:9/hook"


def hook_urls(c: httpx.Client, path: str) -> set[str]:
    return {h["url"] for h in c.get(path).json()["items"]}


def create_webhook(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/webhooks"
    return Case(Request(x, "POST", path, {"url": HOOK + "/x"}),
                Request(y, "POST", path, {"url": HOOK + "/y"}), (201, 201),
                lambda c: {HOOK + "/x", HOOK + "/y"} <= hook_urls(c, path))  # fmt: skip


def patch_webhook(c: httpx.Client) -> Case:
    tid, _, (x, y) = pending_with_two_managers(c)
    path = f"/api/v1/tournaments/{tid}/webhooks"
    w1, w2 = (c.post(path, json={"url": HOOK}).json()["id"] for _ in range(2))
    said = lambda c: {h["description"] for h in c.get(path).json()["items"]}  # noqa: E731
    return Case(Request(x, "PATCH", f"{path}/{w1}", {"description": "by X"}),
                Request(y, "PATCH", f"{path}/{w2}", {"description": "by Y"}), (200, 200),
                lambda c: {"by X", "by Y"} <= said(c))  # fmt: skip


def server_webhook(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem hooks")
    manager = token(c, t["id"], "manage")["token"]
    return Case(Request(ADMIN, "POST", "/api/v1/webhooks", {"url": HOOK, "enabled": False}),
                Request(manager, "POST", "/api/v1/webhooks", {"url": HOOK, "enabled": False}),
                (201, 403), lambda c: True)  # fmt: skip


def patch_server_webhook(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem hooks")
    manager = token(c, t["id"], "manage")["token"]
    wid = c.post("/api/v1/webhooks", json={"url": HOOK, "enabled": False}).json()["id"]
    path = f"/api/v1/webhooks/{wid}"
    said = lambda c: c.get(path).json()["description"]  # noqa: E731
    return Case(Request(ADMIN, "PATCH", path, {"description": "by the admin"}),
                Request(manager, "PATCH", path, {"description": "by a manager"}), (200, 403),
                lambda c: said(c) == "by the admin")  # fmt: skip


def import_file(c: httpx.Client) -> Case:
    """The admin imports; a manager's same key on the same path is refused, not replayed."""
    t = started(c, 2)
    text = c.get(f"/api/v1/tournaments/{t['id']}/export").text
    docs = [json.loads(text.replace(t["id"], "t_" + uuid.uuid4().hex[:12])) for _ in range(2)]
    manager = token(c, t["id"], "manage")["token"]
    new = docs[0]["tournament"]["id"]
    return Case(Request(ADMIN, "POST", "/api/v1/import", docs[0]),
                Request(manager, "POST", "/api/v1/import", docs[1]), (201, 403),
                lambda c: tournament(c, new)["id"] == new)  # fmt: skip


# ---- Challonge v1: two managers, each of their own tournament, the same key --------------------

CH = "/challonge/v1/tournaments/"


def challonge_side(c: httpx.Client, stage: str) -> tuple[str, dict[str, Any]]:
    """A tournament of four at ``stage`` (pending, checking_in, checked_in, underway, live,
    decided, complete), with a manage token; the ids a call needs."""
    t = create_tournament(c, f"Idem challonge {stage}")
    tid = t["id"]
    pids = [p["id"] for p in add_players(c, tid, 2 if stage == "complete" else 4)]
    ids: dict[str, Any] = {"tid": tid, "pid": pids[0]}
    if stage in ("checking_in", "checked_in"):
        c.post(f"/api/v1/tournaments/{tid}/check-in/open")
        c.post(f"/api/v1/tournaments/{tid}/participants/{pids[0]}/check-in")
    if stage in ("underway", "live", "decided", "complete"):
        assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
        m = ready_matches(c, tid)[0]
        ids.update(mid=m["id"], winner=m["slots"][0]["participant_id"])
        if stage == "live":
            c.post(f"/api/v1/tournaments/{tid}/matches/{m['id']}/live", json={"scores": [1, 0]})
        if stage in ("decided", "complete"):
            url = f"/api/v1/tournaments/{tid}/matches/{m['id']}/result"
            assert c.post(url, json={"scores": [1, 0]}).status_code == 200
    return token(c, tid, "manage")["token"], ids


def challonge(method: str, path: str, stage: str, body: Callable[[dict[str, Any]], Any] | None
              = None) -> Setup:  # fmt: skip
    """The call on two tournaments by their own managers with one key: both take effect (each
    tournament's seq moves on)."""

    def setup(c: httpx.Client) -> Case:
        sides = [challonge_side(c, stage) for _ in range(2)]
        seqs = [tournament(c, ids["tid"])["seq"] for _, ids in sides]
        x, y = (Request(tok, method, CH + path.format(**ids), body(ids) if body else None)
                for tok, ids in sides)  # fmt: skip
        moved = lambda c: all(tournament(c, ids["tid"])["seq"] > seq  # noqa: E731
                              for (_, ids), seq in zip(sides, seqs, strict=True))  # fmt: skip
        return Case(x, y, (200, 200), moved)

    return setup


# ---- the director's Swiss ----------------------------------------------------------------------


def swiss(c: httpx.Client, n: int = 4, play: bool = False) -> tuple[str, list[str]]:
    """A Swiss under way (round 1 paired; played when ``play``), and two manage tokens."""
    t = create_tournament(c, "Idem Swiss", format="swiss", settings={"rounds": 3})
    add_players(c, t["id"], n)
    assert c.post(f"/api/v1/tournaments/{t['id']}/start").status_code == 200
    for m in ready_matches(c, t["id"]) if play else []:
        url = f"/api/v1/tournaments/{t['id']}/matches/{m['id']}/result"
        assert c.post(url, json={"scores": [1, 0]}).status_code == 200
    return t["id"], [token(c, t["id"], "manage")["token"] for _ in range(2)]


def rounds_of(c: httpx.Client, tid: str) -> set[int]:
    return {m["round"] for m in tournament(c, tid)["matches"]}


def boards(c: httpx.Client, tid: str, rnd: int = 1) -> list[list[str | None]]:
    ms = sorted((m for m in tournament(c, tid)["matches"] if m["round"] == rnd),
                key=lambda m: m["number"])  # fmt: skip
    return [[s["participant_id"] for s in m["slots"]] for m in ms]


def pair_round(c: httpx.Client) -> Case:
    (a, (x, _)), (b, (y, _)) = swiss(c, play=True), swiss(c, play=True)
    return Case(Request(x, "POST", f"/api/v1/tournaments/{a}/rounds"),
                Request(y, "POST", f"/api/v1/tournaments/{b}/rounds"), (201, 201),
                lambda c: rounds_of(c, a) == rounds_of(c, b) == {1, 2})  # fmt: skip


def repair_round(c: httpx.Client) -> Case:
    (a, (x, _)), (b, (y, _)) = swiss(c), swiss(c)
    gone = {}
    for tid in (a, b):
        gone[tid] = boards(c, tid)[0][0]
        r = c.post(f"/api/v1/tournaments/{tid}/participants/{gone[tid]}/withdraw")
        assert r.status_code == 200, r.text
    out = lambda c, t: all(gone[t] not in b for b in boards(c, t))  # noqa: E731
    return Case(Request(x, "POST", f"/api/v1/tournaments/{a}/rounds/1/re-pair"),
                Request(y, "POST", f"/api/v1/tournaments/{b}/rounds/1/re-pair"), (200, 200),
                lambda c: out(c, a) and out(c, b))  # fmt: skip


def swap(c: httpx.Client) -> Case:
    tid, (x, y) = swiss(c)
    first, second = boards(c, tid)
    path = f"/api/v1/tournaments/{tid}/rounds/1/swap"
    return Case(Request(x, "POST", path, {"players": first}),
                Request(y, "POST", path, {"players": second}), (200, 200),
                lambda c: boards(c, tid) == [first[::-1], second[::-1]])  # fmt: skip


def correct(c: httpx.Client) -> Case:
    tid, (x, y) = swiss(c, play=True)
    m1, m2 = sorted((m for m in tournament(c, tid)["matches"]), key=lambda m: m["number"])
    path = f"/api/v1/tournaments/{tid}/matches/"
    draws = lambda c: {m["result"] for m in tournament(c, tid)["matches"]} == {"draw"}  # noqa: E731
    return Case(Request(x, "POST", path + m1["id"] + "/correct", {"scores": [0.5, 0.5]}),
                Request(y, "POST", path + m2["id"] + "/correct", {"scores": [1, 1]}), (200, 200),
                draws)  # fmt: skip


def withdraw_or_return(verb: str) -> Setup:
    def setup(c: httpx.Client) -> Case:
        tid, (x, y) = swiss(c)
        p, q = boards(c, tid)[0]
        path = f"/api/v1/tournaments/{tid}/participants/"
        if verb == "return":
            for pid in (p, q):
                assert c.post(path + f"{pid}/withdraw").status_code == 200
        want = "active" if verb == "return" else "withdrawn"
        done = lambda c: {x["status"] for x in tournament(c, tid)["participants"]  # noqa: E731
                          if x["id"] in (p, q)} == {want}  # fmt: skip
        return Case(Request(x, "POST", path + f"{p}/{verb}"),
                    Request(y, "POST", path + f"{q}/{verb}"), (200, 200), done)  # fmt: skip

    return setup


def challonge_create(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem challonge create")
    manager = token(c, t["id"], "manage")["token"]
    named = {"tournament": {"name": "By the admin"}}
    return Case(Request(ADMIN, "POST", CH.rstrip("/"), named),
                Request(manager, "POST", CH.rstrip("/"), {"tournament": {"name": "By a manager"}}),
                (200, 401), lambda c: True)  # fmt: skip


def named(what: str) -> Callable[[dict[str, Any]], Any]:
    return lambda _ids: {what: {"name": f"{what} {uuid.uuid4().hex[:6]}"}}


CHALLONGE: dict[str, Setup] = {
    "POST /challonge/v1/tournaments": challonge_create,
    "PUT /challonge/v1/tournaments/{tid}": challonge("PUT", "{tid}", "pending",
                                                     named("tournament")),
    "POST /challonge/v1/tournaments/{tid}/start": challonge("POST", "{tid}/start", "pending"),
    "POST /challonge/v1/tournaments/{tid}/finalize": challonge("POST", "{tid}/finalize",
                                                               "complete"),
    "POST /challonge/v1/tournaments/{tid}/reset": challonge("POST", "{tid}/reset", "underway"),
    "POST /challonge/v1/tournaments/{tid}/process_check_ins": challonge(
        "POST", "{tid}/process_check_ins", "checked_in"),
    "POST /challonge/v1/tournaments/{tid}/abort_check_in": challonge(
        "POST", "{tid}/abort_check_in", "checking_in"),
    "POST /challonge/v1/tournaments/{tid}/participants": challonge(
        "POST", "{tid}/participants", "pending", named("participant")),
    "POST /challonge/v1/tournaments/{tid}/participants/bulk_add": challonge(
        "POST", "{tid}/participants/bulk_add", "pending",
        lambda _ids: {"participants": [{"name": f"bulk {uuid.uuid4().hex[:6]}"}]}),
    "POST /challonge/v1/tournaments/{tid}/participants/randomize": challonge(
        "POST", "{tid}/participants/randomize", "pending"),
    "PUT /challonge/v1/tournaments/{tid}/participants/{pid}": challonge(
        "PUT", "{tid}/participants/{pid}", "pending", named("participant")),
    "POST /challonge/v1/tournaments/{tid}/participants/{pid}/check_in": challonge(
        "POST", "{tid}/participants/{pid}/check_in", "pending"),
    "POST /challonge/v1/tournaments/{tid}/participants/{pid}/undo_check_in": challonge(
        "POST", "{tid}/participants/{pid}/undo_check_in", "checking_in"),
    "PUT /challonge/v1/tournaments/{tid}/matches/{mid}": challonge(
        "PUT", "{tid}/matches/{mid}", "underway",
        lambda ids: {"match": {"scores_csv": "2-0", "winner_id": ids["winner"]}}),
    "POST /challonge/v1/tournaments/{tid}/matches/{mid}/reopen": challonge(
        "POST", "{tid}/matches/{mid}/reopen", "decided"),
    "POST /challonge/v1/tournaments/{tid}/matches/{mid}/mark_as_underway": challonge(
        "POST", "{tid}/matches/{mid}/mark_as_underway", "underway"),
    "POST /challonge/v1/tournaments/{tid}/matches/{mid}/unmark_as_underway": challonge(
        "POST", "{tid}/matches/{mid}/unmark_as_underway", "live"),
}  # fmt: skip


def request_bye(c: httpx.Client) -> Case:
    tid, (x, y) = swiss(c)
    p, q = boards(c, tid)[0]
    path = f"/api/v1/tournaments/{tid}/participants/"
    asked = lambda c: all(x["byes"] for x in tournament(c, tid)["participants"]  # noqa: E731
                          if x["id"] in (p, q))  # fmt: skip
    return Case(Request(x, "POST", path + f"{p}/byes", {"rounds": [2]}),
                Request(y, "POST", path + f"{q}/byes", {"rounds": [3], "points": "zero"}),
                (201, 201), asked)  # fmt: skip


def import_trf(c: httpx.Client) -> Case:
    t = create_tournament(c, "Idem TRF")
    manager = token(c, t["id"], "manage")["token"]
    body = {"trf": "012 From a file\nXXR 3\n001    1      A\n001    2      B\n"}
    return Case(Request(ADMIN, "POST", "/api/v1/tournaments/import.trf", body),
                Request(manager, "POST", "/api/v1/tournaments/import.trf", body), (201, 403),
                lambda c: True)  # fmt: skip


CASES: dict[str, Setup] = {
    "PATCH /api/v1/tournaments/{tid}": patch_tournament,
    "POST /api/v1/tournaments/{tid}/participants": add_participants,
    "PATCH /api/v1/tournaments/{tid}/participants/{pid}": patch_participant,
    "POST /api/v1/tournaments/{tid}/participants/{pid}/disqualify": disqualify,
    "POST /api/v1/tournaments/{tid}/start": start,
    "POST /api/v1/tournaments/{tid}/reset": reset,
    "POST /api/v1/tournaments/{tid}/matches/{mid}/result": report_result,
    "POST /api/v1/tournaments/{tid}/matches/{mid}/reopen": reopen,
    "POST /api/v1/tournaments/{tid}/matches/{mid}/live": live_tick,
    "POST /api/v1/events": post_events,
    "POST /api/v1/tournaments": create_tournament_case,
    "POST /api/v1/tokens": create_token_case,
    "POST /api/v1/tournaments/{tid}/signup": sign_up,
    "POST /api/v1/tournaments/{tid}/entry/check-in": entry_check_in,
    "POST /api/v1/tournaments/{tid}/entry/withdraw": entry_withdraw,
    "POST /api/v1/tournaments/{tid}/signups/{pid}/approve": judged("approve", True),
    "POST /api/v1/tournaments/{tid}/signups/{pid}/reject": judged("reject", False),
    "POST /api/v1/tournaments/{tid}/waitlist/reorder": reorder,
    "POST /api/v1/tournaments/{tid}/check-in/open": open_check_in,
    "POST /api/v1/tournaments/{tid}/participants/{pid}/check-in": check_in_by_organiser,
    "POST /api/v1/tournaments/{tid}/participants/{pid}/link": issue_link,
    "POST /api/v1/tournaments/{tid}/stations": add_stations,
    "PATCH /api/v1/tournaments/{tid}/stations/{sid}": patch_station,
    "POST /api/v1/tournaments/{tid}/matches/{mid}/call": call_match,
    "POST /api/v1/tournaments/{tid}/webhooks": create_webhook,
    "PATCH /api/v1/tournaments/{tid}/webhooks/{wid}": patch_webhook,
    "POST /api/v1/webhooks": server_webhook,
    "PATCH /api/v1/webhooks/{wid}": patch_server_webhook,
    "POST /api/v1/import": import_file,
    **CHALLONGE,
    "POST /api/v1/tournaments/{tid}/rounds": pair_round,
    "POST /api/v1/tournaments/{tid}/rounds/{round}/re-pair": repair_round,
    "POST /api/v1/tournaments/{tid}/rounds/{round}/swap": swap,
    "POST /api/v1/tournaments/{tid}/matches/{mid}/correct": correct,
    "POST /api/v1/tournaments/{tid}/participants/{pid}/withdraw": withdraw_or_return("withdraw"),
    "POST /api/v1/tournaments/{tid}/participants/{pid}/return": withdraw_or_return("return"),
    "POST /api/v1/tournaments/{tid}/participants/{pid}/byes": request_bye,
    "POST /api/v1/tournaments/import.trf": import_trf,
}


@pytest.mark.parametrize("name", list(CASES))
def test_two_callers_one_key(server: Server, name: str) -> None:
    key = f"shared-{uuid.uuid4().hex[:8]}"
    with server.client() as admin:
        case = CASES[name](admin)
        first = case.first.send(server, key)
        assert first.status_code == case.statuses[0], first.text
        second = case.second.send(server, key)
        assert second.status_code == case.statuses[1], second.text
        assert "idempotent-replayed" not in second.headers
        assert second.content != first.content
        assert case.took_effect(admin), f"{name}: the second caller's request was dropped"
    # each caller's repeat replays its own first answer, and only an answer that succeeded
    again = case.first.send(server, key)
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    if second.status_code < 400:
        again = case.second.send(server, key)
        assert again.content == second.content
        assert again.headers["idempotent-replayed"] == "true"


def test_every_endpoint_that_honours_the_key_has_a_case() -> None:
    from app.api.openapi import spec

    honours = {
        f"{method.upper()} {path}"
        for path, ops in spec()["paths"].items()
        for method, op in ops.items()
        if any(p.get("name") == "Idempotency-Key" for p in op.get("parameters", []))
    }
    assert honours == set(CASES)


def test_one_caller_one_key_one_request(server: Server) -> None:
    """The same caller's key on another body is a 422, on another path or tournament a 409;
    neither changes anything."""
    with server.client() as admin:
        tid, pids, (manager, _) = pending_with_two_managers(admin)
        before = tournament(admin, tid)
    url = f"/api/v1/tournaments/{tid}/participants"
    with server.client(manager) as c:
        key = {"Idempotency-Key": "mine"}
        assert c.post(url, json={"name": "Once"}, headers=key).status_code == 201
        other_body = c.post(url, json={"name": "Twice"}, headers=key)
        assert other_body.status_code == 422, other_body.text
        assert other_body.headers["content-type"] == "application/problem+json"
        other_path = c.patch(f"{url}/{pids[0]}", json={"name": "Renamed"}, headers=key)
        assert other_path.status_code == 409, other_path.text
    with server.client() as admin:
        names = [p["name"] for p in tournament(admin, tid)["participants"]]
        assert names == [p["name"] for p in before["participants"]] + ["Once"]


def test_an_event_id_is_the_key_in_its_callers_space(server: Server) -> None:
    """The admin's key is the event id as given; a token's comes after the token's id."""
    with server.client() as admin:
        t = started(admin, 4)
        m1, m2 = (m["id"] for m in ready_matches(admin, t["id"]))
        ref = token(admin, t["id"], "report")
        key = f"k-{uuid.uuid4().hex[:8]}"
        url = f"/api/v1/tournaments/{t['id']}/matches/"
        r = admin.post(url + m1 + "/result", json={"scores": [1, 0]},
                       headers={"Idempotency-Key": key})  # fmt: skip
        assert r.status_code == 200
        with server.client(ref["token"]) as c:
            r = c.post(url + m2 + "/result", json={"scores": [1, 0]},
                       headers={"Idempotency-Key": key})  # fmt: skip
            assert r.status_code == 200
        want = {key, f"{ref['id']}:{key}"}
        deadline = time.monotonic() + 5  # the event log is read from SQLite: the writer lags
        while time.monotonic() < deadline:
            ids = {e["id"] for e in admin.get(f"/api/v1/tournaments/{t['id']}/events").json()}
            if want <= ids:
                break
            time.sleep(0.05)
        assert want <= ids
