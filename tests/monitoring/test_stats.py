"""The statistics against scipy's reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

from mlops_gitops.monitoring import stats
from mlops_gitops.monitoring.correction import adjust_p_values
from mlops_gitops.monitoring.samples import count_distinct_upto

rng = np.random.default_rng(11)


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        (rng.normal(size=50_000), rng.normal(0.2, 1.3, 30_000)),
        (rng.lognormal(0, 2.5, 20_000), rng.lognormal(0.1, 2.5, 9_000)),
        (np.append(rng.normal(size=400_000), 1e6), rng.normal(0.1, 1, 1000)),  # exact path
        (rng.integers(0, 100, 5_000).astype(float), rng.integers(0, 110, 3_000).astype(float)),
        (np.zeros(1000), np.zeros(500)),
    ],
)
def test_wasserstein_matches_scipy_within_the_grid_tolerance(reference, current):
    norm = stats.reference_norm(reference)
    expected = wasserstein_distance(reference, current) / norm
    assert stats.wasserstein_normalised(reference, current, norm) == pytest.approx(
        expected, abs=stats.GRID_TOLERANCE
    )


def test_a_long_tailed_column_uses_the_exact_distance():
    reference = np.append(rng.normal(size=400_000), 1e6)  # range / std > 500
    assert stats.make_grid(reference, reference, stats.reference_norm(reference)) is None


def test_categorical_statistics_match_scipy():
    ref = np.array([400, 250, 150, 100, 0])
    cur = np.array([300, 260, 300, 90, 50])
    assert stats.jensen_shannon(ref, cur) == pytest.approx(jensenshannon(ref / 900, cur / 1000))
    chi, p = stats.chi_square_test(ref, cur)
    expected = chi2_contingency(np.vstack([ref, cur]), correction=False)
    assert (chi, p) == pytest.approx((expected.statistic, expected.pvalue))
    assert stats.chi_square_test(np.array([10, 0]), np.array([20, 0])) == (0.0, 1.0)


def test_z_test_and_psi():
    z, p = stats.z_test(np.array([200, 800]), np.array([300, 700]))
    assert z == pytest.approx(-0.1 / np.sqrt(0.25 * 0.75 * 2 / 1000))
    assert p < 1e-6
    assert stats.z_test(np.array([10, 0]), np.array([20, 0])) == (0.0, 1.0)
    shares = np.array([0.5, 0.5])
    assert stats.psi(np.array([50, 50]), np.array([50, 50])) == 0.0
    expected = (0.7 - 0.5) * np.log(0.7 / 0.5) + (0.3 - 0.5) * np.log(0.3 / 0.5)
    assert stats.psi((shares * 100).astype(np.int64), np.array([70, 30])) == pytest.approx(expected)


def test_ks_matches_scipy():
    a, b = rng.normal(size=300), rng.normal(0.3, 1, 400)
    expected = ks_2samp(a, b)
    assert stats.ks_test(a, b) == (expected.statistic, expected.pvalue)


def test_count_distinct_stops_early_and_counts_few_values_exactly():
    assert count_distinct_upto((rng.normal(size=10_000),), 5) == 6
    few = (np.array([1.0, 2.0, 1.0, 3.0] * 100), np.array([3.0, 4.0] * 50))
    assert count_distinct_upto(few, 5) == 4
    assert count_distinct_upto((np.array([7.0] * 10), np.array([7.0])), 5) == 1


def test_p_value_adjustments():
    p = [0.01, 0.04, 0.03, 0.5]
    assert adjust_p_values(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 1.0])
    assert adjust_p_values(p, "fdr") == pytest.approx([0.04, 0.05333333, 0.05333333, 0.5])
    assert adjust_p_values(p, "none") == p
