"""docs/metrics.md documents every metric; the dashboard and alerts use only metrics that exist."""

from __future__ import annotations

import re

from app.metrics import Metrics
from tests.conftest import ROOT
from tests.ops.conftest import alert_exprs, alert_names, dashboard, panel_targets

DOC = ROOT / "docs" / "metrics.md"
SUFFIXES = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}


def families() -> dict[str, str]:
    """Metric family name → type, straight from the app's registry."""
    return {f.name: f.type for f in Metrics().registry.collect()}


def exposed_name(name: str, kind: str) -> str:
    """The name an operator sees and queries: counters carry _total, histograms their base."""
    return name + "_total" if kind == "counter" else name


def series_names() -> set[str]:
    """Every series name /metrics can expose (histograms as _bucket, _sum and _count)."""
    out = set()
    for name, kind in families().items():
        out.update(name + s for s in SUFFIXES.get(kind, [""]))
    return out


def documented() -> set[str]:
    """Names given a heading of their own in docs/metrics.md: ### `name`."""
    return set(re.findall(r"^###\s+`([a-z_:][a-z0-9_:]*)`", DOC.read_text(), re.MULTILINE))


def test_every_metric_is_documented() -> None:
    wanted = {exposed_name(n, k) for n, k in families().items()}
    missing = sorted(wanted - documented())
    assert not missing, f"add to docs/metrics.md (a '### `name`' section each): {missing}"


def test_the_doc_names_no_metric_that_does_not_exist() -> None:
    wanted = {exposed_name(n, k) for n, k in families().items()}
    stale = sorted(documented() - wanted)
    assert not stale, f"docs/metrics.md documents metrics app/metrics.py does not have: {stale}"


def metric_names_in(expr: str) -> set[str]:
    return set(re.findall(r"\b((?:tourney|process|python)_[a-z0-9_]+)\b", expr))


def test_dashboard_and_alerts_use_only_existing_metrics() -> None:
    known = series_names()
    used = {name for _, _, expr in panel_targets() for name in metric_names_in(expr)}
    exprs = alert_exprs()
    assert sorted(exprs) == sorted(alert_names()), "an alert without an expr?"
    used_by_alerts = {name for e in exprs.values() for name in metric_names_in(e)}
    unknown = sorted((used | used_by_alerts) - known)
    assert not unknown, f"not in app/metrics.py: {unknown}"


def test_dashboard_is_importable() -> None:
    """Grafana's import needs a title, a uid, unique panel ids and a data source it can resolve:
    here a datasource variable, which every panel and target uses."""
    d = dashboard()
    assert d["title"] and d["uid"] and d["schemaVersion"] >= 30
    variables = {v["name"]: v for v in d["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    rows = [p["title"] for p in d["panels"] if p["type"] == "row"]
    assert rows == [
        "Traffic and errors", "Latency", "Pipeline health", "Live audience", "Tournaments",
        "Process saturation",
    ]  # fmt: skip
    for p in d["panels"]:
        if p["type"] == "row":
            continue
        assert p["datasource"]["uid"] == "${datasource}", p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${datasource}", p["title"]
        pos = p["gridPos"]
        assert pos["x"] + pos["w"] <= 24, p["title"]
