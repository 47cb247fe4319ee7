from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlops_gitops.errors import MlopsError
from mlops_gitops.ml.preprocess import build_pipeline, make_estimator, plan_columns
from mlops_gitops.specs.models import ColumnSchema, Preprocessing

FEATURES = (
    ColumnSchema("x", "number", nullable=True),
    ColumnSchema("n", "integer"),
    ColumnSchema("colour", "category", nullable=True),
    ColumnSchema("flag", "boolean", nullable=True),
    ColumnSchema("comment", "text"),
    ColumnSchema("when", "datetime"),
)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, np.nan, 3.0, 4.0],
            "n": [1, 2, 3, 4],
            "colour": ["red", None, "blue", "red"],
            "flag": pd.Series([True, None, False, True], dtype="boolean"),
            "comment": ["a", "b", "c", "d"],
            "when": pd.to_datetime(["2024-01-01"] * 4),
            "extra": [9, 9, 9, 9],
        }
    )


def test_plan_routes_columns_by_type_and_notes_the_dropped_ones() -> None:
    plan = plan_columns(FEATURES)
    assert plan.numeric == ("x", "n")
    assert plan.categorical == ("colour",)
    assert plan.boolean == ("flag",)
    assert plan.dropped == ("comment", "when")
    assert len(plan.notes) == 2
    assert plan.notes[0].startswith("column 'comment' (text) is not used by the model")


def test_onehot_pipeline_imputes_scales_encodes_and_ignores_unknown_categories() -> None:
    from sklearn.dummy import DummyRegressor

    pipeline = build_pipeline(FEATURES, Preprocessing(), DummyRegressor())
    pipeline.fit(frame(), [1.0, 2.0, 3.0, 4.0])
    out = pipeline[:-1].transform(frame())
    # x, n scaled; colour: blue, red (imputed with most frequent); flag: False, True, missing
    assert out.shape == (4, 2 + 2 + 3)
    assert not np.isnan(out).any()
    np.testing.assert_allclose(out[:, 1].mean(), 0.0, atol=1e-12)
    unseen = frame().assign(colour=["green"] * 4)
    assert pipeline[:-1].transform(unseen)[:, 2:4].sum() == 0


def test_ordinal_encoding_and_no_scaling() -> None:
    from sklearn.dummy import DummyRegressor

    preprocessing = Preprocessing(scale="none", encode="ordinal", impute_categorical="constant")
    pipeline = build_pipeline(FEATURES, preprocessing, DummyRegressor())
    out = pipeline[:-1].fit_transform(frame())
    assert out.shape == (4, 4)
    assert out[:, 1].tolist() == [1, 2, 3, 4]
    # constant imputation: 'missing' sorts between 'blue' and 'red'
    assert out[:, 2].tolist() == [2, 1, 0, 2]


def test_only_unusable_columns_is_an_error_that_says_what_to_do() -> None:
    with pytest.raises(MlopsError, match="no column the model can use") as error:
        build_pipeline((ColumnSchema("t", "text"),), Preprocessing(), object())
    assert "add number, integer, category or boolean columns" in str(error.value)


def test_make_estimator_sets_fixed_params_and_seed() -> None:
    forest = make_estimator("random_forest", "classification", {"n_estimators": 7}, seed=3)
    assert type(forest).__name__ == "RandomForestClassifier"
    assert forest.n_estimators == 7
    assert forest.random_state == 3
    knn = make_estimator("knn", "regression", {}, seed=3)
    assert "random_state" not in knn.get_params()
    explicit = make_estimator("ridge", "regression", {"random_state": 11}, seed=3)
    assert explicit.random_state == 11


def test_make_estimator_refuses_names_outside_the_catalogue() -> None:
    with pytest.raises(MlopsError, match=r"'os\.system' is not in the catalogue for regression"):
        make_estimator("os.system", "regression", {}, seed=0)
    with pytest.raises(MlopsError, match="not in the catalogue for regression"):
        make_estimator("logistic_regression", "regression", {}, seed=0)
    with pytest.raises(MlopsError, match=r"has no parameter\(s\) n_trees"):
        make_estimator("random_forest", "regression", {"n_trees": 3}, seed=0)
