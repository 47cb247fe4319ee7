"""Feedback you can trust: JSON (or CSV/Parquet) only, ids this deployment served in its window
(this process's, or any replica's in the shared request log), values that fit the target, and an
optional bearer token (also for inference)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.io.storage import location
from mlops_gitops.requestlog.files import PartitionedWriter
from mlops_gitops.requestlog.writer import RequestLogSettings
from mlops_gitops.serving.app import create_app
from mlops_gitops.serving.feedback_checks import ServedRequests
from mlops_gitops.serving.payloads import PayloadError
from mlops_gitops.serving.server import ServeOptions, build_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW

TOKEN = "s3cret-token-for-tests"


def label_files(log: Path) -> list[Path]:
    return sorted((log / "labels").rglob("*.parquet"))


@pytest.fixture(scope="module")
def served(
    classifier_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("feedback-log")
    # a short flush: an unknown id is refused once the log has been looked at for that long
    settings = RequestLogSettings(log, max_seconds_per_file=0.25)
    app = create_app(classifier_dir, name="churn", request_log=settings)
    with running(app) as url:
        yield url, log


def served_id(url: str, rows: int = 1) -> str:
    response = httpx.post(f"{url}/predict", json={"instances": [ROW] * rows})
    assert response.status_code == 200
    request_id: str = response.json()["request_id"]
    return request_id


def feedback(url: str, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{url}/v2/models/churn/feedback", **kwargs)  # type: ignore[arg-type]


def labels_since(url: str, log: Path, before: list[Path]) -> list[str]:
    """The request ids of the labels written since ``before`` was listed. Labels are written in
    batches, in the order accepted: a last label is sent and waited for, so every label the
    server accepted before it is in a file too."""
    last = served_id(url)
    assert feedback(url, json={"labels": [{"request_id": last, "label": "stay"}]}).is_success
    deadline = time.monotonic() + 20
    while True:
        new = [f for f in label_files(log) if f not in before]
        ids = [i for f in new for i in pq.read_table(f).column("request_id").to_pylist()]
        if last in ids:
            return [i for i in ids if i != last]
        assert time.monotonic() < deadline, "the last label was never written"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"labels": [{"request_id": "ID", "label": "stay"}]}'),
        ("application/x-www-form-urlencoded", b"request_id=ID&label=stay"),
        ("multipart/form-data; boundary=x", b"--x\r\n\r\nID,stay\r\n--x--\r\n"),
        ("", b'{"labels": [{"request_id": "ID", "label": "stay"}]}'),
    ],
    ids=["text-plain", "form", "multipart", "none"],
)
def test_only_json_csv_or_parquet_bodies_record_labels(
    served: tuple[str, Path], content_type: str, body: bytes
) -> None:
    url, log = served
    before = label_files(log)
    request_id = served_id(url)
    headers = {"content-type": content_type} if content_type else {}
    response = feedback(url, content=body.replace(b"ID", request_id.encode()), headers=headers)
    assert response.status_code == 415
    assert response.json()["error"].startswith(
        'send labels as application/json ({"labels": [...]}), or as a text/csv or '
        "application/vnd.apache.parquet body with request_id and label columns; got Content-Type"
    )
    assert labels_since(url, log, before) == []


def test_labels_only_for_requests_this_deployment_served(served: tuple[str, Path]) -> None:
    url, log = served
    before = label_files(log)
    one, two = served_id(url), served_id(url, rows=2)
    cases = [
        ("never-served", "'never-served' was not served"),
        (f"{one}:1", f"{one + ':1'!r} was not served"),
        (f"{two}:2", f"{two + ':2'!r} was not served"),
        (two, f"{two!r} was not served"),  # a 2-row request's label names its row
    ]
    for request_id, message in cases:
        response = feedback(url, json={"labels": [{"request_id": request_id, "label": "stay"}]})
        assert response.status_code == 400
        assert response.json()["error"] == (
            f"labels[0].request_id {message} by this deployment in the last 168 hours; labels "
            "are accepted only for requests it answered (a row of a multi-row request is "
            "'<request id>:<row>')"
        )
    assert labels_since(url, log, before) == []
    before = label_files(log)
    good = [{"request_id": one, "label": "stay"}, {"request_id": f"{two}:1", "label": "churn"}]
    response = feedback(url, json={"labels": good})
    assert response.status_code == 200 and response.json()["recorded"] == 2
    assert labels_since(url, log, before) == [one, f"{two}:1"]


def log_rows(log: Path, ids: list[str], replica: str) -> None:
    """Rows another replica of the deployment logged: its own file in the shared log."""
    when = datetime.now(UTC)
    table = pa.table(
        {
            "request_id": pa.array(ids, pa.string()),
            "timestamp": pa.array([when] * len(ids), pa.timestamp("us", tz="UTC")),
            "prediction": pa.array(["stay"] * len(ids)),
        }
    )
    PartitionedWriter(location(log), replica=replica).write(table)


def test_labels_for_requests_another_replica_served(served: tuple[str, Path]) -> None:
    url, log = served
    before = label_files(log)
    log_rows(log, ["from-pod-b", "multi-b:0", "multi-b:1"], replica="pod-b")
    body = {
        "labels": [
            {"request_id": "from-pod-b", "label": "stay"},
            {"request_id": "multi-b:1", "label": "churn"},
        ]
    }
    assert feedback(url, json=body).status_code == 200
    refused = feedback(url, json={"labels": [{"request_id": "multi-b", "label": "stay"}]})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("labels[0].request_id 'multi-b' was not served")
    # a label that arrives before the other replica has written its row is waited for
    writer = threading.Timer(0.2, log_rows, (log, ["late-pod-c"], "pod-c"))
    writer.start()
    try:
        late = feedback(url, json={"labels": [{"request_id": "late-pod-c", "label": "churn"}]})
    finally:
        writer.join()
    assert late.status_code == 200, late.text
    assert labels_since(url, log, before) == ["from-pod-b", "multi-b:1", "late-pod-c"]


def test_a_label_must_be_a_class_of_the_model(served: tuple[str, Path]) -> None:
    url, log = served
    before = label_files(log)
    request_id = served_id(url)
    response = feedback(url, json={"labels": [{"request_id": request_id, "label": "maybe"}]})
    assert response.status_code == 400
    assert response.json()["error"] == (
        "labels[0].label 'maybe' is not a class of the model; classes: 'churn', 'stay'"
    )
    assert labels_since(url, log, before) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_labels_as_a_csv_or_parquet_body(served: tuple[str, Path], fmt: str) -> None:
    url, log = served
    before = label_files(log)
    ids = [served_id(url), served_id(url)]
    table = pa.table({"request_id": ids, "label": ["stay", "churn"]})
    if fmt == "csv":
        body = ("request_id,label\n" + f"{ids[0]},stay\n{ids[1]},churn\n").encode()
        content_type = "text/csv"
    else:
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        body, content_type = buffer.getvalue(), "application/vnd.apache.parquet"
    response = feedback(url, content=body, headers={"content-type": content_type})
    assert response.status_code == 200, response.text
    assert response.json()["recorded"] == 2
    assert sorted(labels_since(url, log, before)) == sorted(ids)


def test_a_regression_label_must_fit_the_target_range(regressor_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    app = create_app(regressor_dir, name="spend", request_log=RequestLogSettings(log))
    with running(app) as url:
        request_id = served_id(url)
        url_feedback = f"{url}/v2/models/spend/feedback"
        errors = {}
        for label in (9999, -1, 250.5):
            body = {"labels": [{"request_id": request_id, "label": label}]}
            response = httpx.post(url_feedback, json=body)
            errors[label] = (response.status_code, response.json().get("error"))
    assert errors == {
        9999: (400, "labels[0].label 9999 is above the target's maximum 500"),
        -1: (400, "labels[0].label -1 is below the target's minimum 0"),
        250.5: (200, None),
    }
    assert len(label_files(log)) == 1


def test_served_ids_are_forgotten_after_the_window() -> None:
    now = [0.0]
    served = ServedRequests(window_s=60, capacity=2, clock=lambda: now[0])
    served.add("a", 1)
    now[0] = 30
    served.add("b", 1)
    served.check(["a", "b"])
    now[0] = 61  # "a" is older than the window
    with pytest.raises(PayloadError, match=r"labels\[0\]\.request_id 'a' was not served"):
        served.check(["a", "b"])
    served.add("c", 1)
    served.add("d", 1)  # capacity 2: "b" is forgotten first
    with pytest.raises(PayloadError, match=r"labels\[0\]\.request_id 'b' was not served"):
        served.check(["b", "c", "d"])
    served.check(["c", "d"])


def test_a_bearer_token_guards_feedback_and_inference(classifier_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    app = create_app(
        classifier_dir, name="churn", request_log=RequestLogSettings(log), auth_token=TOKEN
    )
    good = {"authorization": f"Bearer {TOKEN}"}
    with running(app) as url, httpx.Client(base_url=url) as client:
        infer = {
            "inputs": [
                {
                    "name": k,
                    "shape": [1],
                    "datatype": "BYTES"
                    if isinstance(v, str)
                    else "BOOL"
                    if isinstance(v, bool)
                    else "FP64"
                    if isinstance(v, float)
                    else "INT64",
                    "data": [v],
                }
                for k, v in ROW.items()
            ]
        }
        guarded = [
            ("/predict", {"json": {"instances": [ROW]}}),
            ("/v2/models/churn/infer", {"json": infer}),
            (
                "/predict/batch",
                {
                    "content": b"age,income,city,member\n1,2.0,oslo,true\n",
                    "headers": {"content-type": "text/csv"},
                },
            ),
            (
                "/v2/models/churn/feedback",
                {"json": {"labels": [{"request_id": "x", "label": "stay"}]}},
            ),
        ]
        for path, kwargs in guarded:
            for headers, message in (
                ({}, "this route needs `Authorization: Bearer <token>`"),
                ({"authorization": "Bearer wrong"}, "the bearer token is not valid"),
                (
                    {"authorization": f"Basic {TOKEN}"},
                    "this route needs `Authorization: Bearer <token>`",
                ),
            ):
                extra = {**kwargs.get("headers", {}), **headers}  # type: ignore[dict-item]
                response = client.post(path, **{**kwargs, "headers": extra})  # type: ignore[arg-type]
                assert response.status_code == 401, (path, headers)
                assert response.json()["error"] == message
                assert response.headers["www-authenticate"] == 'Bearer realm="mlops-gitops"'
        for path in ("/v2/health/ready", "/v2/health/live", "/metrics", "/v2/models/churn"):
            assert client.get(path).status_code == 200
        predicted = client.post("/predict", json={"instances": [ROW]}, headers=good)
        assert predicted.status_code == 200
        request_id = predicted.json()["request_id"]
        labelled = client.post(
            "/v2/models/churn/feedback",
            json={"labels": [{"request_id": request_id, "label": "stay"}]},
            headers=good,
        )
        assert labelled.status_code == 200
    assert len(label_files(log)) == 1


@pytest.mark.parametrize(
    ("value", "problem"), [(None, "not set"), ("short", "shorter than 16 characters")]
)
def test_the_server_refuses_to_start_without_its_token(
    classifier_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, problem: str
) -> None:
    if value is None:
        monkeypatch.delenv("MLOPS_TEST_TOKEN", raising=False)
    else:
        monkeypatch.setenv("MLOPS_TEST_TOKEN", value)
    options = ServeOptions(classifier_dir, "churn", auth_token_env="MLOPS_TEST_TOKEN")
    with pytest.raises(MlopsError) as caught:
        build_app(options)
    assert caught.value.message == (
        f"environment variable MLOPS_TEST_TOKEN (--auth-token-env) is {problem}"
    )
