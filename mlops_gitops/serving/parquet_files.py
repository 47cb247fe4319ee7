"""Write a Parquet file into a folder of time-named files, atomically and without overwriting.

Names are ``<UTC time>-<seq>.parquet`` (``20250101T120000Z-000001.parquet``): sorted names are
in time order. The table is written to a hidden temporary file and hard-linked to its final name,
which fails instead of overwriting when another process (a second worker) took the name first;
the sequence number then moves on. A reader never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["write_parquet_file"]

_sequence = itertools.count(1)


def write_parquet_file(directory: Path, table: pa.Table, *, when: datetime | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".parquet.tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        while True:
            path = directory / f"{stamp}-{next(_sequence):06d}.parquet"
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue
            except OSError:
                # No hard links on this filesystem: rename (a race with another worker is
                # possible but harmless in practice: the sequence numbers differ per process).
                if path.exists():
                    continue
                os.replace(tmp, path)
            return path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
