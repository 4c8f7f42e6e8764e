"""Challonge's request parameters (Rails' bracket style) and integer ids."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.api.challonge import ids
from app.api.challonge.params import parse
from app.api.problem import Problem


@pytest.mark.parametrize(("query", "want"), [
    ("tournament[name]=Cup&tournament[tournament_type]=swiss",
     {"tournament": {"name": "Cup", "tournament_type": "swiss"}}),
    ("participants[][name]=Ada&participants[][name]=Grace",
     {"participants": [{"name": "Ada"}, {"name": "Grace"}]}),
    ("participants[][name]=Ada&participants[][seed]=2&participants[][name]=Bo",
     {"participants": [{"name": "Ada", "seed": "2"}, {"name": "Bo"}]}),
    ("ids[]=1&ids[]=2&state=open", {"ids": ["1", "2"], "state": "open"}),
    ("match[scores_csv]=3-1%2C2-3&match[winner_id]=tie",
     {"match": {"scores_csv": "3-1,2-3", "winner_id": "tie"}}),
    ("api_key=k&include_matches=1", {"api_key": "k", "include_matches": "1"}),
    ("", {}),
])  # fmt: skip
def test_rails_brackets(query: str, want: dict[str, Any]) -> None:
    assert parse(query, b"", "") == want
    assert parse("", query.encode(), "application/x-www-form-urlencoded") == want


def test_json_and_form_bodies_win_over_the_query() -> None:
    assert parse("a=1&b=2", b'{"a": 3}', "application/json") == {"a": 3, "b": "2"}
    assert parse("a=1", b"a=4", "application/x-www-form-urlencoded") == {"a": "4"}


@pytest.mark.parametrize(("query", "body", "kind"), [
    ("a[b]=1&a=2", b"", ""), ("a=1&a[b]=2", b"", ""), ("a[]=1&a[b]=2", b"", ""),
    ("[x]=1", b"", ""), ("a[b][c][d][e]=1", b"", ""), ("", b"[1, 2]", "application/json"),
    ("", b"{", "application/json"), ("", b"\xff\xfe", "application/x-www-form-urlencoded"),
])  # fmt: skip
def test_malformed_parameters_are_a_4xx(query: str, body: bytes, kind: str) -> None:
    with pytest.raises(Problem) as caught:
        parse(query, body, kind)
    assert caught.value.status in (400, 422)


@given(st.text(alphabet="0123456789abcdef", min_size=12, max_size=12),
       st.sampled_from(["t_", "p_"]))  # fmt: skip
def test_a_hex_id_and_its_integer_are_one_to_one(hexpart: str, prefix: str) -> None:
    sid = prefix + hexpart
    n = ids.to_int(sid)
    assert 0 <= n < 2**48 and ids.from_int(n, prefix, []) == sid


@given(st.text(min_size=1, max_size=80).filter(
    lambda s: ids.HEX_ID.match(s) is None and s not in ("x", "y")))  # fmt: skip
def test_other_ids_hash_above_the_hex_range_and_are_found_again(sid: str) -> None:
    n = ids.to_int(sid)
    assert 2**48 <= n < 2**49 < 2**53
    assert ids.from_int(n, "m_", ["x", sid, "y"]) == sid
    assert ids.from_int(n, "m_", ["x"]) is None
