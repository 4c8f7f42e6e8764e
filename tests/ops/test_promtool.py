"""promtool accepts the shipped alert rules and the example Prometheus configuration."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.ops.conftest import ALERTS, PROMETHEUS_YML, alert_names, render, tool


def promtool(*args: str, cwd: Path | None = None) -> str:
    out = subprocess.run(
        [tool("promtool"), *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def test_promtool_checks_the_alert_rules() -> None:
    out = promtool("check", "rules", str(ALERTS))
    assert f"SUCCESS: {len(alert_names())} rules found" in out, out


def test_promtool_checks_the_shipped_and_a_rendered_config(tmp_path: Path) -> None:
    promtool("check", "config", str(PROMETHEUS_YML))
    shutil.copy(ALERTS, tmp_path / "alerts.yml")
    rendered = render(
        PROMETHEUS_YML.read_text(),
        {"- 127.0.0.1:8000": "- 127.0.0.1:18000", "- 127.0.0.1:8001": "- 127.0.0.1:18001"},
    )
    (tmp_path / "prometheus.yml").write_text(rendered)
    out = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert "1 rule files found" in out, out


def test_every_alert_has_summary_description_and_runbook() -> None:
    text = ALERTS.read_text()
    blocks = text.split("- alert: ")[1:]
    assert len(blocks) == len(alert_names()) >= 7
    for block in blocks:
        name = block.split()[0]
        for key in ("expr:", "severity:", "summary:", "description:", "runbook:"):
            assert key in block, f"{name} has no {key}"
