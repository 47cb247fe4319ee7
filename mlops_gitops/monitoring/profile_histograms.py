"""Plot histograms (reference vs current shares) of a drifted column from its profile and its
window summary, in the shape :mod:`mlops_gitops.monitoring.histograms` gives for raw data."""

from __future__ import annotations

from typing import Any

import numpy as np

from mlops_gitops.monitoring.histograms import BINS, category_histogram
from mlops_gitops.monitoring.profile import CategoricalProfile, NumericProfile
from mlops_gitops.monitoring.result import Histogram
from mlops_gitops.monitoring.summaries import CategorySummary, NumericSummary

__all__ = ["summary_histogram"]


def summary_histogram(ref: Any, summary: Any) -> Histogram | None:
    """30 bins over the central 99% of both sides (numeric, from the grid), or the 15 largest
    categories and ``(other)``; None when a side has no values or no bins were read."""
    from mlops_gitops.monitoring.profile_judge import (
        _categories,
        _decile_categories,
        _level_categories,
    )

    if isinstance(ref, NumericProfile) and isinstance(summary, NumericSummary):
        if not ref.values or not summary.values:
            return None
        if summary.grid is not None and (ref.levels is None or summary.levels is None):
            return _numeric(ref, summary)
        if ref.levels is not None and summary.levels is not None:
            cats = _level_categories(ref.levels, summary.levels, ref.missing, summary.missing)
        elif summary.deciles is not None:
            cats = _decile_categories(ref, summary)
        else:
            return None
    elif isinstance(ref, CategoricalProfile) and isinstance(summary, CategorySummary):
        cats = _categories(ref, summary)
    else:
        return None
    return category_histogram(cats)


def _numeric(ref: NumericProfile, summary: NumericSummary) -> Histogram:
    assert summary.grid is not None
    grid = ref.grid
    centres = grid.low + (np.arange(grid.bins) + 0.5) * grid.width
    ref_share = ref.grid_counts / float(ref.values)
    cur_share = summary.grid / float(summary.values)
    both = np.cumsum(0.5 * (ref_share + cur_share))
    both += 0.5 * summary.below[0] / summary.values
    low = float(centres[min(int(np.searchsorted(both, 0.005)), grid.bins - 1)])
    high = float(centres[min(int(np.searchsorted(both, 0.995)), grid.bins - 1)])
    if high <= low:
        low, high = grid.low, grid.low + grid.width * grid.bins + 1.0
    edges = np.linspace(low, high, BINS + 1)
    index = np.clip(((centres - low) * (BINS / (high - low))).astype(np.int64), 0, BINS - 1)
    ref_bins = np.bincount(index, weights=ref_share, minlength=BINS)
    cur_bins = np.bincount(index, weights=cur_share, minlength=BINS)
    cur_bins[0] += summary.below[0] / summary.values
    cur_bins[-1] += summary.above[0] / summary.values
    return Histogram(
        tuple(f"{edges[i]:.4g}" for i in range(BINS)),
        tuple(float(v) for v in ref_bins),
        tuple(float(v) for v in cur_bins),
        edges=tuple(float(e) for e in edges),
    )
