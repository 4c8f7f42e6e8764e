"""The tournament file (domain/archive.py): a document reads back into the same tournament, a
changed one is refused, versions are read through the upgrade chain, and a version-1 file kept
with the tests still imports."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from drive import Driver, random_results
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import archive
from app.domain.errors import Invalid
from app.domain.events import Event
from app.domain.models import Tournament
from app.domain.state import fold

V1_FILE = Path(__file__).parent.parent / "files" / "export-v1.json"
FAST = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def log_of(d: Driver) -> list[dict[str, Any]]:
    """The event log as the store gives it (seq, type, at, data)."""
    return [{"seq": e.seq, "type": str(e.type), "at": e.at, "data": e.data}
            for e in [d.created, *d.events]]  # fmt: skip


def played(fmt: str, n: int, seed: int) -> Driver:
    """A tournament played out, held as a server holds it: folded from its events."""
    d = Driver(fmt)
    d.add(n)
    d.start()
    d.play(random_results(d.t, random.Random(seed), draws=fmt in ("round_robin", "swiss")))
    held: dict[str, Tournament] = {}
    for e in [d.created, *d.events]:
        fold(held, e)
    d.t = held[d.tid]
    return d


def roundtrip(doc: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(doc))
    return loaded


@FAST
@given(st.sampled_from(["single_elimination", "double_elimination", "round_robin", "swiss",
                        "groups_playoffs"]), st.integers(2, 12), st.integers(0, 10**6))  # fmt: skip
def test_a_document_reads_back_into_the_same_tournament(fmt: str, n: int, seed: int) -> None:
    if fmt == "groups_playoffs" and n < 4:
        n = 4
    d = played(fmt, n, seed)
    doc = archive.document(d.t, log_of(d))
    got = archive.read(roundtrip(doc))
    assert archive.document(got.tournament, log_of_events(got.events)) == doc


def log_of_events(events: list[Event]) -> list[dict[str, Any]]:
    return [{"seq": e.seq, "type": str(e.type), "at": e.at, "data": e.data} for e in events]


def test_seqs_are_written_as_places_in_the_log() -> None:
    d = played("single_elimination", 4, 1)
    log = [{**e, "seq": e["seq"] * 1000 + 7} for e in log_of(d)]  # a busy server's seqs
    for e in d.t.matches.values():
        e.seq = e.seq * 1000 + 7
    d.t.seq = d.t.seq * 1000 + 7
    doc = archive.document(d.t, log)
    assert doc["tournament"]["seq"] == len(log)
    assert {m["seq"] for m in doc["tournament"]["matches"]} <= set(range(1, len(log) + 1))
    archive.read(roundtrip(doc))


@pytest.mark.parametrize("change", [
    lambda doc: doc["tournament"].update(name="Renamed"),
    lambda doc: doc["events"].pop(),
    lambda doc: doc["events"][1]["data"]["participants"][0].update(name="Mallory"),
    lambda doc: doc["events"].insert(1, {**doc["events"][0], "n": 2}),
    lambda doc: doc["events"][2].update(type="token.created"),
    lambda doc: doc["events"][2].update(type="no.such"),
    lambda doc: doc["events"][3].update(data={"match_id": "nowhere"}),
    lambda doc: doc.update(version=archive.VERSION + 1),
    lambda doc: doc.update(version="1"),
    lambda doc: doc.update(schema="other"),
    lambda doc: doc.update(events=[]),
    lambda doc: doc.update(tournament=None),
])  # fmt: skip
def test_a_changed_document_is_refused(change: Any) -> None:
    d = played("single_elimination", 4, 2)
    doc = roundtrip(archive.document(d.t, log_of(d)))
    change(doc)
    with pytest.raises(Invalid):
        archive.read(doc)


def test_older_versions_go_through_the_upgrade_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a next version in place, a document of today's is upgraded, then checked."""
    d = played("double_elimination", 5, 3)
    doc = roundtrip(archive.document(d.t, log_of(d)))
    now = archive.VERSION
    seen: list[int] = []

    def step(old: dict[str, Any]) -> dict[str, Any]:
        seen.append(old["version"])
        return {**old, "version": now + 1}

    monkeypatch.setattr(archive, "VERSION", now + 1)
    monkeypatch.setitem(archive.UPGRADES, now, step)
    assert archive.read(doc).tournament.id == d.t.id
    assert seen == [now]


def test_version_1_becomes_version_2_with_empty_fide_records_byes_and_header() -> None:
    doc = json.loads(V1_FILE.read_text())
    two = archive.UPGRADES[1](doc)
    assert two["version"] == 2 and two["tournament"]["trf_header"] == {}
    assert all(p["fide"] is None and p["byes"] == [] for p in two["tournament"]["participants"])
    assert two["events"] == doc["events"] and "trf_header" not in doc["tournament"]


def test_the_kept_version_1_file_still_reads() -> None:
    doc = json.loads(V1_FILE.read_text())
    assert doc["version"] == 1
    got = archive.read(doc)
    assert got.tournament.state == "complete"
    assert len(got.events) == len(doc["events"])
