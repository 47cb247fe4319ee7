"""The outcome of a drift check: one :class:`ColumnDrift` per column, one :class:`DriftResult`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ColumnDrift", "DriftResult", "Histogram"]

Kind = Literal["numeric", "categorical", "skipped"]
Role = Literal["feature", "prediction"]
Status = Literal["ok", "insufficient_data"]


@dataclass(frozen=True)
class Histogram:
    """Reference and current shares over the same bins (numeric) or categories, for plots."""

    labels: tuple[str, ...]
    reference: tuple[float, ...]
    current: tuple[float, ...]
    edges: tuple[float, ...] = ()  # numeric: len(labels) + 1 bin edges; categorical: empty


@dataclass(frozen=True)
class ColumnDrift:
    """How one column was judged.

    ``statistic`` is the value compared with ``threshold``: a p-value (drift when below it) for
    ks, chisquare and ztest, a distance (drift when at or above it) for the others.
    ``test_statistic`` is the raw statistic of a p-value test (KS D, chi-square, z).
    ``reason`` says why this test was chosen; ``skipped`` says why the column was not tested.
    ``data_quality`` names a data-quality failure of the current data (the column is missing,
    all missing, holds non-finite numbers or values of the wrong type): the column counts as
    drifted, and any such failure makes the whole dataset fail its check.
    """

    name: str
    kind: Kind
    role: Role = "feature"
    method: str | None = None
    statistic: float | None = None
    threshold: float | None = None
    drifted: bool = False
    reason: str = ""
    skipped: str | None = None
    threshold_source: Literal["default", "override", "calibrated"] | None = None
    test_statistic: float | None = None
    p_value_raw: float | None = None
    distribution_drifted: bool = False
    missing_reference: float = 0.0
    missing_current: float = 0.0
    missing_drifted: bool = False
    reference_values: int = 0
    current_values: int = 0
    unseen_categories: tuple[str, ...] = ()
    unseen_share: float = 0.0
    data_quality: str | None = None
    histogram: Histogram | None = field(default=None, compare=False, repr=False)

    @property
    def tested(self) -> bool:
        return self.skipped is None

    @property
    def uses_p_value(self) -> bool:
        return self.method in ("ks", "chisquare", "ztest")

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "kind": self.kind,
            "role": self.role,
            "drifted": self.drifted,
            "reason": self.reason,
            "missing_reference": _round(self.missing_reference),
            "missing_current": _round(self.missing_current),
            "missing_drifted": self.missing_drifted,
            "reference_values": self.reference_values,
            "current_values": self.current_values,
        }
        optional: dict[str, object | None] = {
            "method": self.method,
            "statistic": _round(self.statistic),
            "threshold": _round(self.threshold),
            "threshold_source": self.threshold_source,
            "comparison": None
            if self.method is None
            else ("p_value < threshold" if self.uses_p_value else "distance >= threshold"),
            "distribution_drifted": self.distribution_drifted if self.tested else None,
            "skipped": self.skipped,
            "data_quality": self.data_quality,
            "test_statistic": _round(self.test_statistic),
            "p_value_raw": _round(self.p_value_raw),
            "unseen_categories": list(self.unseen_categories) or None,
            "unseen_share": _round(self.unseen_share) if self.unseen_categories else None,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


@dataclass(frozen=True)
class DriftResult:
    """A whole check. ``dataset_drift`` is true when ``drift_share`` (drifted / tested feature
    columns) reaches ``drift_share_threshold``, or when a feature column failed a data-quality
    check (:attr:`ColumnDrift.data_quality`); the prediction column is reported on its own."""

    dataset_drift: bool
    drift_share: float
    drift_share_threshold: float
    columns: tuple[ColumnDrift, ...]
    reference_rows: int
    current_rows: int
    status: Status = "ok"
    message: str = ""
    settings: dict[str, object] = field(default_factory=dict, compare=False)
    deployment: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def features(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.role == "feature")

    @property
    def tested_features(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.features if c.tested)

    @property
    def drifted_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.drifted)

    @property
    def prediction(self) -> ColumnDrift | None:
        return next((c for c in self.columns if c.role == "prediction"), None)

    @property
    def prediction_drift(self) -> bool | None:
        p = self.prediction
        return None if p is None or (not p.tested and not p.missing_drifted) else p.drifted

    @property
    def data_quality_failures(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.features if c.data_quality is not None)

    def column(self, name: str) -> ColumnDrift:
        return next(c for c in self.columns if c.name == name)

    def headline(self) -> str:
        if self.status != "ok":
            return f"Drift not judged: {self.message}"
        tested = len(self.tested_features)
        drifted = sum(c.drifted for c in self.tested_features)
        verdict = "Dataset drift detected" if self.dataset_drift else "No dataset drift"
        line = (
            f"{verdict}: {drifted} of {tested} feature column(s) drifted "
            f"(share {self.drift_share:.2f}, alarm at {self.drift_share_threshold:.2f})"
        )
        failures = self.data_quality_failures
        if failures:
            line += "; data-quality failure in " + ", ".join(c.name for c in failures)
        if self.prediction_drift is not None:
            line += "; prediction drifted" if self.prediction_drift else "; prediction stable"
        return line + "."

    def to_dict(self) -> dict[str, object]:
        tested = self.tested_features
        out: dict[str, object] = {
            "dataset_drift": self.dataset_drift,
            "drift_share": _round(self.drift_share),
            "drift_share_threshold": self.drift_share_threshold,
            "status": self.status,
            "headline": self.headline(),
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "number_of_columns": len(self.columns),
            "number_of_tested_columns": len(tested),
            "number_of_drifted_columns": sum(c.drifted for c in tested),
            "drifted_columns": sorted(c.name for c in tested if c.drifted),
            "data_quality_failures": sorted(c.name for c in self.data_quality_failures),
            "columns": {c.name: c.to_dict() for c in self.columns},
        }
        optional: dict[str, object | None] = {
            "message": self.message or None,
            "prediction_drift": self.prediction_drift,
            "settings": self.settings or None,
            "deployment": self.deployment,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "notes": list(self.notes) or None,
        }
        out.update({k: v for k, v in optional.items() if v is not None})
        return out


def _round(value: float | None) -> float | None:
    """Six significant digits keep reports stable and readable; inf and nan become None."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.6g}")
