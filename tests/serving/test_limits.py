"""The body limit (413), announced or streamed, and a body that never yields a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx

from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW


def test_body_over_the_limit_is_413(classifier_dir: Path) -> None:
    app = create_app(classifier_dir, name="churn", request_log=None, max_body_bytes=1000)
    with running(app) as url, httpx.Client(timeout=10) as client:
        small = client.post(f"{url}/predict", json={"instances": [ROW]})
        assert small.status_code == 200
        big = client.post(f"{url}/predict", json={"instances": [ROW] * 50})
        assert big.status_code == 413
        assert big.json()["error"] == "the request body is larger than 1000 bytes"
        assert big.json()["request_id"] == big.headers["x-request-id"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
            yield b'{"instances": ['
            for _ in range(100):
                yield b'{"age": 1, "income": 1.0, "city": "oslo", "member": true},'
            yield b"]}"

        streamed = client.post(
            f"{url}/predict", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        upload = client.post(f"{url}/predict/batch", files={"file": ("x.csv", b"a" * 5000)})
        assert upload.status_code == 413
        metrics = client.get(f"{url}/metrics").text
        sample = 'mlops_http_requests_total{method="POST",path="/predict",status="413"} 2.0'
        assert sample in metrics
