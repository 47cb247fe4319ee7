"""An operations dashboard as code (pure): what the kubernetes runtime writes beside a
deployment's manifests, under ``deploy/<deployment>/monitoring/``, for the Prometheus Operator
and Grafana's sidecar to pick up.

* ``prometheusrule.yaml``: a ``PrometheusRule`` with the alerts: server down, error rate, p99
  latency against the Problem's processing criterion (``p99_latency_ms`` max) when it has one,
  dropped request-log rows, dataset drift found and a drift check that stopped succeeding;
* ``servicemonitor.yaml``: scrapes the Service's ``/metrics`` (so ``job`` is the deployment);
* ``dashboard.yaml``: a ``ConfigMap`` labelled ``grafana_dashboard: "1"`` (the Grafana sidecar's
  provisioning convention) holding the dashboard JSON: request rate, errors by status, latency
  p50/p99, prediction distribution, request-log health, and the drift check.

Every expression uses the metric names of :mod:`mlops_gitops.serving.prometheus` (the server) and
:mod:`mlops_gitops.monitoring.drift_metrics` (``mlops drift check --metrics-file``). The files are
kept apart from the kustomization of the workload: they need the Prometheus Operator's CRDs, so
they sync as their own Argo CD / Flux application where the cluster has them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from mlops_gitops.monitoring.drift_metrics import DRIFT_DETECTED, DRIFT_LAST_SUCCESS
from mlops_gitops.serving.prometheus_names import (
    LATENCY,
    LOG_BUFFERED,
    LOG_DROPPED,
    LOG_WRITTEN,
    MODEL_INFO,
    PREDICTION_VALUE,
    PREDICTIONS,
    REQUESTS,
    ROWS,
)
from mlops_gitops.specs.models import Deployment

__all__ = [
    "DEFAULT_P99_SECONDS",
    "OPERATIONS_DIR",
    "OPERATIONS_FILES",
    "Operations",
    "render_operations",
]

OPERATIONS_DIR = "monitoring"
OPERATIONS_FILES = (
    f"{OPERATIONS_DIR}/dashboard.yaml",
    f"{OPERATIONS_DIR}/kustomization.yaml",
    f"{OPERATIONS_DIR}/prometheusrule.yaml",
    f"{OPERATIONS_DIR}/servicemonitor.yaml",
)
DEFAULT_P99_SECONDS = 1.0
ERROR_RATE = 0.05
DRIFT_CHECK_MAX_AGE_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class Operations:
    """What the alerts and the dashboard need beyond the Deployment spec."""

    task: str = ""
    """classification or regression ('' when unknown: both prediction panels)."""
    p99_latency_ms: float | None = None
    """The Problem's ``p99_latency_ms`` maximum, if it sets one."""
    problem: str = ""


def _selector(deployment: Deployment) -> str:
    return f'job="{deployment.name}"'


def _rules(deployment: Deployment, operations: Operations) -> list[dict[str, Any]]:
    job = _selector(deployment)
    name = deployment.name
    labels = {"deployment": name}
    if operations.p99_latency_ms is not None:
        p99 = operations.p99_latency_ms / 1000
        p99_source = (
            f"Problem {operations.problem}: p99_latency_ms <= {operations.p99_latency_ms:g}"
        )
    else:
        p99 = DEFAULT_P99_SECONDS
        p99_source = "default (the Problem sets no p99_latency_ms criterion)"
    requests = f"sum(rate({REQUESTS}{{{job}}}[5m]))"
    return [
        {
            "alert": "MlopsServerDown",
            "expr": f"up{{{job}}} == 0",
            "for": "5m",
            "labels": {**labels, "severity": "critical"},
            "annotations": {
                "summary": f"{name}: a model server is not scraped",
                "description": "Prometheus cannot reach {{ $labels.instance }} for 5 minutes.",
            },
        },
        {
            "alert": "MlopsHighErrorRate",
            "expr": (
                f'sum(rate({REQUESTS}{{{job},status=~"5.."}}[5m])) / {requests} > {ERROR_RATE:g}'
            ),
            "for": "5m",
            "labels": {**labels, "severity": "critical"},
            "annotations": {
                "summary": f"{name}: more than {ERROR_RATE:.0%} of requests fail (5xx)",
                "description": "{{ $value | humanizePercentage }} of requests answered 5xx.",
            },
        },
        {
            "alert": "MlopsHighLatencyP99",
            "expr": (
                f"histogram_quantile(0.99, sum by (le) "
                f"(rate({LATENCY}_bucket{{{job}}}[5m]))) > {p99:g}"
            ),
            "for": "10m",
            "labels": {**labels, "severity": "warning"},
            "annotations": {
                "summary": f"{name}: p99 latency above {p99 * 1000:g} ms",
                "description": f"p99 is {{{{ $value | humanizeDuration }}}}; limit: {p99_source}.",
            },
        },
        {
            "alert": "MlopsRequestLogDropping",
            "expr": f"sum(increase({LOG_DROPPED}{{{job}}}[10m])) > 0",
            "labels": {**labels, "severity": "warning"},
            "annotations": {
                "summary": f"{name}: request-log rows are being dropped",
                "description": (
                    "{{ $value }} rows were not logged in 10 minutes (queue full or write "
                    "error): drift checks will see fewer requests than were served."
                ),
            },
        },
        {
            "alert": "MlopsDatasetDrift",
            "expr": f'max({DRIFT_DETECTED}{{deployment="{name}"}}) > 0',
            "labels": {**labels, "severity": "warning"},
            "annotations": {
                "summary": f"{name}: the last drift check found dataset drift",
                "description": "Review the drift pull request (`mlops drift pr`).",
            },
        },
        {
            "alert": "MlopsDriftCheckFailing",
            "expr": (
                f'time() - max({DRIFT_LAST_SUCCESS}{{deployment="{name}"}}) '
                f"> {DRIFT_CHECK_MAX_AGE_SECONDS}"
            ),
            "labels": {**labels, "severity": "warning"},
            "annotations": {
                "summary": f"{name}: no drift check has succeeded for 2 days",
                "description": "The scheduled `mlops drift check` fails or does not run.",
            },
        },
    ]


def prometheus_rule(deployment: Deployment, operations: Operations) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _metadata(deployment),
        "spec": {
            "groups": [
                {"name": f"mlops-{deployment.name}", "rules": _rules(deployment, operations)}
            ]
        },
    }


def _metadata(deployment: Deployment, **labels: str) -> dict[str, Any]:
    return {
        "name": f"{deployment.name}-operations",
        "labels": {
            "app.kubernetes.io/name": deployment.name,
            "app.kubernetes.io/component": "operations",
            "app.kubernetes.io/managed-by": "mlops-gitops",
            **labels,
        },
    }


def service_monitor(deployment: Deployment) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _metadata(deployment),
        "spec": {
            "jobLabel": "app.kubernetes.io/name",
            "selector": {"matchLabels": {"app.kubernetes.io/name": deployment.name}},
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
        },
    }


def _panel(
    panel_id: int, title: str, targets: list[tuple[str, str]], unit: str, *, x: int, y: int
) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def dashboard(deployment: Deployment, operations: Operations) -> dict[str, Any]:
    """The Grafana dashboard JSON (schema 39) of one deployment."""
    job = _selector(deployment)
    name = deployment.name
    latency = f"sum by (le) (rate({LATENCY}_bucket{{{job}}}[5m]))"
    panels_spec: list[tuple[str, list[tuple[str, str]], str]] = [
        ("Request rate", [(f"sum by (path) (rate({REQUESTS}{{{job}}}[5m]))", "{{path}}")], "reqps"),
        (
            "Errors by status",
            [(f'sum by (status) (rate({REQUESTS}{{{job},status!~"2.."}}[5m]))', "{{status}}")],
            "reqps",
        ),
        (
            "Latency p50 / p99",
            [
                (f"histogram_quantile(0.5, {latency})", "p50"),
                (f"histogram_quantile(0.99, {latency})", "p99"),
            ],
            "s",
        ),
        ("Rows predicted", [(f"sum(rate({ROWS}{{{job}}}[5m]))", "rows/s")], "short"),
    ]
    if operations.task in {"", "classification"}:
        panels_spec.append(
            (
                "Predictions by class",
                [(f"sum by (class) (rate({PREDICTIONS}{{{job}}}[5m]))", "{{class}}")],
                "short",
            )
        )
    if operations.task in {"", "regression"}:
        values = f"sum by (le) (rate({PREDICTION_VALUE}_bucket{{{job}}}[5m]))"
        panels_spec.append(
            (
                "Predicted value (p10 / p50 / p90)",
                [
                    (f"histogram_quantile({q}, {values})", f"p{int(q * 100)}")
                    for q in (0.1, 0.5, 0.9)
                ],
                "short",
            )
        )
    panels_spec += [
        (
            "Request log health",
            [
                (f"sum(rate({LOG_WRITTEN}{{{job}}}[5m]))", "written/s"),
                (f"sum by (reason) (rate({LOG_DROPPED}{{{job}}}[5m]))", "dropped/s {{reason}}"),
                (f"sum({LOG_BUFFERED}{{{job}}})", "buffered"),
            ],
            "short",
        ),
        (
            "Drift check",
            [
                (f'max({DRIFT_DETECTED}{{deployment="{name}"}})', "dataset drift (1 = yes)"),
                (
                    f'(time() - max({DRIFT_LAST_SUCCESS}{{deployment="{name}"}})) / 3600',
                    "hours since the last successful check",
                ),
            ],
            "short",
        ),
        (
            "Served model",
            [(f"max by (version, backend) ({MODEL_INFO}{{{job}}})", "{{version}} ({{backend}})")],
            "short",
        ),
    ]
    panels = [
        _panel(i + 1, title, targets, unit, x=12 * (i % 2), y=8 * (i // 2))
        for i, (title, targets, unit) in enumerate(panels_spec)
    ]
    return {
        "uid": f"mlops-{name}"[:40],
        "title": f"mlops-gitops: {name}",
        "tags": ["mlops-gitops"],
        "timezone": "utc",
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "type": "datasource",
                    "query": "prometheus",
                    "label": "Prometheus",
                }
            ]
        },
        "panels": panels,
    }


def _dump(document: dict[str, Any]) -> str:
    header = "# Rendered by mlops-gitops from the Deployment spec: edit the spec, not this file.\n"
    return header + yaml.safe_dump(document, sort_keys=True, default_flow_style=False)


def render_operations(deployment: Deployment, operations: Operations) -> dict[str, str]:
    """File name (under ``monitoring/``) -> YAML text: alert rules, scrape config, dashboard."""
    board = dashboard(deployment, operations)
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(deployment, grafana_dashboard="1"),
        "data": {f"{deployment.name}.json": json.dumps(board, indent=2, sort_keys=True) + "\n"},
    }
    documents = {
        "dashboard.yaml": config_map,
        "prometheusrule.yaml": prometheus_rule(deployment, operations),
        "servicemonitor.yaml": service_monitor(deployment),
    }
    documents["kustomization.yaml"] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(documents),
    }
    return {f"{OPERATIONS_DIR}/{n}": _dump(doc) for n, doc in sorted(documents.items())}
