"""The request-head meter: however the bytes are split into reads, a head is refused exactly
when its line or its whole is over the bound, and a body sent with it never counts."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from app.wire import HEAD_TOO_LARGE, LINE_TOO_LONG, HeadMeter

MAX_LINE, MAX_HEAD = 64, 256


def verdict(chunks: list[bytes]) -> str | None:
    """Feed the chunks as reads until the one where the head ends (then the parser has it)."""
    meter = HeadMeter(MAX_LINE, MAX_HEAD)
    seen = b""
    for chunk in chunks:
        over = meter.feed(chunk)
        if over is not None:
            return over
        seen += chunk
        if b"\r\n\r\n" in seen:
            meter.done()
    return None


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


@given(
    target=st.integers(1, 100),
    headers=st.lists(st.tuples(st.integers(1, 10), st.integers(0, 60)), max_size=8),
    body=st.integers(0, 2000),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_the_verdict_does_not_depend_on_how_reads_are_split(
    target: int, headers: list[tuple[int, int]], body: int, cuts: list[int]
) -> None:
    line = b"GET /" + b"a" * target + b" HTTP/1.1\r\n"
    fields = b"".join(b"X" * n + b": " + b"v" * v + b"\r\n" for n, v in headers)
    head = line + fields + b"\r\n"
    want = None
    if len(line) > MAX_LINE:
        want = LINE_TOO_LONG
    elif len(head) > MAX_HEAD:
        want = HEAD_TOO_LARGE
    assert verdict(split(head + b"b" * body, cuts)) == want
    assert verdict([head + b"b" * body]) == want


def test_a_head_at_the_bound_passes_and_one_byte_more_does_not() -> None:
    line = b"GET / HTTP/1.1\r\n"
    pad = MAX_HEAD - len(line) - len(b"X: \r\n\r\n")
    at = line + b"X: " + b"v" * pad + b"\r\n\r\n"
    assert len(at) == MAX_HEAD and verdict([at]) is None
    assert verdict([at[:-4] + b"v\r\n\r\n"]) == HEAD_TOO_LARGE
    assert verdict([b"GET /" + b"a" * (MAX_LINE - 16) + b" HTTP/1.1\r\n"]) is None
    assert verdict([b"GET /" + b"a" * (MAX_LINE - 15) + b" HTTP/1.1\r\n"]) == LINE_TOO_LONG


def test_a_head_that_never_ends_is_refused_once_over() -> None:
    meter = HeadMeter(MAX_LINE, MAX_HEAD)
    assert meter.feed(b"GET / HTTP/1.1\r\n") is None
    results = [meter.feed(b"X: " + b"v" * 20 + b"\r\n") for _ in range(20)]
    assert results[-1] == HEAD_TOO_LARGE and results[0] is None


def test_each_request_on_a_connection_is_measured_from_its_start() -> None:
    meter = HeadMeter(MAX_LINE, MAX_HEAD)
    head = b"GET / HTTP/1.1\r\nX: " + b"v" * 200 + b"\r\n\r\n"
    for _ in range(5):
        assert meter.feed(head) is None
        meter.done()
        assert meter.feed(b"body bytes after the head do not count" * 100) is None
        meter.reset()
