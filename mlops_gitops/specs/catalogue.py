"""The estimator and metric catalogue: pure data, no scikit-learn import.

A spec names an estimator by a short name from this catalogue, never by an import path: specs
come from pull requests, and a pull request must not be able to make the pipeline import code.
Hyperparameter names are listed so a typo fails ``mlops validate``, not a training run twenty
minutes later; ``tests/specs/test_catalogue.py`` checks the lists against installed scikit-learn.
Parameters that take objects or only tune resources are left out on purpose; they are listed
in :data:`EXCLUDED_PARAMS`, which the test uses.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ESTIMATORS",
    "EXCLUDED_PARAMS",
    "METRICS",
    "PROCESSING_METRICS",
    "EstimatorClass",
    "MetricInfo",
    "estimator_class",
    "metric_info",
]

Task = Literal["classification", "regression"]


@dataclass(frozen=True)
class EstimatorClass:
    import_path: str
    params: tuple[str, ...]

    def load(self) -> Any:
        module, _, name = self.import_path.rpartition(".")
        return getattr(importlib.import_module(module), name)


ESTIMATORS: Mapping[str, Mapping[str, EstimatorClass]] = {
    "random_forest": {
        "classification": EstimatorClass(
            "sklearn.ensemble.RandomForestClassifier",
            (
                "bootstrap",
                "ccp_alpha",
                "class_weight",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "max_samples",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "oob_score",
                "random_state",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.ensemble.RandomForestRegressor",
            (
                "bootstrap",
                "ccp_alpha",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "max_samples",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "oob_score",
                "random_state",
            ),
        ),
    },
    "extra_trees": {
        "classification": EstimatorClass(
            "sklearn.ensemble.ExtraTreesClassifier",
            (
                "bootstrap",
                "ccp_alpha",
                "class_weight",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "max_samples",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "oob_score",
                "random_state",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.ensemble.ExtraTreesRegressor",
            (
                "bootstrap",
                "ccp_alpha",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "max_samples",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "oob_score",
                "random_state",
            ),
        ),
    },
    "gradient_boosting": {
        "classification": EstimatorClass(
            "sklearn.ensemble.GradientBoostingClassifier",
            (
                "ccp_alpha",
                "criterion",
                "learning_rate",
                "loss",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "n_iter_no_change",
                "random_state",
                "subsample",
                "tol",
                "validation_fraction",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.ensemble.GradientBoostingRegressor",
            (
                "alpha",
                "ccp_alpha",
                "criterion",
                "learning_rate",
                "loss",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "n_estimators",
                "n_iter_no_change",
                "random_state",
                "subsample",
                "tol",
                "validation_fraction",
            ),
        ),
    },
    "hist_gradient_boosting": {
        "classification": EstimatorClass(
            "sklearn.ensemble.HistGradientBoostingClassifier",
            (
                "class_weight",
                "early_stopping",
                "l2_regularization",
                "learning_rate",
                "loss",
                "max_bins",
                "max_depth",
                "max_features",
                "max_iter",
                "max_leaf_nodes",
                "min_samples_leaf",
                "n_iter_no_change",
                "random_state",
                "tol",
                "validation_fraction",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.ensemble.HistGradientBoostingRegressor",
            (
                "early_stopping",
                "l2_regularization",
                "learning_rate",
                "loss",
                "max_bins",
                "max_depth",
                "max_features",
                "max_iter",
                "max_leaf_nodes",
                "min_samples_leaf",
                "n_iter_no_change",
                "quantile",
                "random_state",
                "tol",
                "validation_fraction",
            ),
        ),
    },
    "decision_tree": {
        "classification": EstimatorClass(
            "sklearn.tree.DecisionTreeClassifier",
            (
                "ccp_alpha",
                "class_weight",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "random_state",
                "splitter",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.tree.DecisionTreeRegressor",
            (
                "ccp_alpha",
                "criterion",
                "max_depth",
                "max_features",
                "max_leaf_nodes",
                "min_impurity_decrease",
                "min_samples_leaf",
                "min_samples_split",
                "min_weight_fraction_leaf",
                "random_state",
                "splitter",
            ),
        ),
    },
    "knn": {
        "classification": EstimatorClass(
            "sklearn.neighbors.KNeighborsClassifier",
            ("algorithm", "leaf_size", "metric", "n_neighbors", "p", "weights"),
        ),
        "regression": EstimatorClass(
            "sklearn.neighbors.KNeighborsRegressor",
            ("algorithm", "leaf_size", "metric", "n_neighbors", "p", "weights"),
        ),
    },
    "svm": {
        "classification": EstimatorClass(
            "sklearn.svm.SVC",
            (
                "C",
                "break_ties",
                "class_weight",
                "coef0",
                "decision_function_shape",
                "degree",
                "gamma",
                "kernel",
                "max_iter",
                "probability",
                "random_state",
                "shrinking",
                "tol",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.svm.SVR",
            ("C", "coef0", "degree", "epsilon", "gamma", "kernel", "max_iter", "shrinking", "tol"),
        ),
    },
    "linear_svm": {
        "classification": EstimatorClass(
            "sklearn.svm.LinearSVC",
            (
                "C",
                "class_weight",
                "dual",
                "fit_intercept",
                "intercept_scaling",
                "loss",
                "max_iter",
                "multi_class",
                "penalty",
                "random_state",
                "tol",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.svm.LinearSVR",
            (
                "C",
                "dual",
                "epsilon",
                "fit_intercept",
                "intercept_scaling",
                "loss",
                "max_iter",
                "random_state",
                "tol",
            ),
        ),
    },
    "logistic_regression": {
        "classification": EstimatorClass(
            "sklearn.linear_model.LogisticRegression",
            (
                "C",
                "class_weight",
                "dual",
                "fit_intercept",
                "intercept_scaling",
                "l1_ratio",
                "max_iter",
                "penalty",
                "random_state",
                "solver",
                "tol",
            ),
        ),
    },
    "ridge_classifier": {
        "classification": EstimatorClass(
            "sklearn.linear_model.RidgeClassifier",
            (
                "alpha",
                "class_weight",
                "fit_intercept",
                "max_iter",
                "positive",
                "random_state",
                "solver",
                "tol",
            ),
        ),
    },
    "naive_bayes": {
        "classification": EstimatorClass("sklearn.naive_bayes.GaussianNB", ("var_smoothing",)),
    },
    "sgd": {
        "classification": EstimatorClass(
            "sklearn.linear_model.SGDClassifier",
            (
                "alpha",
                "average",
                "class_weight",
                "early_stopping",
                "epsilon",
                "eta0",
                "fit_intercept",
                "l1_ratio",
                "learning_rate",
                "loss",
                "max_iter",
                "n_iter_no_change",
                "penalty",
                "power_t",
                "random_state",
                "shuffle",
                "tol",
                "validation_fraction",
            ),
        ),
        "regression": EstimatorClass(
            "sklearn.linear_model.SGDRegressor",
            (
                "alpha",
                "average",
                "early_stopping",
                "epsilon",
                "eta0",
                "fit_intercept",
                "l1_ratio",
                "learning_rate",
                "loss",
                "max_iter",
                "n_iter_no_change",
                "penalty",
                "power_t",
                "random_state",
                "shuffle",
                "tol",
                "validation_fraction",
            ),
        ),
    },
    "ridge": {
        "regression": EstimatorClass(
            "sklearn.linear_model.Ridge",
            ("alpha", "fit_intercept", "max_iter", "positive", "random_state", "solver", "tol"),
        ),
    },
    "lasso": {
        "regression": EstimatorClass(
            "sklearn.linear_model.Lasso",
            (
                "alpha",
                "fit_intercept",
                "max_iter",
                "positive",
                "precompute",
                "random_state",
                "selection",
                "tol",
            ),
        ),
    },
    "elastic_net": {
        "regression": EstimatorClass(
            "sklearn.linear_model.ElasticNet",
            (
                "alpha",
                "fit_intercept",
                "l1_ratio",
                "max_iter",
                "positive",
                "precompute",
                "random_state",
                "selection",
                "tol",
            ),
        ),
    },
    "linear_regression": {
        "regression": EstimatorClass(
            "sklearn.linear_model.LinearRegression", ("fit_intercept", "positive", "tol")
        ),
    },
    "dummy": {
        "classification": EstimatorClass(
            "sklearn.dummy.DummyClassifier", ("constant", "random_state", "strategy")
        ),
        "regression": EstimatorClass(
            "sklearn.dummy.DummyRegressor", ("constant", "quantile", "strategy")
        ),
    },
}


EXCLUDED_PARAMS: Mapping[str, str] = {
    "n_jobs": "resources: parallelism is set by the experiment's `compute`",
    "verbose": "logging only",
    "cache_size": "resources (memory) only",
    "copy_X": "memory only",
    "warm_start": "reuses a previous fit: results would depend on call history",
    "init": "takes an estimator object",
    "scoring": "early-stopping scorer: takes objects; the search sets the scoring",
    "priors": "takes an array",
    "metric_params": "takes a dict of arrays",
    "monotonic_cst": "takes a per-feature array, which depends on the preprocessed columns",
    "interaction_cst": "takes per-feature sets, which depend on the preprocessed columns",
    "categorical_features": "per-feature mask; categories are encoded by the preprocessing",
}
"""Parameters of catalogue estimators that specs may not set, and why."""


@dataclass(frozen=True)
class MetricInfo:
    name: str
    task: Task | None
    greater_is_better: bool
    scorer: str | None
    """scikit-learn scoring name used for cross-validation (None: not a training metric)."""


METRICS: Mapping[str, MetricInfo] = {
    m.name: m
    for m in (
        MetricInfo("accuracy", "classification", True, "accuracy"),
        MetricInfo("balanced_accuracy", "classification", True, "balanced_accuracy"),
        MetricInfo("f1_macro", "classification", True, "f1_macro"),
        MetricInfo("precision_macro", "classification", True, "precision_macro"),
        MetricInfo("recall_macro", "classification", True, "recall_macro"),
        MetricInfo("roc_auc", "classification", True, "roc_auc_ovr"),
        MetricInfo("log_loss", "classification", False, "neg_log_loss"),
        MetricInfo("r2", "regression", True, "r2"),
        MetricInfo("mae", "regression", False, "neg_mean_absolute_error"),
        MetricInfo("rmse", "regression", False, "neg_root_mean_squared_error"),
        MetricInfo("mape", "regression", False, "neg_mean_absolute_percentage_error"),
    )
}

PROCESSING_METRICS: Mapping[str, MetricInfo] = {
    m.name: m
    for m in (
        MetricInfo("p50_latency_ms", None, False, None),
        MetricInfo("p95_latency_ms", None, False, None),
        MetricInfo("p99_latency_ms", None, False, None),
        MetricInfo("throughput_rows_per_s", None, True, None),
        MetricInfo("model_size_mb", None, False, None),
        MetricInfo("load_time_ms", None, False, None),
    )
}


def estimator_class(name: str, task: Task) -> EstimatorClass | None:
    """The catalogue entry for ``name`` on ``task``, or None when there is none."""
    return ESTIMATORS.get(name, {}).get(task)


def metric_info(name: str) -> MetricInfo | None:
    return METRICS.get(name) or PROCESSING_METRICS.get(name)
