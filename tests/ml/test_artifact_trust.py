"""Model files load only when every type in them is trusted by exact name."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, load_model, save_model
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator
from mlops_gitops.specs.catalogue import ESTIMATORS
from mlops_gitops.specs.models import ColumnSchema, Preprocessing

FEATURES = (ColumnSchema("a", "number"), ColumnSchema("b", "number"), ColumnSchema("c", "category"))


def info(task: str) -> ModelInfo:
    return ModelInfo(
        experiment="e",
        problem="p",
        dataset="d",
        task=task,
        target="y",
        features=tuple(FeatureInfo(f.name, f.type) for f in FEATURES),
        estimator="x",
        candidate="x",
    )


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"a": rng.normal(size=80), "b": rng.normal(size=80), "c": rng.choice(["x", "y"], 80)}
    )


@pytest.mark.parametrize(
    ("name", "task"), [(n, t) for n, tasks in sorted(ESTIMATORS.items()) for t in sorted(tasks)]
)
def test_every_catalogue_estimator_round_trips(name: str, task: str, tmp_path: Path) -> None:
    X = frame()
    y = (X.a > 0).map({True: "p", False: "n"}) if task == "classification" else X.a * 2 + X.b
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of tiny fits is not the subject
        model = build_pipeline(FEATURES, Preprocessing(), make_estimator(name, task, {}, 0))
        model.fit(X, y)
    save_model(model, tmp_path, info(task))
    loaded, _ = load_model(tmp_path)
    assert list(loaded.predict(X.head(5))) == list(model.predict(X.head(5)))


def test_a_model_with_an_untrusted_function_is_refused(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X = frame()[["a", "b"]].abs()
    hostile = FunctionTransformer(np.log1p, inverse_func=eval, check_inverse=False)
    model = make_pipeline(hostile, LinearRegression()).fit(X, X.a)
    save_model(model, tmp_path, info("regression"))
    with pytest.raises(
        MlopsError,
        match=r"model file .*model\.skops holds types that are not trusted: builtins\.eval",
    ):
        load_model(tmp_path)
