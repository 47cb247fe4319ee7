"""Late labels: the feedback route and import_labels, joined to the log by request id."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.errors import DataError
from mlops_gitops.labels.store import import_labels
from mlops_gitops.requestlog.writer import RequestLogSettings
from mlops_gitops.serving.app import create_app
from tests.helpers.asgi_server import running
from tests.serving.models import ROW


def labels_table(log: Path) -> pa.Table:
    files = sorted((log / "labels").rglob("*.parquet"))
    return pa.concat_tables(pq.read_table(f) for f in files)


def test_feedback_appends_labels_that_join_the_request_log(
    tmp_path: Path, classifier_dir: Path
) -> None:
    log = tmp_path / "log"
    app = create_app(classifier_dir, name="churn", request_log=RequestLogSettings(log))
    with running(app) as url, httpx.Client() as client:
        predicted = client.post(f"{url}/predict", json={"instances": [ROW]})
        request_id = predicted.json()["request_id"]
        for label in ("churn", "stay"):
            response = client.post(
                f"{url}/v2/models/churn/feedback",
                json={"labels": [{"request_id": request_id, "label": label}]},
            )
            assert response.status_code == 200, response.text
            assert response.json()["recorded"] == 1
        bad = client.post(
            f"{url}/v2/models/churn/feedback",
            json={"labels": [{"request_id": request_id, "label": 3}]},
        )
        assert bad.status_code == 400
        assert bad.json()["error"] == "labels[0].label must be a string, got 3"
        unknown = client.post(
            f"{url}/v2/models/other/feedback",
            json={"labels": [{"request_id": "x", "label": "stay"}]},
        )
        assert unknown.status_code == 404
    labels = labels_table(log)
    assert labels.schema.names == ["request_id", "label", "timestamp"]
    assert labels.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert labels.column("label").to_pylist() == ["churn", "stay"]
    logged = pq.read_table(next(p for p in log.rglob("*.parquet") if "labels" not in p.parts))
    joined = logged.join(labels, "request_id", right_suffix="_label")
    assert joined.num_rows == 2


def test_feedback_without_request_log_is_409(classifier_dir: Path) -> None:
    with running(create_app(classifier_dir, name="churn", request_log=None)) as url:
        response = httpx.post(
            f"{url}/v2/models/churn/feedback",
            json={"labels": [{"request_id": "a", "label": "stay"}]},
        )
    assert response.status_code == 409
    assert "start it with --request-log DIR" in response.json()["error"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_import_labels_from_csv_and_parquet(tmp_path: Path, suffix: str) -> None:
    table = pa.table({"request_id": ["a", "b:1"], "label": [1.5, 2.0], "note": ["x", "y"]})
    source = tmp_path / f"labels{suffix}"
    if suffix == ".csv":
        source.write_text("request_id,label,note\na,1.5,x\nb:1,2.0,y\n")
    else:
        pq.write_table(table, source)
    assert import_labels(tmp_path / "log", source, label_type=pa.float64()) == 2
    imported = labels_table(tmp_path / "log")
    assert imported.column("request_id").to_pylist() == ["a", "b:1"]
    assert imported.column("label").to_pylist() == [1.5, 2.0]
    assert imported.schema.names == ["request_id", "label", "timestamp"]


def test_import_labels_names_missing_columns(tmp_path: Path) -> None:
    source = tmp_path / "labels.csv"
    source.write_text("id,label\na,1\n")
    with pytest.raises(DataError) as error:
        import_labels(tmp_path / "log", source)
    assert error.value.message == f"{source} has no column 'request_id' (it has: id, label)"
