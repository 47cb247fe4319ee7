"""Turn Arrow columns into what the statistics need: float arrays without missing values, or
aligned category counts, plus the missing-value counts. Columnar throughout (Arrow kernels and
numpy), no per-row Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Categories", "NumericPair", "categories", "count_distinct_upto", "numeric_pair"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class NumericPair:
    reference: FloatArray  # finite values only
    current: FloatArray
    missing_reference: int  # nulls, NaN and infinities
    missing_current: int


@dataclass(frozen=True)
class Categories:
    """Counts over ``labels``; the first ``known`` labels occur in the reference, the rest are
    new in the current data. ``reference_codes`` index ``labels`` for each reference value (for
    calibration chunks)."""

    labels: tuple[str, ...]
    known: int
    reference_codes: IntArray
    reference: IntArray
    current: IntArray
    missing_reference: int
    missing_current: int


def to_float(column: pa.ChunkedArray) -> FloatArray:
    """Float64 values with nulls as NaN; raises ``pa.ArrowInvalid`` when values are not numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    values = pc.cast(column, pa.float64()).to_numpy()
    return np.asarray(values, dtype=np.float64)


def _finite(values: FloatArray) -> tuple[FloatArray, int]:
    mask = np.isfinite(values)
    if mask.all():
        return values, 0  # the common case: no copy
    kept = values[mask]
    return kept, int(values.size - kept.size)


def numeric_pair(reference: pa.ChunkedArray, current: pa.ChunkedArray) -> NumericPair:
    ref, ref_missing = _finite(to_float(reference))
    cur, cur_missing = _finite(to_float(current))
    return NumericPair(ref, cur, ref_missing, cur_missing)


def count_distinct_upto(arrays: tuple[FloatArray, ...], limit: int) -> int:
    """The number of distinct values across ``arrays``, capped at ``limit + 1``: O(n) per pass
    and usually one pass for continuous data, unlike a full ``np.unique``."""
    seen = np.empty(0, dtype=np.float64)
    for values in arrays:
        rest = values
        while rest.size:
            seen = np.union1d(seen, rest[: 4 * (limit + 1)])
            if seen.size > limit:
                return limit + 1
            rest = rest[~np.isin(rest, seen)]
    return int(seen.size)


def numeric_categories(pair: NumericPair) -> Categories:
    """A few-valued numeric column seen as categories (labels formatted with ``%g``)."""
    levels, codes = np.unique(pair.reference, return_inverse=True)
    position = np.clip(np.searchsorted(levels, pair.current), 0, max(levels.size - 1, 0))
    matched = (
        levels[position] == pair.current if levels.size else np.zeros(pair.current.size, dtype=bool)
    )
    new_levels, new_counts = np.unique(pair.current[~matched], return_counts=True)
    labels = tuple(f"{v:g}" for v in levels) + tuple(f"{v:g}" for v in new_levels)
    current = np.concatenate(
        [np.bincount(position[matched], minlength=levels.size), new_counts]
    ).astype(np.int64)
    reference = np.concatenate(
        [np.bincount(codes, minlength=levels.size), np.zeros(new_levels.size, np.int64)]
    ).astype(np.int64)
    return Categories(
        labels,
        int(levels.size),
        codes.astype(np.int64),
        reference,
        current,
        pair.missing_reference,
        pair.missing_current,
    )


def categories(
    reference: pa.ChunkedArray, current: pa.ChunkedArray, *, codes: bool = False
) -> Categories:
    """Category counts of two Arrow columns (values compared as strings; booleans as
    ``true``/``false``; numbers by value when both sides are numeric). Counting is one hash pass
    per side (``value_counts``), cheap for dictionary-encoded columns; the per-row
    ``reference_codes`` are computed only when ``codes`` is true (calibration needs them)."""
    import pyarrow.compute as pc

    if _is_number(_value_type(reference.type)) and _is_number(_value_type(current.type)):
        return numeric_categories(numeric_pair(reference, current))
    ref_values, ref_counts = _value_counts(reference)
    cur_values, cur_counts = _value_counts(current)
    known = len(ref_values)
    position = pc.index_in(cur_values, value_set=ref_values)
    matched = np.asarray(position.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    where = np.asarray(position.fill_null(0).to_numpy(), dtype=np.int64)
    current_counts = np.concatenate(
        [
            np.bincount(where[matched], weights=cur_counts[matched], minlength=known),
            cur_counts[~matched],
        ]
    ).astype(np.int64)
    reference_counts = np.concatenate([ref_counts, np.zeros(int((~matched).sum()), dtype=np.int64)])
    labels = [str(v) for v in ref_values.to_pylist()]
    labels += [str(v) for v, m in zip(cur_values.to_pylist(), matched, strict=True) if not m]
    reference_codes = np.zeros(0, dtype=np.int64)
    if codes:
        index = pc.index_in(_as_string(reference), value_set=ref_values)
        reference_codes = np.asarray(index.drop_null().to_numpy(), dtype=np.int64)
    return Categories(
        tuple(labels),
        known,
        reference_codes,
        reference_counts,
        current_counts,
        reference.null_count,
        current.null_count,
    )


def _value_counts(column: pa.ChunkedArray) -> tuple[pa.Array, IntArray]:
    """Distinct non-null values (as large strings) and how often each occurs."""
    import pyarrow as pa
    import pyarrow.compute as pc

    counted = pc.value_counts(column)
    values = counted.field("values")
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    keep = values.is_valid()
    values = values.filter(keep).cast(pa.large_string())
    counts = np.asarray(counted.field("counts").filter(keep).to_numpy(), dtype=np.int64)
    return values, counts


def _value_type(type_: pa.DataType) -> pa.DataType:
    import pyarrow as pa

    return type_.value_type if pa.types.is_dictionary(type_) else type_


def _is_number(type_: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(type_) or pa.types.is_floating(type_) or pa.types.is_decimal(type_)
    )


def _as_string(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(pa.large_string())
