"""Check request data against a model's input schema (``ModelInfo.features``), column by column.

Two readers feed one set of value checks:

* :meth:`InputSchema.check_json` takes columns of JSON values (None, bool, int, float, str),
* :meth:`InputSchema.check_arrow` takes a pyarrow table read from CSV or Parquet.

Each first turns a column into a numpy array of the feature's kind (and finds wrong types), then
:func:`_check_values` looks for nulls where the column is not nullable, non-finite numbers, values
below ``min`` or above ``max`` and values not in ``allowed``. Every problem found (at most one per
column, the first offending row) is collected before :class:`InputError` is raised, so a client
fixes everything in one round trip. The checks are vectorised: a set of the value types and a few
numpy comparisons per column, no per-value Python work on the happy path.

Arrays handed back, in feature order: ``number`` -> float64 (null = NaN), ``integer`` -> int64
(float64 with NaN when a null is present), ``boolean`` -> bool (object with ``None`` when a null
is present), ``category`` -> object of str (int64 when the allowed values are integers),
``text``/``datetime`` -> object of str.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mlops_gitops.errors import DataError
from mlops_gitops.io.tables import value_kind
from mlops_gitops.ml.artifact import Columns, FeatureInfo

__all__ = ["InputError", "InputSchema", "Problem", "feature_kind"]

_NONE = type(None)
_NUMBER_TYPES = frozenset({int, float})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input; ``column`` is ``None`` for a problem with the whole body."""

    column: str | None
    message: str

    def __str__(self) -> str:
        return self.message if self.column is None else f"column '{self.column}': {self.message}"


class InputError(DataError):
    """The input does not fit the model's schema (HTTP 400). ``problems`` lists every problem."""

    def __init__(self, problems: Sequence[Problem], *, context: str = "") -> None:
        self.problems = tuple(problems)
        text = "; ".join(str(p) for p in self.problems)
        super().__init__(
            f"{context}{text}", "send the columns, types and ranges the model's metadata lists"
        )


def feature_kind(feature: FeatureInfo) -> str:
    """The value kind a column holds: number, integer, boolean, string or int-category (the
    table reader's rule, :func:`mlops_gitops.io.tables.value_kind`)."""
    return value_kind(feature)


_EXPECTED = {
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "int-category": "an integer category",
    "string": "a string",
}


def _json_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class InputSchema:
    """The checks for one model's input columns."""

    def __init__(self, features: Sequence[FeatureInfo]) -> None:
        self.features = tuple(features)
        self.names = tuple(f.name for f in self.features)
        self._name_set = frozenset(self.names)
        self._kinds = {f.name: feature_kind(f) for f in self.features}
        self._allowed = {
            f.name: frozenset(f.allowed) for f in self.features if f.allowed is not None
        }
        self.optional = frozenset(f.name for f in self.features if f.nullable)
        """Nullable columns: a payload may leave them out, and they are then missing."""

    def kind(self, name: str) -> str:
        return self._kinds[name]

    def column_problems(self, present: Sequence[str]) -> list[Problem]:
        """Missing and unknown columns, given the column names a payload holds (a nullable
        column left out is not missing: its values are)."""
        present_set = set(present)
        problems = [
            Problem(name, "missing (the model needs it)")
            for name in self.names
            if name not in present_set and name not in self.optional
        ]
        unknown = [name for name in present if name not in self._name_set]
        problems += [
            Problem(name, f"unknown (the model's columns are: {', '.join(self.names)})")
            for name in unknown
        ]
        return problems

    def check_json(self, columns: Mapping[str, Sequence[Any]], *, row_offset: int = 0) -> Columns:
        """Check columns of JSON values; all columns must have the same length."""
        problems = self.column_problems(list(columns))
        if problems:
            raise InputError(problems)
        rows = len(next(iter(columns.values()))) if columns else 0
        checked: Columns = {}
        for feature in self.features:
            values = columns.get(feature.name)
            if values is None:  # a nullable column left out
                values = [None] * rows
            array, nulls, problem = _from_json(feature, self._kinds[feature.name], values)
            if problem is None:
                problem = _check_values(feature, self._allowed.get(feature.name), array, nulls)
            if problem is not None:
                problems.append(_at_rows(problem, feature.name, row_offset))
            else:
                checked[feature.name] = array
        if problems:
            raise InputError(problems)
        return checked

    def check_arrow(self, table: pa.Table, *, row_offset: int = 0, context: str = "") -> Columns:
        """Check a table read from CSV or Parquet."""
        problems = self.column_problems(table.column_names)
        if problems:
            raise InputError(problems, context=context)
        checked: Columns = {}
        for feature in self.features:
            if feature.name not in table.column_names:  # a nullable column left out
                table = table.append_column(feature.name, pa.nulls(table.num_rows))
            column = table.column(feature.name)
            array, nulls, problem = _from_arrow(feature, self._kinds[feature.name], column)
            if problem is None:
                problem = _check_values(feature, self._allowed.get(feature.name), array, nulls)
            if problem is not None:
                problems.append(_at_rows(problem, feature.name, row_offset))
            else:
                checked[feature.name] = array
        if problems:
            raise InputError(problems, context=context)
        return checked


@dataclass(frozen=True)
class _Found:
    """A problem at a row (relative to the checked block)."""

    message: str
    row: int | None


def _at_rows(found: _Found, column: str, offset: int) -> Problem:
    if found.row is None:
        return Problem(column, found.message)
    return Problem(column, f"{found.message} at row {found.row + offset}")


_Converted = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None, _Found | None]


def _from_json(feature: FeatureInfo, kind: str, values: Sequence[Any]) -> _Converted:
    types = set(map(type, values))
    has_null = _NONE in types
    types.discard(_NONE)
    empty = np.empty(0)
    if kind in ("number", "integer"):
        ok: frozenset[type] = _NUMBER_TYPES
    elif kind == "boolean":
        ok = frozenset({bool})
    elif kind == "int-category":
        ok = frozenset({int, float})  # 1.0 is category 1: JSON encoders write whole floats so
    else:
        ok = frozenset({str})
    if not types <= ok:
        row = next(i for i, v in enumerate(values) if v is not None and type(v) not in ok)
        value = values[row]
        found = _Found(
            f"expected {_EXPECTED[kind]}, got {_json_type_name(value)} ({_short(value)})", row
        )
        return empty, None, found
    if kind in ("number", "integer"):
        try:
            array = np.array(values, dtype=np.float64)
        except OverflowError:
            return empty, None, _Found("a number is too large", None)
        nulls = np.isnan(array) if has_null else None
        if kind == "integer":
            return _integers(array, nulls, has_floats=float in types)
        return array, nulls, None
    if has_null:
        array = np.array(values, dtype=object)
        nulls = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        return array, nulls, None
    if kind == "boolean":
        return np.array(values, dtype=bool), None, None
    if kind == "int-category":
        if float in types:
            whole, _, problem = _integers(np.array(values, dtype=np.float64), None, has_floats=True)
            if problem is not None:
                return (
                    empty,
                    None,
                    _Found(
                        problem.message.replace("an integer", "an integer category"), problem.row
                    ),
                )
            return whole, None, None
        try:
            return np.array(values, dtype=np.int64), None, None
        except OverflowError:
            return empty, None, _Found("an integer is outside the 64-bit range", None)
    array = np.array(values, dtype=object)
    if feature.type == "datetime":
        return array, None, _check_datetimes(array)
    return array, None, None


def _integers(
    array: np.ndarray[Any, Any], nulls: np.ndarray[Any, Any] | None, *, has_floats: bool
) -> _Converted:
    if has_floats:
        with np.errstate(invalid="ignore"):
            fractional = np.isfinite(array) & (np.floor(array) != array)
        if fractional.any():
            row = int(np.argmax(fractional))
            return array, nulls, _Found(f"expected an integer, got {_number(array[row])}", row)
    outside = np.abs(array) > 2.0**63 - 1
    if outside.any():
        row = int(np.argmax(outside))
        return array, nulls, _Found("an integer is outside the 64-bit range", row)
    if nulls is not None and nulls.any():
        return array, nulls, None
    return array.astype(np.int64), None, None


def _check_datetimes(array: np.ndarray[Any, Any]) -> _Found | None:
    for row, value in enumerate(array.tolist()):
        if value is None:
            continue
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return _Found(f"expected an ISO 8601 date-time, got {_short(value)}", row)
    return None


def _arrow_expected(kind: str, arrow_type: pa.DataType) -> bool:
    if pa.types.is_null(arrow_type):
        return True
    if kind in ("number", "integer"):
        return bool(pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type))
    if kind == "boolean":
        return bool(pa.types.is_boolean(arrow_type))
    if kind == "int-category":
        return bool(pa.types.is_integer(arrow_type))
    return bool(
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_timestamp(arrow_type)
        or pa.types.is_date(arrow_type)
    )


def _from_arrow(feature: FeatureInfo, kind: str, column: pa.ChunkedArray) -> _Converted:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    empty = np.empty(0)
    if not _arrow_expected(kind, column.type):
        valid = pc.indices_nonzero(pc.is_valid(column))
        row = int(valid[0].as_py())
        value = column[row].as_py()
        found = _Found(
            f"expected {_EXPECTED[kind]}, got {column.type} values ({_short(value)})", row
        )
        return empty, None, found
    has_null = column.null_count > 0
    nulls = column.is_null().to_numpy(zero_copy_only=False) if has_null else None
    if kind in ("number", "integer"):
        array = column.cast(pa.float64()).to_numpy()
        if kind == "integer":
            return _integers(array, nulls, has_floats=pa.types.is_floating(column.type))
        return array, nulls, None
    if kind in {"boolean", "int-category"}:
        if has_null or pa.types.is_null(column.type):
            return np.array(column.to_pylist(), dtype=object), nulls, None
        dtype = bool if kind == "boolean" else np.int64
        return column.to_numpy().astype(dtype), None, None
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    array = np.array(column.to_pylist(), dtype=object)
    if feature.type == "datetime":
        return array, nulls, _check_datetimes(array)
    return array, nulls, None


def _check_values(
    feature: FeatureInfo,
    allowed: frozenset[Any] | None,
    array: np.ndarray[Any, Any],
    nulls: np.ndarray[Any, Any] | None,
) -> _Found | None:
    if nulls is not None and not feature.nullable and nulls.any():
        return _Found("null, but the column is not nullable", int(np.argmax(nulls)))
    if array.dtype.kind in "fi":
        if array.dtype.kind == "f":
            infinite = np.isinf(array)
            if infinite.any():
                row = int(np.argmax(infinite))
                return _Found(f"{array[row]} is not a finite number", row)
        if feature.min is not None:
            below = array < feature.min
            if below.any():
                row = int(np.argmax(below))
                return _Found(f"{_number(array[row])} is below the minimum {feature.min}", row)
        if feature.max is not None:
            above = array > feature.max
            if above.any():
                row = int(np.argmax(above))
                return _Found(f"{_number(array[row])} is above the maximum {feature.max}", row)
    if allowed is not None:
        present = set(array.tolist())
        present.discard(None)
        outside = {v for v in present if not (isinstance(v, float) and math.isnan(v))} - allowed
        if outside:
            values = array.tolist()
            row = next(i for i, v in enumerate(values) if v in outside)
            shown = ", ".join(_short(v) for v in sorted(allowed, key=str))
            return _Found(f"{_short(values[row])} is not one of the allowed values {shown}", row)
    return None


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
