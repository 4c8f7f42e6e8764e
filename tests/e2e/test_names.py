"""Names for bots: ``?expand=participants`` on match lists and single matches, and the names
in light frames (``?fields=scores``), so a bot needs no second lookup."""

from __future__ import annotations

import json

from websockets.sync.client import connect

from tests.conftest import Server
from tests.helpers import add_players, create_tournament


def test_bots_get_names_without_a_second_lookup(server: Server) -> None:
    with server.client() as c:
        t = create_tournament(c, "Names Cup")
        add_players(c, t["id"], 4)
        c.post(f"/api/v1/tournaments/{t['id']}/start")
        url = f"/api/v1/tournaments/{t['id']}/matches"
        plain = c.get(url, params={"state": "ready"})
        rich = c.get(url, params={"state": "ready", "expand": "participants"})
        assert rich.headers["etag"] != plain.headers["etag"]
        m = rich.json()[0]
        assert [s["participant"]["name"] for s in m["slots"]] == ["P1", "P4"]
        assert m["slots"][0]["participant"]["id"] == m["slots"][0]["participant_id"]
        one = c.get(f"{url}/{m['id']}", params={"expand": "participants"}).json()
        assert one["slots"][1]["participant"]["name"] == "P4"
        assert c.get(url, params={"expand": "everything"}).status_code == 422
        ws_url = f"{server.ws_url}/api/v1/tournaments/{t['id']}/ws?fields=scores"
        with connect(ws_url, open_timeout=5) as ws:
            snap = json.loads(ws.recv(timeout=5))
            first = next(x for x in snap["matches"] if x["id"] == m["id"])
            assert first["names"] == ["P1", "P4"]
            c.post(f"{url}/{m['id']}/live", json={"scores": [1, 0]})
            frame = json.loads(ws.recv(timeout=5))
            assert frame["type"] == "scores" and frame["matches"][0]["names"] == ["P1", "P4"]
            c.post(f"{url}/{m['id']}/result", json={"scores": [2, 0]})
            event = json.loads(ws.recv(timeout=5))
            named = {x["id"]: x["names"] for x in event["matches"]}
            assert named[m["id"]] == ["P1", "P4"]
            assert ["P1", None] in named.values()  # the final, waiting for its second side
