"""Drift of a window (streamed from the request log, or a table) against a reference profile:
plan the columns, decide what to accumulate, summarise, judge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlops_gitops.monitoring.columns import PREDICTION
from mlops_gitops.monitoring.profile import ReferenceProfile
from mlops_gitops.monitoring.profile_judge import judge_summary, plan_from_profile, summary_needs
from mlops_gitops.monitoring.result import DriftResult
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.stream import WindowFiles, summarise_table, summarise_window

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["detect_drift_from_profile"]


def detect_drift_from_profile(
    profile: ReferenceProfile,
    current: WindowFiles | pa.Table,
    *,
    features: Sequence[FeatureInfo] | None,
    settings: DriftSettings | None = None,
    prediction: str | None = PREDICTION,
    scheduler: str | None = None,
    batch_size: int | None = None,
) -> DriftResult:
    """Judge ``current`` (a window's files, read in batches, or a table) against ``profile``
    as :func:`~mlops_gitops.monitoring.engine.detect_drift` judges the training split; with
    ``scheduler``, the files are summarised on that Dask cluster."""
    settings = settings or DriftSettings()
    schema = current.schema
    plans, notes = plan_from_profile(profile, schema, features, prediction)
    needs = summary_needs(profile, plans, schema, settings)
    sizes = {"batch_size": batch_size} if batch_size else {}
    if isinstance(current, WindowFiles):
        summary = summarise_window(current, needs, scheduler=scheduler, **sizes)
        notes = (*notes, *(f"skipped {entry}" for entry in summary.skipped))
    else:
        summary = summarise_table(current, needs, **sizes)
    return judge_summary(profile, summary, plans, settings, notes)
