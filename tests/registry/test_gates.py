"""The pure gate functions: exact messages, margins, directions, float noise."""

from __future__ import annotations

from mlops_gitops.registry.gates import champion_gate, criteria_gate, fmt
from mlops_gitops.registry.metric_files import MetricsSnapshot
from mlops_gitops.specs.models import Criterion


def snap(where: str = "v0.2.0", **values: float) -> MetricsSnapshot:
    return MetricsSnapshot(predictive=dict(values), performance=None, where=where)


def test_fmt_writes_numbers_as_people_do() -> None:
    assert [fmt(0.45 - 0.41), fmt(120.0), fmt(0.0035), fmt(1234567.0)] == [
        "0.04",
        "120",
        "0.0035",
        "1.23457e+06",
    ]


def test_criteria_gate_reports_both_bounds_and_passes() -> None:
    report = criteria_gate(
        (Criterion("r2", min=0.3, max=0.5), Criterion("mae", max=50), Criterion("rmse", min=1)),
        snap(r2=0.6, mae=50.0, rmse=1.0),
    )
    assert report.failed == ("r2 = 0.6 is above the criterion r2 <= 0.5 by 0.1",)
    assert report.passed == ("mae = 50 meets mae <= 50", "rmse = 1 meets rmse >= 1")


def test_booleans_are_not_metrics() -> None:
    report = criteria_gate((Criterion("criteria_passed", min=1),), snap(criteria_passed=True))
    assert report.failed == (
        "criteria_passed is not measured in v0.2.0, so the criterion criteria_passed >= 1 "
        "cannot be checked",
    )


def test_processing_metrics_come_from_the_performance_file() -> None:
    metrics = MetricsSnapshot({"r2": 0.5}, {"p95_latency_ms": 80.0}, "the working tree")
    report = criteria_gate((Criterion("p95_latency_ms", max=50),), metrics)
    assert report.failed == (
        "p95_latency_ms = 80 is above the criterion p95_latency_ms <= 50 by 30",
    )


def duel(new: float, old: float, tolerance: float, higher: bool = True) -> tuple[str, ...]:
    report = champion_gate(
        metric="m",
        greater_is_better=higher,
        challenger=snap(m=new),
        challenger_version="v2",
        champion=snap("v1", m=old),
        champion_version="v1",
        stage="prod",
        tolerance=tolerance,
    )
    return report.failed


def test_champion_gate_tolerance_edges() -> None:
    assert duel(0.81, 0.86, 0.05) == ()  # 0.05000000000000004 is float noise, not a failure
    assert duel(0.80, 0.86, 0.05) != ()
    assert duel(0.9, 0.86, 0.0) == ()
    assert duel(10.0, 12.0, 0.0, higher=False) == ()
    assert duel(12.0, 10.0, 1.0, higher=False) == (
        "challenger v2 has m = 12, champion v1 in prod has m = 10: the challenger is worse by "
        "2, beyond the tolerance 1 (lower is better)",
    )


def test_champion_without_the_metric_cannot_be_compared() -> None:
    report = champion_gate(
        metric="r2",
        greater_is_better=True,
        challenger=snap(r2=0.5),
        challenger_version="v2",
        champion=snap("v1 (commit abc)"),
        champion_version="v1",
        stage="prod",
        tolerance=0.0,
    )
    assert report.failed == (
        "the champion v1 in prod has no r2 in v1 (commit abc), so v2 cannot be compared with it",
    )
