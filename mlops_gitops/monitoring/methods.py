"""Choose the test for a column: the column's override, else the settings' method, else
Evidently's defaults by type and size. Each choice comes with the reason a report shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops_gitops.errors import DriftError
from mlops_gitops.monitoring.settings import (
    DEFAULT_THRESHOLDS,
    NUMERIC_ONLY_METHODS,
    DriftSettings,
)

__all__ = ["FEW_VALUES", "Choice", "choose"]

FEW_VALUES = 5
"""A numeric column with this many distinct values or fewer is tested as categories."""

NAMES = {
    "ks": "Kolmogorov-Smirnov",
    "chisquare": "chi-square",
    "ztest": "two-proportion Z-test",
    "wasserstein": "Wasserstein distance / reference std",
    "jensenshannon": "Jensen-Shannon distance",
    "psi": "population stability index",
}

# How the data enter the test: raw values, categories (or few values), or reference-decile bins.
Shape = Literal["values", "categories", "bins"]


@dataclass(frozen=True)
class Choice:
    method: str
    threshold: float
    threshold_source: Literal["default", "override"]
    shape: Shape
    reason: str


def choose(
    name: str,
    numeric: bool,
    distinct: int,
    reference_values: int,
    settings: DriftSettings,
) -> Choice:
    """``distinct`` counts values in both samples, capped at ``FEW_VALUES + 1``."""
    override = settings.override(name)
    continuous = numeric and distinct > FEW_VALUES
    if override.method is not None and override.method != "auto":
        method = override.method
        _check_fits(name, method, continuous, distinct)
        reason = f"{NAMES[method]}: set for this column in monitoring.columns"
    else:
        method, reason = _default(settings, continuous, distinct, reference_values)
    if override.threshold is not None:
        threshold, source = override.threshold, "override"
        reason += f"; threshold {override.threshold:g} set for this column"
    else:
        threshold, source = DEFAULT_THRESHOLDS[method], "default"
    shape: Shape = (
        "values"
        if continuous and method in NUMERIC_ONLY_METHODS
        else ("bins" if continuous else "categories")
    )
    if shape == "bins":
        reason += "; values binned at the reference deciles"
    return Choice(method, threshold, source, shape, reason)  # type: ignore[arg-type]


def _describe(continuous: bool, distinct: int) -> str:
    if continuous:
        return f"numeric with more than {FEW_VALUES} distinct values"
    if distinct <= 1:
        return "constant (one value in both samples)"
    return f"categorical or few-valued ({distinct} distinct values)"


def _default(
    settings: DriftSettings, continuous: bool, distinct: int, reference_values: int
) -> tuple[str, str]:
    what = _describe(continuous, distinct)
    small = reference_values <= settings.large_reference
    size = (
        f"{reference_values} reference values (<= {settings.large_reference})"
        if small
        else f"{reference_values} reference values (> {settings.large_reference})"
    )
    if small:
        method = "ks" if continuous else ("chisquare" if distinct > 2 else "ztest")
    else:
        method = "wasserstein" if continuous else "jensenshannon"
    if settings.method != "auto":
        wanted = settings.method
        if _fits(wanted, continuous, distinct):
            return wanted, f"{NAMES[wanted]}: the settings' method for every column"
        return method, (
            f"{NAMES[method]}: the settings' method {wanted!r} does not fit a "
            f"column that is {what}, so the default for it is used"
        )
    return method, f"{NAMES[method]}: {what}, {size}"


def _fits(method: str, continuous: bool, distinct: int) -> bool:
    if method in NUMERIC_ONLY_METHODS:
        return continuous
    if method == "ztest":
        return not continuous and distinct <= 2
    return True


def _check_fits(name: str, method: str, continuous: bool, distinct: int) -> None:
    if _fits(method, continuous, distinct):
        return
    if method in NUMERIC_ONLY_METHODS:
        found = "is categorical or has 5 distinct values or fewer"
        instead = "chisquare, jensenshannon or psi"
    else:
        found = f"has {distinct} distinct values" if not continuous else "is continuous"
        instead = "chisquare or jensenshannon"
    raise DriftError(
        f"monitoring.columns.{name}.method is {method!r}, which does not fit column {name!r}: "
        f"it {found}",
        f"use {instead} for this column, or remove the override to let `auto` choose",
    )
