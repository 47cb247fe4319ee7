"""V2's versioned routes over real HTTP (urllib, not the app's own client), and model_version
as the registry version when the folder holds a registered model."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mlops_gitops.ml.artifact import read_model_info
from mlops_gitops.ml.registered import REGISTERED_FILE, write_registered
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW


def call(url: str, body: object | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def infer_body() -> dict[str, Any]:
    types = {"age": "INT64", "income": "FP64", "city": "BYTES", "member": "BOOL"}
    return {
        "inputs": [
            {"name": n, "shape": [1], "datatype": t, "data": [ROW[n]]} for n, t in types.items()
        ]
    }


def test_registered_model_answers_on_its_registry_version(
    classifier_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "v0.1.0"
    shutil.copytree(classifier_dir, folder)
    write_registered(folder, name="churn", version="v0.1.0", commit="a" * 40)
    content_hash = read_model_info(folder).sha256[:12]
    with running(create_app(folder, name="churn", request_log=None)) as url:
        status, meta = call(f"{url}/v2/models/churn")
        assert status == 200
        assert meta["versions"] == ["v0.1.0"]
        assert meta["parameters"]["content_hash"] == content_hash

        base = f"{url}/v2/models/churn/versions/v0.1.0"
        assert call(base) == (200, meta)
        assert call(f"{base}/ready") == (200, {"name": "churn", "version": "v0.1.0", "ready": True})
        status, body = call(f"{base}/infer", infer_body())
        assert status == 200, body
        assert body["model_name"] == "churn" and body["model_version"] == "v0.1.0"
        assert body["outputs"][0]["name"] == "predict" and body["outputs"][0]["shape"] == [1]
        unversioned = call(f"{url}/v2/models/churn/infer", infer_body())[1]
        assert unversioned["model_version"] == "v0.1.0"
        assert unversioned["outputs"] == body["outputs"]

        # the content hash names the same bytes; any other version is a 404 with a hint
        assert call(f"{url}/v2/models/churn/versions/{content_hash}/ready")[0] == 200
        status, error = call(f"{url}/v2/models/churn/versions/v9.9.9/infer", infer_body())
        assert status == 404
        assert error["error"] == (
            "model 'churn' has no version 'v9.9.9' here; this server serves version 'v0.1.0'"
        )
        assert call(f"{url}/v2/models/other/versions/v0.1.0")[0] == 404


def test_unregistered_model_version_is_its_content_hash(classifier_dir: Path) -> None:
    assert not (classifier_dir / REGISTERED_FILE).exists()
    content_hash = read_model_info(classifier_dir).sha256[:12]
    with running(create_app(classifier_dir, name="churn", request_log=None)) as url:
        status, meta = call(f"{url}/v2/models/churn/versions/{content_hash}")
        assert status == 200 and meta["versions"] == [content_hash]
        status, body = call(f"{url}/v2/models/churn/versions/{content_hash}/infer", infer_body())
        assert status == 200 and body["model_version"] == content_hash
        assert call(f"{url}/v2/models/churn/versions/v0.1.0/ready")[0] == 404
