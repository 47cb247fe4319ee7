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
    matched = (levels[position] == pair.current if levels.size
               else np.zeros(pair.current.size, dtype=bool))
    new_levels, new_counts = np.unique(pair.current[~matched], return_counts=True)
    labels = tuple(f"{v:g}" for v in levels) + tuple(f"{v:g}" for v in new_levels)
    current = np.concatenate([
        np.bincount(position[matched], minlength=levels.size), new_counts
    ]).astype(np.int64)
    reference = np.concatenate([
        np.bincount(codes, minlength=levels.size), np.zeros(new_levels.size, np.int64)
    ]).astype(np.int64)
    return Categories(labels, int(levels.size), codes.astype(np.int64), reference, current,
                      pair.missing_reference, pair.missing_current)


def categories(reference: pa.ChunkedArray, current: pa.ChunkedArray) -> Categories:
    """Category counts of two Arrow columns (values compared as strings; booleans as
    ``true``/``false``; numbers by value when both sides are numeric)."""
    import pyarrow.compute as pc

    if _is_number(reference.type) and _is_number(current.type):
        return numeric_categories(numeric_pair(reference, current))
    ref = _as_string(reference)
    cur = _as_string(current)
    encoded = pc.dictionary_encode(ref)
    dictionary = encoded.dictionary
    codes = np.asarray(encoded.indices.drop_null().to_numpy(), dtype=np.int64)
    index = pc.index_in(cur, value_set=dictionary)
    unseen = cur.filter(pc.and_(pc.is_null(index), pc.is_valid(cur)))
    known = len(dictionary)
    labels = [str(v) for v in dictionary.to_pylist()]
    new_counts = np.zeros(0, dtype=np.int64)
    if len(unseen):
        counted = pc.value_counts(unseen)
        labels += [str(v) for v in counted.field("values").to_pylist()]
        new_counts = np.asarray(counted.field("counts").to_numpy(), dtype=np.int64)
    matched = np.asarray(index.drop_null().to_numpy(), dtype=np.int64)
    current_counts = np.concatenate([np.bincount(matched, minlength=known), new_counts])
    reference_counts = np.concatenate(
        [np.bincount(codes, minlength=known), np.zeros(new_counts.size, dtype=np.int64)])
    return Categories(
        tuple(labels), known, codes, reference_counts.astype(np.int64),
        current_counts.astype(np.int64), ref.null_count, cur.null_count,
    )


def _is_number(type_: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(type_) or pa.types.is_floating(type_)
                or pa.types.is_decimal(type_))


def _as_string(column: pa.ChunkedArray) -> pa.Array:
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(pa.large_string()).combine_chunks()
