"""The typing rules of the one table reader: each column kind's Arrow type, the missing-value
tokens, and :func:`conform`, which turns any table (a CSV read as text, a Parquet file, a request
log) into the kinds of a column schema with errors naming the column, the row and the value.

Public so every reader of a user's table (and the request-log reader) types the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from mlops_gitops.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "KINDS",
    "MISSING_TOKENS",
    "ColumnLike",
    "Kind",
    "TableError",
    "column_kinds",
    "conform",
    "conform_columns",
    "value_kind",
]

Kind = Literal["number", "integer", "boolean", "string", "int-category"]
KINDS: tuple[Kind, ...] = ("number", "integer", "boolean", "string", "int-category")

MISSING_TOKENS: tuple[str, ...] = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
"""Cell values read as missing: pandas' default ``na_values``, so training (which used pandas)
and every other reader agree on what is missing."""

TRUE_TOKENS = frozenset({"true", "1"})
FALSE_TOKENS = frozenset({"false", "0"})


class TableError(DataError):
    """A table could not be read or does not fit its column schema. ``column`` names the column
    at fault when there is one."""

    def __init__(self, message: str, hint: str | None = None, *, column: str | None = None):
        super().__init__(message, hint)
        self.column = column


class ColumnLike(Protocol):
    """What :func:`value_kind` needs of a column description (a dataset column, a feature)."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def allowed(self) -> Sequence[Any] | None: ...


def value_kind(column: ColumnLike) -> Kind:
    """The kind of value a column holds: ``category`` whose allowed values are all integers is
    ``int-category``; ``category``, ``text`` and ``datetime`` are ``string``."""
    if column.type == "number":
        return "number"
    if column.type == "integer":
        return "integer"
    if column.type == "boolean":
        return "boolean"
    allowed = column.allowed
    if column.type == "category" and allowed and all(type(v) is int for v in allowed):
        return "int-category"
    return "string"


def column_kinds(columns: Iterable[ColumnLike]) -> dict[str, Kind]:
    """``{name: kind}`` of a column schema, the form every function here takes."""
    return {c.name: value_kind(c) for c in columns}


def conform(
    table: pa.Table,
    schema: Mapping[str, Kind] | None = None,
    *,
    origin: str = "the table",
    row_offset: int = 0,
) -> pa.Table:
    """``table`` with the missing-value tokens as nulls in every string column, NaN as null in
    every float column, and each ``schema`` column cast to its kind's Arrow type.

    Raises :class:`TableError` for a duplicate column name or a value that does not fit its
    column's kind (naming the column, the row and the value). Columns the schema names but the
    table lacks are left for the caller to judge (a drift check reports them, a server refuses).
    """
    typed, errors = conform_columns(table, schema, origin=origin, row_offset=row_offset)
    if errors:
        raise errors[0]
    return typed


def conform_columns(
    table: pa.Table,
    schema: Mapping[str, Kind] | None = None,
    *,
    origin: str = "the table",
    row_offset: int = 0,
) -> tuple[pa.Table, tuple[TableError, ...]]:
    """:func:`conform` that collects an error per column instead of raising the first; a column
    that does not fit is kept as read. A duplicate column name still raises."""
    import pyarrow as pa

    names = table.column_names
    _refuse_duplicates(names, origin)
    schema = schema or {}
    arrays = []
    fields = []
    errors: list[TableError] = []
    for index, name in enumerate(names):
        column = _missing_as_null(table.column(index))
        kind = schema.get(name)
        if kind is not None:
            try:
                column = _cast(column, kind, name, origin, row_offset)
            except TableError as error:
                errors.append(error)
        arrays.append(column)
        fields.append(pa.field(name, column.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)), tuple(errors)


_ARROW_TYPES: dict[str, str] = {
    "number": "float64",
    "integer": "int64",
    "int-category": "int64",
    "boolean": "bool_",
    "string": "string",
}

_EXPECTED = {
    "number": "a number",
    "integer": "an integer",
    "int-category": "an integer category",
    "boolean": "a boolean (true/false)",
    "string": "text",
}


def _refuse_duplicates(names: Sequence[str], origin: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise TableError(
                f"{origin}: column {name!r} appears more than once in the header",
                "give every column a distinct name",
                column=name,
            )
        seen.add(name)


def _missing_as_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    type_ = column.type
    if pa.types.is_dictionary(type_):
        column = column.cast(type_.value_type)
        type_ = column.type
    if pa.types.is_large_string(type_):  # pandas' string dtype: one text type for every reader
        column = column.cast(pa.string())
        type_ = column.type
    if pa.types.is_string(type_):
        tokens = pa.array(MISSING_TOKENS, type_)
        missing = pc.is_in(column, value_set=tokens)
        if pc.any(missing).as_py():
            return pc.if_else(missing, pa.scalar(None, type_), column)
        return column
    if pa.types.is_floating(type_):
        nan = pc.is_nan(column)
        if pc.any(nan).as_py():
            return pc.if_else(nan, pa.scalar(None, type_), column)
    return column


def _cast(
    column: pa.ChunkedArray, kind: str, name: str, origin: str, offset: int
) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    type_ = column.type
    target = getattr(pa, _ARROW_TYPES[kind])()
    if type_ == target:
        return column
    if pa.types.is_null(type_):
        return column.cast(target)
    is_text = pa.types.is_string(type_) or pa.types.is_large_string(type_)
    is_int = pa.types.is_integer(type_)
    is_float = pa.types.is_floating(type_) or pa.types.is_decimal(type_)
    if kind == "string":
        if is_text or is_int:
            return column.cast(pa.string())
        return _wrong(column, kind, name, origin, offset)
    if kind == "boolean":
        if is_text:
            return _text_to_bool(column, name, origin, offset)
        if is_int:
            return _ints_to_bool(column, name, origin, offset)
        return _wrong(column, kind, name, origin, offset)
    if pa.types.is_boolean(type_):
        return _wrong(column, kind, name, origin, offset)
    if is_text:
        try:
            number = pc.cast(column, pa.float64())
        except pa.ArrowInvalid:
            return _first_unparsable(column, kind, name, origin, offset)
        if kind != "number":
            try:  # exact for integers beyond 2**53, when every value is written as one
                return pc.cast(column, pa.int64())
            except pa.ArrowInvalid:
                pass
        column, is_float = number, True
    if kind == "number":
        if is_int or is_float:
            return column.cast(pa.float64())
        return _wrong(column, kind, name, origin, offset)
    if is_int:
        return column.cast(pa.int64())
    return _whole(column.cast(pa.float64()), kind, name, origin, offset)


def _whole(
    column: pa.ChunkedArray, kind: str, name: str, origin: str, offset: int
) -> pa.ChunkedArray:
    import numpy as np
    import pyarrow as pa

    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ((np.floor(values) != values) | (np.abs(values) >= 2.0**63))
    if bad.any():
        row = int(np.argmax(bad))
        raise _value_error(name, origin, row + offset, kind, _number(values[row]))
    return column.cast(pa.int64())


def _text_to_bool(column: pa.ChunkedArray, name: str, origin: str, offset: int) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(column))
    is_true = pc.is_in(lowered, value_set=pa.array(sorted(TRUE_TOKENS)))
    is_false = pc.is_in(lowered, value_set=pa.array(sorted(FALSE_TOKENS)))
    bad = pc.and_(column.is_valid(), pc.invert(pc.or_(is_true, is_false)))
    if pc.any(bad).as_py():
        row = int(pc.indices_nonzero(bad)[0].as_py())
        raise _value_error(name, origin, row + offset, "boolean", repr(column[row].as_py()))
    return pc.if_else(column.is_valid(), is_true, pa.scalar(None, pa.bool_()))


def _ints_to_bool(column: pa.ChunkedArray, name: str, origin: str, offset: int) -> pa.ChunkedArray:
    import pyarrow as pa
    import pyarrow.compute as pc

    bad = pc.invert(pc.is_in(column, value_set=pa.array([0, 1], column.type)))
    bad = pc.and_(column.is_valid(), bad)
    if pc.any(bad).as_py():
        row = int(pc.indices_nonzero(bad)[0].as_py())
        raise _value_error(name, origin, row + offset, "boolean", str(column[row].as_py()))
    return column.cast(pa.bool_())


def _first_unparsable(
    column: pa.ChunkedArray, kind: str, name: str, origin: str, offset: int
) -> pa.ChunkedArray:
    """The error path of a text column that does not parse as numbers: find the first value."""
    for row, value in enumerate(column.to_pylist()):
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            raise _value_error(name, origin, row + offset, kind, repr(value)) from None
    raise _value_error(name, origin, offset, kind, "a value")  # pragma: no cover - arrow agreed


def _wrong(
    column: pa.ChunkedArray, kind: str, name: str, origin: str, offset: int
) -> pa.ChunkedArray:
    import pyarrow.compute as pc

    valid = pc.indices_nonzero(column.is_valid())
    row = int(valid[0].as_py()) if len(valid) else 0
    value = column[row].as_py() if len(column) else None
    raise TableError(
        f"{origin}: column {name!r}: expected {_EXPECTED[kind]}, got {column.type} values "
        f"({_short(value)} at row {row + offset})",
        f"write {_EXPECTED[kind]} in column {name!r}, or fix its type in the dataset's schema",
        column=name,
    )


def _value_error(name: str, origin: str, row: int, kind: str, shown: str) -> TableError:
    return TableError(
        f"{origin}: column {name!r}: expected {_EXPECTED[kind]}, got {shown} at row {row}",
        "fix the value, mark it missing (empty or NA), or fix the column's type in the schema",
        column=name,
    )


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2.0**63 else repr(float(value))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
