"""The decision both engines share: from column plans and a judge to a :class:`DriftResult`.

The exact engine (:func:`mlops_gitops.monitoring.engine.detect_drift`) judges raw values and
the streamed one (:func:`mlops_gitops.monitoring.profile_judge.judge_summary`) judges counts;
everything around the per-column judgement is the same and lives here, once: which
``monitoring.columns`` names are unknown, data-quality failures as drifted columns, the
too-few-rows rule, multiple-testing correction, histograms of drifted columns, and the dataset
rule (drift share at or over the threshold, or any data-quality failure of a feature).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.columns import ColumnPlan
from mlops_gitops.monitoring.correction import correct
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult, Histogram
from mlops_gitops.monitoring.settings import DriftSettings

__all__ = ["check_plans", "decide", "quality_failure", "too_few_rows"]

NO_TESTED_COLUMN = "no feature column could be tested (see each column's reason)"


def check_plans(plans: Sequence[ColumnPlan], settings: DriftSettings, no_common: str) -> None:
    """Refuse overrides of columns that are not compared, and a comparison of nothing
    (``no_common`` says what the two sides were)."""
    unknown = sorted(set(settings.columns) - {p.name for p in plans})
    if unknown:
        raise DriftError(
            f"monitoring.columns names column(s) that are not compared: {', '.join(unknown)}",
            "fix the names in monitoring.columns to match the model's input columns",
        )
    if not plans:
        hint = "compare data with the same columns (the model's input features)"
        raise DriftError(no_common, hint)


def quality_failure(plan: ColumnPlan, failure: str) -> ColumnDrift:
    """A column whose current data fails a data-quality rule: drifted, with the finding."""
    return ColumnDrift(
        plan.name,
        "skipped" if plan.kind == "skipped" else plan.kind,
        plan.role,
        drifted=True,
        reason=f"data quality: {failure}",
        data_quality=failure,
    )


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


def decide(
    plans: Sequence[ColumnPlan],
    failures: Mapping[str, ColumnDrift],
    settings: DriftSettings,
    *,
    judge: Callable[[ColumnPlan], ColumnDrift],
    histogram: Callable[[ColumnDrift], Histogram | None],
    reference_rows: int,
    current_rows: int,
    notes: Sequence[str],
) -> DriftResult:
    """Judge every planned column (``judge``; failures and skips aside), correct for multiple
    testing, draw ``histogram`` for drifted columns, and apply the dataset rule."""
    described = settings.describe()
    too_few = too_few_rows(
        plans,
        failures,
        settings,
        reference_rows=reference_rows,
        current_rows=current_rows,
        described=described,
        notes=notes,
    )
    if too_few is not None:
        return too_few
    judged = [
        failures.get(p.name)
        or (judge(p) if p.skip is None else ColumnDrift(p.name, "skipped", p.role, skipped=p.skip))
        for p in plans
    ]
    columns = tuple(
        replace(c, histogram=histogram(c))
        if c.drifted and c.kind != "skipped" and c.data_quality is None
        else c
        for c in correct(judged, settings.multiple_testing)
    )
    tested = [c for c in columns if c.role == "feature" and c.tested]
    if not tested:
        return DriftResult(
            False,
            0.0,
            settings.drift_share,
            columns,
            reference_rows,
            current_rows,
            "insufficient_data",
            NO_TESTED_COLUMN,
            described,
            notes=tuple(notes),
        )
    share = sum(c.drifted for c in tested) / len(tested)
    return DriftResult(
        dataset_drift=share >= settings.drift_share or any(c.data_quality for c in tested),
        drift_share=share,
        drift_share_threshold=settings.drift_share,
        columns=columns,
        reference_rows=reference_rows,
        current_rows=current_rows,
        settings=described,
        notes=tuple(notes),
    )
