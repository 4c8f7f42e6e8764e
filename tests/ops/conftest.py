"""The ops suite: the shipped Prometheus, Grafana and HAProxy files against the real tools.

The tools are required: a missing one fails the test with the command that installs it (CI
installs them), it is never skipped. Every process listens on a free loopback port and is stopped
when its test ends.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT

OPS = ROOT / "ops"
ALERTS = OPS / "prometheus" / "alerts.yml"
PROMETHEUS_YML = OPS / "prometheus" / "prometheus.yml"
DASHBOARD = OPS / "grafana" / "tourney.json"
HAPROXY_CFG = OPS / "haproxy" / "haproxy.cfg"
INSTALL = "apt-get install -y prometheus haproxy"


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
    if path is None:
        pytest.fail(f"{name} is not installed; the ops tests need it: {INSTALL}", pytrace=False)
    return path


def render(text: str, replacements: dict[str, str]) -> str:
    """Replace each key once at least; a key that is gone means the shipped file changed."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} not found: update the test with the shipped file"
        text = text.replace(old, new)
    return text


class Process:
    """A tool in the foreground, its output in a log file, stopped with SIGTERM."""

    def __init__(self, args: list[str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_http(self, url: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode}:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"{url} not ready after {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Append a started Process here; all are stopped after the test."""
    started: list[Process] = []
    yield started
    for p in reversed(started):
        p.stop()


# ---- what the shipped files contain --------------------------------------------------------


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def panel_targets() -> list[tuple[str, str, str]]:
    """(panel title, refId, PromQL expression) of every target of every panel."""
    out = []
    for p in dashboard()["panels"]:
        for t in p.get("targets", []):
            out.append((p["title"], t["refId"], t["expr"]))
    return out


GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$instance": ".*"}


def concrete(expr: str) -> str:
    """A dashboard expression with Grafana's variables replaced by values Prometheus takes."""
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, f"unknown Grafana variable in {expr!r}"
    return expr


def alert_names() -> list[str]:
    return re.findall(r"^\s*- alert:\s*(\S+)\s*$", ALERTS.read_text(), re.MULTILINE)


def alert_exprs() -> dict[str, str]:
    """alert name → expr, read from alerts.yml (a plain scalar or a ``|`` block)."""
    out: dict[str, str] = {}
    lines = ALERTS.read_text().splitlines()
    name = ""
    for i, line in enumerate(lines):
        if m := re.match(r"\s*- alert:\s*(\S+)", line):
            name = m.group(1)
        elif m := re.match(r"(\s*)expr:\s*(.*)$", line):
            indent, value = len(m.group(1)), m.group(2).strip()
            if value in ("|", ">"):
                block = []
                for nxt in lines[i + 1 :]:
                    if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                        break
                    block.append(nxt.strip())
                value = " ".join(b for b in block if b)
            out[name] = value
    return out
