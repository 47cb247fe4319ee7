"""Drift monitoring: compare served requests (or a file) with the training split.

The public API (heavy libraries load only when a check runs, not on import)::

    from mlops_gitops.monitoring import check
    outcome = check(Path("."), "iris-api")  # the spec's window, labels, report written

    from mlops_gitops.monitoring import DriftSettings, detect_drift, write_report
    result = detect_drift("data/iris/train.parquet", "current.parquet",
                          settings=DriftSettings(min_rows=50))
    write_report(result, Path("reports/drift/iris-api/20240101T000000Z"))
"""

from __future__ import annotations

from mlops_gitops.monitoring.result import ColumnDrift, DriftResult, Histogram
from mlops_gitops.monitoring.settings import METHODS, ColumnOverride, DriftSettings
from mlops_gitops.monitoring.window import parse_window

__all__ = [
    "METHODS",
    "CheckOutcome",
    "ColumnDrift",
    "ColumnOverride",
    "DriftResult",
    "DriftSettings",
    "Histogram",
    "check",
    "check_deployment",
    "detect_drift",
    "parse_window",
    "read_current_window",
    "render_markdown",
    "render_text",
    "write_outcome",
    "write_report",
]


def __getattr__(name: str) -> object:
    """Load the engine, request-log reader and report writer on first use (they pull numpy)."""
    if name == "detect_drift":
        from mlops_gitops.monitoring.engine import detect_drift

        return detect_drift
    if name == "read_current_window":
        from mlops_gitops.requestlog.window import read_current_window

        return read_current_window
    if name in ("write_report", "render_markdown", "render_text"):
        from mlops_gitops.monitoring import report

        return getattr(report, name)
    if name in ("check", "CheckOutcome", "write_outcome"):
        from mlops_gitops.monitoring import checking

        return getattr(checking, name)
    if name == "check_deployment":
        from mlops_gitops.monitoring.deployment import check_deployment

        return check_deployment
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
