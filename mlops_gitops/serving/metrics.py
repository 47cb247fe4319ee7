"""Prometheus metrics in the text exposition format (version 0.0.4), without a client library.

The server runs its request path on one event-loop thread, so counters are plain integers; values
owned by other threads (the request log writer) are read at scrape time through callbacks.

Metrics of a server (``ServingMetrics``)::

    mlops_http_requests_total{method, path, status}          counter
    mlops_http_request_duration_seconds{path}                histogram
    mlops_predictions_total{class}                           counter (classification)
    mlops_prediction_value                                   histogram (regression)
    mlops_predicted_rows_total                               counter
    mlops_request_log_dropped_records_total{reason}          counter (queue_full, write_error)
    mlops_request_log_written_records_total                  counter
    mlops_request_log_buffered_records                       gauge (accepted, not yet written)
    mlops_model_info{name, version, backend}                 gauge, always 1
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from mlops_gitops.serving import metric_names as names

__all__ = [
    "LATENCY_BUCKETS",
    "PREDICTION_BUCKETS",
    "Counter",
    "Histogram",
    "ServingMetrics",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PREDICTION_BUCKETS = tuple(
    sorted(
        {sign * m * 10.0**e for sign in (-1, 1) for m in (1, 2.5, 5) for e in range(-2, 5)} | {0.0}
    )
)
Labels = tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    pairs = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Counter:
    def __init__(self, name: str, help: str, labelnames: Sequence[str] = ()) -> None:
        self.name, self.help, self.labelnames = name, help, tuple(labelnames)
        self.values: dict[Labels, float] = {}
        self.source: Callable[[], dict[Labels, float]] | None = None

    def inc(self, labels: Labels = (), amount: float = 1) -> None:
        self.values[labels] = self.values.get(labels, 0) + amount

    def value(self, labels: Labels = ()) -> float:
        return self.samples().get(labels, 0)

    def samples(self) -> dict[Labels, float]:
        return self.source() if self.source is not None else dict(self.values)

    def render(self, kind: str = "counter") -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {kind}"
        for labels, value in sorted(self.samples().items()):
            yield f"{self.name}{_labels(self.labelnames, labels)} {_number(value)}"


class Histogram:
    def __init__(
        self, name: str, help: str, buckets: Sequence[float], labelnames: Sequence[str] = ()
    ) -> None:
        self.name, self.help, self.labelnames = name, help, tuple(labelnames)
        self.buckets = tuple(sorted(buckets))
        self._edges = np.asarray(self.buckets)
        self.counts: dict[Labels, list[int]] = {}
        self.sums: dict[Labels, float] = {}

    def _slot(self, labels: Labels) -> list[int]:
        counts = self.counts.get(labels)
        if counts is None:
            counts = self.counts[labels] = [0] * (len(self.buckets) + 1)
            self.sums[labels] = 0.0
        return counts

    def observe(self, value: float, labels: Labels = ()) -> None:
        self._slot(labels)[bisect.bisect_left(self.buckets, value)] += 1
        self.sums[labels] += value

    def observe_many(self, values: np.ndarray[Any, Any], labels: Labels = ()) -> None:
        finite = values[np.isfinite(values)]
        counts = self._slot(labels)
        slots = np.bincount(np.searchsorted(self._edges, finite), minlength=len(counts))
        for index, count in enumerate(slots.tolist()):
            counts[index] += count
        self.sums[labels] += float(finite.sum())

    def count(self, labels: Labels = ()) -> int:
        return sum(self.counts.get(labels, ()))

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        for labels, counts in sorted(self.counts.items()):
            cumulative = 0
            for bound, count in zip((*self.buckets, float("inf")), counts, strict=True):
                cumulative += count
                le = f'le="{_number(bound)}"'
                yield f"{self.name}_bucket{_labels(self.labelnames, labels, le)} {cumulative}"
            yield f"{self.name}_sum{_labels(self.labelnames, labels)} {_number(self.sums[labels])}"
            yield f"{self.name}_count{_labels(self.labelnames, labels)} {cumulative}"


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
        self.requests = Counter(
            names.REQUESTS,
            "HTTP requests by route and status.",
            ("method", "path", "status"),
        )
        self.latency = Histogram(
            names.LATENCY,
            "Time from request to the last response byte.",
            LATENCY_BUCKETS,
            ("path",),
        )
        self.classification = classification
        self.classes = Counter(names.PREDICTIONS, "Predicted rows by predicted class.", ("class",))
        self.values = Histogram(
            names.PREDICTION_VALUE, "Distribution of predicted values.", prediction_buckets
        )
        self.rows = Counter(names.ROWS, "Rows predicted.")
        self.log_dropped = Counter(
            names.LOG_DROPPED,
            "Request log records dropped (queue full or write failed).",
            ("reason",),
        )
        self.log_written = Counter(names.LOG_WRITTEN, "Request log records written to Parquet.")
        self.log_buffered = Counter(
            names.LOG_BUFFERED,
            "Request log records accepted but not yet written (lost if the process is killed).",
        )
        self.info = Counter(
            names.MODEL_INFO,
            "The served model; backend: what runs it (sklearn, or onnx: its verified graph).",
            ("name", "version", "backend"),
        )
        self.info.inc((name, version, backend))

    def observe_predictions(self, labels: np.ndarray[Any, Any]) -> None:
        self.rows.inc((), len(labels))
        if self.classification:
            for label in labels.tolist():
                self.classes.inc((str(label),))
        else:
            self.values.observe_many(labels.astype(np.float64, copy=False))

    def render(self) -> str:
        lines: list[str] = []
        lines += self.requests.render()
        lines += self.latency.render()
        lines += self.classes.render() if self.classification else self.values.render()
        lines += self.rows.render()
        lines += self.log_dropped.render()
        lines += self.log_written.render()
        lines += self.log_buffered.render("gauge")
        lines += self.info.render("gauge")
        return "\n".join(lines) + "\n"
