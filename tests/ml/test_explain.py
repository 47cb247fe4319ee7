from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.explain import interpret, parse_assignments, what_if
from mlops_gitops.ml.fairness import fairness_report
from mlops_gitops.ml.importance import permutation_importances
from mlops_gitops.ml.local_explanations import explain_row
from mlops_gitops.ml.metrics import predict
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator
from mlops_gitops.specs.catalogue import METRICS
from mlops_gitops.specs.models import Interpretation, Preprocessing
from tests.helpers.spec_objects import make_dataset, make_problem

TYPES = {"group": "category"}


def fitted(frame: pd.DataFrame, estimator: str = "logistic_regression", **params: Any) -> Any:
    dataset = make_dataset(frame, "target", TYPES)
    model = build_pipeline(
        dataset.feature_columns,
        Preprocessing(),
        make_estimator(estimator, "classification", params, seed=0),
    )
    return model.fit(frame.drop(columns="target"), frame["target"])


def test_permutation_importance_ranks_planted_signal_above_noise(planted: pd.DataFrame) -> None:
    model = fitted(planted)
    rows = permutation_importances(
        model,
        planted.drop(columns="target"),
        planted["target"],
        scorer="accuracy",
        repeats=5,
        seed=0,
    )
    assert rows[0]["feature"] == "signal"
    by_name = {row["feature"]: row for row in rows}
    assert by_name["signal"]["mean"] > 0.3
    assert abs(by_name["noise"]["mean"]) < 0.05
    assert by_name["signal"]["std"] >= 0


def biased() -> pd.DataFrame:
    """Group 'b' has labels that are a coin flip half the time: no model can be as good on it."""
    rng = np.random.default_rng(1)
    n = 600
    signal = rng.normal(size=n)
    group = rng.choice(["a", "b"], size=n)
    label = (signal > 0).astype(int)
    flip = (group == "b") & (rng.random(n) < 0.4)
    label[flip] = 1 - label[flip]
    return pd.DataFrame(
        {"signal": signal, "noise": rng.normal(size=n), "group": group, "target": label}
    )


def test_fairness_finds_the_planted_gap() -> None:
    frame = biased()
    model = fitted(frame)
    X, y = frame.drop(columns="target"), frame["target"]
    report = fairness_report(
        METRICS["accuracy"], y, predict("classification", model, X), X[["group", "noise"]]
    )
    group = report["columns"]["group"]
    assert group["best"] == "a" and group["worst"] == "b"
    values = {g["group"]: g["value"] for g in group["groups"]}
    assert values["a"] > 0.95 and values["b"] < 0.75
    assert group["gap"] == pytest.approx(values["a"] - values["b"])
    assert group["flagged"] is True and report["columns"]["noise"]["flagged"] is False
    assert report["largest_gap"]["column"] == "group"
    assert len(report["columns"]["noise"]["groups"]) == 4  # numeric: quartiles


def test_what_if_moves_the_prediction_with_a_decisive_feature(planted: pd.DataFrame) -> None:
    model = fitted(planted)
    row = {"signal": -2.0, "noise": 0.0, "group": "a"}
    answer = what_if(model, row, {"signal": 2.0})
    assert answer["before"]["prediction"] == 0 and answer["after"]["prediction"] == 1
    assert answer["delta"]["1"] > 0.5
    assert answer["delta"]["0"] == pytest.approx(-answer["delta"]["1"])
    same = what_if(model, row, {"noise": 1.0})
    assert abs(same["delta"]["1"]) < 0.1
    json.dumps(answer)  # JSON-ready for the CLI


def test_what_if_on_regression_and_errors() -> None:
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    dataset = make_dataset(frame, "target")
    model = build_pipeline(
        dataset.feature_columns, Preprocessing(), make_estimator("ridge", "regression", {}, seed=0)
    ).fit(frame.drop(columns="target"), frame["target"])
    row = frame.drop(columns="target").iloc[0].to_dict()
    answer = what_if(model, row, {"bmi": row["bmi"] + 0.05})
    assert answer["delta"] == pytest.approx(answer["after"] - answer["before"])
    assert answer["delta"] > 0  # bmi raises disease progression in the linear model
    with pytest.raises(MlopsError, match="lacks the model's input column\\(s\\): bmi"):
        what_if(model, {k: v for k, v in row.items() if k != "bmi"}, {})
    with pytest.raises(MlopsError, match="cannot change height: not an input of the model"):
        what_if(model, row, {"height": 1.8})


def test_parse_assignments() -> None:
    assert parse_assignments(["age=42", "city=Oslo", "ok=true", "x= 1.5"]) == {
        "age": 42,
        "city": "Oslo",
        "ok": True,
        "x": 1.5,
    }
    with pytest.raises(MlopsError, match="write changes as --set column=value"):
        parse_assignments(["age"])


def test_local_explanation_credits_the_decisive_feature(planted: pd.DataFrame) -> None:
    model = fitted(planted)
    X = planted.drop(columns="target")
    row = pd.DataFrame({"signal": [2.5], "noise": [0.1], "group": ["a"]})
    explanation = explain_row(model, row, X, draws=40, seed=0)
    assert explanation["prediction"] == 1
    first = explanation["contributions"][0]
    assert first["feature"] == "signal" and first["contribution"] > 0.3
    others = {c["feature"]: c["contribution"] for c in explanation["contributions"][1:]}
    assert abs(others["noise"]) < 0.05 and abs(others["group"]) < 0.05


def test_interpret_writes_every_file(tmp_path: Path) -> None:
    frame = biased()
    train, test = frame.iloc[:400], frame.iloc[400:]
    model = fitted(train, "random_forest", n_estimators=20, max_depth=4)
    dataset = make_dataset(frame, "target", TYPES, sensitive=("group", "missing_column"))
    summary = interpret(
        model,
        test.drop(columns="target"),
        test["target"],
        problem=make_problem("classification", "target", "roc_auc"),
        dataset=dataset,
        settings=Interpretation(permutation_repeats=3, top_features=2, local_examples=2),
        out_dir=tmp_path,
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert summary["top_features"][0] == "signal"
    plots = {p["feature"]: p for p in summary["plots"]}
    assert plots["signal"]["kind"] == "both" and plots["signal"]["file"] == "pdp_ice_signal.png"
    assert set(names) >= {
        "importance.json",
        "local.json",
        "fairness.json",
        "interpretation.json",
        "pdp_ice_signal.png",
        "importance.png",
    }
    assert len([n for n in names if n.startswith("pdp_ice_")]) == 2
    assert (tmp_path / "pdp_ice_signal.png").read_bytes()[:4] == b"\x89PNG"
    assert summary["importance_image"] == "importance.png"
    assert (tmp_path / "importance.png").read_bytes()[:4] == b"\x89PNG"
    assert len(json.loads((tmp_path / "local.json").read_text())["rows"]) == 2
    assert summary["largest_fairness_gap"]["column"] == "group"
    assert summary["notes"] == ["sensitive column 'missing_column' is not in the test data"]
    assert json.loads((tmp_path / "interpretation.json").read_text()) == summary


def test_interpret_disabled_writes_only_the_summary(planted: pd.DataFrame, tmp_path: Path) -> None:
    summary = interpret(
        fitted(planted),
        planted.drop(columns="target"),
        planted["target"],
        problem=make_problem("classification", "target", "accuracy"),
        dataset=make_dataset(planted, "target", TYPES),
        settings=Interpretation(enabled=False),
        out_dir=tmp_path,
    )
    assert summary == {"enabled": False}
    assert [p.name for p in tmp_path.iterdir()] == ["interpretation.json"]


def test_partial_dependence_of_a_category_is_drawn_without_ice(
    planted: pd.DataFrame, tmp_path: Path
) -> None:
    from mlops_gitops.ml.importance import plot_partial_dependence

    model = fitted(planted)
    path = tmp_path / "pdp_ice_group.png"
    kind = plot_partial_dependence(
        model, planted.drop(columns="target"), "group", path, categorical=True
    )
    assert kind == "average"
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_fairness_flags_only_gaps_above_its_threshold_and_says_what_it_measured() -> None:
    frame = biased()
    model = fitted(frame)
    X, y = frame.drop(columns="target"), frame["target"]
    predictions = predict("classification", model, X)
    report = fairness_report(METRICS["accuracy"], y, predictions, X[["group"]], gap_threshold=0.5)
    assert report["columns"]["group"]["gap"] < 0.5
    assert report["columns"]["group"]["flagged"] is False  # the largest gap, but below 0.5
    assert report["gap_threshold"] == 0.5
    assert report["measured"] == (
        "accuracy on the test split for each group of each sensitive column; the gap is best "
        "minus worst group (groups of at least 5 rows)"
    )
    same = pd.DataFrame({"everyone": ["x"] * len(X)})
    flat = fairness_report(METRICS["accuracy"], y, predictions, same)
    assert flat["columns"]["everyone"]["gap"] is None  # one group: no gap to measure
    assert flat["columns"]["everyone"]["flagged"] is False
