"""The cache of encoded public reads: the newest encoding per read, within its bytes, and the
reads of tournaments that left memory dropped."""

from __future__ import annotations

from app.api.reads import ReadCache


def test_entries_are_replaced_by_a_new_tag_and_the_oldest_go_past_the_budget() -> None:
    cache = ReadCache(3_000)
    for n in range(5):
        cache.get(("tournament", f"t{n}"), "v1", lambda n=n: {"pad": "x" * 900, "n": n})
    assert len(cache.entries) == 3 and cache.bytes <= 3_000
    assert [k[1] for k in cache.entries] == ["t2", "t3", "t4"]
    again = cache.get(("tournament", "t4"), "v2", lambda: {"n": 44})
    assert again.identity == b'{"n":44}' and len(cache.entries) == 3


def test_forget_drops_every_read_of_the_tournaments_named() -> None:
    cache = ReadCache(1 << 20)
    for tid in ("a", "b"):
        cache.get(("tournament", tid), "1", lambda tid=tid: {"id": tid})
        cache.get(("matches", tid, None, False), "1", lambda: [])
        cache.get(("standings", tid, None, None), "1", lambda: [])
    cache.forget({"a"})
    assert {k[1] for k in cache.entries} == {"b"} and len(cache.entries) == 3
    assert cache.bytes == sum(e.size for e in cache.entries.values())
