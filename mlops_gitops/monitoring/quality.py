"""Data-quality checks of the current data, column by column, run before any drift test.

A model fed a column that vanished, that is all missing, that holds infinities or values of the
wrong type is broken whatever the distributions say, so each of these is a finding of its own
(:attr:`ColumnDrift.data_quality`), never a skipped column. The share of missing values is tested
per column as Evidently's ``TestColumnShareOfMissingValues`` does (the current share must stay
within 10% of the reference share), with a one-sided two-proportion z-test on top so a window of
a few hundred rows does not alarm on sampling noise.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from mlops_gitops.io.tables import Kind, TableError, conform
from mlops_gitops.monitoring.columns import ColumnPlan
from mlops_gitops.monitoring.samples import to_float

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["MISSING_SHARE_ALPHA", "MISSING_SHARE_TOLERANCE", "current_failure", "missing_rose"]

MISSING_SHARE_TOLERANCE = 0.1
"""Evidently's default: the current share of missing values may exceed the reference share by
10% of it (``approx(reference_share, relative=0.1)``)."""
MISSING_SHARE_ALPHA = 0.05


def current_failure(
    plan: ColumnPlan, reference: pa.ChunkedArray, current: pa.ChunkedArray
) -> str | None:
    """What is wrong with ``current`` as data for this column, or None."""
    import pyarrow as pa

    rows = len(current)
    if rows == 0 or plan.kind == "skipped":
        return None
    if not plan.declared.startswith("inferred:"):
        kind = _kind_of(plan.declared, reference)
        try:
            current = conform(pa.table({plan.name: current}), {plan.name: kind}).column(0)
        except TableError as error:
            return "wrong type: " + error.message.split(": ", 2)[-1]
    if plan.kind == "numeric":
        try:
            values = to_float(current)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return f"wrong type: {current.type} values where numbers are expected"
        finite = np.isfinite(values)
        infinite = np.isinf(values)
        if infinite.any():
            return f"{int(infinite.sum())} of {rows} value(s) are not finite (±inf)"
        if not finite.any() and _has_values(reference):
            return f"all {rows} value(s) are missing"
        return None
    if current.null_count == rows and _has_values(reference):
        return f"all {rows} value(s) are missing"
    return None


def _kind_of(declared: str, reference: pa.ChunkedArray) -> Kind:
    """The reader's kind for a schema type: a category whose reference values are integers is
    an integer category (the schema's allowed values are not at hand here)."""
    import pyarrow as pa

    if declared == "number":
        return "number"
    if declared == "integer":
        return "integer"
    if declared == "boolean":
        return "boolean"
    value_type = reference.type
    if pa.types.is_dictionary(value_type):
        value_type = value_type.value_type
    return "int-category" if pa.types.is_integer(value_type) else "string"


def _has_values(column: pa.ChunkedArray) -> bool:
    return bool(len(column) > column.null_count)


def missing_rose(missing_ref: int, rows_ref: int, missing_cur: int, rows_cur: int) -> bool:
    """Whether the share of missing values rose beyond Evidently's tolerance, significantly."""
    if rows_ref == 0 or rows_cur == 0:
        return False
    share_ref, share_cur = missing_ref / rows_ref, missing_cur / rows_cur
    if share_cur <= share_ref * (1.0 + MISSING_SHARE_TOLERANCE):
        return False
    pooled = (missing_ref + missing_cur) / (rows_ref + rows_cur)
    variance = pooled * (1.0 - pooled) * (1.0 / rows_ref + 1.0 / rows_cur)
    if variance <= 0.0:
        return True
    z = (share_cur - share_ref) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2.0)) < MISSING_SHARE_ALPHA
