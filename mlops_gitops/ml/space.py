"""A candidate's parameters as a search space: fixed values, choices and ranges.

* a scalar is a fixed value, set on the estimator;
* a tuple is a list of choices;
* a :class:`Range` becomes a scipy.stats distribution for random and halving searches
  (``loguniform`` when ``log``, ``uniform`` otherwise, ``randint`` when ``integer``), or
  :data:`GRID_POINTS` points (``geomspace`` when ``log``) for a grid search.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mlops_gitops.errors import MlopsError
from mlops_gitops.specs.hyperparams import GRID_POINTS
from mlops_gitops.specs.models import Candidate, ParamValue, Range

__all__ = [
    "CandidateSpace",
    "LogRandInt",
    "candidate_space",
    "grid_values",
    "range_distribution",
    "space_size",
]

Strategy = Literal["grid", "random", "halving"]


@dataclass(frozen=True)
class CandidateSpace:
    """``fixed``: estimator parameters; ``space``: searched parameters (lists or distributions)."""

    fixed: Mapping[str, Any]
    space: Mapping[str, Any]

    @property
    def is_search(self) -> bool:
        return bool(self.space)


class LogRandInt:
    """Whole numbers drawn log-uniformly from ``[low, high]`` (scipy has no log-scale randint)."""

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        import numpy as np
        from scipy.stats import loguniform

        draws = loguniform(self.low, self.high + 1).rvs(size=size, random_state=random_state)
        values = np.clip(np.floor(draws), self.low, self.high).astype(int)
        return int(values) if size is None else values

    def __repr__(self) -> str:
        return f"LogRandInt({self.low}, {self.high})"


def range_distribution(value: Range) -> Any:
    """The scipy.stats distribution a random or halving search draws ``value`` from."""
    from scipy.stats import loguniform, randint, uniform

    _check_range(value)
    if value.integer:
        low, high = math.ceil(value.low), math.floor(value.high)
        return LogRandInt(low, high) if value.log else randint(low, high + 1)
    if value.log:
        return loguniform(value.low, value.high)
    return uniform(loc=value.low, scale=value.high - value.low)


def grid_values(value: Range, points: int = GRID_POINTS) -> list[Any]:
    """``points`` values over ``value``: log-spaced when ``log``, whole and unique if integer."""
    import numpy as np

    _check_range(value)
    spaced = (
        np.geomspace(value.low, value.high, points)
        if value.log
        else np.linspace(value.low, value.high, points)
    )
    if value.integer:
        return sorted({round(float(v)) for v in spaced})
    return [float(v) for v in spaced]


def _check_range(value: Range) -> None:
    if value.high < value.low:
        raise MlopsError(
            f"range low={value.low:g} is above high={value.high:g}",
            "swap the ends of the range in the experiment",
        )
    if value.log and value.low <= 0:
        raise MlopsError(
            f"a log range must start above 0, got low={value.low:g}",
            "raise `low` above 0 or set `log: false`",
        )


def candidate_space(candidate: Candidate, strategy: Strategy) -> CandidateSpace:
    """Split a candidate's parameters into fixed values and a search space for ``strategy``."""
    fixed: dict[str, Any] = {}
    space: dict[str, Any] = {}
    for name, value in candidate.params.items():
        converted = _convert(value, strategy)
        if converted is None:
            fixed[name] = value
        else:
            if isinstance(converted, list) and not converted:
                raise MlopsError(
                    f"candidate '{candidate.name}': parameter '{name}' has an empty list of "
                    "choices",
                    "give at least one value, or a single value to fix it",
                )
            space[name] = converted
    return CandidateSpace(fixed=fixed, space=space)


def _convert(value: ParamValue, strategy: Strategy) -> Any:
    if isinstance(value, Range):
        return grid_values(value) if strategy == "grid" else range_distribution(value)
    if isinstance(value, tuple):
        return list(value)
    return None


def space_size(space: Mapping[str, Any]) -> int | None:
    """How many configurations a space of lists holds; None when a parameter is a distribution."""
    size = 1
    for values in space.values():
        if not isinstance(values, list):
            return None
        size *= len(values)
    return size
