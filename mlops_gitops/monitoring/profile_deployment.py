"""A Deployment's drift check on its stored reference profile: the window streamed from the
request log (or ``--current FILE``), summarised locally or on Dask, judged against the profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import DriftError
from mlops_gitops.io.tables import column_kinds, read_table
from mlops_gitops.monitoring.columns import PREDICTION
from mlops_gitops.monitoring.profile import read_profile
from mlops_gitops.monitoring.profile_check import detect_drift_from_profile
from mlops_gitops.monitoring.result import DriftResult
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.stream import open_window
from mlops_gitops.monitoring.window import parse_window

if TYPE_CHECKING:
    from mlops_gitops.ml.artifact import ModelInfo
    from mlops_gitops.specs.models import Deployment

__all__ = ["check_with_profile", "scheduler_of"]


def scheduler_of(deployment: Deployment, given: str | None) -> str | None:
    """The Dask scheduler to summarise on: ``given`` (``--scheduler``), else the spec's
    ``monitoring.scheduler`` when ``monitoring.compute`` is ``dask``, else None (local)."""
    if given:
        return given
    monitoring = deployment.monitoring
    if monitoring.compute != "dask":
        return None
    if not monitoring.scheduler:
        raise DriftError(
            f"deployment {deployment.name!r} has monitoring.compute 'dask' but no "
            "monitoring.scheduler",
            "set `monitoring.scheduler` to the scheduler address (tcp://host:8786), or pass "
            "--scheduler",
        )
    return monitoring.scheduler


def check_with_profile(
    root: Path,
    deployment: Deployment,
    info: ModelInfo,
    profile_path: Path,
    *,
    settings: DriftSettings,
    current: Path | None,
    end: datetime,
    scheduler: str | None = None,
) -> DriftResult:
    """Drift of the deployment's window (or ``current``) against the profile at
    ``profile_path``; the result carries the deployment and the window."""
    profile = read_profile(profile_path)
    names = [f.name for f in info.features]
    notes: list[str] = [f"reference: the stored profile {profile_path.relative_to(root)}"]
    scheduler = scheduler_of(deployment, scheduler)
    if current is None:
        from mlops_gitops.requestlog.layout import request_log_location

        log = request_log_location(root, deployment)
        window = open_window(log, window=parse_window(deployment.monitoring.window), now=end)
        if not set(window.schema.names) & set(names):
            raise DriftError(
                f"the request log {log} has none of the model's input columns ({', '.join(names)})",
                "check that the deployment serves the model of its spec, then serve requests again",
            )
        data = window
        start: datetime | None = window.start
        present = set(window.schema.names)
    else:
        data = read_table(current, column_kinds(info.features))
        start = None
        present = set(data.column_names)
    if (
        PREDICTION in present
        and PREDICTION not in profile.columns
        and info.target in profile.columns
    ):
        profile = profile.renamed(info.target, PREDICTION)
        notes.append(f"prediction compared with the training target {info.target!r}")
    if scheduler is not None:
        notes.append(f"window summarised on the Dask cluster at {scheduler}")
    result = detect_drift_from_profile(
        profile, data, features=info.features, settings=settings, scheduler=scheduler
    )
    return replace(
        result,
        deployment=deployment.name,
        window_start=start.isoformat() if start else None,
        window_end=end.isoformat(),
        notes=(*result.notes, *notes),
    )
