"""Read a window of the serving request log, local or in object storage (see
:mod:`mlops_gitops.requestlog.layout`): the Parquet files of the ``date=/hour=`` folders that
overlap the window (and files directly in the log folder, from earlier versions), never the
``labels/`` folder, filtered on ``timestamp``.

The files of a store are listed once and fetched concurrently; only the requested columns are
decoded, and Parquet row-group statistics let Arrow skip row groups outside the window, so the
time and memory follow the window, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_gitops.errors import DriftError
from mlops_gitops.io.storage import Location, location
from mlops_gitops.requestlog.schema import TIMESTAMP

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "TIMESTAMP",
    "Window",
    "log_files",
    "read_current_window",
    "unified_schema",
    "utc",
    "window_span",
]


@dataclass(frozen=True)
class Window:
    """The rows of the log with ``start <= timestamp < end`` and the files that were skipped."""

    table: pa.Table
    start: datetime
    end: datetime
    files: int
    skipped: tuple[str, ...] = ()  # "<file>: <why>" for each unreadable file


def log_files(folder: Location, start: datetime, end: datetime) -> list[str]:
    """The request-log files of ``folder`` that may hold rows of ``[start, end)``."""
    from mlops_gitops.requestlog.layout import LABELS_DIR, in_window

    files = []
    for path in folder.find(".parquet"):
        relative = folder.relative(path)
        if relative.split("/", 1)[0] != LABELS_DIR and in_window(relative, start, end):
            files.append(path)
    return files


def window_span(
    folder: Location | Path | str, *, window: timedelta, now: datetime | None = None
) -> tuple[Location, datetime, datetime, list[str]]:
    """The log's location, the window ``[now - window, now)`` in UTC, and the files that may hold
    its rows; a non-positive window or a missing log is a :class:`DriftError` saying what to do."""
    if window <= timedelta(0):
        raise DriftError(
            f"The window must be positive. Got {window} instead.",
            "fix `monitoring.window` in the Deployment spec",
        )
    folder = folder if isinstance(folder, Location) else location(folder)
    end = utc(now or datetime.now(UTC))
    start = end - window
    if not folder.exists():
        raise DriftError(
            f"no request log at {folder}",
            "serve the deployment with request logging enabled (`requestLog.enabled: true`), "
            "or pass --current FILE",
        )
    files = log_files(folder, start, end)
    return folder, start, end, files


def unified_schema(
    folder: Location, files: Sequence[str], schemas: Sequence[pa.Schema], skipped: Sequence[str]
) -> pa.Schema:
    """One schema for the readable files of a window (``schemas``); no readable file, or files
    whose column types cannot be reconciled, is a :class:`DriftError` saying what to do."""
    import pyarrow as pa

    if not schemas:
        found = f"{len(files)} unreadable file(s)" if files else "no *.parquet file in the window"
        raise DriftError(
            f"the request log {folder} holds {found}",
            "serve some requests first (or check the files listed above)"
            if not files
            else "remove or repair the unreadable files: " + "; ".join(skipped),
        )
    try:
        return pa.unify_schemas(list(schemas), promote_options="permissive")
    except pa.ArrowException as error:
        raise DriftError(
            f"the files of the request log {folder} disagree on column types: {error}",
            "move the files with the old schema out of the folder",
        ) from error


def read_current_window(
    folder: Location | Path | str,
    *,
    window: timedelta,
    now: datetime | None = None,
    columns: Sequence[str] | None = None,
    present_only: bool = False,
) -> Window:
    """The requests logged in ``[now - window, now)`` (``now`` defaults to the current time;
    a naive ``now`` is taken as UTC). ``columns``: the columns to read (None: all); a column
    absent from every file is an error (left out with ``present_only``), one absent from some
    files reads as nulls there."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder, start, end, files = window_span(folder, window=window, now=now)
    sources = _sources(folder, files)
    schemas: list[pa.Schema] = []
    good: list[tuple[str, Any, pa.Schema]] = []
    skipped: list[str] = []
    for path, source in sources:
        try:
            schema = pq.read_schema(source)
        except (pa.ArrowException, OSError) as error:
            skipped.append(f"{path}: not a readable Parquet file ({error})")
            continue
        if TIMESTAMP not in schema.names:
            skipped.append(f"{path}: has no {TIMESTAMP!r} column")
            continue
        schemas.append(schema)
        good.append((path, source, schema))
    schema = unified_schema(folder, files, schemas, skipped)
    wanted = list(columns) if columns is not None else schema.names
    if present_only:
        wanted = [c for c in wanted if c in schema.names]
    absent = [c for c in wanted if c not in schema.names]
    if absent:
        raise DriftError(
            f"the request log {folder} has no column(s) {', '.join(absent)} "
            f"(it has: {', '.join(schema.names)})",
            "check that the deployment serves the model whose features are being checked",
        )
    stamp = schema.field(TIMESTAMP).type
    if not pa.types.is_timestamp(stamp):
        raise DriftError(
            f"the {TIMESTAMP!r} column of the request log {folder} is {stamp}, not a timestamp",
            "the serving module writes timestamp[us, tz=UTC]",
        )
    target = pa.schema([schema.field(c) for c in wanted])
    parts: list[pa.Table] = []
    for path, source, own in good:
        try:
            part = pq.read_table(
                source, columns=sorted({*[c for c in wanted if c in own.names], TIMESTAMP})
            )
            keep = pc.and_(
                pc.greater_equal(part[TIMESTAMP], _scalar(start, part[TIMESTAMP].type)),
                pc.less(part[TIMESTAMP], _scalar(end, part[TIMESTAMP].type)),
            )
            part = part.filter(keep)
            part = _conform(part, target)
        except (pa.ArrowException, OSError) as error:
            skipped.append(f"{path}: could not be read ({error})")
            continue
        parts.append(part)
    if not parts:
        raise DriftError(
            f"no file of the request log {folder} could be read",
            "remove or repair the files: " + "; ".join(skipped),
        )
    table = pa.concat_tables(parts)
    return Window(table, start, end, len(parts), tuple(skipped))


def _sources(folder: Location, files: list[str]) -> list[tuple[str, Any]]:
    """Something pyarrow reads for each file: the path itself, or its bytes from a store
    (fetched concurrently in one go)."""
    import pyarrow as pa

    if not folder.remote:
        return [(path, path) for path in files]
    data = folder.read_many(files)
    return [(f"{folder.protocol}://{path}", pa.BufferReader(data[path])) for path in files]


def _conform(part: pa.Table, target: pa.Schema) -> pa.Table:
    """``part`` with ``target``'s columns in order: absent ones as nulls, types promoted."""
    import pyarrow as pa

    arrays = []
    for field in target:
        if field.name in part.column_names:
            arrays.append(part[field.name].cast(field.type))
        else:
            arrays.append(pa.nulls(part.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=target)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _scalar(moment: datetime, type_: pa.DataType) -> pa.Scalar:
    import pyarrow as pa

    if type_.tz is None:
        return pa.scalar(moment.replace(tzinfo=None), type=type_)
    return pa.scalar(moment, type=type_)
