"""Prometheus metrics of a served model, kept by prometheus-client.

With one worker, each app has its own registry. With several (``mlops serve --workers N``), the
server points ``PROMETHEUS_MULTIPROC_DIR`` at a folder it creates and removes
(:func:`multiprocess_dir`); prometheus-client then keeps every counter and histogram in a
memory-mapped file per worker, and a scrape, whichever worker answers it, sums them all: a
counter never goes down between scrapes (it did when each worker counted alone, which
Prometheus reads as a reset). Process metrics (CPU, memory, file descriptors) are reported
for every worker with a ``pid`` label in that mode, and unlabelled with one worker.

Values owned by another thread (the request log's and the label writer's counts) are read from
``source`` callbacks and added to their counters as deltas: at every scrape, every prediction,
once a second in the background, and when the service closes.

Metrics (names unchanged from the hand-written exposition this replaces)::

    mlops_http_requests_total{method, path, status}          counter
    mlops_http_request_duration_seconds{path}                histogram
    mlops_predictions_total{class}                           counter (classification)
    mlops_prediction_value                                   histogram (regression)
    mlops_predicted_rows_total                               counter
    mlops_request_log_dropped_records_total{reason}          counter (queue_full, write_error)
    mlops_request_log_written_records_total                  counter
    mlops_request_log_buffered_records                       gauge (accepted, not yet written)
    mlops_labels_dropped_records_total{reason}               counter (queue_full, write_error)
    mlops_labels_written_records_total                       counter (feedback labels written)
    mlops_labels_buffered_records                            gauge (accepted, not yet written)
    mlops_model_info{name, version, backend}                 gauge, always 1
    process_*                                                the server's process(es)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import prometheus_client
from prometheus_client import CollectorRegistry, ProcessCollector, generate_latest
from prometheus_client import Counter as _PromCounter
from prometheus_client import Gauge as _PromGauge
from prometheus_client import Histogram as _PromHistogram
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE",
    "LATENCY_BUCKETS",
    "MULTIPROC_ENV",
    "PREDICTION_BUCKETS",
    "Counter",
    "Histogram",
    "ServingMetrics",
    "multiprocess_dir",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PREDICTION_BUCKETS = tuple(
    sorted(
        {sign * m * 10.0**e for sign in (-1, 1) for m in (1, 2.5, 5) for e in range(-2, 5)} | {0.0}
    )
)
Labels = tuple[str, ...]

prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created: noise


def _multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


class Counter:
    """A prometheus-client counter addressed by a tuple of label values; ``source`` (values
    another thread owns) is folded in as deltas by :meth:`sync`."""

    def __init__(
        self,
        name: str,
        help: str,
        labelnames: Sequence[str] = (),
        *,
        registry: CollectorRegistry,
    ) -> None:
        self.name, self.labelnames = name, tuple(labelnames)
        self._counter = _PromCounter(name, help, self.labelnames, registry=registry)
        self.source: Callable[[], dict[Labels, float]] | None = None
        self._synced: dict[Labels, float] = {}

    def inc(self, labels: Labels = (), amount: float = 1) -> None:
        child = self._counter.labels(*labels) if self.labelnames else self._counter
        child.inc(amount)

    def sync(self) -> None:
        if self.source is None:
            return
        for labels, value in self.source().items():
            delta = value - self._synced.get(labels, 0)
            if delta > 0:
                self.inc(labels, delta)
                self._synced[labels] = value


class Histogram:
    def __init__(
        self,
        name: str,
        help: str,
        buckets: Sequence[float],
        labelnames: Sequence[str] = (),
        *,
        registry: CollectorRegistry,
    ) -> None:
        self.labelnames = tuple(labelnames)
        self.buckets = tuple(sorted(buckets))
        self._edges = np.asarray(self.buckets)
        self._histogram = _PromHistogram(
            name, help, self.labelnames, buckets=self.buckets, registry=registry
        )

    def _child(self, labels: Labels) -> Any:
        return self._histogram.labels(*labels) if self.labelnames else self._histogram

    def observe(self, value: float, labels: Labels = ()) -> None:
        self._child(labels).observe(value)

    def observe_many(self, values: np.ndarray[Any, Any], labels: Labels = ()) -> None:
        """Many values at once: bucket counts from numpy, one increment per bucket (a batch of
        100,000 predictions costs one pass, not 100,000 observe calls)."""
        finite = values[np.isfinite(values)]
        if not len(finite):
            return
        child = self._child(labels)
        slots = np.bincount(np.searchsorted(self._edges, finite), minlength=len(self.buckets) + 1)
        # prometheus-client keeps per-bucket (not cumulative) counts in _buckets, +Inf last,
        # and the total in _sum; observe() does the same one value at a time
        for index, count in enumerate(slots.tolist()):
            if count:
                child._buckets[index].inc(count)
        child._sum.inc(float(finite.sum()))


def _constant(value: int) -> Callable[[], int]:
    return lambda: value


class _WorkerProcesses(Collector):
    """Process metrics of every worker (a ``pid`` label), found by their files in the
    multiprocess folder; the worker answering the scrape reads /proc for all of them."""

    _PID = re.compile(r"_(\d+)\.db$")

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def collect(self) -> Iterator[Metric]:
        pids = sorted(
            {
                int(m.group(1))
                for p in Path(self.folder).iterdir()
                if (m := self._PID.search(p.name))
            }
        )
        merged: dict[str, Metric] = {}
        for pid in pids:
            if not Path(f"/proc/{pid}").exists():
                continue
            reader = ProcessCollector(pid=_constant(pid), registry=None)
            for family in reader.collect():
                target = merged.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    labels = {**sample.labels, "pid": str(pid)}
                    target.add_sample(sample.name, labels, sample.value)
        yield from merged.values()


class ServingMetrics:
    """The metrics of one served model."""

    def __init__(
        self,
        name: str,
        version: str,
        *,
        classification: bool,
        prediction_buckets: Sequence[float] = PREDICTION_BUCKETS,
        backend: str = "sklearn",
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "mlops_http_requests",
            "HTTP requests by route and status.",
            ("method", "path", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "mlops_http_request_duration_seconds",
            "Time from request to the last response byte.",
            LATENCY_BUCKETS,
            ("path",),
            registry=registry,
        )
        self.classification = classification
        self.classes: Counter | None = None
        self.values: Histogram | None = None
        if classification:
            self.classes = Counter(
                "mlops_predictions",
                "Predicted rows by predicted class.",
                ("class",),
                registry=registry,
            )
        else:
            self.values = Histogram(
                "mlops_prediction_value",
                "Distribution of predicted values.",
                prediction_buckets,
                registry=registry,
            )
        self.rows = Counter("mlops_predicted_rows", "Rows predicted.", registry=registry)
        self.log_dropped = Counter(
            "mlops_request_log_dropped_records",
            "Request log records dropped (queue full or write failed).",
            ("reason",),
            registry=registry,
        )
        self.log_written = Counter(
            "mlops_request_log_written_records",
            "Request log records written to Parquet.",
            registry=registry,
        )
        self.log_buffered = _PromGauge(
            "mlops_request_log_buffered_records",
            "Request log records accepted but not yet written (lost if the process is killed).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.buffered_source: Callable[[], int] | None = None
        self.labels_dropped = Counter(
            "mlops_labels_dropped_records",
            "Feedback labels dropped (queue full: refused with 503; write failed: lost).",
            ("reason",),
            registry=registry,
        )
        self.labels_written = Counter(
            "mlops_labels_written_records",
            "Feedback labels written to Parquet.",
            registry=registry,
        )
        self.labels_buffered = _PromGauge(
            "mlops_labels_buffered_records",
            "Feedback labels accepted but not yet written (lost if the process is killed).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.labels_buffered_source: Callable[[], int] | None = None
        self.info = _PromGauge(
            "mlops_model_info",
            "The served model; backend: what runs it (sklearn, or onnx: its verified graph).",
            ("name", "version", "backend"),
            registry=registry,
            multiprocess_mode="max",
        )
        self.info.labels(name, version, backend).set(1)
        if not _multiprocess():
            ProcessCollector(registry=registry)
        self._sync_lock = threading.Lock()

    def observe_predictions(self, labels: np.ndarray[Any, Any]) -> None:
        self.rows.inc((), len(labels))
        if self.classes is not None:
            values, counts = np.unique(labels.astype(str), return_counts=True)
            for value, count in zip(values.tolist(), counts.tolist(), strict=True):
                self.classes.inc((value,), count)
        elif self.values is not None:
            self.values.observe_many(labels.astype(np.float64, copy=False))

    def sync(self) -> None:
        """Fold the values other threads own into their counters."""
        with self._sync_lock:
            self.log_dropped.sync()
            self.log_written.sync()
            if self.buffered_source is not None:
                self.log_buffered.set(self.buffered_source())
            self.labels_dropped.sync()
            self.labels_written.sync()
            if self.labels_buffered_source is not None:
                self.labels_buffered.set(self.labels_buffered_source())

    def render(self) -> bytes:
        self.sync()
        folder = os.environ.get(MULTIPROC_ENV)
        if not folder:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        registry.register(_WorkerProcesses(folder))
        return generate_latest(registry)


@contextlib.contextmanager
def multiprocess_dir() -> Iterator[str]:
    """A fresh folder for the workers' metric files, set in the environment the workers inherit,
    removed (with the variable) when the server stops."""
    folder = tempfile.mkdtemp(prefix="mlops-metrics-")
    previous = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)
