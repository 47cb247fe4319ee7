"""Small real models for the serving tests: sklearn Pipelines over numeric + categorical columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model

FEATURES = (
    FeatureInfo("age", "integer", min=0, max=120),
    FeatureInfo("income", "number", nullable=True, min=0.0),
    FeatureInfo("city", "category", allowed=("oslo", "paris", "rome")),
    FeatureInfo("member", "boolean"),
)
NUMERIC = ["age", "income"]
CATEGORICAL = ["city", "member"]


def training_frame(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "income": rng.normal(50_000, 15_000, rows).clip(0),
            "city": rng.choice(["oslo", "paris", "rome"], rows),
            "member": rng.choice([True, False], rows),
        }
    )


def _preprocess() -> ColumnTransformer:
    numeric = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
    return ColumnTransformer(
        [("num", numeric, NUMERIC), ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)]
    )


def _info(task: str, target: str, estimator: str, classes: tuple[object, ...] = ()) -> ModelInfo:
    return ModelInfo(
        experiment=f"{task}-test",
        problem="test",
        dataset="people",
        task=task,
        target=target,
        features=FEATURES,
        estimator=estimator,
        candidate="c0",
        classes=classes,
    )


def train_classifier(directory: Path) -> ModelInfo:
    frame = training_frame()
    target = np.where(frame["age"] + (frame["city"] == "rome") * 30 > 60, "churn", "stay")
    model = Pipeline([("pre", _preprocess()), ("clf", LogisticRegression())]).fit(frame, target)
    return save_model(
        model, directory, _info("classification", "churn", "logistic_regression", ("churn", "stay"))
    )


def train_regressor(directory: Path) -> ModelInfo:
    frame = training_frame(seed=1)
    target = frame["age"] * 2.0 + frame["income"] / 10_000 + (frame["city"] == "oslo") * 5
    model = Pipeline([("pre", _preprocess()), ("reg", LinearRegression())]).fit(frame, target)
    info = replace(_info("regression", "spend", "linear_regression"), target_min=0, target_max=500)
    return save_model(model, directory, info)


ROW = {"age": 42, "income": 51_000.5, "city": "paris", "member": True}
