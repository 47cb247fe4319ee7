"""The drift statistics, vectorised over numpy arrays (samples) or aligned count vectors.

Numeric samples are 1-D float64 arrays without missing values; categorical data are count
vectors over the same categories (reference first, then current). Nothing here loops over rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Grid",
    "chi_square_test",
    "grid_counts",
    "jensen_shannon",
    "ks_test",
    "make_grid",
    "psi",
    "wasserstein_from_counts",
    "wasserstein_normalised",
    "z_test",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_GRID_BINS = 1 << 20
MIN_GRID_BINS = 1 << 12
GRID_TOLERANCE = 1e-3  # worst-case error of the gridded distance, in reference std units
PSI_FLOOR = 1e-4  # share given to an empty bin so PSI stays finite (as Evidently does)
STD_FLOOR = 1e-3  # normaliser floor for constant reference columns (as Evidently does)


def ks_test(reference: FloatArray, current: FloatArray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov: (D, p-value)."""
    from scipy.stats import ks_2samp

    result = ks_2samp(reference, current)
    return float(result.statistic), float(result.pvalue)


def reference_norm(reference: FloatArray) -> float:
    return max(float(np.std(reference)), STD_FLOOR)


@dataclass(frozen=True)
class Grid:
    """Equal-width bins over [low, low + width * bins]: samples snapped to a bin edge move by
    less than ``width``, so a distance computed on the grid is within ``2 * width`` of exact."""

    low: float
    width: float
    bins: int


def make_grid(reference: FloatArray, current: FloatArray, norm: float) -> Grid | None:
    """A grid fine enough for :data:`GRID_TOLERANCE`, or None when it would need too many bins
    (long tails): callers then compute the exact distance."""
    low = min(float(reference.min()), float(current.min()))
    high = max(float(reference.max()), float(current.max()))
    span = high - low
    if span == 0.0:
        return Grid(low, 1.0, 1)
    bins = math.ceil(2.0 * span / (GRID_TOLERANCE * norm))
    if bins > MAX_GRID_BINS:
        return None
    bins = max(bins, MIN_GRID_BINS)
    return Grid(low, span / bins, bins)


def grid_counts(values: FloatArray, grid: Grid) -> IntArray:
    scaled = values - grid.low
    scaled *= 1.0 / grid.width
    index = scaled.astype(np.intp)
    del scaled
    np.clip(index, 0, grid.bins - 1, out=index)
    return np.bincount(index, minlength=grid.bins).astype(np.int64)


def wasserstein_from_counts(reference: IntArray, current: IntArray, width: float) -> float:
    """W1 between two histograms on the same equal-width grid: the area between their CDFs."""
    cdf_ref = np.cumsum(reference, dtype=np.float64) / float(reference.sum())
    cdf_cur = np.cumsum(current, dtype=np.float64) / float(current.sum())
    return float(np.abs(cdf_ref - cdf_cur).sum() * width)


def wasserstein_normalised(reference: FloatArray, current: FloatArray, norm: float) -> float:
    """Wasserstein-1 distance divided by ``norm`` (the reference std): O(n) on a fine grid,
    exact (sorting) when the data's range is too wide for one."""
    grid = make_grid(reference, current, norm)
    if grid is None:
        from scipy.stats import wasserstein_distance

        return float(wasserstein_distance(reference, current)) / norm
    return (
        wasserstein_from_counts(
            grid_counts(reference, grid), grid_counts(current, grid), grid.width
        )
        / norm
    )


def chi_square_test(reference: IntArray, current: IntArray) -> tuple[float, float]:
    """Chi-square test of homogeneity on the 2 x k table of counts: (statistic, p-value).

    Both samples count as samples (unlike a goodness-of-fit test against reference shares), so a
    small reference does not inflate false alarms; categories absent from both are dropped."""
    from scipy.stats import chi2

    table = np.vstack([reference, current]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    k = table.shape[1]
    if k < 2:
        return 0.0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    return statistic, float(chi2.sf(statistic, k - 1))


def z_test(reference: IntArray, current: IntArray) -> tuple[float, float]:
    """Two-proportion Z-test on the share of the first category: (z, two-sided p-value)."""
    from scipy.stats import norm

    n_ref, n_cur = float(reference.sum()), float(current.sum())
    p_ref, p_cur = reference[0] / n_ref, current[0] / n_cur
    pooled = (reference[0] + current[0]) / (n_ref + n_cur)
    variance = pooled * (1.0 - pooled) * (1.0 / n_ref + 1.0 / n_cur)
    if variance <= 0.0:
        return 0.0, 1.0
    z = float((p_ref - p_cur) / math.sqrt(variance))
    return z, float(2.0 * norm.sf(abs(z)))


def _shares(counts: IntArray) -> FloatArray:
    return counts.astype(np.float64) / float(counts.sum())


def jensen_shannon(reference: IntArray, current: IntArray) -> float:
    """Jensen-Shannon distance (natural log, so in [0, sqrt(ln 2)]), as scipy defines it."""
    p, q = _shares(reference), _shares(current)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_p = np.where(p > 0, p * np.log(p / m), 0.0).sum()
        kl_q = np.where(q > 0, q * np.log(q / m), 0.0).sum()
    return math.sqrt(max(0.5 * float(kl_p + kl_q), 0.0))


def psi(reference: IntArray, current: IntArray) -> float:
    """Population stability index; empty bins get a share of :data:`PSI_FLOOR`."""
    p = np.maximum(_shares(reference), PSI_FLOOR)
    q = np.maximum(_shares(current), PSI_FLOOR)
    return float(((q - p) * np.log(q / p)).sum())
