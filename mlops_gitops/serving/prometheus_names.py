"""The names of the server's Prometheus metrics as a scrape sees them (counters with their
``_total``), for what queries them: the alert rules and the dashboard
(:mod:`mlops_gitops.render.operations`). :mod:`mlops_gitops.serving.prometheus` registers them
with prometheus-client; ``tests/render/test_operations.py`` checks that every name queried is
one the server exposes. No imports: cheap for any layer."""

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
