"""The names of the server's Prometheus metrics, defined once: the server exposes them
(:mod:`mlops_gitops.serving.metrics`) and the alert rules and dashboard query them
(:mod:`mlops_gitops.render.operations`). No imports: cheap for any layer."""

from __future__ import annotations

__all__ = [
    "LATENCY",
    "LOG_BUFFERED",
    "LOG_DROPPED",
    "LOG_WRITTEN",
    "MODEL_INFO",
    "PREDICTIONS",
    "PREDICTION_VALUE",
    "REQUESTS",
    "ROWS",
]

REQUESTS = "mlops_http_requests_total"
LATENCY = "mlops_http_request_duration_seconds"
PREDICTIONS = "mlops_predictions_total"
PREDICTION_VALUE = "mlops_prediction_value"
ROWS = "mlops_predicted_rows_total"
LOG_DROPPED = "mlops_request_log_dropped_records_total"
LOG_WRITTEN = "mlops_request_log_written_records_total"
LOG_BUFFERED = "mlops_request_log_buffered_records"
MODEL_INFO = "mlops_model_info"
