"""Promotion gates, as pure functions: each returns the failures in words (empty: passed).

Two gates guard a stage: the problem's success criteria, and champion/challenger (the challenger
may not be worse than the version now in the stage, on the problem's primary metric, by more than
the experiment's tolerance). Messages say which check failed and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlops_gitops.registry.metric_files import MetricsSnapshot
from mlops_gitops.specs.models import Criterion

__all__ = ["GateReport", "champion_gate", "criteria_gate", "fmt"]

_EPSILON = 1e-12
"""Float noise: 0.86 - 0.81 is 0.05000000000000004, which must not fail a tolerance of 0.05."""


def fmt(value: float) -> str:
    """A number as people write it: ``0.41``, ``120``, ``0.0035`` (6 significant digits)."""
    return f"{value:.6g}"


@dataclass(frozen=True)
class GateReport:
    passed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def criteria_gate(criteria: Sequence[Criterion], metrics: MetricsSnapshot) -> GateReport:
    """Check every criterion against ``metrics``; a metric that was not measured fails."""
    passed: list[str] = []
    failed: list[str] = []
    for criterion in criteria:
        value = metrics.value(criterion.metric)
        if value is None:
            failed.append(
                f"{criterion.metric} is not measured in {metrics.where}, so the criterion "
                f"{criterion.describe()} cannot be checked"
            )
            continue
        if criterion.min is not None and value < criterion.min:
            failed.append(
                f"{criterion.metric} = {fmt(value)} is below the criterion "
                f"{criterion.metric} >= {fmt(criterion.min)} by {fmt(criterion.min - value)}"
            )
        elif criterion.max is not None and value > criterion.max:
            failed.append(
                f"{criterion.metric} = {fmt(value)} is above the criterion "
                f"{criterion.metric} <= {fmt(criterion.max)} by {fmt(value - criterion.max)}"
            )
        else:
            passed.append(f"{criterion.metric} = {fmt(value)} meets {criterion.describe()}")
    return GateReport(tuple(passed), tuple(failed))


def champion_gate(
    *,
    metric: str,
    greater_is_better: bool,
    challenger: MetricsSnapshot,
    challenger_version: str,
    champion: MetricsSnapshot,
    champion_version: str,
    stage: str,
    tolerance: float,
) -> GateReport:
    """The challenger may trail the champion on ``metric`` by at most ``tolerance`` (absolute)."""
    new = challenger.value(metric)
    old = champion.value(metric)
    if new is None:
        return GateReport(
            failed=(
                f"{metric} is not measured in {challenger.where}, so {challenger_version} cannot "
                f"be compared with the champion {champion_version} in {stage}",
            )
        )
    if old is None:
        return GateReport(
            failed=(
                f"the champion {champion_version} in {stage} has no {metric} in {champion.where}, "
                f"so {challenger_version} cannot be compared with it",
            )
        )
    shortfall = (old - new) if greater_is_better else (new - old)
    words = (
        f"challenger {challenger_version} has {metric} = {fmt(new)}, champion "
        f"{champion_version} in {stage} has {metric} = {fmt(old)}"
    )
    if shortfall > tolerance + _EPSILON:
        return GateReport(
            failed=(
                f"{words}: the challenger is worse by {fmt(shortfall)}, beyond the tolerance "
                f"{fmt(tolerance)} ({'higher' if greater_is_better else 'lower'} is better)",
            )
        )
    if shortfall > 0:
        return GateReport(
            passed=(f"{words}: worse by {fmt(shortfall)}, within the tolerance {fmt(tolerance)}",)
        )
    return GateReport(passed=(f"{words}: not worse",))
