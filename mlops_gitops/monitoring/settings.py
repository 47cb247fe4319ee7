"""What a drift check compares and how: methods, thresholds, overrides and guards.

Defaults follow Evidently's: a reference of 1,000 rows or fewer is judged with p-value tests
(Kolmogorov-Smirnov for numeric columns with more than 5 distinct values, chi-square otherwise,
Z-test for two values); a larger one with distances (Wasserstein normalised by the reference
standard deviation for numeric columns, Jensen-Shannon for categorical ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from mlops_gitops.errors import DriftError

if TYPE_CHECKING:
    from mlops_gitops.specs.models import Monitoring

__all__ = [
    "DEFAULT_THRESHOLDS",
    "DISTANCE_METHODS",
    "METHODS",
    "PVALUE_METHODS",
    "ColumnOverride",
    "DriftSettings",
]

PVALUE_METHODS = ("ks", "chisquare", "ztest")
DISTANCE_METHODS = ("wasserstein", "jensenshannon", "psi")
METHODS = ("auto", *PVALUE_METHODS, *DISTANCE_METHODS)
NUMERIC_ONLY_METHODS = ("ks", "wasserstein")

DEFAULT_THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {
        "ks": 0.05,
        "chisquare": 0.05,
        "ztest": 0.05,
        "wasserstein": 0.1,
        "jensenshannon": 0.1,
        "psi": 0.1,
    }
)

MultipleTesting = Literal["none", "bonferroni", "fdr"]


@dataclass(frozen=True)
class ColumnOverride:
    """A per-column choice of method and/or threshold (``None`` keeps the default)."""

    method: str | None = None
    threshold: float | None = None


def _empty_overrides() -> Mapping[str, ColumnOverride]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DriftSettings:
    """How to judge drift. Validated on construction; change with ``dataclasses.replace``.

    ``method``: one of :data:`METHODS` for every column; ``columns`` overrides it per column.
    ``drift_share``: the dataset drifts when at least this share of tested columns drifts.
    ``min_rows``: fewer current rows (or non-missing values in a column) than this are not judged.
    ``calibrate``: raise distance thresholds to the mean + 3 sigma of the distance between
    reference chunks (of the current window's size) and the whole reference, so small windows
    do not alarm on sampling noise. P-value tests are calibrated by construction.
    ``multiple_testing``: correct p-values over the p-value-tested columns (Bonferroni, or
    Benjamini-Hochberg ``fdr``), so many clean columns do not produce a false alarm by chance.
    A column whose share of missing values rises beyond Evidently's tolerance, significantly,
    counts as drifted (:func:`mlops_gitops.monitoring.quality.missing_rose`).
    ``large_reference``: above this many reference rows, ``auto`` uses distances, not p-values.
    """

    method: str = "auto"
    drift_share: float = 0.5
    min_rows: int = 100
    calibrate: bool = False
    multiple_testing: MultipleTesting = "none"
    columns: Mapping[str, ColumnOverride] = field(default_factory=_empty_overrides)
    large_reference: int = 1000
    calibration_chunks: int = 10
    seed: int = 0

    def __post_init__(self) -> None:
        _check_method("method", self.method, "DriftSettings")
        if not 0.0 < self.drift_share <= 1.0:
            raise _bad("drift_share", "a number in (0, 1]", self.drift_share)
        if self.min_rows < 1:
            raise _bad("min_rows", "a whole number of at least 1", self.min_rows)
        if self.multiple_testing not in ("none", "bonferroni", "fdr"):
            raise _bad(
                "multiple_testing", "one of 'none', 'bonferroni', 'fdr'", self.multiple_testing
            )
        if self.calibration_chunks < 2:
            raise _bad(
                "calibration_chunks", "a whole number of at least 2", self.calibration_chunks
            )
        frozen = {}
        for name, override in self.columns.items():
            if override.method is not None:
                _check_method(f"columns.{name}.method", override.method, "DriftSettings")
            if override.threshold is not None and not override.threshold > 0:
                raise _bad(f"columns.{name}.threshold", "a positive number", override.threshold)
            frozen[name] = ColumnOverride(override.method, override.threshold)
        object.__setattr__(self, "columns", MappingProxyType(frozen))

    @classmethod
    def from_monitoring(cls, monitoring: Monitoring) -> DriftSettings:
        """The settings of a Deployment spec's ``monitoring`` section."""
        return cls(
            method=monitoring.method,
            drift_share=monitoring.drift_share,
            min_rows=monitoring.min_rows,
            calibrate=monitoring.calibrate,
            multiple_testing=monitoring.multiple_testing,
            columns={
                name: ColumnOverride(o.method, o.threshold)
                for name, o in monitoring.columns.items()
            },
        )

    def override(self, column: str) -> ColumnOverride:
        return self.columns.get(column, ColumnOverride())

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary for reports (no empty fields)."""
        out: dict[str, object] = {
            "method": self.method,
            "drift_share": self.drift_share,
            "min_rows": self.min_rows,
            "calibrate": self.calibrate,
            "multiple_testing": self.multiple_testing,
            "missing_share": "drifts when the current share of missing values exceeds the "
            "reference share by more than 10% of it and a one-sided z-test gives p < 0.05",
        }
        if self.columns:
            out["columns"] = {
                name: {
                    k: v
                    for k, v in (("method", o.method), ("threshold", o.threshold))
                    if v is not None
                }
                for name, o in sorted(self.columns.items())
            }
        return out


def _bad(name: str, allowed: str, got: object) -> DriftError:
    return DriftError(
        f"The '{name}' parameter of drift settings must be {allowed}. Got {got!r} instead.",
        "fix `monitoring` in the Deployment spec (or the matching command-line option)",
    )


def _check_method(name: str, method: str, owner: str) -> None:
    if method not in METHODS:
        raise DriftError(
            f"The '{name}' parameter of {owner} must be one of {', '.join(METHODS)}. "
            f"Got {method!r} instead.",
            "pick one of the methods above in `monitoring` of the Deployment spec",
        )
