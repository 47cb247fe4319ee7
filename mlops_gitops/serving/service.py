"""The served model: check input, predict, count, log. Everything a route does after parsing.

One :class:`ModelService` per process holds the pipeline, its input checks, the metrics, the
request log writer and the label writer (both batching in the background), and the check of
the request ids labels name. :meth:`ModelService.score` is the whole request path behind every
prediction route, so the V2, ``/predict`` and batch routes check and log the same way.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pyarrow as pa

from mlops_gitops.errors import MlopsError
from mlops_gitops.labels.writer import LabelWriter
from mlops_gitops.ml.artifact import Columns, ModelInfo
from mlops_gitops.requestlog.served_ids import LoggedIds
from mlops_gitops.requestlog.writer import (
    RequestLogSettings,
    RequestLogWriter,
    Sink,
    arrow_type_of,
)
from mlops_gitops.serving.backends import BackendChoice
from mlops_gitops.serving.feedback_checks import ServedCheck, ServedRequests
from mlops_gitops.serving.predictor import Prediction, Predictor
from mlops_gitops.serving.prometheus import PREDICTION_BUCKETS, ServingMetrics
from mlops_gitops.serving.validation import InputSchema

__all__ = ["ModelService", "UnknownModel"]

METRICS_SYNC_S = 1.0
STORE_LATENCY_S = 0.5  # allowed for a log file to reach the store and show in its listing


class UnknownModel(MlopsError):
    """A route named a model this server does not serve (HTTP 404)."""


class ModelService:
    def __init__(
        self,
        pipeline: Any,
        info: ModelInfo,
        *,
        name: str,
        version: str | None = None,
        request_log: RequestLogSettings | None = None,
        log_sink: Sink | None = None,
        label_sink: Sink | None = None,
        prediction_buckets: tuple[float, ...] = PREDICTION_BUCKETS,
        backend: BackendChoice | None = None,
    ) -> None:
        self.name = name
        self.info = info
        self.content_hash = info.sha256[:12]
        self.version = version or self.content_hash
        self.schema = InputSchema(info.features)
        self.predictor = Predictor(pipeline, info, backend.backend if backend else None)
        self.backend = self.predictor.backend.name
        self.backend_reason = backend.reason if backend else "scikit-learn"
        self.classes = self.predictor.classes
        self.label_type: pa.DataType = (
            arrow_type_of(np.asarray(self.classes)) if self.classes else pa.float64()
        )
        self.metrics = ServingMetrics(
            name,
            self.version,
            classification=self.predictor.is_classifier,
            prediction_buckets=prediction_buckets,
            backend=self.backend,
        )
        self.request_log = request_log
        self.served = ServedRequests()
        self.served_check = ServedCheck(self.served, None)
        self._sync_stop = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self.writer: RequestLogWriter | None = None
        self.labels: LabelWriter | None = None
        if request_log is not None:
            self.writer = RequestLogWriter(
                request_log,
                features=info.features,
                model_version=self.version,
                prediction_type=self.label_type,
                sink=log_sink,
            )
            writer = self.writer
            self.metrics.log_dropped.source = lambda: {
                ("queue_full",): writer.dropped_queue_full,
                ("write_error",): writer.dropped_write_error,
            }
            self.metrics.log_written.source = lambda: {(): writer.written}
            self.metrics.buffered_source = lambda: writer.buffered
            self.served_check = ServedCheck(
                self.served,
                LoggedIds(request_log.folder, window_s=self.served.window_s),
                wait_s=request_log.write_delay_s + STORE_LATENCY_S,
            )
            self.labels = LabelWriter(request_log, label_type=self.label_type, sink=label_sink)
            labels = self.labels
            self.metrics.labels_dropped.source = lambda: {
                ("queue_full",): labels.dropped_queue_full,
                ("write_error",): labels.dropped_write_error,
            }
            self.metrics.labels_written.source = lambda: {(): labels.written}
            self.metrics.labels_buffered_source = lambda: labels.buffered

    def check_name(self, name: str) -> None:
        if name != self.name:
            raise UnknownModel(
                f"model '{name}' is not served here; this server serves '{self.name}'",
                f"use /v2/models/{self.name}",
            )

    def check_version(self, name: str, version: str) -> None:
        """``version`` must be the one served: the registry version (or the content hash)."""
        self.check_name(name)
        if version not in (self.version, self.content_hash):
            raise UnknownModel(
                f"model '{name}' has no version '{version}' here; this server serves version "
                f"'{self.version}'",
                f"use /v2/models/{self.name}/versions/{self.version} (or drop /versions/...)",
            )

    def score(self, columns: Columns, request_id: str) -> Prediction:
        """Predict checked columns, count the predictions, queue them for the request log."""
        return self.record(request_id, columns, self.predictor.predict(columns))

    def record(self, request_id: str, columns: Columns, prediction: Prediction) -> Prediction:
        """Count predictions and queue them for the request log (on the event loop's thread)."""
        self.metrics.observe_predictions(prediction.labels)
        self.served.add(request_id, len(prediction.labels))
        if self.writer is not None:
            self.writer.submit(request_id, time.time_ns() // 1000, columns, prediction.labels)
        return prediction

    def start(self) -> None:
        if self.writer is not None:
            self.writer.start()
            if self.labels is not None:
                self.labels.start()
            self._sync_stop.clear()
            self._sync_thread = threading.Thread(
                target=self._sync_metrics, name="mlops-metrics-sync", daemon=True
            )
            self._sync_thread.start()

    def close(self) -> None:
        if self.writer is not None:
            if self.labels is not None:
                self.labels.close()
            self.writer.close()
            self._sync_stop.set()
            if self._sync_thread is not None:
                self._sync_thread.join(timeout=5)
            self.metrics.sync()  # what the writer counted while closing

    def _sync_metrics(self) -> None:
        """The writer's counts reach the shared counters within a second, even when this
        worker answers no more requests or scrapes."""
        while not self._sync_stop.wait(METRICS_SYNC_S):
            self.metrics.sync()
