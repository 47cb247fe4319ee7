"""``detect_drift``: compare current data with a reference, column by column, and decide."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.columns import PREDICTION, ColumnPlan, plan_columns
from mlops_gitops.monitoring.correction import correct
from mlops_gitops.monitoring.histograms import histogram
from mlops_gitops.monitoring.judge import judge_column
from mlops_gitops.monitoring.quality import current_failure
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult
from mlops_gitops.monitoring.settings import DriftSettings

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["detect_drift", "too_few_rows"]


def _failures(plans: Sequence[ColumnPlan], ref: pa.Table, cur: pa.Table) -> dict[str, ColumnDrift]:
    """The data-quality failures of the current data, by column."""
    found: dict[str, ColumnDrift] = {}
    for plan in plans:
        failure = plan.failure
        if failure is None and plan.skip is None and cur.num_rows:
            failure = current_failure(plan, ref.column(plan.name), cur.column(plan.name))
        if failure is not None:
            kind = "skipped" if plan.kind == "skipped" else plan.kind
            found[plan.name] = ColumnDrift(
                plan.name,
                kind,
                plan.role,
                drifted=True,
                reason=f"data quality: {failure}",
                data_quality=failure,
            )
    return found


def too_few_rows(
    plans: Sequence[ColumnPlan],
    failures: Mapping[str, ColumnDrift],
    settings: DriftSettings,
    *,
    reference_rows: int,
    current_rows: int,
    described: Any,
    notes: Sequence[str],
) -> DriftResult | None:
    """The result when either side has fewer than ``min_rows`` rows: every column skipped with
    the reason (data-quality failures kept, and they alone decide), else None."""
    fewest = min(reference_rows, current_rows)
    if fewest >= settings.min_rows:
        return None
    side = "current" if current_rows < settings.min_rows else "reference"
    message = (
        f"the {side} data has {fewest} row(s), fewer than "
        f"min_rows={settings.min_rows}: too few to judge drift"
    )
    skipped = tuple(
        failures.get(p.name) or ColumnDrift(p.name, "skipped", p.role, skipped=message)
        for p in plans
    )
    return DriftResult(
        bool(failures),
        0.0,
        settings.drift_share,
        skipped,
        reference_rows,
        current_rows,
        "ok" if failures else "insufficient_data",
        message,
        described,
        notes=tuple(notes),
    )


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
    failures = _failures(plans, ref, cur)
    too_few = too_few_rows(
        plans,
        failures,
        settings,
        reference_rows=ref.num_rows,
        current_rows=cur.num_rows,
        described=described,
        notes=notes,
    )
    if too_few is not None:
        return too_few
    judged = [
        failures.get(p.name)
        or (
            judge_column(p, ref.column(p.name), cur.column(p.name), settings)
            if p.skip is None
            else ColumnDrift(p.name, "skipped", p.role, skipped=p.skip)
        )
        for p in plans
    ]
    judged = correct(judged, settings.multiple_testing)
    columns = tuple(
        replace(c, histogram=histogram(c, ref.column(c.name), cur.column(c.name)))
        if c.drifted and c.kind != "skipped" and c.data_quality is None
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
        dataset_drift=share >= settings.drift_share or any(c.data_quality for c in tested),
        drift_share=share,
        drift_share_threshold=settings.drift_share,
        columns=columns,
        reference_rows=ref.num_rows,
        current_rows=cur.num_rows,
        settings=described,
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
