"""Generated reference and current tables with drift planted in known columns."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from mlops_gitops.ml.artifact import FeatureInfo

__all__ = ["CATEGORIES", "FEATURES", "NOW", "NUMBERS", "PLANTED", "planted"]

NOW = datetime(2024, 5, 8, 6, 0, tzinfo=UTC)
"""The check time of the generated request windows."""


def planted(n: int, seed: int = 0) -> tuple[pa.Table, pa.Table]:
    """Reference and current tables of ``n`` rows each.

    Drift is planted in ``shift`` (+0.6 sd), ``scale`` (sd x 2), ``colour`` (share of "red"
    from 20% to 50%) and ``plan`` (a new category "premium" on 15% of rows). ``tiny`` moves by
    0.02 sd (negligible); ``clean_*``, ``count``, ``flag`` and ``size`` do not move.
    """
    rng = np.random.default_rng(seed)

    def side(current: bool) -> pa.Table:
        cols: dict[str, object] = {f"clean_{i}": rng.normal(10.0 * i, 1.0 + i, n) for i in range(6)}
        cols["shift"] = rng.normal(0.6 if current else 0.0, 1.0, n)
        cols["scale"] = rng.normal(0.0, 2.0 if current else 1.0, n)
        cols["tiny"] = rng.normal(0.02 if current else 0.0, 1.0, n)
        cols["count"] = rng.poisson(3.0, n)
        red = 0.5 if current else 0.2
        cols["colour"] = rng.choice(["red", "green", "blue"], n, p=[red, 0.8 - red, 0.2])
        if current:
            plan = rng.choice(["basic", "plus", "premium"], n, p=[0.55, 0.30, 0.15])
        else:
            plan = rng.choice(["basic", "plus"], n, p=[0.65, 0.35])
        cols["plan"] = plan
        cols["flag"] = rng.random(n) < 0.3
        cols["size"] = rng.choice(["S", "M", "L", "XL"], n, p=[0.1, 0.4, 0.4, 0.1])
        return pa.table(cols)

    return side(False), side(True)


PLANTED = {"shift", "scale", "colour", "plan"}


NUMBERS = [f"clean_{i}" for i in range(6)] + ["shift", "scale", "tiny", "count"]
CATEGORIES = ["colour", "plan", "flag", "size"]
FEATURES = tuple(FeatureInfo(n, "number") for n in NUMBERS) + tuple(
    FeatureInfo(n, "boolean" if n == "flag" else "category") for n in CATEGORIES
)
"""The planted tables' columns as a model's features."""
