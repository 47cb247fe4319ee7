"""Read CSV and Parquet with pyarrow: whole (an upload, a labels file) or streamed in chunks.

CSV columns the model knows are read as the model's types (float64, int64, bool, string), so a
value that does not fit fails in the reader, named by column; other columns are inferred.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from mlops_gitops.errors import DataError
from mlops_gitops.ml.artifact import FeatureInfo
from mlops_gitops.serving.validation import feature_kind

__all__ = [
    "Chunk",
    "csv_column_types",
    "file_format",
    "iter_chunks",
    "read_table",
    "read_upload",
]

_CSV_TYPES = {
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "int-category": pa.int64(),
    "string": pa.string(),
}
_ARROW_ERRORS = (pa.ArrowException, ValueError, OSError)


def csv_column_types(features: tuple[FeatureInfo, ...]) -> dict[str, pa.DataType]:
    return {f.name: _CSV_TYPES[feature_kind(f)] for f in features}


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise DataError(f"cannot tell the format of {path}", "name the file *.csv or *.parquet")


def _convert_options(column_types: Mapping[str, pa.DataType] | None) -> pcsv.ConvertOptions:
    return pcsv.ConvertOptions(column_types=dict(column_types or {}), strings_can_be_null=True)


def _explain(error: Exception, names: list[str]) -> str:
    """Arrow says 'CSV column #3'; add the column's name."""

    def name(match: re.Match[str]) -> str:
        index = int(match.group(1))
        label = f" ('{names[index]}')" if index < len(names) else ""
        return f"{match.group(0)}{label}"

    return re.sub(r"CSV column #(\d+)", name, str(error))


def _csv_header(data: bytes) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return [n.strip().strip('"') for n in first.split(",")]


def read_upload(
    data: bytes, fmt: str, column_types: Mapping[str, pa.DataType] | None = None
) -> pa.Table:
    """Read an uploaded file held in memory; a file that does not parse raises DataError."""
    try:
        if fmt == "parquet":
            table = pq.read_table(pa.BufferReader(data))
        else:
            options = _convert_options(column_types)
            table = pcsv.read_csv(pa.BufferReader(data), convert_options=options)
        _ = table.column_names  # column names that are not UTF-8 fail here, not later
        return table
    except _ARROW_ERRORS as error:
        detail = _explain(error, _csv_header(data)) if fmt == "csv" else str(error)
        raise DataError(f"could not read the {fmt.upper()} upload: {detail}") from None


def read_table(path: Path) -> pa.Table:
    fmt = file_format(path)
    try:
        if fmt == "parquet":
            table = pq.read_table(path)
        else:
            table = pcsv.read_csv(path, convert_options=_convert_options(None))
        _ = table.column_names
        return table
    except FileNotFoundError:
        raise DataError(f"{path} does not exist") from None
    except _ARROW_ERRORS as error:
        raise DataError(f"could not read {path}: {error}") from None


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
    path: Path, *, chunk_rows: int, column_types: Mapping[str, pa.DataType] | None = None
) -> Iterator[Chunk]:
    """Stream a file as tables of ``chunk_rows`` rows (the last may be shorter)."""
    fmt = file_format(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist")
    if fmt == "parquet":
        yield from _parquet_chunks(path, chunk_rows)
    else:
        yield from _csv_chunks(path, chunk_rows, column_types)


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    try:
        parquet = pq.ParquetFile(path)
    except _ARROW_ERRORS as error:
        raise DataError(f"could not read {path}: {error}") from None
    total = parquet.metadata.num_rows
    start = 0
    batches = parquet.iter_batches(batch_size=chunk_rows)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except _ARROW_ERRORS as error:
            raise DataError(f"could not read {path} after row {start}: {error}") from None
        table = pa.Table.from_batches([batch])
        yield Chunk(table, start, start + table.num_rows, total, "rows")
        start += table.num_rows


def _csv_chunks(
    path: Path, chunk_rows: int, column_types: Mapping[str, pa.DataType] | None
) -> Iterator[Chunk]:
    total = path.stat().st_size
    with path.open("rb") as handle:
        reader = _open_csv(handle, path, column_types)
        try:
            names = reader.schema.names
        except _ARROW_ERRORS as error:
            raise DataError(f"could not read the header of {path}: {error}") from None
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        start = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except _ARROW_ERRORS as error:
                raise DataError(
                    f"could not read {path} after row {start + pending_rows}: "
                    f"{_explain(error, names)}"
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


def _open_csv(handle: IO[bytes], path: Path, column_types: Mapping[str, pa.DataType] | None) -> Any:
    try:
        return pcsv.open_csv(
            handle,
            read_options=pcsv.ReadOptions(block_size=4 << 20),
            convert_options=_convert_options(column_types),
        )
    except _ARROW_ERRORS as error:
        with path.open("rb") as head:
            names = _csv_header(head.read(1 << 16))
        raise DataError(f"could not read {path}: {_explain(error, names)}") from None


def _position(handle: IO[bytes], total: int) -> int:
    try:
        return min(handle.tell(), total)
    except (OSError, ValueError):
        return 0
