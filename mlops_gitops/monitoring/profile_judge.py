"""Judge a window summary against a reference profile, column by column, as the exact engine
(:func:`mlops_gitops.monitoring.engine.detect_drift`) judges two tables.

The same column plans, test choices (:func:`~mlops_gitops.monitoring.methods.choose`),
data-quality findings, verdicts, multiple-testing correction and dataset rule; only the inputs
are counts instead of raw values. How close each statistic is to the exact one is stated in
:mod:`mlops_gitops.monitoring.profile`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring import stats
from mlops_gitops.monitoring.columns import ColumnPlan, plan_columns
from mlops_gitops.monitoring.decide import check_plans, decide, quality_failure
from mlops_gitops.monitoring.judge import (  # the exact engine's verdict rules, shared
    OVERFLOW_LIMIT,
    _calibrated,
    _categorical,
    _verdict,
)
from mlops_gitops.monitoring.methods import FEW_VALUES, choose
from mlops_gitops.monitoring.profile import CategoricalProfile, NumericProfile, ReferenceProfile
from mlops_gitops.monitoring.profile_histograms import summary_histogram
from mlops_gitops.monitoring.quality import _kind_of, missing_rose
from mlops_gitops.monitoring.result import ColumnDrift, DriftResult
from mlops_gitops.monitoring.samples import Categories
from mlops_gitops.monitoring.settings import DriftSettings
from mlops_gitops.monitoring.summaries import (
    RAW_VALUES,
    CategorySummary,
    Needs,
    NumericSummary,
    WindowSummary,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["judge_summary", "plan_from_profile", "summary_needs"]

KS_EXACT_LIMIT = 10_000
"""scipy's ks_2samp computes the exact distribution up to this many values a side."""


def plan_from_profile(
    profile: ReferenceProfile,
    current_schema: pa.Schema,
    features: Sequence[FeatureInfo] | None,
    prediction: str | None,
) -> tuple[tuple[ColumnPlan, ...], tuple[str, ...]]:
    """The exact engine's column plans, from the profile's and the window's schemas."""
    compared = ("number", "integer", "category", "boolean")
    stale = [
        f.name
        for f in features or ()
        if f.type in compared and f.name != prediction and f.name not in profile.columns
    ]
    if stale:
        raise DriftError(
            f"the reference profile has no column(s) {', '.join(stale)} the model reads",
            "rebuild it with `dvc repro` (the profile is older than the model)",
        )
    return plan_columns(
        profile.arrow_schema().empty_table(), current_schema.empty_table(), features, prediction
    )


def summary_needs(
    profile: ReferenceProfile,
    plans: Sequence[ColumnPlan],
    current_schema: pa.Schema,
    settings: DriftSettings,
) -> dict[str, Needs]:
    """What to accumulate per column of the window, given the tests that can be chosen."""
    import pyarrow as pa

    from mlops_gitops.monitoring.samples import _is_number, _value_type

    needs: dict[str, Needs] = {}
    for plan in plans:
        if plan.skip is not None or plan.failure is not None or plan.kind == "skipped":
            continue
        if plan.name not in current_schema.names:
            continue
        ref = profile.columns[plan.name]
        empty = pa.chunked_array([], type=profile.arrow_schema().field(plan.name).type)
        check = None if plan.declared.startswith("inferred:") else _kind_of(plan.declared, empty)
        if isinstance(ref, NumericProfile):
            try:
                method = choose(plan.name, True, FEW_VALUES + 1, ref.values, settings)
            except DriftError:
                method = None
            shape = method.shape if method is not None else "values"
            ks = method is not None and method.method == "ks"
            needs[plan.name] = Needs(
                plan.name,
                "numeric",
                check,
                grid=ref.grid if shape == "values" else None,
                decile_edges=ref.decile_edges if shape == "bins" else None,
                levels=ref.levels is not None,
                raw_limit=RAW_VALUES if ks and ref.sorted_values is not None else 0,
            )
        else:
            numeric = ref.numeric and _is_number(_value_type(current_schema.field(plan.name).type))
            needs[plan.name] = Needs(plan.name, "categorical", check, numeric_levels=numeric)
    return needs


def _failure(plan: ColumnPlan, ref: Any, summary: Any, rows: int) -> str | None:
    if plan.failure is not None:
        return plan.failure
    if plan.skip is not None or plan.kind == "skipped" or not rows or summary is None:
        return None
    if summary.wrong_type is not None:
        return str(summary.wrong_type[1])
    has_values = ref.rows > ref.missing
    if isinstance(summary, NumericSummary):
        if summary.infinite:
            return f"{summary.infinite} of {rows} value(s) are not finite (±inf)"
        if not summary.values and has_values:
            return f"all {rows} value(s) are missing"
        return None
    if summary.nulls == rows and has_values:
        return f"all {rows} value(s) are missing"
    return None


def judge_summary(
    profile: ReferenceProfile,
    window: WindowSummary,
    plans: Sequence[ColumnPlan],
    settings: DriftSettings,
    notes: Sequence[str] = (),
) -> DriftResult:
    """The drift result of ``window`` against ``profile`` (the same decision as
    ``detect_drift``: :func:`mlops_gitops.monitoring.decide.decide`)."""
    check_plans(
        plans,
        settings,
        "the reference profile and the current data have no column in common to compare",
    )
    failures: dict[str, ColumnDrift] = {}
    for plan in plans:
        found = _failure(
            plan, profile.columns.get(plan.name), window.columns.get(plan.name), window.rows
        )
        if found is not None:
            failures[plan.name] = quality_failure(plan, found)
    return decide(
        plans,
        failures,
        settings,
        judge=lambda p: _judge(p, profile.columns[p.name], window.columns[p.name], settings),
        histogram=lambda c: summary_histogram(profile.columns[c.name], window.columns[c.name]),
        reference_rows=profile.rows,
        current_rows=window.rows,
        notes=notes,
    )


def _judge(plan: ColumnPlan, ref: Any, summary: Any, settings: DriftSettings) -> ColumnDrift:
    base = ColumnDrift(plan.name, "skipped", plan.role)
    if isinstance(ref, NumericProfile) and isinstance(summary, NumericSummary):
        counts = (ref.values, summary.values)
        for side, worst in (
            ("reference", max(abs(ref.minimum), abs(ref.maximum))),
            ("current", summary.max_abs),
        ):
            if worst > OVERFLOW_LIMIT:
                raise DriftError(
                    f"column {plan.name!r}: the {side} data holds {worst:g} in magnitude, too "
                    f"large to compare (drift is measured on values up to ±{OVERFLOW_LIMIT:g})",
                    f"check column {plan.name!r} for corrupt values; mark them missing or "
                    "rescale the column",
                )
    elif isinstance(ref, CategoricalProfile) and isinstance(summary, CategorySummary):
        cats = _categories(ref, summary, codes=settings.calibrate)
        counts = (int(cats.reference.sum()), int(cats.current.sum()))
    else:
        raise DriftError(
            f"column {plan.name!r} is {ref.kind} in the reference profile but "
            f"{plan.kind} in the model's schema",
            "rebuild the reference profile with `dvc repro`",
        )
    base = replace(
        base,
        missing_reference=ref.missing / ref.rows if ref.rows else 0.0,
        missing_current=summary.missing / summary.rows if summary.rows else 0.0,
        missing_drifted=missing_rose(ref.missing, ref.rows, summary.missing, summary.rows),
        reference_values=counts[0],
        current_values=counts[1],
    )
    if min(counts) < settings.min_rows:
        side = "reference" if counts[0] < settings.min_rows else "current"
        return replace(
            base,
            drifted=base.missing_drifted,
            skipped=(
                f"only {min(counts)} non-missing value(s) in the {side} data, fewer than "
                f"min_rows={settings.min_rows}: too few to judge"
            ),
        )
    if isinstance(ref, NumericProfile):
        distinct = _distinct(ref, summary)
        choice = choose(plan.name, True, distinct, counts[0], settings)
        if choice.shape == "values":
            return _numeric(base, ref, summary, choice, settings)
        if choice.shape == "categories":
            cats = _level_categories(
                ref.levels or (),
                summary.levels or {},
                ref.missing,
                summary.missing,
                codes=settings.calibrate,
            )
        else:
            cats = _decile_categories(ref, summary, codes=settings.calibrate)
    else:
        choice = choose(plan.name, False, len(cats.labels), counts[0], settings)
    return _categorical(base, cats, choice, settings)


def _distinct(ref: NumericProfile, summary: NumericSummary) -> int:
    if ref.levels is None or summary.levels is None:
        return FEW_VALUES + 1
    seen = {value for value, _ in ref.levels} | set(summary.levels)
    return min(len(seen), FEW_VALUES + 1)


def _numeric(
    base: ColumnDrift,
    ref: NumericProfile,
    summary: NumericSummary,
    choice: Any,
    settings: DriftSettings,
) -> ColumnDrift:
    reason = choice.reason
    grid, cur = ref.grid, summary.grid
    if choice.method == "ks":
        raw = summary.raw_values
        if ref.sorted_values is not None and raw is not None:
            d, p = stats.ks_test(ref.sorted_values, raw)
        else:
            if cur is None:  # pragma: no cover - needs() asks for the grid for KS
                raise DriftError(f"column {base.name!r} was read without its grid", "report this")
            d = _grid_ks(ref, summary)
            p = _smirnov_p(d, ref.values, summary.values)
            reason += f"; D from the reference profile's {grid.bins}-bin grid"
        return _verdict(base, choice, p, reason, test_statistic=d)
    norm = max(ref.std, stats.STD_FLOOR)
    if norm == stats.STD_FLOOR:
        reason += f"; the reference is (nearly) constant, so the distance is divided by {norm:g}"
    if cur is None:  # pragma: no cover - needs() asks for the grid for Wasserstein
        raise DriftError(f"column {base.name!r} was read without its grid", "report this")
    distance = _grid_wasserstein(ref, summary) / norm
    codes = _codes(ref.grid_counts, settings.calibrate)

    def on_chunk(chunk: NDArray[np.int64]) -> float:
        counts = np.bincount(chunk, minlength=grid.bins).astype(np.int64)
        return stats.wasserstein_from_counts(ref.grid_counts, counts, grid.width) / norm

    return _calibrated(
        base,
        choice,
        distance,
        reason,
        reference=codes,
        current_size=summary.values,
        on_chunk=on_chunk,
        settings=settings,
    )


def _cdfs(ref: NumericProfile, summary: NumericSummary) -> tuple[NDArray[Any], NDArray[Any]]:
    """Reference and current CDFs at the right edge of each grid bin (current values below the
    grid count from the start)."""
    assert summary.grid is not None
    cdf_ref = np.cumsum(ref.grid_counts, dtype=np.float64) / float(ref.values)
    cdf_cur = (summary.below[0] + np.cumsum(summary.grid, dtype=np.float64)) / float(summary.values)
    return cdf_ref, cdf_cur


def _grid_ks(ref: NumericProfile, summary: NumericSummary) -> float:
    cdf_ref, cdf_cur = _cdfs(ref, summary)
    start = summary.below[0] / float(summary.values)
    return float(max(np.abs(cdf_ref - cdf_cur).max(), start))


def _smirnov_p(d: float, n: int, m: int) -> float:
    """scipy's two-sided asymptotic p-value for ``D`` with sample sizes ``n`` and ``m``."""
    from scipy.stats import kstwo

    big, small = sorted([float(n), float(m)], reverse=True)
    en = big * small / (big + small)
    return float(np.clip(kstwo.sf(d, np.round(en)), 0.0, 1.0))


def _grid_wasserstein(ref: NumericProfile, summary: NumericSummary) -> float:
    """W1 between the reference (on its grid) and the current values (on the grid, with the
    values outside it at their exact distance)."""
    cdf_ref, cdf_cur = _cdfs(ref, summary)
    inside = float(np.abs(cdf_ref - cdf_cur).sum()) * ref.grid.width
    tails = (summary.below[1] + summary.above[1]) / float(summary.values)
    return inside + tails


def _codes(counts: NDArray[np.int64], wanted: bool) -> NDArray[np.int64]:
    """A code per reference value (bin or category), for calibration chunks; empty when
    thresholds are not calibrated (they are the only user)."""
    if not wanted:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(np.arange(counts.size, dtype=np.int64), counts)


def _level_categories(
    ref_levels: Sequence[tuple[float, int]],
    cur_levels: Mapping[float, int],
    missing_ref: int,
    missing_cur: int,
    *,
    codes: bool = False,
) -> Categories:
    """Numbers as categories, as ``samples.numeric_categories`` orders them."""
    known = [value for value, _ in ref_levels]
    position = {value: i for i, value in enumerate(known)}
    new = sorted(v for v in cur_levels if v not in position)
    labels = tuple(f"{v:g}" for v in known) + tuple(f"{v:g}" for v in new)
    reference = np.array([c for _, c in ref_levels] + [0] * len(new), dtype=np.int64)
    current = np.array(
        [cur_levels.get(v, 0) for v in known] + [cur_levels[v] for v in new], dtype=np.int64
    )
    return Categories(
        labels,
        len(known),
        _codes(reference[: len(known)], codes),
        reference,
        current,
        missing_ref,
        missing_cur,
    )


def _decile_categories(
    ref: NumericProfile, summary: NumericSummary, *, codes: bool = False
) -> Categories:
    edges = ref.decile_edges
    size = len(edges) + 1
    bounds = ["-inf", *(f"{e:.4g}" for e in edges), "inf"]
    labels = tuple(f"[{bounds[i]}, {bounds[i + 1]})" for i in range(size))
    reference = np.asarray(ref.decile_counts, dtype=np.int64)
    current = (
        summary.deciles.astype(np.int64)
        if summary.deciles is not None
        else np.zeros(size, dtype=np.int64)
    )
    return Categories(
        labels, size, _codes(reference, codes), reference, current, ref.missing, summary.missing
    )


def _categories(
    ref: CategoricalProfile, summary: CategorySummary, *, codes: bool = False
) -> Categories:
    if summary.needs.numeric_levels and ref.levels is not None:
        return _level_categories(
            ref.levels, summary.counts, ref.missing, summary.missing, codes=codes
        )
    known = list(ref.labels)
    position = {label: i for i, label in enumerate(known)}
    new = [str(k) for k in summary.counts if str(k) not in position]
    position |= {label: len(known) + i for i, label in enumerate(new)}
    reference = np.array(list(ref.counts) + [0] * len(new), dtype=np.int64)
    current = np.zeros(len(known) + len(new), dtype=np.int64)
    for key, count in summary.counts.items():
        current[position[str(key)]] += count
    missing_ref = ref.missing if ref.levels is None else ref.rows - int(sum(ref.counts))
    return Categories(
        (*known, *new),
        len(known),
        _codes(reference[: len(known)], codes),
        reference,
        current,
        missing_ref,
        summary.missing,
    )
