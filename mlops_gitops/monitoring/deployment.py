"""Spec-driven drift check of a Deployment: its experiment's training split as reference, its
request log over the monitoring window (or a given file) as current, its monitoring settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.io.tables import column_kinds, read_table
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import REFERENCE_PROFILE_FILE as PROFILE_FILE
from mlops_gitops.monitoring.columns import LOG_COLUMNS, PREDICTION
from mlops_gitops.monitoring.engine import detect_drift
from mlops_gitops.monitoring.result import DriftResult
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.window import parse_window
from mlops_gitops.requestlog.window import read_current_window, utc

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Deployment, SpecSet

__all__ = ["check_deployment", "report_directory"]


def report_directory(root: Path, result: DriftResult) -> Path:
    """``reports/drift/<deployment>/<window end as YYYYmmddTHHMMSSZ>/``."""
    if result.deployment is None or result.window_end is None:
        raise DriftError(
            "this drift result has no deployment or window end to name its folder",
            "pass --output DIR",
        )
    end = datetime.fromisoformat(result.window_end).astimezone(UTC)
    return ProjectLayout(root).drift_report(result.deployment, end.strftime("%Y%m%dT%H%M%SZ"))


def check_deployment(
    root: Path,
    deployment: Deployment,
    specs: SpecSet,
    *,
    current: Path | None = None,
    now: datetime | None = None,
    overrides: Mapping[str, Any] | None = None,
    scheduler: str | None = None,
) -> DriftResult:
    """Drift of ``deployment``'s served requests (or of ``current``) against its training split.

    Columns and their types are the model's input features (``models/<experiment>/model.json``).
    A logged ``prediction`` is compared with the reference's target column when the reference
    has no predictions (prior shift of the predicted labels or values). ``overrides``
    replaces fields of the spec's monitoring settings (the command line's options).

    When the model has a reference profile beside it (the ``reference`` stage's output), the
    check reads that instead of the training split and streams the window in batches
    (:mod:`mlops_gitops.monitoring.profile_deployment`), on the Dask cluster at ``scheduler``
    (or the spec's ``monitoring.scheduler`` with ``compute: dask``) when given."""
    from mlops_gitops.ml.artifact import read_model_info

    experiment = specs.experiment_of(deployment)
    if experiment is None:
        raise DriftError(
            f"deployment {deployment.name!r} serves no experiment of this project "
            f"(model: {deployment.model.experiment or deployment.model.registered or 'none'})",
            "give the deployment `model.experiment: <name>`, or check ad hoc with "
            "--reference FILE --current FILE",
        )
    dataset = specs.dataset_of(experiment)
    reference_path = ProjectLayout(root).train_split(dataset.name)
    model_dir = ProjectLayout(root).model_dir(experiment.name)
    if deployment.model.registered and (deployment.model.version or deployment.model.stage):
        from mlops_gitops.registry.model_dir import resolve_model_dir

        model_dir = resolve_model_dir(root, deployment)  # the registered version it serves
    profile_path = model_dir / PROFILE_FILE
    dask = scheduler is not None or deployment.monitoring.compute == "dask"
    if dask and not profile_path.is_file():
        raise DriftError(
            "summarising on Dask (--scheduler, or monitoring.compute: dask) needs the model's "
            f"reference profile {profile_path}, which does not exist",
            "run `dvc repro` (its `reference` stage writes it) or `dvc pull` to fetch it",
        )
    if not profile_path.is_file() and not reference_path.is_file():
        raise DriftError(
            f"the training split {reference_path} does not exist",
            "run `dvc repro` to build it (or `dvc pull` to fetch it)",
        )
    info = read_model_info(model_dir)
    names = [f.name for f in info.features]
    settings = replace(DriftSettings.from_monitoring(deployment.monitoring), **(overrides or {}))
    end = utc(now or datetime.now(UTC))
    if profile_path.is_file():  # the stored profile and a streamed window (bounded memory)
        from mlops_gitops.monitoring.profile_deployment import check_with_profile

        return check_with_profile(
            root,
            deployment,
            info,
            profile_path,
            settings=settings,
            current=current,
            end=end,
            scheduler=scheduler,
        )
    start: datetime | None = None
    notes: list[str] = []
    if current is None:
        from mlops_gitops.requestlog.layout import request_log_location

        log = request_log_location(root, deployment)
        window = read_current_window(
            log,
            window=parse_window(deployment.monitoring.window),
            now=end,
            columns=[c for c in [*names, PREDICTION] if c not in LOG_COLUMNS],
            present_only=True,  # a missing feature is then reported per column
        )
        if not set(window.table.column_names) & set(names):
            raise DriftError(
                f"the request log {log} has none of the model's input columns ({', '.join(names)})",
                "check that the deployment serves the model of its spec, then serve requests again",
            )
        current_table, start = window.table, window.start
        notes += [f"skipped {entry}" for entry in window.skipped]
    else:
        current_table = read_table(current, column_kinds(info.features))
    reference = read_table(reference_path, column_kinds(info.features))
    if (
        PREDICTION in current_table.column_names
        and PREDICTION not in reference.column_names
        and info.target in reference.column_names
    ):
        reference = reference.rename_columns(
            [PREDICTION if n == info.target else n for n in reference.column_names]
        )
        notes.append(f"prediction compared with the training target {info.target!r}")
    result = detect_drift(reference, current_table, features=info.features, settings=settings)
    return replace(
        result,
        deployment=deployment.name,
        window_start=start.isoformat() if start else None,
        window_end=end.isoformat(),
        notes=(*result.notes, *notes),
    )
