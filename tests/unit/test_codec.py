"""What is kept of orjson's output costs its own size."""

from __future__ import annotations

import tracemalloc

from app.codec import dumps, kept


def allocated(make: object) -> int:
    tracemalloc.start()
    try:
        held = make()  # type: ignore[operator]
        size = sum(s.size for s in tracemalloc.take_snapshot().statistics("filename"))
        assert held
        return size
    finally:
        tracemalloc.stop()


def test_a_small_answer_kept_is_its_own_size() -> None:
    value = {"id": "m_1", "scores": [2, 1], "state": "complete"}
    assert kept(dumps(value)) == dumps(value)
    assert allocated(lambda: kept(dumps(value))) < 1_000
