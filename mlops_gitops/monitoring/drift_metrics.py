"""The drift check's own Prometheus metrics, as a text file for node_exporter's textfile
collector (or any scraper of ``*.prom`` files): written by ``mlops drift check --metrics-file``
after a check succeeds, so an alert can tell drift found from a check that stopped running.

::

    mlops_drift_check_dataset_drift{deployment}                  gauge: 1 drift, 0 none
    mlops_drift_check_drifted_columns{deployment}                gauge
    mlops_drift_check_last_success_timestamp_seconds{deployment} gauge (unix time)
"""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.fsutil import atomic_write_text

__all__ = [
    "DRIFTED_COLUMNS",
    "DRIFT_DETECTED",
    "DRIFT_LAST_SUCCESS",
    "render_drift_metrics",
    "write_drift_metrics",
]

DRIFT_DETECTED = "mlops_drift_check_dataset_drift"
DRIFTED_COLUMNS = "mlops_drift_check_drifted_columns"
DRIFT_LAST_SUCCESS = "mlops_drift_check_last_success_timestamp_seconds"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_drift_metrics(
    deployment: str, *, dataset_drift: bool, drifted_columns: int, finished_at: float
) -> str:
    label = f'{{deployment="{_escape(deployment)}"}}'
    rows = [
        (DRIFT_DETECTED, "1 when the last drift check found dataset drift.", int(dataset_drift)),
        (DRIFTED_COLUMNS, "Columns that drifted in the last drift check.", drifted_columns),
        (DRIFT_LAST_SUCCESS, "When the last drift check succeeded (unix time).", finished_at),
    ]
    lines: list[str] = []
    for name, help_text, value in rows:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name}{label} {value}"]
    return "\n".join(lines) + "\n"


def write_drift_metrics(
    path: Path, deployment: str, *, dataset_drift: bool, drifted_columns: int, finished_at: float
) -> Path:
    text = render_drift_metrics(
        deployment,
        dataset_drift=dataset_drift,
        drifted_columns=drifted_columns,
        finished_at=finished_at,
    )
    atomic_write_text(path, text)
    return path
