"""Serving through the verified ONNX graph answers what serving through scikit-learn answers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model
from mlops_gitops.ml.compile import compile_pipeline, write_compiled
from mlops_gitops.ml.compiled import ONNX_FILE
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator
from mlops_gitops.serving.app import create_app
from mlops_gitops.specs.models import ColumnSchema, Preprocessing
from tests.helpers.asgi_server import running
from tests.helpers.ports import free_port

SCHEMA = (
    ColumnSchema("width", "number", nullable=True, min=-10, max=10),
    ColumnSchema("height", "number"),
    ColumnSchema("floors", "integer", min=0, max=9),
    ColumnSchema("district", "category", nullable=True, allowed=("north", "south", "west")),
)
FEATURES = tuple(FeatureInfo(c.name, c.type, c.nullable, c.min, c.max, c.allowed) for c in SCHEMA)


def _frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "width": rng.normal(size=rows),
            "height": rng.normal(size=rows) * 2,
            "floors": rng.integers(0, 9, size=rows),
            "district": rng.choice(np.array(["north", "south", "west"], dtype=object), rows),
        }
    )
    frame.loc[::9, "width"] = np.nan
    frame.loc[::7, "district"] = None
    return frame


def _target(frame: pd.DataFrame) -> np.ndarray:
    value = frame["width"].fillna(0) * 3 + frame["height"] + frame["floors"] * 0.5
    return (value + (frame["district"] == "north") * 2).to_numpy()


def _train(directory: Path, task: str, estimator: str, test: pd.DataFrame) -> ModelInfo:
    train = _frame(300, 0)
    value = _target(train)
    target = np.where(value > 2.0, "tall", "flat") if task == "classification" else value
    pipeline = build_pipeline(SCHEMA, Preprocessing(), make_estimator(estimator, task, {}, 0))  # type: ignore[arg-type]
    pipeline.fit(train, target)
    compiled = compile_pipeline(pipeline, FEATURES, task, test)
    assert compiled.record.verified, compiled.record.reason
    write_compiled(directory, compiled)
    classes = tuple(pipeline.classes_.tolist()) if task == "classification" else ()
    info = ModelInfo(
        experiment="houses",
        problem="houses",
        dataset="houses",
        task=task,
        target="target",
        features=FEATURES,
        estimator=estimator,
        candidate="c0",
        classes=classes,
        compiled=compiled.record.to_dict(),
    )
    return save_model(pipeline, directory, info)


@pytest.fixture(scope="module")
def test_split() -> pd.DataFrame:
    return _frame(80, 1)


@pytest.fixture(
    scope="module",
    params=[("classification", "logistic_regression"), ("regression", "gradient_boosting")],
)
def model_dir(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    test_split: pd.DataFrame,
) -> Path:
    task, estimator = request.param
    directory = tmp_path_factory.mktemp("compiled") / task
    _train(directory, task, estimator, test_split)
    return directory


@pytest.fixture(scope="module")
def servers(model_dir: Path) -> Iterator[dict[str, str]]:
    sklearn_app = create_app(model_dir, name="houses", request_log=None, backend="sklearn")
    onnx_app = create_app(model_dir, name="houses", request_log=None)  # auto: the graph
    with running(sklearn_app) as sklearn_url, running(onnx_app) as onnx_url:
        yield {"sklearn": sklearn_url, "onnx": onnx_url}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return [{k: (int(v) if k == "floors" else v) for k, v in r.items()} for r in records]


def _same(onnx: dict[str, Any], sklearn: dict[str, Any]) -> None:
    """Every field equal but the request id; numbers within the verification tolerance."""
    assert onnx.keys() == sklearn.keys()
    for key in onnx.keys() - {"request_id"}:
        if key == "probabilities":
            assert np.max(np.abs(np.array(onnx[key]) - np.array(sklearn[key]))) <= 1e-5
        elif key == "predictions" and isinstance(sklearn[key][0], float):
            got, want = np.array(onnx[key]), np.array(sklearn[key])
            assert np.max(np.abs(got - want)) / np.max(np.abs(want)) <= 1e-5
        else:
            assert onnx[key] == sklearn[key], key


def test_the_onnx_backend_answers_the_test_split_as_scikit_learn_does(
    servers: dict[str, str], test_split: pd.DataFrame
) -> None:
    records = _records(test_split)
    answers = {}
    for backend, url in servers.items():
        whole = httpx.post(f"{url}/predict", json={"instances": records}, timeout=30)
        assert whole.status_code == 200, whole.text
        singles = [
            httpx.post(f"{url}/predict", json={"instances": [r]}, timeout=30).json()
            for r in records[:10]
        ]
        answers[backend] = (whole.json(), singles)
    _same(answers["onnx"][0], answers["sklearn"][0])
    for onnx, sklearn in zip(answers["onnx"][1], answers["sklearn"][1], strict=True):
        _same(onnx, sklearn)


def test_v2_inference_and_batch_files_go_through_the_same_backend(
    servers: dict[str, str], test_split: pd.DataFrame, tmp_path: Path
) -> None:
    inputs = [
        {
            "name": name,
            "datatype": {"width": "FP64", "height": "FP64", "floors": "INT64"}.get(name, "BYTES"),
            "shape": [len(test_split)],
            "data": [r[name] for r in _records(test_split)],
        }
        for name in test_split.columns
    ]
    csv = tmp_path / "rows.csv"
    test_split.to_csv(csv, index=False)
    v2, batch = {}, {}
    for backend, url in servers.items():
        reply = httpx.post(f"{url}/v2/models/houses/infer", json={"inputs": inputs}, timeout=30)
        assert reply.status_code == 200, reply.text
        v2[backend] = reply.json()
        reply = httpx.post(
            f"{url}/predict/batch",
            content=csv.read_bytes(),
            headers={"content-type": "text/csv"},
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        batch[backend] = reply.json()
    _same(batch["onnx"], batch["sklearn"])
    onnx_outputs = {o["name"]: o for o in v2["onnx"]["outputs"]}
    sklearn_outputs = {o["name"]: o for o in v2["sklearn"]["outputs"]}
    assert onnx_outputs.keys() == sklearn_outputs.keys()
    for name, output in onnx_outputs.items():
        assert output["datatype"] == sklearn_outputs[name]["datatype"]
        assert output["shape"] == sklearn_outputs[name]["shape"]
        got, want = output["data"], sklearn_outputs[name]["data"]
        if output["datatype"] == "BYTES":
            assert got == want
        else:
            assert np.max(np.abs(np.array(got) - np.array(want))) <= 1e-5 * max(
                1.0, float(np.max(np.abs(want)))
            )


def test_metadata_and_metrics_say_which_backend_serves(servers: dict[str, str]) -> None:
    for backend, platform in (("onnx", "onnxruntime_onnx"), ("sklearn", "sklearn")):
        metadata = httpx.get(f"{servers[backend]}/v2/models/houses").json()
        assert metadata["platform"] == platform
        assert metadata["parameters"]["backend"] == backend
        metrics = httpx.get(f"{servers[backend]}/metrics").text
        version = metadata["versions"][0]
        line = f'mlops_model_info{{backend="{backend}",name="houses",version="{version}"}} 1.0'
        assert line in metrics.splitlines()


def test_bad_input_gets_the_same_400_from_both_backends(servers: dict[str, str]) -> None:
    row = {"width": 50.0, "height": 1.0, "floors": 2, "district": "east"}
    replies = [
        httpx.post(f"{url}/predict", json={"instances": [row]}).json() for url in servers.values()
    ]
    for reply in replies:
        reply.pop("request_id")
    assert replies[0] == replies[1]
    assert replies[0]["problems"][0]["column"] == "width"


def test_a_changed_model_onnx_is_refused_naming_the_file(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    graph = bytearray((copy / ONNX_FILE).read_bytes())
    graph[-1] ^= 0xFF
    (copy / ONNX_FILE).write_bytes(bytes(graph))

    with pytest.raises(MlopsError) as raised:
        create_app(copy, name="houses", request_log=None)
    assert raised.value.message.startswith(f"compiled graph {copy / ONNX_FILE} has sha256 ")
    assert raised.value.message.endswith(": the file was changed or corrupted")
    # scikit-learn, asked for by name, does not read the graph and still serves
    create_app(copy, name="houses", request_log=None, backend="sklearn")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlops_gitops.serving",
            "serve",
            "--model-dir",
            str(copy),
            "--name",
            "houses",
            "--port",
            str(free_port()),
            "--no-request-log",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"error: compiled graph {copy / ONNX_FILE} has sha256" in result.stderr
    assert "hint: retrain with `dvc repro`, or restore it with `dvc checkout`" in result.stderr
    assert "Traceback" not in result.stderr


def test_asking_for_onnx_without_a_verified_graph_says_why(tmp_path: Path) -> None:
    schema = (ColumnSchema("flag", "boolean"), ColumnSchema("b", "number"))
    frame = pd.DataFrame({"flag": [True, False] * 20, "b": np.arange(40.0)})
    pipeline = build_pipeline(schema, Preprocessing(), make_estimator("ridge", "regression", {}, 0))
    pipeline.fit(frame, np.arange(40.0))
    features = tuple(FeatureInfo(c.name, c.type) for c in schema)
    compiled = compile_pipeline(pipeline, features, "regression", frame)
    write_compiled(tmp_path, compiled)
    info = ModelInfo(
        experiment="flags",
        problem="flags",
        dataset="flags",
        task="regression",
        target="y",
        features=features,
        estimator="ridge",
        candidate="c0",
        compiled=compiled.record.to_dict(),
    )
    save_model(pipeline, tmp_path, info)

    with pytest.raises(MlopsError) as raised:
        create_app(tmp_path, name="flags", request_log=None, backend="onnx")
    assert raised.value.message == (
        f"the model in {tmp_path} has no verified ONNX graph: column 'flag' is boolean: "
        "skl2onnx's encoders take no bool tensors"
    )
    assert not (tmp_path / ONNX_FILE).exists()
    # auto serves it through scikit-learn
    app = create_app(tmp_path, name="flags", request_log=None)
    with running(app) as url:
        metadata = httpx.get(f"{url}/v2/models/flags").json()
    assert metadata["parameters"]["backend"] == "sklearn"


def test_batch_prediction_files_match_between_backends(
    model_dir: Path, test_split: pd.DataFrame, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    from mlops_gitops.serving.batch import predict_file

    source = tmp_path / "rows.parquet"
    test_split.to_parquet(source)
    outputs = {}
    for backend in ("sklearn", "onnx"):
        stats = predict_file(
            model_dir, source, tmp_path / f"{backend}.parquet", chunk_rows=25, backend=backend
        )
        assert (stats.rows, stats.chunks, stats.backend) == (80, 4, backend)
        outputs[backend] = pq.read_table(stats.output).to_pandas()
    onnx, sklearn = outputs["onnx"], outputs["sklearn"]
    assert list(onnx.columns) == list(sklearn.columns)
    for column in onnx.columns:
        if onnx[column].dtype == float and column not in test_split.columns:
            scale = max(1.0, float(sklearn[column].abs().max()))
            assert (onnx[column] - sklearn[column]).abs().max() <= 1e-5 * scale, column
        else:
            assert onnx[column].equals(sklearn[column]), column


def test_auto_without_the_graph_file_serves_scikit_learn_saying_why(
    model_dir: Path, tmp_path: Path
) -> None:
    from mlops_gitops.ml.artifact import load_model
    from mlops_gitops.serving.backends import choose_backend

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    (copy / ONNX_FILE).unlink()
    pipeline, info = load_model(copy)

    choice = choose_backend(pipeline, info, copy, "auto")
    assert choice.backend.name == "sklearn"
    assert choice.reason == f"scikit-learn: {ONNX_FILE} is missing from {copy}"
    with pytest.raises(MlopsError) as raised:
        choose_backend(pipeline, info, copy, "onnx")
    assert raised.value.message == f"compiled graph {copy / ONNX_FILE} is missing"
