"""Read a window of the serving request log: ``*.parquet`` files directly under a folder
(sub-folders such as ``labels/`` are not part of it), filtered on ``timestamp``.

Only the requested columns are read, and Parquet row-group statistics let Arrow skip whole
row groups (and files) outside the window, so memory follows the window, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import DriftError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["TIMESTAMP", "Window", "read_current_window", "utc"]

TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class Window:
    """The rows of the log with ``start <= timestamp < end`` and the files that were skipped."""

    table: pa.Table
    start: datetime
    end: datetime
    files: int
    skipped: tuple[str, ...] = ()  # "<file>: <why>" for each unreadable file


def read_current_window(
    directory: Path,
    *,
    window: timedelta,
    now: datetime | None = None,
    columns: Sequence[str] | None = None,
) -> Window:
    """The requests logged in ``[now - window, now)`` (``now`` defaults to the current time;
    a naive ``now`` is taken as UTC). ``columns``: the columns to read (None: all); a column
    absent from every file is an error, one absent from some files reads as nulls there."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if window <= timedelta(0):
        raise DriftError(
            f"The window must be positive. Got {window} instead.",
            "fix `monitoring.window` in the Deployment spec",
        )
    end = utc(now or datetime.now(UTC))
    start = end - window
    if not directory.is_dir():
        raise DriftError(
            f"no request log at {directory}",
            "serve the deployment with request logging enabled (`request_log.enabled: true`), "
            "or pass --current FILE",
        )
    files = sorted(p for p in directory.glob("*.parquet") if p.is_file())
    schemas: list[pa.Schema] = []
    good: list[str] = []
    skipped: list[str] = []
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as error:
            skipped.append(f"{path}: not a readable Parquet file ({error})")
            continue
        if TIMESTAMP not in schema.names:
            skipped.append(f"{path}: has no {TIMESTAMP!r} column")
            continue
        schemas.append(schema)
        good.append(str(path))
    if not good:
        found = f"{len(files)} unreadable file(s)" if files else "no *.parquet file"
        raise DriftError(
            f"the request log {directory} holds {found}",
            "serve some requests first (or check the files listed above)"
            if not files
            else "remove or repair the unreadable files: " + "; ".join(skipped),
        )
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive")
    except pa.ArrowException as error:
        raise DriftError(
            f"the files of the request log {directory} disagree on column types: {error}",
            "move the files with the old schema out of the folder",
        ) from error
    wanted = list(columns) if columns is not None else schema.names
    absent = [c for c in wanted if c not in schema.names]
    if absent:
        raise DriftError(
            f"the request log {directory} has no column(s) {', '.join(absent)} "
            f"(it has: {', '.join(schema.names)})",
            "check that the deployment serves the model whose features are being checked",
        )
    stamp = schema.field(TIMESTAMP).type
    if not pa.types.is_timestamp(stamp):
        raise DriftError(
            f"the {TIMESTAMP!r} column of the request log {directory} is {stamp}, not a timestamp",
            "the serving module writes timestamp[us, tz=UTC]",
        )
    bounds = _scalar(start, stamp), _scalar(end, stamp)
    field = ds.field(TIMESTAMP)
    keep = (field >= bounds[0]) & (field < bounds[1])
    parts: list[pa.Table] = []
    for path_name in good:
        try:
            part = ds.dataset(path_name, schema=schema, format="parquet").to_table(
                columns=wanted, filter=keep
            )
        except (pa.ArrowException, OSError) as error:
            skipped.append(f"{path_name}: could not be read ({error})")
            continue
        parts.append(part)
    if not parts:
        raise DriftError(
            f"no file of the request log {directory} could be read",
            "remove or repair the files: " + "; ".join(skipped),
        )
    table = pa.concat_tables(parts)
    return Window(table, start, end, len(parts), tuple(skipped))


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
