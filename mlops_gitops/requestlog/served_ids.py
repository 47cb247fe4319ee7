"""Which request ids the whole deployment served: the ``request_id`` column of the request-log
files of a time window, whichever replica or worker wrote them.

A file is immutable once written (:mod:`mlops_gitops.requestlog.files`), so :class:`LoggedIds`
reads each one once and keeps its ids; a :meth:`LoggedIds.refresh` lists the window, forgets the
files that left it and reads only the new ones, newest first. At most ``capacity`` ids are
kept: past that, the oldest files are forgotten (and not read again while they stay in the
window), so memory stays bounded however long the window. Refreshes closer together than
``min_refresh_s`` reuse the last listing, so a stream of unknown ids costs at most a few
listings a second.

An id is a row id as logged: ``<request id>`` for a one-row request, ``<request id>:<row>`` for a
row of a longer one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from mlops_gitops.io.storage import Location
from mlops_gitops.requestlog.window import log_files

__all__ = ["DEFAULT_LOGGED_CAPACITY", "LoggedIds"]

logger = logging.getLogger(__name__)

DEFAULT_LOGGED_CAPACITY = 500_000
READ_CHUNK = 64  # files fetched from a store at once


class LoggedIds:
    """The row ids of the request log ``folder`` in the last ``window_s`` seconds."""

    def __init__(
        self,
        folder: Location,
        *,
        window_s: float,
        capacity: int = DEFAULT_LOGGED_CAPACITY,
        min_refresh_s: float = 0.2,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.folder = folder
        self.window = timedelta(seconds=window_s)
        self.capacity = capacity
        self.min_refresh_s = min_refresh_s
        self._clock = clock
        self._files: dict[str, list[str]] = {}  # file path -> its ids
        self._ids: dict[str, int] = {}  # id -> in how many cached files (a client may reuse one)
        self._forgotten: set[str] = set()  # files left out for capacity
        self._refreshed = float("-inf")
        self._lock = threading.Lock()
        self.files_read = 0

    def __contains__(self, row_id: object) -> bool:
        with self._lock:
            return row_id in self._ids

    def refresh(self) -> None:
        """Read the files that appeared in the window since the last refresh (unless that was
        less than ``min_refresh_s`` ago). Raises :class:`~mlops_gitops.io.storage.StorageError`
        when the store cannot be listed."""
        with self._lock:
            if time.monotonic() - self._refreshed < self.min_refresh_s:
                return
            self._refreshed = time.monotonic()
            end = self._clock()
            files = log_files(self.folder, end - self.window, end)
            present = set(files)
            for path in [p for p in self._files if p not in present]:
                self._forget(path)
            self._forgotten &= present
            new = [p for p in files if p not in self._files and p not in self._forgotten]
            new.sort(key=self.folder.relative, reverse=True)  # newest hour first
            for path, ids in self._read(new):
                if not self._add(path, ids):  # past the capacity: so are the older ones
                    self._forgotten.update(new[new.index(path) + 1 :])
                    return

    def _read(self, paths: list[str]) -> Iterator[tuple[str, list[str]]]:
        """Each file's ids, in order; files of a store fetched ``READ_CHUNK`` at a time."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for start in range(0, len(paths), READ_CHUNK):
            chunk = paths[start : start + READ_CHUNK]
            data = self.folder.read_many(chunk) if self.folder.remote else None
            for path in chunk:
                source = pa.BufferReader(data[path]) if data is not None else path
                try:
                    column = pq.read_table(source, columns=["request_id"]).column("request_id")
                except (pa.ArrowException, OSError, KeyError) as error:
                    logger.warning("served ids: skipped %s: %s", path, error)
                    self._forgotten.add(path)
                    continue
                self.files_read += 1
                yield path, [i for i in column.to_pylist() if isinstance(i, str)]

    def _add(self, path: str, ids: list[str]) -> bool:
        """Keep ``path``'s ids, then forget the oldest files while over capacity; whether
        ``path`` itself is still kept."""
        self._files[path] = ids
        for row_id in ids:
            self._ids[row_id] = self._ids.get(row_id, 0) + 1
        while len(self._ids) > self.capacity and len(self._files) > 1:
            oldest = min(self._files, key=self.folder.relative)
            self._forget(oldest)
            self._forgotten.add(oldest)
        return path in self._files

    def _forget(self, path: str) -> None:
        for row_id in self._files.pop(path):
            left = self._ids[row_id] - 1
            if left:
                self._ids[row_id] = left
            else:
                del self._ids[row_id]
