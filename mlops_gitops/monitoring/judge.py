"""Judge one column: extract its samples, run the chosen test, calibrate its threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring import stats
from mlops_gitops.monitoring.columns import ColumnPlan
from mlops_gitops.monitoring.methods import FEW_VALUES, Choice, choose
from mlops_gitops.monitoring.quality import missing_rose
from mlops_gitops.monitoring.result import ColumnDrift
from mlops_gitops.monitoring.samples import (
    Categories,
    NumericPair,
    categories,
    count_distinct_upto,
    numeric_categories,
    numeric_pair,
)
from mlops_gitops.monitoring.settings import DISTANCE_METHODS, DriftSettings

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["judge_column"]

UNSEEN_LISTED = 10
OVERFLOW_LIMIT = 1e150
"""Beyond this magnitude a variance (a square) overflows float64."""
DECILES = np.linspace(0.1, 0.9, 9)


def judge_column(
    plan: ColumnPlan,
    reference: pa.ChunkedArray,
    current: pa.ChunkedArray,
    settings: DriftSettings,
) -> ColumnDrift:
    """The verdict on one column before any multiple-testing correction."""
    import pyarrow as pa

    base = ColumnDrift(plan.name, "skipped", plan.role)
    if plan.skip is not None:
        return replace(base, skipped=plan.skip)
    try:
        if plan.kind == "numeric":
            pair = numeric_pair(reference, current)
            missing = (pair.missing_reference, pair.missing_current)
            counts = (pair.reference.size, pair.current.size)
        else:
            cats = categories(reference, current, codes=settings.calibrate)
            missing = (cats.missing_reference, cats.missing_current)
            counts = (int(cats.reference.sum()), int(cats.current.sum()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        return replace(
            base,
            kind=plan.kind,
            drifted=True,
            data_quality=f"wrong type: values could not be read as {plan.declared}: {error}",
        )
    if plan.kind == "numeric":
        _refuse_overflow(plan.name, pair)
    missing_ref = missing[0] / len(reference) if len(reference) else 0.0
    missing_cur = missing[1] / len(current) if len(current) else 0.0
    base = replace(
        base,
        missing_reference=missing_ref,
        missing_current=missing_cur,
        missing_drifted=missing_rose(missing[0], len(reference), missing[1], len(current)),
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
    if plan.kind == "numeric":
        distinct = count_distinct_upto((pair.reference, pair.current), FEW_VALUES)
        choice = choose(plan.name, True, distinct, counts[0], settings)
        if choice.shape == "values":
            return _numeric(base, pair, choice, settings)
        cats = numeric_categories(pair) if choice.shape == "categories" else _deciles(pair)
    else:
        choice = choose(plan.name, False, len(cats.labels), counts[0], settings)
    return _categorical(base, cats, choice, settings)


def _refuse_overflow(name: str, pair: NumericPair) -> None:
    """Finite values whose spread or spread squared overflows float64 (|x| near 1e308) make
    every distance and test meaningless: a message naming the column, not a wrong verdict."""
    for side, values in (("reference", pair.reference), ("current", pair.current)):
        if values.size and float(np.abs(values).max()) > OVERFLOW_LIMIT:
            worst = float(values[int(np.argmax(np.abs(values)))])
            raise DriftError(
                f"column {name!r}: the {side} data holds {worst:g}, too large to compare "
                f"(drift is measured on values up to ±{OVERFLOW_LIMIT:g})",
                f"check column {name!r} for corrupt values; mark them missing or rescale the "
                "column",
            )


def _numeric(
    base: ColumnDrift, pair: NumericPair, choice: Choice, settings: DriftSettings
) -> ColumnDrift:
    reason = choice.reason
    if choice.method == "ks":
        d, p = stats.ks_test(pair.reference, pair.current)
        return _verdict(base, choice, p, reason, test_statistic=d)
    norm = stats.reference_norm(pair.reference)
    if norm == stats.STD_FLOOR:
        reason += f"; the reference is (nearly) constant, so the distance is divided by {norm:g}"
    grid = stats.make_grid(pair.reference, pair.current, norm)
    if grid is None:
        ref_counts = None
        distance = stats.wasserstein_normalised(pair.reference, pair.current, norm)
    else:
        ref_counts = stats.grid_counts(pair.reference, grid)
        distance = (
            stats.wasserstein_from_counts(
                ref_counts, stats.grid_counts(pair.current, grid), grid.width
            )
            / norm
        )

    def on_chunk(chunk: NDArray[np.float64]) -> float:
        if grid is None or ref_counts is None:
            return stats.wasserstein_normalised(pair.reference, chunk, norm)
        return (
            stats.wasserstein_from_counts(ref_counts, stats.grid_counts(chunk, grid), grid.width)
            / norm
        )

    return _calibrated(
        base,
        choice,
        distance,
        reason,
        reference=pair.reference,
        current_size=pair.current.size,
        on_chunk=on_chunk,
        settings=settings,
    )


def _categorical(
    base: ColumnDrift, cats: Categories, choice: Choice, settings: DriftSettings
) -> ColumnDrift:
    new = cats.current[cats.known :]
    if new.size:
        order = np.argsort(-new, kind="stable")[:UNSEEN_LISTED]
        base = replace(
            base,
            kind="categorical",
            unseen_categories=tuple(cats.labels[cats.known + int(i)] for i in order),
            unseen_share=float(new.sum()) / float(cats.current.sum()),
        )
    reason = choice.reason
    if choice.method == "chisquare":
        chi, p = stats.chi_square_test(cats.reference, cats.current)
        return _verdict(base, choice, p, reason, test_statistic=chi)
    if choice.method == "ztest":
        z, p = stats.z_test(cats.reference, cats.current)
        return _verdict(base, choice, p, reason, test_statistic=z)
    distance_of = stats.jensen_shannon if choice.method == "jensenshannon" else stats.psi
    size = len(cats.labels)

    def on_chunk(chunk: NDArray[np.int64]) -> float:
        return distance_of(cats.reference, np.bincount(chunk, minlength=size).astype(np.int64))

    distance = distance_of(cats.reference, cats.current)
    return _calibrated(
        base,
        choice,
        distance,
        reason,
        reference=cats.reference_codes,
        current_size=int(cats.current.sum()),
        on_chunk=on_chunk,
        settings=settings,
    )


def _calibrated(
    base: ColumnDrift,
    choice: Choice,
    distance: float,
    reason: str,
    *,
    reference: NDArray[Any],
    current_size: int,
    on_chunk: Callable[[NDArray[Any]], float],
    settings: DriftSettings,
) -> ColumnDrift:
    """NannyML-style threshold: mean + 3 sigma of the distance between reference chunks of the
    current window's size and the whole reference; never below the configured threshold."""
    if not settings.calibrate or choice.method not in DISTANCE_METHODS:
        return _verdict(base, choice, distance, reason)
    if choice.threshold_source == "override":
        return _verdict(base, choice, distance, reason + "; not calibrated (threshold set)")
    chunks = settings.calibration_chunks
    size = min(current_size, reference.size // chunks)
    if size < 2:
        return _verdict(
            base,
            choice,
            distance,
            reason + f"; not calibrated (reference too small for {chunks} chunks)",
        )
    rng = np.random.default_rng(settings.seed)
    picks = rng.permutation(reference.size)[: chunks * size].reshape(chunks, size)
    values = np.array([on_chunk(reference[rows]) for rows in picks])
    noise = float(values.mean() + 3.0 * values.std(ddof=1))
    if noise <= choice.threshold:
        return _verdict(
            base,
            choice,
            distance,
            reason
            + (
                f"; calibration on {chunks} reference chunks of {size} rows gives {noise:.3g}, "
                f"below the threshold, which stays"
            ),
        )
    calibrated = replace(choice, threshold=noise)
    out = _verdict(
        base,
        calibrated,
        distance,
        reason
        + (
            f"; threshold calibrated to mean + 3 sigma over {chunks} reference chunks"
            f" of {size} rows"
        ),
    )
    return replace(out, threshold_source="calibrated")


def _verdict(
    base: ColumnDrift,
    choice: Choice,
    statistic: float,
    reason: str,
    test_statistic: float | None = None,
) -> ColumnDrift:
    p_value = choice.method not in DISTANCE_METHODS
    drifted = statistic < choice.threshold if p_value else statistic >= choice.threshold
    kind: Literal["numeric", "categorical"] = (
        "numeric" if choice.shape == "values" else "categorical"
    )
    return replace(
        base,
        kind=kind,
        method=choice.method,
        statistic=statistic,
        threshold=choice.threshold,
        threshold_source=choice.threshold_source,
        test_statistic=test_statistic,
        distribution_drifted=bool(drifted),
        drifted=bool(drifted) or base.missing_drifted,
        reason=reason,
    )


def _deciles(pair: NumericPair) -> Categories:
    """A continuous column binned at its reference deciles, as categories."""
    edges = np.unique(np.quantile(pair.reference, DECILES))
    ref_codes = np.searchsorted(edges, pair.reference, side="right").astype(np.int64)
    cur_codes = np.searchsorted(edges, pair.current, side="right")
    size = edges.size + 1
    bounds = ["-inf", *(f"{e:.4g}" for e in edges), "inf"]
    labels = tuple(f"[{bounds[i]}, {bounds[i + 1]})" for i in range(size))
    return Categories(
        labels,
        size,
        ref_codes,
        np.bincount(ref_codes, minlength=size).astype(np.int64),
        np.bincount(cur_codes, minlength=size).astype(np.int64),
        pair.missing_reference,
        pair.missing_current,
    )
