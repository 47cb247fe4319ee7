"""The one table reader: CSV and Parquet files (or bytes) to Arrow tables, typed by a column schema.

Every path that reads a user's table goes through here: ingest of a dataset's source, batch
prediction and uploads, label imports, drift ``--current``/``--reference`` files. So a value
means the same wherever it is read:

* The same **missing-value tokens** (:data:`MISSING_TOKENS`: empty, ``NA``, ``NaN``, ``null``,
  ``N/A``, ...) are missing in a CSV cell and in a Parquet string, in schema columns and others.
* The same **typing rules** (:func:`conform`) turn each schema column into one Arrow type,
  whatever the file stored: ``number`` -> float64, ``integer`` and ``int-category`` -> int64
  (whole floats such as ``2.0`` accepted, ``2.5`` refused), ``boolean`` -> bool (``true``/
  ``false``/``1``/``0`` in any case), ``string`` -> string (integers accepted as their digits).
* The same **errors**: a :class:`TableError` naming the file, the column, the row and the value.

A CSV and a Parquet file of the same rows therefore give equal tables. The schema is a plain
mapping of column name to value kind (:data:`KINDS`); :func:`value_kind` derives the kind from
anything with ``name``/``type``/``allowed`` (a dataset column, a model's feature), so this module
imports no feature package. The typing rules live in :mod:`mlops_gitops.io.conform` (re-exported
here), public so the request-log reader can type its tables the same way.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from mlops_gitops.io.conform import (
    KINDS,
    MISSING_TOKENS,
    ColumnLike,
    Kind,
    TableError,
    column_kinds,
    conform,
    conform_columns,
    value_kind,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "KINDS",
    "MISSING_TOKENS",
    "Chunk",
    "ColumnLike",
    "Kind",
    "TableError",
    "column_kinds",
    "column_names",
    "conform",
    "conform_columns",
    "file_format",
    "iter_chunks",
    "iter_raw_batches",
    "read_bytes",
    "read_raw_bytes",
    "read_table",
    "value_kind",
]

_BLOCK_SIZE = 4 << 20


def file_format(name: str | Path, declared: str | None = None) -> Literal["csv", "parquet"]:
    """``csv`` or ``parquet``, from ``declared`` or the name's suffix (a URL's query ignored)."""
    if declared in ("csv", "parquet"):
        return declared  # type: ignore[return-value]
    text = str(name).split("?", maxsplit=1)[0].lower()
    if text.endswith(".csv"):
        return "csv"
    if text.endswith((".parquet", ".pq")):
        return "parquet"
    raise TableError(
        f"cannot tell the format of {name}: the name must end in .csv, .parquet or .pq",
        "rename the file, or convert it to CSV or Parquet",
    )


def read_table(
    path: Path,
    schema: Mapping[str, Kind] | None = None,
    *,
    fmt: str | None = None,
    columns: Sequence[str] | None = None,
    origin: str | None = None,
) -> pa.Table:
    """A whole CSV or Parquet file, typed by ``schema`` (other columns as the file has them).
    ``columns`` keeps only those (when present)."""
    name = origin or str(path)
    kind = file_format(path, fmt)
    if not path.is_file():
        raise TableError(f"{name} does not exist", "check the path")
    import pyarrow as pa

    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            wanted = None
            if columns is not None:
                present = set(pq.read_schema(path).names)
                wanted = [c for c in columns if c in present]
            table = pq.read_table(path, columns=wanted)
        else:
            with path.open("rb") as handle:
                table = _read_csv(handle, schema)
    except (pa.ArrowException, ValueError, OSError) as error:
        raise _unreadable(name, kind, error, path) from None
    if columns is not None and kind == "csv":
        table = table.select([c for c in columns if c in table.column_names])
    return conform(table, schema, origin=name)


def read_bytes(
    data: bytes,
    fmt: str,
    schema: Mapping[str, Kind] | None = None,
    *,
    origin: str = "the upload",
) -> pa.Table:
    """A CSV or Parquet file held in memory (an upload, a downloaded source), typed as
    :func:`read_table` types a file."""
    return conform(read_raw_bytes(data, fmt, schema, origin=origin), schema, origin=origin)


def read_raw_bytes(
    data: bytes,
    fmt: str,
    schema: Mapping[str, Kind] | None = None,
    *,
    origin: str = "the upload",
) -> pa.Table:
    """The file before typing: the schema's CSV columns as text (other columns inferred), so
    :func:`conform_columns` can then type every column and report every one that does not fit."""
    import pyarrow as pa

    kind = file_format("", fmt) if fmt in ("csv", "parquet") else file_format(fmt)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(pa.BufferReader(data))
        return _read_csv(io.BytesIO(data), schema)
    except (pa.ArrowException, ValueError, OSError) as error:
        raise _unreadable(origin, kind, error, None, head=data[: 1 << 16]) from None


def iter_raw_batches(
    data: bytes,
    fmt: str,
    schema: Mapping[str, Kind] | None = None,
    *,
    origin: str = "the upload",
    batch_rows: int = 16_384,
) -> Iterator[pa.RecordBatch]:
    """The file held in memory, decoded one record batch at a time and not yet typed (as
    :func:`read_raw_bytes` reads it whole), so a caller can stop decoding at a limit. Type the
    collected batches with :func:`conform`."""
    import pyarrow as pa

    kind = file_format("", fmt) if fmt in ("csv", "parquet") else file_format(fmt)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            file = pq.ParquetFile(pa.BufferReader(data))
            _ = file.schema_arrow.names  # names that are not UTF-8 fail here, not later
            yield from file.iter_batches(batch_size=batch_rows)
            return
        import pyarrow.csv as pcsv

        read, convert = _csv_options(schema)
        read.block_size = 1 << 20
        reader = pcsv.open_csv(pa.BufferReader(data), read_options=read, convert_options=convert)
        _ = reader.schema.names  # names that are not UTF-8 fail here, not later
        yield from reader
    except (pa.ArrowException, ValueError, OSError) as error:
        raise _unreadable(origin, kind, error, None, head=data[: 1 << 16]) from None


def column_names(path: Path) -> list[str]:
    """The column names of a CSV (its header) or Parquet file (its schema), without reading
    the rows."""
    import pyarrow as pa

    kind = file_format(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with path.open("rb") as handle:
            return _csv_header(handle.read(1 << 16))
    except (pa.ArrowException, OSError) as error:
        raise _unreadable(str(path), kind, error, None) from None


@dataclass(frozen=True)
class Chunk:
    """Rows ``start`` to ``start + table.num_rows``; ``done``/``total`` measure progress in
    ``unit`` (bytes for CSV, rows for Parquet)."""

    table: pa.Table
    start: int
    done: int
    total: int
    unit: str


def iter_chunks(
    path: Path, *, chunk_rows: int, schema: Mapping[str, Kind] | None = None
) -> Iterator[Chunk]:
    """Stream a file as typed tables of ``chunk_rows`` rows (the last may be shorter); an error
    names the rows it was reading."""
    kind = file_format(path)
    if not path.is_file():
        raise TableError(f"{path} does not exist", "check the path")
    raw = (
        _parquet_chunks(path, chunk_rows)
        if kind == "parquet"
        else _csv_chunks(path, chunk_rows, schema)
    )
    for chunk in raw:
        origin = f"rows {chunk.start}-{chunk.start + chunk.table.num_rows - 1} of {path}"
        table = conform(chunk.table, schema, origin=origin, row_offset=chunk.start)
        yield Chunk(table, chunk.start, chunk.done, chunk.total, chunk.unit)


# --------------------------------------------------------------------------- reading


def _csv_options(schema: Mapping[str, Kind] | None) -> tuple[Any, Any]:
    """Schema columns are read as text and typed by :func:`conform`; others are inferred."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in schema or {}},
        null_values=list(MISSING_TOKENS),
        strings_can_be_null=True,
        true_values=["true", "True", "TRUE"],
        false_values=["false", "False", "FALSE"],
    )
    return pcsv.ReadOptions(block_size=_BLOCK_SIZE), convert


def _read_csv(handle: IO[bytes], schema: Mapping[str, Kind] | None) -> pa.Table:
    import pyarrow.csv as pcsv

    read, convert = _csv_options(schema)
    table = pcsv.read_csv(handle, read_options=read, convert_options=convert)
    _ = table.column_names  # names that are not UTF-8 fail here, not later
    return table


def _unreadable(
    origin: str, kind: str, error: Exception, path: Path | None, head: bytes | None = None
) -> TableError:
    detail = str(error)
    if kind == "csv":
        if head is None and path is not None:
            with path.open("rb") as handle:
                head = handle.read(1 << 16)
        detail = _name_columns(detail, _csv_header(head or b""))
    return TableError(
        f"could not read {origin} as {kind.upper()}: {detail}",
        "check that the file is a complete, valid CSV (with a header row) or Parquet file",
    )


def _name_columns(detail: str, names: list[str]) -> str:
    """Arrow says 'CSV column #3'; add the column's name."""
    import re

    def name(match: re.Match[str]) -> str:
        index = int(match.group(1))
        label = f" ({names[index]!r})" if index < len(names) else ""
        return f"{match.group(0)}{label}"

    return re.sub(r"CSV column #(\d+)", name, detail)


def _csv_header(data: bytes) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return [n.strip().strip('"') for n in first.split(",")]


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, ValueError, OSError) as error:
        raise _unreadable(str(path), "parquet", error, path) from None
    total = parquet.metadata.num_rows
    start = 0
    batches = parquet.iter_batches(batch_size=chunk_rows)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, ValueError, OSError) as error:
            raise _unreadable(f"{path} after row {start}", "parquet", error, path) from None
        table = pa.Table.from_batches([batch])
        yield Chunk(table, start, start + table.num_rows, total, "rows")
        start += table.num_rows


def _csv_chunks(path: Path, chunk_rows: int, schema: Mapping[str, Kind] | None) -> Iterator[Chunk]:
    """Chunks with the schema's columns as text (typed per chunk by :func:`conform`), so their
    type never depends on which block of the file the reader inferred it from."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    total = path.stat().st_size
    with path.open("rb") as handle:
        read, convert = _csv_options(schema)
        try:
            reader = pcsv.open_csv(handle, read_options=read, convert_options=convert)
            names = reader.schema.names
        except (pa.ArrowException, ValueError, OSError) as error:
            raise _unreadable(str(path), "csv", error, path) from None
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        start = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowException, ValueError, OSError) as error:
                raise TableError(
                    f"could not read {path} after row {start + pending_rows}: "
                    f"{_name_columns(str(error), names)}",
                    "check that the file is a complete, valid CSV file",
                ) from None
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunk_rows:
                table = pa.Table.from_batches(pending)
                chunk, rest = table.slice(0, chunk_rows), table.slice(chunk_rows)
                yield Chunk(chunk, start, _position(handle, total), total, "bytes")
                start += chunk_rows
                pending = rest.to_batches()
                pending_rows = rest.num_rows
        if pending_rows:
            yield Chunk(pa.Table.from_batches(pending), start, total, total, "bytes")


def _position(handle: IO[bytes], total: int) -> int:
    try:
        return min(handle.tell(), total)
    except (OSError, ValueError):
        return 0
