"""The routes over real HTTP: V2 metadata and inference, /predict, /predict/batch, errors."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.serving.models import ROW

DATATYPES = {"age": "INT64", "income": "FP64", "city": "BYTES", "member": "BOOL"}


def named_inputs(*rows: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "shape": [len(rows)],
            "datatype": DATATYPES[name],
            "data": [row[name] for row in rows],
        }
        for name in DATATYPES
    ]


def test_server_metadata_and_health(classifier_url: str, client: httpx.Client) -> None:
    assert client.get(f"{classifier_url}/v2").json()["name"] == "mlops-gitops"
    assert client.get(f"{classifier_url}/v2/health/live").status_code == 200
    assert client.get(f"{classifier_url}/v2/health/ready").json() == {"ready": True}
    assert client.get(f"{classifier_url}/v2/models/churn/ready").json()["ready"] is True


def test_model_metadata_lists_one_input_per_column(
    classifier_url: str, client: httpx.Client
) -> None:
    meta = client.get(f"{classifier_url}/v2/models/churn").json()
    assert meta["name"] == "churn"
    assert meta["inputs"] == [
        {"name": name, "datatype": datatype, "shape": [-1]} for name, datatype in DATATYPES.items()
    ]
    assert meta["outputs"] == [
        {"name": "predict", "datatype": "BYTES", "shape": [-1]},
        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]},
    ]
    assert meta["parameters"]["classes"] == ["churn", "stay"]
    assert len(meta["versions"][0]) == 12


def test_v2_infer_named_inputs(classifier_url: str, client: httpx.Client) -> None:
    old = {**ROW, "age": 85, "city": "rome"}
    response = client.post(
        f"{classifier_url}/v2/models/churn/infer", json={"inputs": named_inputs(ROW, old)}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_name"] == "churn"
    assert body["id"] == response.headers["x-request-id"]
    predict, proba = body["outputs"]
    assert predict == {
        "name": "predict",
        "shape": [2],
        "datatype": "BYTES",
        "data": ["stay", "churn"],
    }
    assert proba["shape"] == [2, 2]
    assert proba["data"][0] + proba["data"][1] == pytest.approx(1.0)


def test_v2_infer_one_2d_tensor_in_feature_order(classifier_url: str, client: httpx.Client) -> None:
    rows = [list(ROW.values()), [85, 10.0, "rome", False]]
    response = client.post(
        f"{classifier_url}/v2/models/churn/infer",
        json={
            "id": "req-7",
            "inputs": [{"name": "x", "shape": [2, 4], "datatype": "BYTES", "data": rows}],
            "outputs": [{"name": "predict"}],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "req-7" == response.headers["x-request-id"]
    assert [o["name"] for o in body["outputs"]] == ["predict"]
    assert body["outputs"][0]["data"] == ["stay", "churn"]


def test_v2_unknown_model_is_404(classifier_url: str, client: httpx.Client) -> None:
    for response in (
        client.get(f"{classifier_url}/v2/models/other"),
        client.get(f"{classifier_url}/v2/models/other/ready"),
        client.post(f"{classifier_url}/v2/models/other/infer", json={"inputs": named_inputs(ROW)}),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == (
            "model 'other' is not served here; this server serves 'churn'"
        )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"inputs": []}, "'inputs' must be a non-empty array of tensors"),
        (
            {"inputs": [{"name": "age", "shape": [1], "datatype": "INT64", "data": [1, 2]}]},
            "input 'age': shape [1] needs 1 values, got 2",
        ),
        (
            {"inputs": [{"name": "age", "shape": [1], "datatype": "FLOAT", "data": [1]}]},
            "input 'age': 'datatype' must be one of BOOL, BYTES, FP16, FP32, FP64, INT16, INT32, "
            "INT64, INT8, UINT16, UINT32, UINT64, UINT8",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]},
            "input 'x': a 2-D tensor must have shape [n, 4] (columns age, income, city, member), "
            "got [1, 3]",
        ),
        (
            {"inputs": named_inputs(ROW), "outputs": [{"name": "logits"}]},
            "unknown output 'logits'; this model has: predict, predict_proba",
        ),
    ],
)
def test_v2_malformed_requests_are_400(
    classifier_url: str, client: httpx.Client, body: dict[str, Any], error: str
) -> None:
    response = client.post(f"{classifier_url}/v2/models/churn/infer", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_v2_datatype_and_values_are_checked(classifier_url: str, client: httpx.Client) -> None:
    inputs = named_inputs(ROW)
    inputs[2] = {**inputs[2], "datatype": "FP64"}
    response = client.post(f"{classifier_url}/v2/models/churn/infer", json={"inputs": inputs})
    assert response.status_code == 400
    assert response.json()["error"] == "column 'city': datatype FP64, but the model takes BYTES"
    response = client.post(
        f"{classifier_url}/v2/models/churn/infer",
        json={"inputs": named_inputs({**ROW, "age": 200})},
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"column": "age", "message": "200 is above the maximum 120 at row 0"}
    ]


def test_predict_instances_classifier(classifier_url: str, client: httpx.Client) -> None:
    response = client.post(f"{classifier_url}/predict", json={"instances": [ROW]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["predictions"] == ["stay"]
    assert body["classes"] == ["churn", "stay"]
    assert sum(body["probabilities"][0]) == pytest.approx(1.0)
    assert body["request_id"] == response.headers["x-request-id"]


def test_predict_dataframe_split_regressor(regressor_url: str, client: httpx.Client) -> None:
    split = {
        "columns": ["city", "age", "income", "member"],
        "data": [["oslo", 40, 50_000.0, True], ["rome", 40, 50_000.0, True]],
    }
    response = client.post(f"{regressor_url}/predict", json={"dataframe_split": split})
    assert response.status_code == 200, response.text
    oslo, rome = response.json()["predictions"]
    assert oslo - rome == pytest.approx(5.0, abs=0.5)  # the oslo bonus the model learned
    assert "probabilities" not in response.json()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"instances": [{**ROW, "age": "old"}]},
            "column 'age': expected an integer, got a string ('old') at row 0",
        ),
        (
            {"instances": [{k: v for k, v in ROW.items() if k != "city"}]},
            "column 'city': missing in instance 0 (the model needs it)",
        ),
        (
            {"instances": [{**ROW, "colour": "red"}]},
            "column 'colour': unknown in instance 0 (the model's columns are: age, income, city, "
            "member)",
        ),
        (
            {"instances": [{**ROW, "city": "lima"}]},
            "column 'city': 'lima' is not one of the allowed values 'oslo', 'paris', 'rome' "
            "at row 0",
        ),
        (
            {"instances": [{**ROW, "member": None}]},
            "column 'member': null, but the column is not nullable at row 0",
        ),
        (
            {"dataframe_split": {"columns": ["age"], "data": [[1]]}},
            # income is nullable: left out, it is missing, not an error
            "column 'city': missing (the model needs it); column 'member': missing (the model "
            "needs it)",
        ),
        ({"instances": []}, "'instances' must be a non-empty array"),
        (
            {"rows": []},
            "expected exactly one of 'instances' or 'dataframe_split' in the body, got 'rows'",
        ),
        ([1, 2], "expected a JSON object with 'instances' or 'dataframe_split', got list"),
    ],
)
def test_predict_bad_input_is_400_naming_the_column(
    classifier_url: str, client: httpx.Client, body: Any, error: str
) -> None:
    response = client.post(f"{classifier_url}/predict", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe", b"NaN", b'{"instances": [1e999]}'])
def test_malformed_json_is_400(classifier_url: str, client: httpx.Client, raw: bytes) -> None:
    response = client.post(
        f"{classifier_url}/predict", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("the request body is")


CSV = b"age,income,city,member\n30,1000,oslo,true\n85,,rome,false\n"


def parquet_bytes() -> bytes:
    sink = io.BytesIO()
    table = pa.table(
        {
            "age": [30, 85],
            "income": [1000.0, None],
            "city": ["oslo", "rome"],
            "member": [True, False],
        }
    )
    pq.write_table(table, sink)
    return sink.getvalue()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": CSV, "headers": {"content-type": "text/csv"}},
        {"files": {"file": ("rows.csv", CSV, "text/csv")}},
        {"content": parquet_bytes(), "headers": {"content-type": "application/vnd.apache.parquet"}},
        {"files": {"file": ("rows.parquet", parquet_bytes(), "application/octet-stream")}},
    ],
    ids=["csv-body", "csv-multipart", "parquet-body", "parquet-multipart"],
)
def test_predict_batch(classifier_url: str, client: httpx.Client, kwargs: dict[str, Any]) -> None:
    response = client.post(f"{classifier_url}/predict/batch", **kwargs)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == ["stay", "churn"]


def test_predict_batch_errors(classifier_url: str, client: httpx.Client) -> None:
    url = f"{classifier_url}/predict/batch"
    bad_value = client.post(
        url,
        content=b"age,income,city,member\n30,x,oslo,true\n",
        headers={"content-type": "text/csv"},
    )
    assert bad_value.status_code == 400
    assert bad_value.json()["error"] == (
        "the CSV upload: column 'income': expected a number, got 'x' at row 0"
    )
    bad_city = client.post(
        url,
        content=b"age,income,city,member\n30,1,lima,true\n",
        headers={"content-type": "text/csv"},
    )
    assert bad_city.json()["problems"][0]["column"] == "city"
    garbage = client.post(
        url, content=b"PAR1 not really", headers={"content-type": "application/vnd.apache.parquet"}
    )
    assert garbage.status_code == 400
    assert garbage.json()["error"].startswith("could not read the PARQUET upload")
    no_file = client.post(url, files={"other": ("x.csv", CSV)})
    assert no_file.status_code == 400
    assert no_file.json()["error"] == "the multipart body has no file part named 'file'"
    wrong_type = client.post(url, content=b"{}", headers={"content-type": "application/json"})
    assert wrong_type.status_code == 415


def test_request_id_is_honoured_or_generated(classifier_url: str, client: httpx.Client) -> None:
    mine = client.post(
        f"{classifier_url}/predict", json={"instances": [ROW]}, headers={"X-Request-ID": "trace-42"}
    )
    assert mine.headers["x-request-id"] == "trace-42"
    assert mine.json()["request_id"] == "trace-42"
    invalid = client.get(f"{classifier_url}/v2", headers={"X-Request-ID": "has space"})
    assert invalid.headers["x-request-id"] != "has space"
    assert len(invalid.headers["x-request-id"]) == 32
    error = client.get(f"{classifier_url}/nowhere", headers={"X-Request-ID": "e-1"})
    assert error.status_code == 404
    assert error.json() == {"error": "Not Found", "request_id": "e-1"}
    assert error.headers["x-request-id"] == "e-1"


def test_header_request_id_wins_over_v2_body_id(classifier_url: str, client: httpx.Client) -> None:
    response = client.post(
        f"{classifier_url}/v2/models/churn/infer",
        json={"id": "from-body", "inputs": named_inputs(ROW)},
        headers={"X-Request-ID": "from-header"},
    )
    assert response.json()["id"] == "from-header" == response.headers["x-request-id"]


def test_an_omitted_nullable_column_is_missing_in_every_body_shape(
    classifier_url: str, client: httpx.Client
) -> None:
    row = {k: v for k, v in ROW.items() if k != "income"}
    bodies = [
        {"instances": [row, {**row, "income": None}]},
        {"dataframe_split": {"columns": list(row), "data": [list(row.values())] * 2}},
    ]
    answers = [client.post(f"{classifier_url}/predict", json=body) for body in bodies]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json()["predictions"] == answers[1].json()["predictions"]
