from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.space import (
    LogRandInt,
    candidate_space,
    grid_values,
    range_distribution,
    space_size,
)
from mlops_gitops.specs.models import Candidate, Range


def test_log_range_is_loguniform() -> None:
    dist = range_distribution(Range(1e-3, 10.0, log=True))
    assert dist.dist.name == "loguniform"
    draws = dist.rvs(size=2000, random_state=0)
    assert draws.min() >= 1e-3 and draws.max() <= 10.0
    # log-uniform: about a quarter of the draws in each decade of the four
    assert 0.2 < np.mean(draws < 1e-2) < 0.3


def test_linear_range_is_uniform_over_low_high() -> None:
    dist = range_distribution(Range(2.0, 5.0))
    assert dist.dist.name == "uniform"
    assert dist.support() == (2.0, 5.0)


def test_integer_range_is_randint_with_high_included() -> None:
    dist = range_distribution(Range(3, 6, integer=True))
    assert dist.dist.name == "randint"
    assert set(dist.rvs(size=500, random_state=0).tolist()) == {3, 4, 5, 6}


def test_integer_log_range_draws_whole_numbers_within_bounds() -> None:
    dist = range_distribution(Range(10, 1000, log=True, integer=True))
    assert isinstance(dist, LogRandInt)
    draws = dist.rvs(size=1000, random_state=1)
    assert draws.dtype.kind == "i" and draws.min() >= 10 and draws.max() <= 1000
    assert 0.4 < np.mean(draws < 100) < 0.6
    assert isinstance(dist.rvs(random_state=np.random.RandomState(0)), int)


def test_grid_points() -> None:
    assert grid_values(Range(1e-2, 1e2, log=True)) == pytest.approx([0.01, 0.1, 1.0, 10.0, 100.0])
    assert grid_values(Range(0.0, 1.0)) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert grid_values(Range(1, 3, integer=True)) == [1, 2, 3]


def test_bad_ranges_say_how_to_fix_them() -> None:
    with pytest.raises(MlopsError, match="log range must start above 0"):
        range_distribution(Range(0.0, 1.0, log=True))
    with pytest.raises(MlopsError, match="swap the ends"):
        grid_values(Range(5.0, 1.0))


def test_candidate_space_splits_fixed_from_searched() -> None:
    cand = Candidate(
        "c",
        "ridge",
        {"fit_intercept": True, "solver": ("auto", "svd"), "alpha": Range(0.1, 10.0, log=True)},
    )
    random = candidate_space(cand, "random")
    assert random.fixed == {"fit_intercept": True}
    assert random.space["solver"] == ["auto", "svd"]
    assert isinstance(random.space["alpha"], type(stats.loguniform(1, 2)))
    assert space_size(random.space) is None
    grid = candidate_space(cand, "grid")
    assert space_size(grid.space) == 10
    assert not candidate_space(Candidate("d", "ridge", {"alpha": 1.0}), "grid").is_search
