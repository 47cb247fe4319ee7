"""``detect_drift``: compare current data with a reference, column by column, and decide."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.columns import PREDICTION, ColumnPlan, plan_columns
from mlops_gitops.monitoring.decide import check_plans, decide, quality_failure
from mlops_gitops.monitoring.histograms import histogram
from mlops_gitops.monitoring.judge import judge_column
from mlops_gitops.monitoring.quality import current_failure
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult
from mlops_gitops.monitoring.settings import DriftSettings

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["as_table", "detect_drift"]


def _failures(plans: Sequence[ColumnPlan], ref: pa.Table, cur: pa.Table) -> dict[str, ColumnDrift]:
    """The data-quality failures of the current data, by column."""
    found: dict[str, ColumnDrift] = {}
    for plan in plans:
        failure = plan.failure
        if failure is None and plan.skip is None and cur.num_rows:
            failure = current_failure(plan, ref.column(plan.name), cur.column(plan.name))
        if failure is not None:
            found[plan.name] = quality_failure(plan, failure)
    return found


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
    ref = as_table(reference, "reference", features)
    cur = as_table(current, "current", features)
    plans, notes = plan_columns(ref, cur, features, prediction)
    check_plans(
        plans,
        settings,
        "the reference and current data have no column in common to compare "
        f"(reference: {', '.join(ref.column_names) or 'none'}; "
        f"current: {', '.join(cur.column_names) or 'none'})",
    )
    return decide(
        plans,
        _failures(plans, ref, cur),
        settings,
        judge=lambda p: judge_column(p, ref.column(p.name), cur.column(p.name), settings),
        histogram=lambda c: histogram(c, ref.column(c.name), cur.column(c.name)),
        reference_rows=ref.num_rows,
        current_rows=cur.num_rows,
        notes=notes,
    )


def as_table(data: Any, what: str, features: Sequence[FeatureInfo] | None = None) -> pa.Table:
    """An Arrow table from a table, a pandas DataFrame or a Parquet/CSV path (read by the one
    table reader, typed by ``features`` when given)."""
    import pyarrow as pa

    from mlops_gitops.io.tables import column_kinds, conform, read_table

    schema = column_kinds(features) if features is not None else None
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, str | Path):
        return read_table(Path(data), schema)
    if hasattr(data, "columns") and hasattr(data, "dtypes"):
        return conform(pa.Table.from_pandas(data, preserve_index=False), None, origin=what)
    raise DriftError(
        f"The '{what}' parameter of detect_drift must be a pyarrow Table, a pandas DataFrame or "
        f"a path. Got {type(data).__name__} instead.",
        "convert the data to one of these",
    )
