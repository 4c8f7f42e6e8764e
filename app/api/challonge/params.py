"""A Challonge request's parameters: the query string, a form body in Rails' bracket style
(``tournament[name]=Cup``, ``participants[][name]=Ada``) or a JSON body, merged into one
nested dictionary, as Rails reads them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ..problem import Problem

MAX_PARAMS = 10_000
MAX_DEPTH = 4
KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Every parameter of a request; the body's win over the query string's."""
    out = from_pairs(parse_qsl(query, keep_blank_values=True, max_num_fields=MAX_PARAMS))
    if not body.strip():
        return out
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            doc = orjson.loads(body)
        except ValueError as exc:
            raise Problem(400, "Malformed JSON", f"the body is not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise Problem(422, "Invalid body", "the JSON body must be an object")
        return {**out, **doc}
    try:
        text = body.decode()
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False,
                          max_num_fields=MAX_PARAMS)  # fmt: skip
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "Malformed body", "the body is not a UTF-8 form") from None
    return {**out, **from_pairs(pairs)}


def from_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][]=1&a[b][]=2&c[][d]=x&c[][d]=y`` → ``{"a": {"b": ["1", "2"]}, "c": [{"d": "x"},
    {"d": "y"}]}``; a key that is not of that form is a 400."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        m = KEY.match(key)
        if m is None:
            raise Problem(400, "Malformed parameter", f"{key!r} is not a parameter name")
        path = [m.group(1), *re.findall(r"\[([^\[\]]*)\]", m.group(2))]
        if len(path) > MAX_DEPTH:
            raise Problem(400, "Malformed parameter", f"{key!r} is nested too deep")
        put(out, path, value, key)
    return out


def put(node: dict[str, Any], path: list[str], value: str, key: str) -> None:
    """Rails' rule: ``x[]`` appends; ``x[][k]`` fills the last hash of ``x`` unless it already
    has ``k``, then starts a new one."""
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(node.get(head), dict | list):
            raise Problem(400, "Malformed parameter", f"{key!r} mixes a value and a hash")
        node[head] = value
        return
    if rest[0] == "":
        items = node.setdefault(head, [])
        if not isinstance(items, list):
            raise Problem(400, "Malformed parameter", f"{key!r} mixes a list and a value")
        if len(rest) == 1:
            items.append(value)
            return
        if not items or not isinstance(items[-1], dict) or rest[1] in items[-1]:
            items.append({})
        put(items[-1], rest[1:], value, key)
        return
    child = node.setdefault(head, {})
    if not isinstance(child, dict):
        raise Problem(400, "Malformed parameter", f"{key!r} mixes a hash and a value")
    put(child, rest, value, key)


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """``params[name]`` (``tournament``, ``participant``, ``match``): a hash, or the empty one."""
    value = params.get(name, {})
    if not isinstance(value, dict):
        raise Problem(422, "Invalid parameter", f"{name} must be a hash of fields")
    return value


def flag(value: Any, name: str) -> bool:
    """A Rails boolean: true/false, 1/0, as text or JSON."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "t", "yes", "on"):
        return True
    if text in ("false", "0", "f", "no", "off", ""):
        return False
    raise Problem(422, "Invalid parameter", f"{name} must be true or false")


def whole(value: Any, name: str, low: int, high: int) -> int:
    try:
        n = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        n = None
    if n is None or not low <= n <= high:
        message = f"{name} must be a whole number from {low} to {high}"
        raise Problem(422, "Invalid parameter", message)
    return n
