"""/metrics: counters and histograms move with traffic; the exposition parses."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_]+="(?:[^"\\]|\\.)*",?)*\})? (\S+)$')


def samples(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert line.startswith(("# HELP ", "# TYPE ")), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        values[line.rsplit(" ", 1)[0]] = float(match.group(4))
    return values


def test_counters_move_with_traffic(classifier_dir: Path) -> None:
    app = create_app(classifier_dir, name="churn", request_log=None)
    with running(app) as url, httpx.Client() as client:
        if True:
            before = samples(client.get(f"{url}/metrics").text)
            for _ in range(3):
                client.post(
                    f"{url}/predict", json={"instances": [ROW, {**ROW, "age": 85, "city": "rome"}]}
                )
            client.post(f"{url}/predict", json={"instances": [{**ROW, "age": -1}]})
            response = client.get(f"{url}/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    after = samples(response.text)
    ok = 'mlops_http_requests_total{method="POST",path="/predict",status="200"}'
    assert before.get(ok, 0) == 0 and after[ok] == 3
    assert after['mlops_http_requests_total{method="POST",path="/predict",status="400"}'] == 1
    assert after['mlops_http_request_duration_seconds_count{path="/predict"}'] == 4
    assert after['mlops_http_request_duration_seconds_bucket{le="+Inf",path="/predict"}'] == 4
    assert after['mlops_predictions_total{class="stay"}'] == 3
    assert after['mlops_predictions_total{class="churn"}'] == 3
    assert after["mlops_predicted_rows_total"] == 6


def test_regression_predictions_fill_a_histogram(regressor_dir: Path) -> None:
    with running(create_app(regressor_dir, name="spend", request_log=None)) as url:
        httpx.post(f"{url}/predict", json={"instances": [ROW] * 4})
        after = samples(httpx.get(f"{url}/metrics").text)
    assert after["mlops_prediction_value_count"] == 4
    assert after['mlops_prediction_value_bucket{le="50.0"}'] == 0  # ~2 * 42 + 5
    assert after['mlops_prediction_value_bucket{le="100.0"}'] == 4
    assert "mlops_predictions_total" not in " ".join(after)
