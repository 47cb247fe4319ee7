"""The operations dashboard as code: alert rules checked and unit-tested by Prometheus's own
promtool, a Grafana dashboard built from the names the server really exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from mlops_gitops.monitoring.drift_metrics import render_drift_metrics
from mlops_gitops.render.operations import Operations, render_operations
from mlops_gitops.serving.prometheus import ServingMetrics
from tests.runtimes.models import deployment

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="SKIPPED LOUDLY: promtool is not installed (Debian package `prometheus`; "
    ".ci/test.sh installs it)",
)
OPERATIONS = Operations(task="classification", p99_latency_ms=250, problem="churn")


def documents(operations: Operations = OPERATIONS) -> dict[str, Any]:
    files = render_operations(deployment(), operations)
    return {name: yaml.safe_load(text) for name, text in files.items()}


def rules_file(tmp_path: Path, operations: Operations = OPERATIONS) -> Path:
    rule = documents(operations)["monitoring/prometheusrule.yaml"]
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rule["spec"]))  # the CRD's spec is a Prometheus rule file
    return path


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )


def test_files_and_labels() -> None:
    docs = documents()
    assert sorted(docs) == [
        "monitoring/dashboard.yaml",
        "monitoring/kustomization.yaml",
        "monitoring/prometheusrule.yaml",
        "monitoring/servicemonitor.yaml",
    ]
    config_map = docs["monitoring/dashboard.yaml"]
    assert config_map["kind"] == "ConfigMap"
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    board = json.loads(config_map["data"]["iris-api.json"])
    assert board["title"] == "mlops-gitops: iris-api"
    titles = [p["title"] for p in board["panels"]]
    assert titles == [
        "Request rate",
        "Errors by status",
        "Latency p50 / p99",
        "Rows predicted",
        "Predictions by class",
        "Request log health",
        "Drift check",
        "Served model",
    ]
    monitor = docs["monitoring/servicemonitor.yaml"]["spec"]
    assert monitor["selector"] == {"matchLabels": {"app.kubernetes.io/name": "iris-api"}}
    assert monitor["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]


@needs_promtool
def test_promtool_accepts_the_rules_and_every_dashboard_query(tmp_path: Path) -> None:
    done = promtool("check", "rules", str(rules_file(tmp_path)), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 6 rules found" in done.stdout
    # every panel's PromQL parses: checked as recording rules by the same parser
    for task in ("classification", "regression"):
        board = json.loads(
            documents(Operations(task=task))["monitoring/dashboard.yaml"]["data"]["iris-api.json"]
        )
        exprs = [t["expr"] for p in board["panels"] for t in p["targets"]]
        recording = {
            "groups": [
                {
                    "name": "dashboard",
                    "rules": [{"record": f"panel:q{i}", "expr": e} for i, e in enumerate(exprs)],
                }
            ]
        }
        path = tmp_path / f"dashboard-{task}.yaml"
        path.write_text(yaml.safe_dump(recording))
        done = promtool("check", "rules", str(path), cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr


def test_dashboard_and_rules_query_only_what_the_server_and_drift_check_expose() -> None:
    metrics = ServingMetrics("iris-api", "v0.1.0", classification=True)
    metrics.observe_predictions(np.array(["a", "b"]))
    regression = ServingMetrics("iris-api", "v0.1.0", classification=False)
    regression.observe_predictions(np.array([1.0]))
    exposed = set(
        re.findall(r"^# TYPE (\S+)", (metrics.render() + regression.render()).decode(), flags=re.M)
        + re.findall(
            r"^# TYPE (\S+)",
            render_drift_metrics("x", dataset_drift=False, drifted_columns=0, finished_at=1),
            flags=re.M,
        )
    )
    docs = documents(Operations())
    text = docs["monitoring/dashboard.yaml"]["data"]["iris-api.json"] + json.dumps(
        docs["monitoring/prometheusrule.yaml"]
    )
    used = {re.sub(r"_bucket$", "", m) for m in re.findall(r"\bmlops_[a-z_]+", text)}
    assert used - exposed == set()
    assert len(used) >= 10


PROMTOOL_TEST = """\
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="iris-api", instance="pod-1"}'
        values: '1x30'
      - series: 'mlops_http_requests_total{job="iris-api", path="/predict", status="200"}'
        values: '0+90x30'
      - series: 'mlops_http_requests_total{job="iris-api", path="/predict", status="500"}'
        values: '0+10x30'
      - series: 'mlops_http_request_duration_seconds_bucket{job="iris-api", le="0.1"}'
        values: '0+50x30'
      - series: 'mlops_http_request_duration_seconds_bucket{job="iris-api", le="0.5"}'
        values: '0+80x30'
      - series: 'mlops_http_request_duration_seconds_bucket{job="iris-api", le="+Inf"}'
        values: '0+100x30'
      - series: 'mlops_request_log_dropped_records_total{job="iris-api", reason="queue_full"}'
        values: '0x10 5+5x20'
      - series: 'mlops_drift_check_dataset_drift{deployment="iris-api"}'
        values: '1x30'
      - series: 'mlops_drift_check_last_success_timestamp_seconds{deployment="iris-api"}'
        values: '0x30'
    alert_rule_test:
      - eval_time: 20m
        alertname: MlopsHighErrorRate
        exp_alerts:
          - exp_labels: {deployment: iris-api, severity: critical}
            exp_annotations:
              summary: 'iris-api: more than 5% of requests fail (5xx)'
              description: '10% of requests answered 5xx.'
      - eval_time: 20m
        alertname: MlopsHighLatencyP99
        exp_alerts:
          - exp_labels: {deployment: iris-api, severity: warning}
            exp_annotations:
              summary: 'iris-api: p99 latency above 250 ms'
              description: 'p99 is 500ms; limit: Problem churn: p99_latency_ms <= 250.'
      - eval_time: 20m
        alertname: MlopsRequestLogDropping
        exp_alerts:
          - exp_labels: {deployment: iris-api, severity: warning}
            exp_annotations:
              summary: 'iris-api: request-log rows are being dropped'
              description: >-
                50 rows were not logged in 10 minutes (queue full or write error): drift checks
                will see fewer requests than were served.
      - eval_time: 20m
        alertname: MlopsDatasetDrift
        exp_alerts:
          - exp_labels: {deployment: iris-api, severity: warning}
            exp_annotations:
              summary: 'iris-api: the last drift check found dataset drift'
              description: 'Review the drift pull request (`mlops drift pr`).'
      - eval_time: 20m
        alertname: MlopsServerDown
        exp_alerts: []
"""


@needs_promtool
def test_alerts_fire_on_synthetic_series(tmp_path: Path) -> None:
    rules_file(tmp_path)
    (tmp_path / "test.yaml").write_text(PROMTOOL_TEST)
    done = promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@needs_promtool
def test_a_healthy_server_fires_nothing(tmp_path: Path) -> None:
    rules_file(tmp_path, Operations())  # no Problem limit: the 1 s default
    healthy = re.sub(
        r"status=\"500\"}'\n        values: '0\+10x30'",
        "status=\"500\"}'\n        values: '0x30'",
        PROMTOOL_TEST,
    )
    healthy = (
        healthy.split("    alert_rule_test:")[0]
        + "    alert_rule_test:\n"
        + "".join(
            f"      - eval_time: 20m\n        alertname: {name}\n        exp_alerts: []\n"
            for name in ("MlopsHighErrorRate", "MlopsHighLatencyP99", "MlopsServerDown")
        )
    )
    (tmp_path / "test.yaml").write_text(healthy)
    done = promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_runtime_takes_task_and_p99_limit_from_the_problem(example_project: Path) -> None:
    from mlops_gitops.runtimes.kubernetes import KubernetesRuntime
    from mlops_gitops.specs import load_specs

    specs = load_specs(example_project)
    runtime = KubernetesRuntime(example_project)
    operations = runtime.operations(specs.deployments["malignancy-api"])
    assert operations == Operations("classification", 50.0, "tumour-malignancy")
    rule = yaml.safe_load(
        render_operations(specs.deployments["malignancy-api"], operations)[
            "monitoring/prometheusrule.yaml"
        ]
    )
    [latency] = [
        r for r in rule["spec"]["groups"][0]["rules"] if r["alert"] == "MlopsHighLatencyP99"
    ]
    assert latency["expr"].endswith(") > 0.05")
    assert latency["annotations"]["description"].endswith(
        "limit: Problem tumour-malignancy: p99_latency_ms <= 50."
    )


def test_drift_check_writes_its_metrics_file(tmp_path: Path) -> None:
    import pandas as pd

    from mlops_gitops.cli import main

    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.normal(0, 1, 500)}).to_parquet(tmp_path / "ref.parquet")
    pd.DataFrame({"x": rng.normal(3, 1, 500)}).to_parquet(tmp_path / "cur.parquet")
    path = tmp_path / "textfile" / "drift.prom"
    code = main(
        [
            "drift", "check", "--reference", str(tmp_path / "ref.parquet"),
            "--current", str(tmp_path / "cur.parquet"), "--metrics-file", str(path),
        ]
    )  # fmt: skip
    assert code == 0
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert lines[:2] == [
        'mlops_drift_check_dataset_drift{deployment="adhoc"} 1',
        'mlops_drift_check_drifted_columns{deployment="adhoc"} 1',
    ]
    assert lines[2].startswith(
        'mlops_drift_check_last_success_timestamp_seconds{deployment="adhoc"} '
    )
