"""Compiling every catalogue estimator's pipeline to ONNX, and verifying it, on generated data."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model
from mlops_gitops.ml.compile import Tolerances, compile_pipeline, write_compiled
from mlops_gitops.ml.compiled import ONNX_FILE, GraphInputs, open_session
from mlops_gitops.ml.performance import measure_backends
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator
from mlops_gitops.specs.catalogue import ESTIMATORS
from mlops_gitops.specs.models import ColumnSchema, Preprocessing

ENTRIES = [(name, task) for name, tasks in ESTIMATORS.items() for task in tasks]

# Estimators skl2onnx has no converter for: they must fall back to scikit-learn, saying why.
FALLBACK = {
    ("dummy", "classification"): "skl2onnx could not convert the pipeline: MissingShapeCalculator:"
    " Unable to find a shape calculator for type '<class 'sklearn.dummy.DummyClassifier'>'.",
    ("dummy", "regression"): "skl2onnx could not convert the pipeline: MissingShapeCalculator:"
    " Unable to find a shape calculator for type '<class 'sklearn.dummy.DummyRegressor'>'.",
}

SCHEMA = (
    ColumnSchema("a", "number", nullable=True),
    ColumnSchema("b", "number"),
    ColumnSchema("n", "integer"),
    ColumnSchema("c", "category", nullable=True, allowed=("x", "y", "z")),
)
FEATURES = tuple(FeatureInfo(c.name, c.type, c.nullable, allowed=c.allowed) for c in SCHEMA)


def _frame(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=rows),
            "b": rng.normal(size=rows) * 3,
            "n": rng.integers(0, 5, size=rows),
            "c": rng.choice(np.array(["x", "y", "z"], dtype=object), rows),
        }
    )
    frame.loc[::11, "a"] = np.nan
    frame.loc[::13, "c"] = None
    value = frame["a"].fillna(0) * 2 + frame["b"] + frame["n"] + (frame["c"] == "x") * 1.5
    value = value.to_numpy() + rng.normal(size=rows) * 0.1
    return frame, value, np.where(value > 1.0, "high", "low")


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame]:
    train, value, label = _frame(240, 0)
    test, _, _ = _frame(120, 1)
    return train, value, label, test


@pytest.mark.parametrize(("name", "task"), ENTRIES)
def test_every_catalogue_estimator_compiles_and_verifies_or_falls_back_with_its_reason(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame], name: str, task: str
) -> None:
    train, value, label, test = data
    pipeline = build_pipeline(SCHEMA, Preprocessing(), make_estimator(name, task, {}, 0))  # type: ignore[arg-type]
    with warnings.catch_warnings():  # liblinear's convergence on 240 rows is not the subject
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(train, label if task == "classification" else value)

    result = compile_pipeline(pipeline, FEATURES, task, test)

    if (name, task) in FALLBACK:
        assert result.record.status == "fallback"
        assert result.record.reason.startswith(FALLBACK[(name, task)])
        assert result.graph is None
        return
    assert result.record.status == "verified", result.record.reason
    assert result.record.reason == "labels and values match scikit-learn on all 120 test rows"
    assert result.graph is not None
    assert result.metrics["onnx_verified"] == 1.0
    # the graph, run again here, gives what scikit-learn gives on the test split
    session = open_session(result.graph)
    outputs = session.run(None, GraphInputs(result.record.inputs).feed(test))
    if task == "classification":
        reference = pipeline.predict(test)
        assert result.metrics["onnx_label_mismatches"] == 0.0
        if hasattr(pipeline, "predict_proba"):
            proba = pipeline.predict_proba(test)
            assert np.max(np.abs(outputs[1] - proba)) <= 1e-5
            reference = pipeline.classes_[proba.argmax(axis=1)]
        assert (np.asarray(outputs[0]).ravel() == reference).all()
    else:
        reference = pipeline.predict(test)
        spread = np.max(np.abs(outputs[0].ravel() - reference)) / np.max(np.abs(reference))
        assert spread <= 1e-5
        assert result.metrics["onnx_max_relative_difference"] <= 1e-5


def test_a_graph_beyond_the_tolerance_falls_back_with_the_figures(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame],
) -> None:
    train, value, _, test = data
    pipeline = build_pipeline(SCHEMA, Preprocessing(), make_estimator("ridge", "regression", {}, 0))  # type: ignore[arg-type]
    pipeline.fit(train, value)

    result = compile_pipeline(pipeline, FEATURES, "regression", test, Tolerances(relative=1e-12))

    assert result.record.status == "fallback"
    assert result.record.reason.startswith(
        "the graph does not match scikit-learn on the test split: predictions differ by up to "
    )
    assert result.record.reason.endswith("relative to the largest prediction (tolerance 1e-12)")
    assert result.graph is None
    assert result.metrics["onnx_verified"] == 0.0
    assert 1e-12 < result.metrics["onnx_max_relative_difference"] <= 1e-5


def test_a_boolean_column_falls_back_naming_the_column() -> None:
    schema = (ColumnSchema("flag", "boolean"), ColumnSchema("b", "number"))
    frame = pd.DataFrame({"flag": [True, False] * 20, "b": np.arange(40.0)})
    pipeline = build_pipeline(schema, Preprocessing(), make_estimator("ridge", "regression", {}, 0))
    pipeline.fit(frame, np.arange(40.0))
    features = tuple(FeatureInfo(c.name, c.type) for c in schema)

    result = compile_pipeline(pipeline, features, "regression", frame)

    assert result.record.status == "fallback"
    assert result.record.reason == (
        "column 'flag' is boolean: skl2onnx's encoders take no bool tensors"
    )
    assert result.record.describe() == (
        "scikit-learn (fallback: column 'flag' is boolean: skl2onnx's encoders take no bool "
        "tensors)"
    )


def test_the_performance_probe_measures_both_backends_and_reports_the_serving_one(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame], tmp_path: Path
) -> None:
    train, _, label, test = data
    pipeline = build_pipeline(
        SCHEMA, Preprocessing(), make_estimator("logistic_regression", "classification", {}, 0)
    )  # type: ignore[arg-type]
    pipeline.fit(train, label)
    compiled = compile_pipeline(pipeline, FEATURES, "classification", test)
    write_compiled(tmp_path, compiled)
    info = ModelInfo(
        experiment="e",
        problem="p",
        dataset="d",
        task="classification",
        target="t",
        features=FEATURES,
        estimator="logistic_regression",
        candidate="c0",
        classes=tuple(pipeline.classes_.tolist()),
        compiled=compiled.record.to_dict(),
    )
    save_model(pipeline, tmp_path, info)

    measured = measure_backends(tmp_path, test, time_budget_s=0.5)

    assert measured["onnx_serves"] == 1
    for name in ("p50_latency_ms", "p99_latency_ms", "throughput_rows_per_s", "load_time_ms"):
        assert measured[f"sklearn_{name}"] > 0
        assert measured[f"onnx_{name}"] > 0
        assert measured[name] == measured[f"onnx_{name}"]
    assert measured["onnx_failures"] == 0
    assert measured["onnx_model_size_mb"] == (tmp_path / ONNX_FILE).stat().st_size / 1_000_000
    # the graph must be the faster one: that is what it is for
    assert measured["onnx_p50_latency_ms"] < measured["sklearn_p50_latency_ms"]


def test_tolerances_read_back_from_params_yaml_are_numbers() -> None:
    from mlops_gitops.specs.build import build_spec
    from mlops_gitops.specs.models import Source

    # the renderer writes 1e-05, which PyYAML (YAML 1.1) reads back as the string '1e-05'
    spec = {
        "problem": "p",
        "dataset": "d",
        "candidates": [{"estimator": "ridge"}],
        "compile": {"probabilityTolerance": "1e-05", "relativeTolerance": "2e-06"},
    }
    experiment = build_spec("Experiment", {"metadata": {"name": "e"}, "spec": spec}, Source("p"))

    assert experiment.compile.probability_tolerance == 1e-5
    assert experiment.compile.relative_tolerance == 2e-6
    assert experiment.compile.enabled is True
