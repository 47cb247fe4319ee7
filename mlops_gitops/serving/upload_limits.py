"""Limits on what a batch upload decodes to, not only on the bytes that arrive.

``--max-body-bytes`` bounds the compressed body; a 137 KB zstd Parquet file can still hold three
million rows. So an upload is decoded under two more limits, each a 413 naming the limit:

- Parquet: the footer says how many rows and how many uncompressed bytes the file holds; a
  file over either limit is refused before any page is decoded. The pages are then decoded one
  record batch at a time, counting again (a footer can lie), and decoding stops at the limit.
- CSV: decoded one block at a time by pyarrow's streaming reader, counting rows and bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from mlops_gitops.errors import DataError
from mlops_gitops.io.tables import Kind, conform, iter_raw_batches, read_raw_bytes
from mlops_gitops.serving.options import DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_DECODED_BYTES

__all__ = ["DEFAULT_UPLOAD_LIMITS", "UploadLimits", "UploadTooLarge", "read_limited_upload"]


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
    kinds: Mapping[str, Kind],
    limits: UploadLimits,
) -> pa.Table:
    """The upload as one table typed by ``kinds`` (the one table reader's rules), decoded under
    ``limits``; raises :class:`UploadTooLarge`, or DataError for a file that does not parse."""
    origin = f"the {fmt.upper()} upload"
    if fmt == "parquet":
        _check_parquet_footer(data, limits)
    rows = size = 0
    kept: list[pa.RecordBatch] = []
    for batch in iter_raw_batches(data, fmt, kinds, origin=origin):
        rows += batch.num_rows
        size += batch.nbytes
        limits.check_rows(rows, at_least=True)
        limits.check_bytes(size)
        kept.append(batch)
    if kept:
        table = pa.Table.from_batches(kept, schema=kept[0].schema)
    else:  # no rows: the whole-file reader gives the header (or explains the file)
        table = read_raw_bytes(data, fmt, kinds, origin=origin)
    return conform(table, kinds, origin=origin)


def _check_parquet_footer(data: bytes, limits: UploadLimits) -> None:
    """The footer says how many rows and uncompressed bytes the file holds: refuse before any
    page is decoded (the batches are counted again, since a footer can lie)."""
    try:
        metadata = pq.ParquetFile(pa.BufferReader(data)).metadata
    except (pa.ArrowException, ValueError, OSError) as error:
        raise DataError(f"could not read the PARQUET upload: {error}") from None
    limits.check_rows(metadata.num_rows)
    limits.check_bytes(
        sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    )
