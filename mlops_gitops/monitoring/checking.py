"""The one drift check entry point, used by ``mlops drift check`` and ``mlops drift pr``.

One straight path: look the Deployment up, check its window (or check two files ad hoc), measure
the labelled traffic of the window, then write the report (and the labelled-performance section)
and the Prometheus metrics file when asked. Heavy libraries load only when a check runs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError

if TYPE_CHECKING:
    from mlops_gitops.labels.joined import LabelledWindow
    from mlops_gitops.labels.performance import LabelledPerformance
    from mlops_gitops.monitoring.result import DriftResult
    from mlops_gitops.specs.models import Deployment, SpecSet

__all__ = ["CheckOutcome", "check", "write_outcome"]

ADHOC_NAME = "adhoc"
"""The deployment name in the metrics of an ad hoc check that names none."""


@dataclass(frozen=True)
class CheckOutcome:
    """What a check found. ``deployment`` and ``specs`` are None for an ad hoc check;
    ``performance`` and ``window`` are None without labels for the window (or ad hoc);
    ``report_dir`` and ``written`` are set once the report is written."""

    result: DriftResult
    deployment: Deployment | None = None
    specs: SpecSet | None = None
    performance: LabelledPerformance | None = None
    window: LabelledWindow | None = None
    report_dir: Path | None = None
    written: tuple[Path, ...] = ()


def check(
    root: Path,
    deployment: str | None = None,
    *,
    reference: Path | None = None,
    current: Path | None = None,
    now: datetime | None = None,
    overrides: Mapping[str, Any] | None = None,
    scheduler: str | None = None,
    with_labels: bool = True,
    write: bool = True,
    output: Path | None = None,
    metrics_file: Path | None = None,
) -> CheckOutcome:
    """Judge drift of ``deployment``'s served requests (or of ``current``) over its monitoring
    window against its training split, or, given ``reference`` and ``current``, of one file
    against the other (``deployment`` then only names the result).

    ``overrides`` replaces fields of the monitoring settings. ``with_labels``: also measure the
    served model on the window's labelled requests. ``write``: write the report to ``output``
    (default for a deployment: ``reports/drift/<deployment>/<window end>/``; an ad hoc check
    writes only to a given ``output``). ``metrics_file``: also write the check's Prometheus
    metrics there."""
    if reference is not None and current is not None:
        outcome = _adhoc(reference, current, deployment, overrides)
    elif deployment is not None and reference is None:
        outcome = _deployment(
            root,
            deployment,
            current=current,
            now=now,
            overrides=overrides,
            scheduler=scheduler,
            with_labels=with_labels,
        )
    else:
        raise DriftError(
            "mlops drift check needs a DEPLOYMENT name, or both --reference FILE and "
            "--current FILE",
            "e.g. `mlops drift check my-api` or "
            "`mlops drift check --reference train.parquet --current today.parquet`",
        )
    if write and (output is not None or outcome.deployment is not None):
        outcome = write_outcome(root, outcome, output)
    if metrics_file is not None:
        from mlops_gitops.monitoring.drift_metrics import write_drift_metrics

        write_drift_metrics(
            metrics_file,
            outcome.result.deployment or deployment or ADHOC_NAME,
            dataset_drift=outcome.result.dataset_drift,
            drifted_columns=len(outcome.result.drifted_columns),
            finished_at=time.time(),
        )
    return outcome


def write_outcome(root: Path, outcome: CheckOutcome, output: Path | None = None) -> CheckOutcome:
    """Write the report (report.json, report.md, report.html, plots) and the labelled-traffic
    section to ``output``, by default ``reports/drift/<deployment>/<window end>/``."""
    from mlops_gitops.monitoring.deployment import report_directory
    from mlops_gitops.monitoring.report import write_report

    folder = output or report_directory(root, outcome.result)
    # the default folder's parent (reports/drift/<deployment>/) keeps the DVC plots, which the
    # next report overwrites so that `dvc plots diff` overlays revisions
    plots_folder = folder.parent if output is None else None
    written = list(write_report(outcome.result, folder, plots_folder=plots_folder))
    if outcome.performance is not None:
        from mlops_gitops.labels.report import write_section

        written += [p for p in write_section(folder, outcome.performance) if p not in written]
    return replace(outcome, report_dir=folder, written=tuple(written))


def _adhoc(
    reference: Path, current: Path, name: str | None, overrides: Mapping[str, Any] | None
) -> CheckOutcome:
    from mlops_gitops.monitoring.engine import detect_drift
    from mlops_gitops.monitoring.settings import DriftSettings

    result = detect_drift(reference, current, settings=DriftSettings(**(overrides or {})))
    if name:
        result = replace(result, deployment=name)
    return CheckOutcome(result)


def _deployment(
    root: Path,
    name: str,
    *,
    current: Path | None,
    now: datetime | None,
    overrides: Mapping[str, Any] | None,
    scheduler: str | None,
    with_labels: bool,
) -> CheckOutcome:
    from mlops_gitops.monitoring.deployment import check_deployment
    from mlops_gitops.specs import load_specs

    specs = load_specs(root)
    deployment = specs.deployment(name)
    result = check_deployment(
        root,
        deployment,
        specs,
        current=current,
        now=now,
        overrides=overrides,
        scheduler=scheduler,
    )
    outcome = CheckOutcome(result, deployment, specs)
    if not with_labels:
        return outcome
    from mlops_gitops.labels.joined import read_labelled_window
    from mlops_gitops.labels.performance import labelled_performance

    assert result.window_end is not None  # check_deployment always sets it
    end = datetime.fromisoformat(result.window_end)
    start = datetime.fromisoformat(result.window_start) if result.window_start else None
    window = read_labelled_window(root, deployment, start=start, end=end, current=current)
    if window is None:
        return outcome
    performance = labelled_performance(
        root, deployment, specs, start=start, end=end, current=current, window=window
    )
    return replace(outcome, performance=performance, window=window)
