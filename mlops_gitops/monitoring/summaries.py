"""Mergeable summaries of the current window, column by column, on the reference profile's bins.

A summary is built from Arrow batches one at a time (:meth:`NumericSummary.add`) and two
summaries of disjoint rows merge into the summary of their union (:meth:`NumericSummary.merged`):
counts add up, category counts add up in first-appearance order, the bounded buffer of raw
values concatenates until it passes its limit. So a window summarised file by file, batch by
batch, on one machine or on a Dask cluster, gives the same summary as one pass over one file,
and memory depends on the batch size and the number of bins, never on the window's length.

What is accumulated for a column is decided before reading (:class:`Needs`): the profile's
fine grid for Wasserstein and KS, the decile counts for binned tests, the distinct levels while
the reference has few, raw values only for a column KS may test. The data-quality facts of the
exact engine (wrong type, infinities, all missing, missing share) are counted on the way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mlops_gitops.io.tables import Kind, TableError, conform
from mlops_gitops.monitoring.methods import FEW_VALUES
from mlops_gitops.monitoring.stats import Grid

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "RAW_VALUES",
    "CategorySummary",
    "Needs",
    "NumericSummary",
    "WindowSummary",
    "new_summary",
]

RAW_VALUES = 100_000
"""Raw current values kept per KS-tested column: up to this many, KS is exact."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_AT_ROW = re.compile(r"at row (\d+)")


@dataclass(frozen=True)
class Needs:
    """What to accumulate for one column (decided from the profile and the settings)."""

    name: str
    kind: str  # "numeric" or "categorical"
    check_kind: Kind | None = None  # the reader's kind to check values against (None: inferred)
    grid: Grid | None = None
    decile_edges: tuple[float, ...] | None = None
    levels: bool = False  # count distinct values while there are few
    raw_limit: int = 0  # keep up to this many raw values (KS); 0: none
    numeric_levels: bool = False  # categorical: count numbers by value (both sides numeric)


@dataclass
class NumericSummary:
    needs: Needs
    rows: int = 0
    missing: int = 0  # null, NaN or infinite
    infinite: int = 0
    values: int = 0  # finite
    max_abs: float = 0.0
    wrong_type: tuple[int, str] | None = None  # (row, finding) of the first bad value
    levels: dict[float, int] | None = field(default_factory=dict)
    grid: IntArray | None = None
    below: tuple[int, float] = (0, 0.0)  # values under the grid: count, sum of (low - x)
    above: tuple[int, float] = (0, 0.0)  # values over the grid: count, sum of (x - high)
    deciles: IntArray | None = None
    raw: list[FloatArray] | None = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.needs.grid is not None and self.grid is None:
            self.grid = np.zeros(self.needs.grid.bins, dtype=np.int64)
        if self.needs.decile_edges is not None and self.deciles is None:
            self.deciles = np.zeros(len(self.needs.decile_edges) + 1, dtype=np.int64)
        if not self.needs.levels:
            self.levels = None
        if not self.needs.raw_limit:
            self.raw = None

    def add(self, array: pa.Array | pa.ChunkedArray) -> None:
        import pyarrow as pa

        from mlops_gitops.monitoring.samples import to_float

        first = self.rows
        self.rows += len(array)
        if self.wrong_type is not None:
            return
        if _wrong_type(self, array, first):
            return
        try:
            values = to_float(pa.chunked_array([array]) if isinstance(array, pa.Array) else array)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            self.wrong_type = (first, f"wrong type: {array.type} values where numbers are expected")
            return
        # min and max propagate NaN and show infinities: finite extremes mean all finite
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
        if not (math.isfinite(low) and math.isfinite(high)):
            finite = np.isfinite(values)
            self.infinite += int(np.isinf(values).sum())
            values = values[finite]
            if values.size:
                low, high = float(values.min()), float(values.max())
        self.missing += len(array) - int(values.size)
        self.values += int(values.size)
        if not values.size:
            return
        self.max_abs = max(self.max_abs, abs(low), abs(high))
        if self.levels is not None:
            self._add_levels(values)
        if self.needs.grid is not None and self.grid is not None:
            self._add_grid(values, low, high, self.needs.grid, self.grid)
        if self.deciles is not None and self.needs.decile_edges is not None:
            codes = np.searchsorted(np.asarray(self.needs.decile_edges), values, side="right")
            self.deciles += np.bincount(codes, minlength=self.deciles.size)
        if self.raw is not None:
            if sum(v.size for v in self.raw) + values.size > self.needs.raw_limit:
                self.raw = None
            else:
                self.raw.append(np.array(values, dtype=np.float64))

    def _add_levels(self, values: FloatArray) -> None:
        from mlops_gitops.monitoring.samples import count_distinct_upto

        if self.levels is None or count_distinct_upto((values,), FEW_VALUES) > FEW_VALUES:
            self.levels = None
            return
        found, counts = np.unique(values, return_counts=True)
        for value, count in zip(found.tolist(), counts.tolist(), strict=True):
            self.levels[value] = self.levels.get(value, 0) + count
        if len(self.levels) > FEW_VALUES:
            self.levels = None

    def _add_grid(
        self, values: FloatArray, low: float, high: float, grid: Grid, counts: IntArray
    ) -> None:
        top = grid.low + grid.width * grid.bins
        if low < grid.low or high > top:
            under = values < grid.low
            over = values > top
            if under.any():
                kept = values[under]
                self.below = (
                    self.below[0] + kept.size,
                    self.below[1] + float((grid.low - kept).sum()),
                )
            if over.any():
                kept = values[over]
                self.above = (self.above[0] + kept.size, self.above[1] + float((kept - top).sum()))
            values = values[~(under | over)]
            if not values.size:
                return
        scaled = values - grid.low
        scaled *= 1.0 / grid.width
        index = scaled.astype(np.intp)
        del scaled
        found = np.bincount(index, minlength=grid.bins)
        counts += found[: grid.bins]
        if found.size > grid.bins:  # the top edge (and rounding just past it): the last bin
            counts[-1] += found[grid.bins :].sum()

    @property
    def raw_values(self) -> FloatArray | None:
        if self.raw is None:
            return None
        return np.concatenate(self.raw) if self.raw else np.zeros(0, dtype=np.float64)

    def merged(self, other: NumericSummary) -> NumericSummary:
        levels = None
        if self.levels is not None and other.levels is not None:
            levels = dict(self.levels)
            for value, count in other.levels.items():
                levels[value] = levels.get(value, 0) + count
            if len(levels) > FEW_VALUES:
                levels = None
        raw = None
        if self.raw is not None and other.raw is not None:
            raw = [*self.raw, *other.raw]
            if sum(v.size for v in raw) > self.needs.raw_limit:
                raw = None
        return replace(
            self,
            rows=self.rows + other.rows,
            missing=self.missing + other.missing,
            infinite=self.infinite + other.infinite,
            values=self.values + other.values,
            max_abs=max(self.max_abs, other.max_abs),
            wrong_type=_first_wrong(self, other),
            levels=levels,
            grid=_add(self.grid, other.grid),
            below=(self.below[0] + other.below[0], self.below[1] + other.below[1]),
            above=(self.above[0] + other.above[0], self.above[1] + other.above[1]),
            deciles=_add(self.deciles, other.deciles),
            raw=raw,
        )

    def comparable(self) -> dict[str, Any]:
        """Plain values (raw values sorted) to compare two summaries in tests."""
        raw = self.raw_values
        return {
            "rows": self.rows,
            "missing": self.missing,
            "infinite": self.infinite,
            "values": self.values,
            "max_abs": self.max_abs,
            "wrong_type": self.wrong_type,
            "levels": dict(sorted(self.levels.items())) if self.levels is not None else None,
            "grid": self.grid.tolist() if self.grid is not None else None,
            "below": (self.below[0], round(self.below[1], 6)),
            "above": (self.above[0], round(self.above[1], 6)),
            "deciles": self.deciles.tolist() if self.deciles is not None else None,
            "raw": np.sort(raw).tolist() if raw is not None else None,
        }


@dataclass
class CategorySummary:
    needs: Needs
    rows: int = 0
    missing: int = 0  # nulls (numbers: also NaN and infinities)
    nulls: int = 0
    wrong_type: tuple[int, str] | None = None
    counts: dict[Any, int] = field(default_factory=dict)  # label (or number) -> count

    def add(self, array: pa.Array | pa.ChunkedArray) -> None:
        import pyarrow as pa

        from mlops_gitops.monitoring.samples import _value_counts, to_float

        first = self.rows
        self.rows += len(array)
        self.nulls += array.null_count
        if self.wrong_type is not None or _wrong_type(self, array, first):
            return
        column = pa.chunked_array([array]) if isinstance(array, pa.Array) else array
        try:
            if self.needs.numeric_levels:
                values = to_float(column)
                finite = values[np.isfinite(values)]
                self.missing += int(values.size - finite.size)
                found, counts = np.unique(finite, return_counts=True)
                pairs = zip(found.tolist(), counts.tolist(), strict=True)
            else:
                self.missing += column.null_count
                labels, label_counts = _value_counts(column)
                pairs = zip(
                    (str(v) for v in labels.to_pylist()), label_counts.tolist(), strict=True
                )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
            self.wrong_type = (first, f"wrong type: values could not be read: {error}")
            return
        for key, count in pairs:
            self.counts[key] = self.counts.get(key, 0) + int(count)

    def merged(self, other: CategorySummary) -> CategorySummary:
        counts = dict(self.counts)
        for key, count in other.counts.items():
            counts[key] = counts.get(key, 0) + count
        return replace(
            self,
            rows=self.rows + other.rows,
            missing=self.missing + other.missing,
            nulls=self.nulls + other.nulls,
            wrong_type=_first_wrong(self, other),
            counts=counts,
        )

    def comparable(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "missing": self.missing,
            "nulls": self.nulls,
            "wrong_type": self.wrong_type,
            "counts": dict(sorted(self.counts.items(), key=lambda kv: str(kv[0]))),
        }


ColumnSummary = NumericSummary | CategorySummary


@dataclass
class WindowSummary:
    """The summaries of every column read from a window (or a file), and its row count."""

    rows: int
    columns: dict[str, ColumnSummary]
    files: int = 0
    skipped: tuple[str, ...] = ()

    def merged(self, other: WindowSummary) -> WindowSummary:
        columns = {
            name: summary.merged(other.columns[name])  # type: ignore[arg-type]
            for name, summary in self.columns.items()
        }
        return WindowSummary(
            self.rows + other.rows,
            columns,
            self.files + other.files,
            (*self.skipped, *other.skipped),
        )

    def comparable(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": {n: c.comparable() for n, c in sorted(self.columns.items())},
        }


def new_summary(needs: Mapping[str, Needs]) -> WindowSummary:
    """An empty summary of a window with ``needs``' columns."""
    columns: dict[str, ColumnSummary] = {
        name: NumericSummary(n) if n.kind == "numeric" else CategorySummary(n)
        for name, n in needs.items()
    }
    return WindowSummary(0, columns)


def _wrong_type(summary: ColumnSummary, array: Any, first: int) -> bool:
    """Check the values against the declared kind as the exact engine does (only when the
    Arrow type can hold a value that does not fit); record the first failure."""
    import pyarrow as pa

    kind = summary.needs.check_kind
    if kind is None or _always_fits(kind, array.type):
        return False
    try:
        conform(pa.table({summary.needs.name: array}), {summary.needs.name: kind}, row_offset=first)
    except TableError as error:
        summary.wrong_type = (first, "wrong type: " + error.message.split(": ", 2)[-1])
        return True
    return False


def _always_fits(kind: Kind, type_: pa.DataType) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    if kind == "number":
        return bool(pa.types.is_floating(type_) or pa.types.is_integer(type_))
    if kind in ("integer", "int-category"):
        return bool(pa.types.is_integer(type_))
    if kind == "boolean":
        return bool(pa.types.is_boolean(type_))
    return bool(pa.types.is_string(type_) or pa.types.is_large_string(type_))


def _first_wrong(left: ColumnSummary, right: ColumnSummary) -> tuple[int, str] | None:
    """The first wrong value of the union: ``right``'s rows follow ``left``'s."""
    if left.wrong_type is not None or right.wrong_type is None:
        return left.wrong_type
    row, message = right.wrong_type
    shifted = _AT_ROW.sub(lambda m: f"at row {int(m.group(1)) + left.rows}", message, count=1)
    return row + left.rows, shifted


def _add(left: IntArray | None, right: IntArray | None) -> IntArray | None:
    if left is None or right is None:
        return left if right is None else right
    return left + right
