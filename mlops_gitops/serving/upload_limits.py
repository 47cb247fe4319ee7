"""Limits on what a batch upload decodes to, not only on the bytes that arrive.

``--max-body-bytes`` bounds the compressed body; a 137 KB zstd Parquet file can still hold three
million rows. So an upload is decoded under two more limits, each a 413 naming the limit:

- Parquet: the footer says how many rows and how many uncompressed bytes the file holds; a
  file over either limit is refused before any page is decoded. The pages are then decoded one
  record batch at a time, counting again (a footer can lie), and decoding stops at the limit.
- CSV: decoded one block at a time by pyarrow's streaming reader, counting rows and bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from mlops_gitops.errors import DataError
from mlops_gitops.serving.options import DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_DECODED_BYTES
from mlops_gitops.serving.tables import read_upload

__all__ = ["DEFAULT_UPLOAD_LIMITS", "UploadLimits", "UploadTooLarge", "read_limited_upload"]

_BATCH_ROWS = 16_384
_CSV_BLOCK_BYTES = 1 << 20
_ARROW_ERRORS = (pa.ArrowException, ValueError, OSError)


class UploadTooLarge(DataError):
    """The upload decodes to more than a limit allows (HTTP 413)."""


@dataclass(frozen=True)
class UploadLimits:
    max_rows: int = DEFAULT_MAX_BATCH_ROWS
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES

    def check_rows(self, rows: int, *, at_least: bool = False) -> None:
        if rows > self.max_rows:
            count = f"more than {self.max_rows:,}" if at_least else f"{rows:,}"
            raise UploadTooLarge(
                f"the upload holds {count} rows; the limit is {self.max_rows:,} rows per "
                "request (--max-batch-rows)",
                "send the rows in several requests, or predict a file with `mlops predict`",
            )

    def check_bytes(self, size: int) -> None:
        if size > self.max_decoded_bytes:
            raise UploadTooLarge(
                f"the upload decodes to more than {self.max_decoded_bytes:,} bytes; the limit "
                f"is {self.max_decoded_bytes:,} decoded bytes per request (--max-decoded-bytes)",
                "send the rows in several requests, or predict a file with `mlops predict`",
            )


DEFAULT_UPLOAD_LIMITS = UploadLimits()


def read_limited_upload(
    data: bytes,
    fmt: str,
    column_types: Mapping[str, pa.DataType],
    limits: UploadLimits,
) -> pa.Table:
    """The upload as one table, decoded under ``limits``; raises :class:`UploadTooLarge`, or
    DataError for a file that does not parse."""
    try:
        batches = (
            _parquet_batches(data, limits) if fmt == "parquet" else _csv_batches(data, column_types)
        )
        rows = size = 0
        kept: list[pa.RecordBatch] = []
        schema = None
        for batch in batches:
            schema = batch.schema
            rows += batch.num_rows
            size += batch.nbytes
            limits.check_rows(rows, at_least=True)
            limits.check_bytes(size)
            kept.append(batch)
        if schema is None:
            return read_upload(data, fmt, column_types)  # no batches: let the reader explain
        table = pa.Table.from_batches(kept, schema=schema)
        _ = table.column_names  # names that are not UTF-8 fail here
        return table
    except UploadTooLarge:
        raise
    except _ARROW_ERRORS as error:
        if fmt == "parquet":  # never decoded again whole: its footer may lie
            raise DataError(f"could not read the PARQUET upload: {error}") from None
        # a CSV that does not parse: the whole-file reader's message names the column (it
        # decodes at most the body, which --max-body-bytes bounds)
        return read_upload(data, fmt, column_types)


def _parquet_batches(data: bytes, limits: UploadLimits) -> Iterator[pa.RecordBatch]:
    file = pq.ParquetFile(pa.BufferReader(data))
    metadata = file.metadata
    limits.check_rows(metadata.num_rows)
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    limits.check_bytes(declared)
    yield from file.iter_batches(batch_size=_BATCH_ROWS)


def _csv_batches(data: bytes, column_types: Mapping[str, pa.DataType]) -> Iterator[pa.RecordBatch]:
    reader = pcsv.open_csv(
        pa.BufferReader(data),
        read_options=pcsv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
        convert_options=pcsv.ConvertOptions(
            column_types=dict(column_types), strings_can_be_null=True
        ),
    )
    yield from reader
