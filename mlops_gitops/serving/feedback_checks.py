"""What makes a label trustworthy enough to feed a retraining pull request.

- It has the shape of a feedback body: :func:`labels_from_feedback` reads
  ``{"labels": [{"request_id": ..., "label": ...}, ...]}`` with values of the label's type.
- It names a request this deployment answered, recently: :class:`ServedRequests` remembers the
  ids this process served (a multi-row request's rows are ``<id>:<row>``) for ``window_s``
  seconds, at most ``capacity`` requests, oldest forgotten first. An id it does not know may
  have been served by another worker (``--workers N``) or replica: :class:`ServedCheck` then
  looks it up in the deployment's shared request log
  (:class:`~mlops_gitops.requestlog.served_ids.LoggedIds`, the same window).
- Its value fits the target: one of the model's classes for a classifier; a finite number
  inside the dataset schema's ``min``/``max`` (recorded in model.json) for a regressor.

A label may arrive before the worker that served its request has written the log row: each
worker buffers its rows for up to ``--log-flush-seconds`` (1 s by default). So an id found
nowhere is looked for again until ``wait_s`` (that delay plus the writer's wake-up interval and
half a second for the store) after the label arrived, and only then refused. A client that posts a
label right after the prediction is not refused for it (unless the serving worker dropped the
row: ``mlops_request_log_dropped_records_total``); an id never served costs its sender
that wait (the check awaits without holding a thread, and re-lists the log a few times a second
at most, whatever the number of such requests).

Both raise :class:`~mlops_gitops.serving.payloads.PayloadError` (HTTP 400) naming the label; a
request log that cannot be read is :class:`LogUnreadable` (HTTP 503: retry later).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import anyio
import pyarrow as pa
from starlette.concurrency import run_in_threadpool

from mlops_gitops.errors import MlopsError
from mlops_gitops.io.storage import StorageError
from mlops_gitops.labels.store import label_type_name
from mlops_gitops.ml.artifact import ModelInfo
from mlops_gitops.serving.payloads import PayloadError

if TYPE_CHECKING:
    from mlops_gitops.requestlog.served_ids import LoggedIds

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_WINDOW_S",
    "POLL_S",
    "LogUnreadable",
    "ServedCheck",
    "ServedRequests",
    "check_label_values",
    "labels_from_feedback",
]

DEFAULT_WINDOW_S = 7 * 24 * 3600.0
DEFAULT_CAPACITY = 200_000
MAX_ID_LENGTH = 200
POLL_S = 0.25


class LogUnreadable(MlopsError):
    """The request log could not be read to check a label's request id (HTTP 503)."""


class ServedRequests:
    """Request ids this process answered, with how many rows each had."""

    def __init__(
        self,
        *,
        window_s: float = DEFAULT_WINDOW_S,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.capacity = capacity
        self._clock = clock
        self._served: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, request_id: str, rows: int) -> None:
        with self._lock:
            self._served[request_id] = (self._clock(), rows)
            self._served.move_to_end(request_id)
            while len(self._served) > self.capacity:
                self._served.popitem(last=False)

    def served(self, label_id: str) -> bool:
        """Whether ``label_id`` (``<id>`` or ``<id>:<row>``) names a row served in the window."""
        with self._lock:
            self._forget_old()
            entry = self._served.get(label_id)
            if entry is not None:
                return entry[1] == 1
            base, _, row = label_id.rpartition(":")
            entry = self._served.get(base) if base else None
            return entry is not None and row.isdigit() and int(row) < entry[1]

    def _forget_old(self) -> None:
        oldest = self._clock() - self.window_s
        while self._served:
            first = next(iter(self._served.values()))
            if first[0] >= oldest:
                return
            self._served.popitem(last=False)

    def unknown(self, ids: Sequence[str]) -> list[tuple[int, str]]:
        """The (index, id) of each id not served in the window."""
        return [(i, rid) for i, rid in enumerate(ids) if not self.served(rid)]

    def check(self, ids: Sequence[str]) -> None:
        unknown = self.unknown(ids)
        if unknown:
            raise not_served(unknown, self.window_s)


def not_served(unknown: Sequence[tuple[int, str]], window_s: float) -> PayloadError:
    index, request_id = unknown[0]
    more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
    return PayloadError(
        f"labels[{index}].request_id {request_id!r} was not served by this deployment in "
        f"the last {window_s / 3600:g} hours{more}; labels are accepted only for requests it "
        "answered (a row of a multi-row request is '<request id>:<row>')"
    )


class ServedCheck:
    """This process's served ids first, then the deployment's request log (``logged``, None
    when there is no log), looked at again until ``wait_s`` after the label arrived."""

    def __init__(
        self, served: ServedRequests, logged: LoggedIds | None, *, wait_s: float = 0.0
    ) -> None:
        self.served = served
        self.logged = logged
        self.wait_s = wait_s

    async def check(self, ids: Sequence[str]) -> None:
        unknown = self.served.unknown(ids)
        if not unknown:
            return
        logged = self.logged
        if logged is None:
            raise not_served(unknown, self.served.window_s)
        deadline = time.monotonic() + self.wait_s
        while True:
            try:  # in a thread: a refresh reads the store, and holds the ids' lock meanwhile
                unknown = await run_in_threadpool(_not_logged, logged, unknown)
            except StorageError as error:
                raise LogUnreadable(
                    f"could not read the request log to check the labels' request ids: "
                    f"{error.message}",
                    "retry later",
                ) from None
            if not unknown:
                return
            if time.monotonic() >= deadline:
                raise not_served(unknown, self.served.window_s)
            await anyio.sleep(POLL_S)


def _not_logged(logged: LoggedIds, unknown: list[tuple[int, str]]) -> list[tuple[int, str]]:
    logged.refresh()
    return [(i, rid) for i, rid in unknown if rid not in logged]


def check_label_values(labels: Sequence[Any], info: ModelInfo, classes: tuple[Any, ...]) -> None:
    """Each label fits the target: a known class, or a finite number in the target's range."""
    for index, label in enumerate(labels):
        problem = _label_problem(label, info, classes)
        if problem is not None:
            raise PayloadError(f"labels[{index}].label {label!r} {problem}")


def _label_problem(label: Any, info: ModelInfo, classes: tuple[Any, ...]) -> str | None:
    if classes:
        same = (c == label and isinstance(c, bool) == isinstance(label, bool) for c in classes)
        if not any(same):
            return f"is not a class of the model; classes: {', '.join(map(repr, classes))}"
        return None
    if not math.isfinite(float(label)):
        return "is not a finite number"
    if info.target_min is not None and label < info.target_min:
        return f"is below the target's minimum {info.target_min:g}"
    if info.target_max is not None and label > info.target_max:
        return f"is above the target's maximum {info.target_max:g}"
    return None


def labels_from_feedback(body: Any, label_type: pa.DataType) -> tuple[list[str], list[Any]]:
    """Check a feedback body ``{"labels": [{"request_id": ..., "label": ...}, ...]}``."""
    items = body.get("labels") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise PayloadError(
            'expected {"labels": [{"request_id": ..., "label": ...}, ...]} with one or more labels'
        )
    ids: list[str] = []
    labels: list[Any] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"request_id", "label"}:
            raise PayloadError(f"labels[{index}] must be an object with 'request_id' and 'label'")
        request_id, label = item["request_id"], item["label"]
        if not isinstance(request_id, str) or not 0 < len(request_id) <= MAX_ID_LENGTH:
            raise PayloadError(
                f"labels[{index}].request_id must be a string of 1 to {MAX_ID_LENGTH} characters"
            )
        if not _fits(label, label_type):
            raise PayloadError(
                f"labels[{index}].label must be {label_type_name(label_type)}, got {label!r}"
            )
        ids.append(request_id)
        labels.append(label)
    return ids, labels


def _fits(value: Any, label_type: pa.DataType) -> bool:
    if pa.types.is_floating(label_type):
        return type(value) in (int, float)
    if pa.types.is_integer(label_type):
        return type(value) is int and -(2**63) <= value < 2**63
    if pa.types.is_boolean(label_type):
        return type(value) is bool
    return type(value) is str
