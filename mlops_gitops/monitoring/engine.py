"""``detect_drift``: compare current data with a reference, column by column, and decide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.columns import PREDICTION, plan_columns
from mlops_gitops.monitoring.correction import correct
from mlops_gitops.monitoring.histograms import histogram
from mlops_gitops.monitoring.judge import judge_column
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.tables import as_table

if TYPE_CHECKING:
    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["detect_drift"]


def detect_drift(
    reference: Any,
    current: Any,
    *,
    features: Sequence[FeatureInfo] | None = None,
    settings: DriftSettings | None = None,
    prediction: str | None = PREDICTION,
) -> DriftResult:
    """Judge every column of ``current`` (a window of served requests, or a file) against
    ``reference`` (the training split).

    ``reference``/``current``: pyarrow Tables, pandas DataFrames or Parquet/CSV paths.
    ``features``: the model's input schema; when None, the columns both share are compared
    and their types inferred. ``prediction``: the name of a prediction column, judged on its own
    when both sides have it (it does not count towards the dataset's drift share).
    """
    settings = settings or DriftSettings()
    ref = as_table(reference, "reference")
    cur = as_table(current, "current")
    plans, notes = plan_columns(ref, cur, features, prediction)
    unknown = sorted(set(settings.columns) - {p.name for p in plans})
    if unknown:
        raise DriftError(
            f"monitoring.columns names column(s) that are not compared: {', '.join(unknown)}",
            "fix the names in monitoring.columns to match the model's input columns",
        )
    if not plans:
        raise DriftError(
            "the reference and current data have no column in common to compare "
            f"(reference: {', '.join(ref.column_names) or 'none'}; "
            f"current: {', '.join(cur.column_names) or 'none'})",
            "compare data with the same columns (the model's input features)",
        )
    described = settings.describe()
    too_few = min(ref.num_rows, cur.num_rows)
    if too_few < settings.min_rows:
        side = "current" if cur.num_rows < settings.min_rows else "reference"
        message = (
            f"the {side} data has {too_few} row(s), fewer than "
            f"min_rows={settings.min_rows}: too few to judge drift"
        )
        skipped = tuple(ColumnDrift(p.name, "skipped", p.role, skipped=message) for p in plans)
        return DriftResult(
            False,
            0.0,
            settings.drift_share,
            skipped,
            ref.num_rows,
            cur.num_rows,
            "insufficient_data",
            message,
            described,
            notes=notes,
        )
    judged = [
        judge_column(p, ref.column(p.name), cur.column(p.name), settings)
        if p.skip is None
        else ColumnDrift(p.name, "skipped", p.role, skipped=p.skip)
        for p in plans
    ]
    judged = correct(judged, settings.multiple_testing)
    columns = tuple(
        replace(c, histogram=histogram(c, ref.column(c.name), cur.column(c.name)))
        if c.drifted and c.kind != "skipped"
        else c
        for c in judged
    )
    tested = [c for c in columns if c.role == "feature" and c.tested]
    share = sum(c.drifted for c in tested) / len(tested) if tested else 0.0
    if not tested:
        message = "no feature column could be tested (see each column's reason)"
        return DriftResult(
            False,
            0.0,
            settings.drift_share,
            columns,
            ref.num_rows,
            cur.num_rows,
            "insufficient_data",
            message,
            described,
            notes=notes,
        )
    return DriftResult(
        dataset_drift=share >= settings.drift_share,
        drift_share=share,
        drift_share_threshold=settings.drift_share,
        columns=columns,
        reference_rows=ref.num_rows,
        current_rows=cur.num_rows,
        settings=described,
        notes=notes,
    )
