"""Stream a window of the request log into mergeable summaries, file by file, in Arrow batches.

The files of the window are those of its ``date=/hour=`` folders (as
:func:`~mlops_gitops.requestlog.window.log_files` lists them), read through a pyarrow
dataset of one file at a time (local, or an object store through fsspec): only the needed
columns, cast to the window's unified schema, rows filtered on ``timestamp`` (row groups outside
the window are skipped by their statistics), ``batch_size`` rows at a time. Each file becomes a
:class:`~mlops_gitops.monitoring.summaries.WindowSummary`; the summaries merge in file order. So
peak memory is a few batches and the bins, whatever the window's length, and the per-file work
runs on local threads or on a Dask cluster (``scheduler``) with the same result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.io.storage import Location, location
from mlops_gitops.monitoring.summaries import Needs, WindowSummary, new_summary
from mlops_gitops.requestlog.window import TIMESTAMP, unified_schema, window_span

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "BATCH_SIZE",
    "FileJob",
    "WindowFiles",
    "open_window",
    "summarise_file",
    "summarise_table",
    "summarise_window",
]

BATCH_SIZE = 1 << 16


@dataclass(frozen=True)
class WindowFiles:
    """The readable files of a window, their unified schema and the files left out."""

    folder: str  # the location's URI
    files: tuple[str, ...]
    schema: pa.Schema
    start: datetime
    end: datetime
    skipped: tuple[str, ...] = ()


def open_window(
    folder: Location | Path | str,
    *,
    window: timedelta,
    now: datetime | None = None,
) -> WindowFiles:
    """The files that may hold rows of ``[now - window, now)`` and their unified schema (each
    file's footer is read once; unreadable files are listed in ``skipped``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder, start, end, files = window_span(folder, window=window, now=now)
    filesystem = _arrow_filesystem(folder)
    schemas: list[pa.Schema] = []
    good: list[str] = []
    skipped: list[str] = []
    for path in files:
        shown = f"{folder.protocol}://{path}" if folder.remote else path
        try:
            schema = pq.read_schema(path, filesystem=filesystem)
        except (pa.ArrowException, OSError) as error:
            skipped.append(f"{shown}: not a readable Parquet file ({error})")
            continue
        if TIMESTAMP not in schema.names:
            skipped.append(f"{shown}: has no {TIMESTAMP!r} column")
            continue
        schemas.append(schema)
        good.append(path)
    schema = unified_schema(folder, files, schemas, skipped)
    stamp = schema.field(TIMESTAMP).type
    if not pa.types.is_timestamp(stamp):
        raise DriftError(
            f"the {TIMESTAMP!r} column of the request log {folder} is {stamp}, not a timestamp",
            "the serving module writes timestamp[us, tz=UTC]",
        )
    return WindowFiles(folder.uri, tuple(good), schema, start, end, tuple(skipped))


def summarise_window(
    window: WindowFiles,
    needs: Mapping[str, Needs],
    *,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> WindowSummary:
    """The merged summary of every file of ``window``: on local threads, or on the Dask
    cluster at ``scheduler`` (``tcp://host:8786``)."""
    jobs = [
        FileJob(window.folder, path, window.schema, needs, window.start, window.end, batch_size)
        for path in window.files
    ]
    merged = new_summary(needs)
    if scheduler is not None:
        for part in _on_dask(scheduler, jobs):
            merged = merged.merged(part)
    else:
        for part in _on_threads(jobs):
            merged = merged.merged(part)
    merged.skipped = (*window.skipped, *merged.skipped)
    if not merged.files:
        raise DriftError(
            f"no file of the request log {location(window.folder)} could be read",
            "remove or repair the files: " + "; ".join(merged.skipped),
        )
    return merged


def _on_threads(jobs: Sequence[FileJob]) -> Iterator[WindowSummary]:
    """The per-file summaries in file order, computed on one thread per core with at most
    one file per thread in flight, so the summaries held at once stay bounded."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        running: deque[Future[WindowSummary]] = deque()
        for job in jobs:
            running.append(pool.submit(summarise_file, job))
            if len(running) >= workers:
                yield running.popleft().result()
        while running:
            yield running.popleft().result()


def _on_dask(scheduler: str, jobs: Sequence[FileJob]) -> Iterator[WindowSummary]:
    """The per-file summaries computed on the cluster, fetched one at a time in file order."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the dask extra is not installed
        raise DriftError(
            "--scheduler needs Dask's distributed package",
            'install it with `pip install "mlops-gitops[dask]"`',
        ) from None
    try:
        client = Client(scheduler, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as error:
        raise DriftError(
            f"cannot reach the Dask scheduler at {scheduler}: {error}",
            "check the address (tcp://host:8786) and that the scheduler is running",
        ) from None
    try:
        futures = [client.submit(summarise_file, job, pure=False) for job in jobs]
        for future in futures:
            yield future.result()
            future.release()  # type: ignore[no-untyped-call]
    finally:
        client.close()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class FileJob:
    """One file of a window to summarise (picklable: it travels to Dask workers)."""

    folder: str
    path: str
    schema: pa.Schema
    needs: Mapping[str, Needs]
    start: datetime
    end: datetime
    batch_size: int = BATCH_SIZE


def summarise_file(job: FileJob) -> WindowSummary:
    """The summary of one request-log file's rows in ``[start, end)`` (runs on a worker)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    from mlops_gitops.requestlog.window import _scalar

    store, path, schema, needs = location(job.folder), job.path, job.schema, job.needs
    shown = f"{store.protocol}://{path}" if store.remote else path
    columns = [name for name in needs if name in schema.names]
    stamp = schema.field(TIMESTAMP).type
    target = pa.schema([schema.field(c) for c in dict.fromkeys([*columns, TIMESTAMP])])
    summary = new_summary(needs)
    try:
        dataset = ds.dataset(
            path, format="parquet", filesystem=_arrow_filesystem(store), schema=target
        )
        keep = (ds.field(TIMESTAMP) >= _scalar(job.start, stamp)) & (
            ds.field(TIMESTAMP) < _scalar(job.end, stamp)
        )
        scanner = dataset.scanner(
            columns=columns,
            filter=None if _inside(dataset, job) else keep,
            batch_size=job.batch_size,
            batch_readahead=2,
        )
        for batch in scanner.to_batches():
            _add_batch(summary, batch)
    except (pa.ArrowException, OSError) as error:
        failed = new_summary(needs)
        failed.skipped = (f"{shown}: could not be read ({error})",)
        return failed
    summary.files = 1
    return summary


def _inside(dataset: Any, job: FileJob) -> bool:
    """Whether every row of the (one-file) dataset lies in the window, by the row groups'
    ``timestamp`` statistics: then no row needs filtering (an hour folder inside the window,
    the common case, is read without evaluating the filter)."""
    for fragment in dataset.get_fragments():
        fragment.ensure_complete_metadata()
        for group in fragment.row_groups:
            stats = (group.statistics or {}).get(TIMESTAMP)
            if not stats or stats.get("min") is None or stats.get("max") is None:
                return False
            low, high = _aware(stats["min"]), _aware(stats["max"])
            if low < job.start or high >= job.end:
                return False
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def summarise_table(
    table: pa.Table, needs: Mapping[str, Needs], batch_size: int = BATCH_SIZE
) -> WindowSummary:
    """The summary of a table already read (``--current FILE``), batch by batch."""
    summary = new_summary(needs)
    present = [name for name in needs if name in table.column_names]
    for batch in table.select(present).to_batches(max_chunksize=batch_size):
        _add_batch(summary, batch)
    summary.files = 1
    return summary


def _add_batch(summary: WindowSummary, batch: pa.RecordBatch) -> None:
    if not batch.num_rows:
        return
    summary.rows += batch.num_rows
    for name, column in summary.columns.items():
        index = batch.schema.get_field_index(name)
        if index >= 0:
            column.add(batch.column(index))


def _arrow_filesystem(store: Location) -> Any:
    """pyarrow's view of the store: None (local paths) or fsspec's filesystem wrapped."""
    if not store.remote:
        return None
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    return PyFileSystem(FSSpecHandler(store.filesystem()))
