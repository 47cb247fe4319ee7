"""The bounded background writer behind the request log and the label log.

A request hands :meth:`BufferedWriter.offer` one small record; ``offer`` never blocks: when the
bounded queue is full the record is dropped and its rows counted. A background thread collects
records and writes them as one Parquet table through a :class:`Sink` (by default this replica's
next hour-partitioned file, :mod:`mlops_gitops.requestlog.files`) when ``max_rows_per_file``
rows are buffered or the oldest is ``max_seconds_per_file`` old (1 s by default), and on close.
A failing disk or store only costs rows (counted as ``dropped_write_error``), never a request.
``buffered`` counts the rows accepted but not yet written: what a SIGKILL would lose.

A subclass says what a record is: :meth:`BufferedWriter._rows` (how many rows it holds) and
:meth:`BufferedWriter._table` (a list of records as one table); it adds a typed ``submit``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import pyarrow as pa

from mlops_gitops.io.storage import Location, location
from mlops_gitops.requestlog.files import PartitionedWriter

__all__ = [
    "DRAIN_INTERVAL_S",
    "BufferedWriter",
    "ParquetSink",
    "RequestLogSettings",
    "Sink",
]

logger = logging.getLogger(__name__)

DRAIN_INTERVAL_S = 0.25
TABLE_CHUNK_ROWS = 2_000

R = TypeVar("R")


@dataclass(frozen=True)
class RequestLogSettings:
    """Where and how the request log (and the labels beside it) is written. ``queue_size``
    counts requests, not rows. ``folder``: the log's location (a path or URI is turned into
    one)."""

    folder: Location
    queue_size: int = 10_000
    max_rows_per_file: int = 100_000
    max_seconds_per_file: float = 1.0
    close_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.folder, str | Path):
            object.__setattr__(self, "folder", location(self.folder))

    @property
    def write_delay_s(self) -> float:
        """How long after it was accepted a record is written at the latest, when the store
        answers promptly: its age limit plus the writer's wake-up interval."""
        return self.max_seconds_per_file + DRAIN_INTERVAL_S


class Sink(Protocol):
    def write(self, table: pa.Table) -> None: ...


class ParquetSink:
    """Writes each table as this replica's next file(s) in a folder."""

    def __init__(self, folder: Location | Path | str | PartitionedWriter) -> None:
        if isinstance(folder, PartitionedWriter):
            self.writer = folder
        else:
            self.writer = PartitionedWriter(
                folder if isinstance(folder, Location) else location(folder)
            )

    def write(self, table: pa.Table) -> None:
        self.writer.write(table)


_STOP: Any = object()


class BufferedWriter(ABC, Generic[R]):
    """Records of type ``R`` queued by requests, written in batches by one background thread.
    ``what`` names the log in thread names and warnings ("request log", "labels")."""

    def __init__(self, settings: RequestLogSettings, sink: Sink, *, what: str) -> None:
        self.settings = settings
        self.sink = sink
        self.what = what
        self._queue: queue.Queue[R] = queue.Queue(maxsize=settings.queue_size)
        self._thread: threading.Thread | None = None
        self.dropped_queue_full = 0  # written by the request thread only
        self.accepted = 0  # rows queued, written by the request thread only
        self.dropped_write_error = 0  # written by the writer thread only
        self.written = 0
        self._last_warning = 0.0

    # -- what a subclass defines ---------------------------------------------------------------

    @abstractmethod
    def _rows(self, record: R) -> int:
        """How many rows ``record`` holds."""

    @abstractmethod
    def _table(self, records: list[R]) -> pa.Table:
        """``records`` as one table of the log's schema."""

    # -- the request side ----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            name = f"mlops-{self.what.replace(' ', '-')}"
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()

    def offer(self, record: R, rows: int) -> bool:
        """Queue ``record`` (``rows`` rows); drop and count it when the queue is full."""
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped_queue_full += rows
            return False
        self.accepted += rows
        return True

    @property
    def buffered(self) -> int:
        """Rows accepted and not yet written or dropped: what a SIGKILL now would lose."""
        return max(0, self.accepted - self.written - self.dropped_write_error)

    def close(self) -> None:
        """Write what is queued and stop, waiting at most ``close_timeout_seconds``."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        timeout = self.settings.close_timeout_seconds
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            logger.warning("%s: the writer did not drain its queue in %ss", self.what, timeout)
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("%s: the writer did not finish in %ss; records lost", self.what, timeout)

    # -- the writer thread ---------------------------------------------------------------------

    def _drain(self) -> list[Any]:
        """Everything queued now, without waiting."""
        records = []
        while True:
            try:
                records.append(self._queue.get_nowait())
            except queue.Empty:
                return records

    def _run(self) -> None:
        # The writer wakes every DRAIN_INTERVAL_S and takes what is queued in one go, instead of
        # waking for each request: a thread woken per request competes for the GIL with the
        # request path and shows up in its p99.
        buffer: list[R] = []
        rows = 0
        started = 0.0
        max_age = self.settings.max_seconds_per_file
        while True:
            time.sleep(DRAIN_INTERVAL_S)
            for record in self._drain():
                if record is _STOP:
                    self._flush(buffer, rows)
                    return
                if not buffer:
                    started = time.monotonic()
                buffer.append(record)
                rows += self._rows(record)
                if rows >= self.settings.max_rows_per_file:  # a file holds at most that many
                    self._flush(buffer, rows)
                    buffer, rows = [], 0
            if buffer and time.monotonic() - started >= max_age:
                self._flush(buffer, rows)
                buffer, rows = [], 0

    def _flush(self, buffer: list[R], rows: int) -> None:
        if not buffer:
            return
        try:
            self.sink.write(self._chunked_table(buffer))
        except Exception as error:  # a full or broken disk must never stop serving
            self.dropped_write_error += rows
            now = time.monotonic()
            if now - self._last_warning > 60:
                self._last_warning = now
                logger.warning("%s: could not write %d record(s): %s", self.what, rows, error)
            return
        self.written += rows

    def _chunked_table(self, buffer: list[R]) -> pa.Table:
        """The buffer as one table, built a few thousand rows at a time with a pause between:
        building holds the GIL, and one long stretch of it would stall requests (p99)."""
        tables = []
        chunk: list[R] = []
        rows = 0
        for record in buffer:
            chunk.append(record)
            rows += self._rows(record)
            if rows >= TABLE_CHUNK_ROWS:
                tables.append(self._table(chunk))
                chunk, rows = [], 0
                time.sleep(0)  # let the request path run
        if chunk:
            tables.append(self._table(chunk))
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)
