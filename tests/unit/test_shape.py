"""The shape of the code: imports point inwards, and every setting is documented."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from app import config

APP = Path(__file__).resolve().parents[2] / "app"


def imports(path: Path) -> set[str]:
    """The app modules ``path`` imports, as dotted names under ``app``."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(APP.parent).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module is None:  # from . import x: the submodule x
                out.update(f"{name}.{a.name}" for a in node.names)
            else:
                out.add(name)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {n for n in out if n == "app" or n.startswith("app.")}


def modules(sub: str) -> list[Path]:
    return sorted((APP / sub).rglob("*.py")) if (APP / sub).is_dir() else [APP / sub]


def test_the_domain_imports_nothing_of_ours_but_itself_and_no_io() -> None:
    for path in modules("domain"):
        for name in imports(path):
            assert name.startswith("app.domain"), f"{path.name} imports {name}"
        text = path.read_text()
        for banned in (r"import asyncio", r"import logging", r"import sqlite3", r"import redis",
                       r"(?<![\w.])open\(", r"import socket", r"import time"):  # fmt: skip
            assert not re.search(banned, text), f"{path.name}: {banned}"


def test_the_api_runs_no_sql_and_talks_to_no_redis() -> None:
    for path in modules("api"):
        for name in imports(path):
            assert not name.startswith(("app.store", "app.pipeline")), f"{path.name} imports {name}"
        text = path.read_text()
        assert "import aiosqlite" not in text and "import redis" not in text, path.name


def test_the_hub_knows_nothing_of_redis_or_sql() -> None:
    for module in ("hub.py", "subscribers.py", "views.py"):
        names = imports(APP / module)
        assert not {n for n in names if n.startswith(("app.pipeline", "app.store"))}, module


def module_graph() -> dict[str, set[str]]:
    """Each app module and the app modules it imports (at the top or inside a function)."""
    paths = {".".join(p.relative_to(APP.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in APP.rglob("*.py")}  # fmt: skip

    def module(name: str) -> str:
        while name not in paths and "." in name:
            name = name.rsplit(".", 1)[0]  # app.x.name → app.x
        return name

    return {m: {module(n) for n in imports(p)} - {m} for m, p in paths.items()}


def test_no_two_modules_import_each_other_even_through_others() -> None:
    graph = module_graph()
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            name = todo.pop()
            assert name != start, f"{start} imports itself through its imports"
            if name not in seen:
                seen.add(name)
                todo.extend(graph.get(name, ()))


def test_every_setting_is_in_config_toml_with_its_default() -> None:
    path = APP.parent / "config.toml"
    shipped = tomllib.loads(path.read_text())
    text = path.read_text()
    for section, items in config.documented().items():
        for name, (default, doc) in items.items():
            assert shipped[section][name] == default, f"[{section}] {name}"
            assert f"# {doc}" in text, f"[{section}] {name} is not documented in config.toml"
        assert set(shipped[section]) == set(items), f"[{section}] has settings the code lacks"


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[server]\nport = 9001\n[redis]\nkey_prefix = "x:"\n')
    cfg = config.load(str(f), env={"TOURNEY_SERVER_PORT": "9002", "TOURNEY_REDIS_URL": "unix:///s"})
    assert cfg.server.port == 9002 and cfg.redis.url == "unix:///s"
    assert cfg.redis.key_prefix == "x:"
