"""Compact reference-vs-current distributions of a column, for plots and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlops_gitops.monitoring.methods import FEW_VALUES
from mlops_gitops.monitoring.result import ColumnDrift, Histogram
from mlops_gitops.monitoring.samples import (
    Categories,
    categories,
    count_distinct_upto,
    numeric_categories,
    numeric_pair,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["category_histogram", "histogram"]

BINS = 30
TOP_CATEGORIES = 15
RANGE_SAMPLE = 200_000


def histogram(
    column: ColumnDrift, reference: pa.ChunkedArray, current: pa.ChunkedArray
) -> Histogram | None:
    """Shares per bin (numeric, 30 bins over the central 99% of both samples) or per category
    (the 15 largest, the rest as ``(other)``); None when a side has no values."""
    import pyarrow as pa

    numeric = pa.types.is_integer(reference.type) or pa.types.is_floating(reference.type)
    if numeric:
        pair = numeric_pair(reference, current)
        if not pair.reference.size or not pair.current.size:
            return None
        if count_distinct_upto((pair.reference, pair.current), FEW_VALUES) > FEW_VALUES:
            return _numeric(pair.reference, pair.current)
        cats = numeric_categories(pair)
    else:
        cats = categories(reference, current)
    return category_histogram(cats)


def category_histogram(cats: Categories) -> Histogram | None:
    """Shares of the 15 largest categories of either side, the rest as ``(other)``; None when
    a side has no values. Used for raw data and for window summaries alike."""
    if not cats.reference.sum() or not cats.current.sum():
        return None
    ref = cats.reference / cats.reference.sum()
    cur = cats.current / cats.current.sum()
    order = np.argsort(-np.maximum(ref, cur), kind="stable")
    top, rest = order[:TOP_CATEGORIES], order[TOP_CATEGORIES:]
    labels = [cats.labels[int(i)] for i in top]
    ref_shares, cur_shares = list(ref[top]), list(cur[top])
    if rest.size:
        labels.append("(other)")
        ref_shares.append(float(ref[rest].sum()))
        cur_shares.append(float(cur[rest].sum()))
    return Histogram(
        tuple(labels), tuple(float(v) for v in ref_shares), tuple(float(v) for v in cur_shares)
    )


def _numeric(reference: np.ndarray, current: np.ndarray) -> Histogram:
    sample = np.concatenate(
        [
            reference[:: max(1, reference.size // RANGE_SAMPLE)],
            current[:: max(1, current.size // RANGE_SAMPLE)],
        ]
    )
    low, high = (float(v) for v in np.quantile(sample, [0.005, 0.995]))
    if high <= low:
        low, high = float(sample.min()), float(sample.max()) + 1.0
    edges = np.linspace(low, high, BINS + 1)
    ref = _counts(reference, low, high) / reference.size
    cur = _counts(current, low, high) / current.size
    labels = tuple(f"{edges[i]:.4g}" for i in range(BINS))
    return Histogram(
        labels,
        tuple(float(v) for v in ref),
        tuple(float(v) for v in cur),
        edges=tuple(float(e) for e in edges),
    )


def _counts(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Equal-width bin counts in O(n) (``np.histogram`` with explicit edges sorts the data);
    values outside [low, high] fall into the end bins."""
    index = ((values - low) * (BINS / (high - low))).astype(np.int64)
    np.clip(index, 0, BINS - 1, out=index)
    return np.bincount(index, minlength=BINS)
