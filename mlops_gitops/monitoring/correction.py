"""Multiple-testing correction of p-values: with 20 clean columns tested at p < 0.05, one false
alarm is expected by chance; Bonferroni or Benjamini-Hochberg (``fdr``) keeps that in check."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mlops_gitops.monitoring.result import ColumnDrift

__all__ = ["adjust_p_values", "correct"]


def adjust_p_values(p_values: list[float], how: str) -> list[float]:
    """Adjusted p-values (compare each with the unchanged alpha)."""
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if how == "bonferroni":
        return [float(v) for v in np.minimum(p * m, 1.0)]
    if how == "fdr":
        order = np.argsort(p)
        scaled = p[order] * m / np.arange(1, m + 1)
        stepped = np.minimum.accumulate(scaled[::-1])[::-1]
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0)
        return [float(v) for v in adjusted]
    return [float(v) for v in p]


def correct(columns: list[ColumnDrift], how: str) -> list[ColumnDrift]:
    """Columns with the p-values of their p-value tests adjusted together (``how`` != none)."""
    tested = [
        i for i, c in enumerate(columns) if c.tested and c.uses_p_value and c.statistic is not None
    ]
    if how == "none" or len(tested) < 2:
        return columns
    raw = [float(columns[i].statistic or 0.0) for i in tested]
    label = "Bonferroni" if how == "bonferroni" else "Benjamini-Hochberg (fdr)"
    out = list(columns)
    for i, adjusted in zip(tested, adjust_p_values(raw, how), strict=True):
        column = columns[i]
        drifted = adjusted < float(column.threshold or 0.0)
        out[i] = replace(
            column,
            statistic=adjusted,
            p_value_raw=column.statistic,
            distribution_drifted=drifted,
            drifted=drifted or column.missing_drifted,
            reason=column.reason + f"; p-value adjusted by {label} over {len(tested)} tests",
        )
    return out
