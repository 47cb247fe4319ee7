"""The type and range of every hyperparameter a spec may set: pure data, no scikit-learn import.

``mlops validate`` and every stage that reads params.yaml check candidate values against these
types, so a pull request cannot pass ``n_estimators: 1000000000000`` (hours of CPU), ``"lots"``
or ``.nan`` to the pipeline. Upper bounds on parameters that cost time or memory are this
project's limits, not scikit-learn's; lower bounds and choices follow scikit-learn's own
parameter constraints, which ``tests/specs/test_hyperparams.py`` checks against the installed
version (every value allowed here must be accepted there).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "GRID_POINTS",
    "MAX_CHOICES",
    "MAX_GRID",
    "MAX_TEXT",
    "Interval",
    "ParamType",
    "param_type",
]

MAX_CHOICES = 100
"""Longest list of choices for one hyperparameter."""
MAX_GRID = 10_000
"""Most parameter combinations one candidate's grid may hold."""
GRID_POINTS = 5
"""How many points a range becomes in a grid search (so a range counts this many toward
:data:`MAX_GRID`)."""
MAX_TEXT = 64
"""Longest string value."""

Choice = str | bool | None


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def holds(self, value: float) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return math.isfinite(value) and above and below

    def __str__(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_number(self.low)}, {_number(self.high)}{right}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}" if not float(value).is_integer() else f"{int(value):,}".replace(",", "_")


@dataclass(frozen=True)
class ParamType:
    """Integers in ``integers``, real numbers in ``reals``, or one of ``choices``."""

    integers: tuple[int, int] | None = None
    reals: Interval | None = None
    choices: tuple[Choice, ...] = ()
    any_text: bool = False
    """Any string up to :data:`MAX_TEXT` characters (e.g. a dummy estimator's constant)."""

    def allows(self, value: object) -> bool:
        if value is None or isinstance(value, bool):
            return any(type(c) is type(value) and c == value for c in self.choices)
        if isinstance(value, str):
            return value in self.choices or (self.any_text and len(value) <= MAX_TEXT)
        if isinstance(value, int):
            in_ints = self.integers is not None and self.integers[0] <= value <= self.integers[1]
            return in_ints or (self.reals is not None and self.reals.holds(value))
        if isinstance(value, float):
            return self.reals is not None and self.reals.holds(value)
        return False

    def describe(self) -> str:
        parts = []
        if self.integers is not None:
            low, high = self.integers
            parts.append(f"an integer from {_number(low)} to {_number(high)}")
        if self.reals is not None:
            parts.append(f"a number in {self.reals}")
        if self.choices:
            shown = ", ".join(
                "null" if c is None else repr(c).lower() if isinstance(c, bool) else repr(c)
                for c in self.choices
            )
            parts.append(f"one of {shown}")
        if self.any_text:
            parts.append(f"a text of up to {MAX_TEXT} characters")
        return ", or ".join(parts)

    def examples(self) -> list[object]:
        """Values at the edges of what is allowed (for checking against scikit-learn)."""
        out: list[object] = list(self.choices)
        if self.integers is not None:
            out.extend({self.integers[0], min(self.integers[1], self.integers[0] + 3)})
            out.append(self.integers[1])
        if self.reals is not None:
            low, high = self.reals.low, self.reals.high
            inner_low = low if math.isfinite(low) else -1e6
            inner_high = high if math.isfinite(high) else 1e6
            out.append((inner_low + inner_high) / 2)
            for end, is_open in ((low, self.reals.low_open), (high, self.reals.high_open)):
                if math.isfinite(end) and not is_open:
                    out.append(float(end))
        return out


INF = math.inf
SEED = ParamType(integers=(0, 2**32 - 1), choices=(None,))
BOOL = ParamType(choices=(True, False))
NON_NEGATIVE = ParamType(reals=Interval(0.0, INF, high_open=True))
POSITIVE = ParamType(reals=Interval(0.0, INF, low_open=True, high_open=True))
FRACTION_OPEN = ParamType(reals=Interval(0.0, 1.0, low_open=True, high_open=True))
MAX_ITER = ParamType(integers=(1, 100_000))
TOL = NON_NEGATIVE
TREE_CRITERION_CLASSIFIER = ParamType(choices=("gini", "entropy", "log_loss"))
TREE_CRITERION_REGRESSOR = ParamType(choices=("squared_error", "absolute_error", "poisson"))
CLASS_WEIGHT = ParamType(choices=("balanced", None))

_BY_NAME: Mapping[str, ParamType] = {
    "alpha": NON_NEGATIVE,
    "algorithm": ParamType(choices=("auto", "ball_tree", "kd_tree", "brute")),
    "average": ParamType(integers=(1, 1_000_000), choices=(True, False)),
    "bootstrap": BOOL,
    "break_ties": BOOL,
    "C": POSITIVE,
    "ccp_alpha": NON_NEGATIVE,
    "class_weight": CLASS_WEIGHT,
    "coef0": ParamType(reals=Interval(-INF, INF, low_open=True, high_open=True)),
    "decision_function_shape": ParamType(choices=("ovo", "ovr")),
    "degree": ParamType(integers=(0, 10)),
    "dual": ParamType(choices=("auto", True, False)),
    "early_stopping": BOOL,
    "epsilon": NON_NEGATIVE,
    "eta0": NON_NEGATIVE,
    "fit_intercept": BOOL,
    "gamma": ParamType(reals=Interval(0.0, INF, high_open=True), choices=("scale", "auto")),
    "intercept_scaling": POSITIVE,
    "kernel": ParamType(choices=("linear", "poly", "rbf", "sigmoid")),
    "l1_ratio": ParamType(reals=Interval(0.0, 1.0)),
    "l2_regularization": NON_NEGATIVE,
    "leaf_size": ParamType(integers=(1, 10_000)),
    "learning_rate": POSITIVE,
    "max_bins": ParamType(integers=(2, 255)),
    "max_depth": ParamType(integers=(1, 1_000), choices=(None,)),
    "max_features": ParamType(
        integers=(1, 100_000),
        reals=Interval(0.0, 1.0, low_open=True),
        choices=("sqrt", "log2", None),
    ),
    "max_iter": MAX_ITER,
    "max_leaf_nodes": ParamType(integers=(2, 100_000), choices=(None,)),
    "max_samples": ParamType(
        integers=(1, 100_000_000), reals=Interval(0.0, 1.0, low_open=True), choices=(None,)
    ),
    "metric": ParamType(
        choices=("minkowski", "euclidean", "manhattan", "chebyshev", "cosine", "l1", "l2")
    ),
    "min_impurity_decrease": NON_NEGATIVE,
    "min_samples_leaf": ParamType(
        integers=(1, 100_000), reals=Interval(0.0, 1.0, low_open=True, high_open=True)
    ),
    "min_samples_split": ParamType(integers=(2, 100_000), reals=Interval(0.0, 1.0, low_open=True)),
    "min_weight_fraction_leaf": ParamType(reals=Interval(0.0, 0.5)),
    "n_estimators": ParamType(integers=(1, 5_000)),
    "n_iter_no_change": ParamType(integers=(1, 1_000)),
    "n_neighbors": ParamType(integers=(1, 1_000)),
    "oob_score": BOOL,
    "p": ParamType(reals=Interval(0.0, INF, low_open=True, high_open=True)),
    "positive": BOOL,
    "power_t": ParamType(reals=Interval(-INF, INF, low_open=True, high_open=True)),
    "precompute": BOOL,
    "probability": BOOL,
    "quantile": ParamType(reals=Interval(0.0, 1.0)),
    "random_state": SEED,
    "selection": ParamType(choices=("cyclic", "random")),
    "shrinking": BOOL,
    "shuffle": BOOL,
    "splitter": ParamType(choices=("best", "random")),
    "subsample": ParamType(reals=Interval(0.0, 1.0, low_open=True)),
    "tol": TOL,
    "validation_fraction": FRACTION_OPEN,
    "var_smoothing": NON_NEGATIVE,
    "weights": ParamType(choices=("uniform", "distance")),
}

# Where one name means different things for different estimators: (estimator, task, name).
_OVERRIDES: Mapping[tuple[str, str, str], ParamType] = {
    **{
        (est, "classification", "criterion"): TREE_CRITERION_CLASSIFIER
        for est in ("random_forest", "extra_trees", "decision_tree")
    },
    **{
        (est, "regression", "criterion"): TREE_CRITERION_REGRESSOR
        for est in ("random_forest", "extra_trees", "decision_tree")
    },
    ("gradient_boosting", "classification", "criterion"): ParamType(choices=("squared_error",)),
    ("gradient_boosting", "regression", "criterion"): ParamType(choices=("squared_error",)),
    **{
        ("hist_gradient_boosting", task, "min_samples_leaf"): ParamType(integers=(1, 100_000))
        for task in ("classification", "regression")
    },
    **{
        (est, task, "tol"): POSITIVE
        for est in ("svm", "linear_svm")
        for task in ("classification", "regression")
    },
    ("gradient_boosting", "classification", "loss"): ParamType(choices=("log_loss", "exponential")),
    ("gradient_boosting", "regression", "loss"): ParamType(
        choices=("squared_error", "absolute_error", "huber", "quantile")
    ),
    ("gradient_boosting", "regression", "alpha"): FRACTION_OPEN,
    ("gradient_boosting", "classification", "n_iter_no_change"): ParamType(
        integers=(1, 1_000), choices=(None,)
    ),
    ("gradient_boosting", "regression", "n_iter_no_change"): ParamType(
        integers=(1, 1_000), choices=(None,)
    ),
    ("gradient_boosting", "classification", "max_features"): ParamType(
        integers=(1, 100_000),
        reals=Interval(0.0, 1.0, low_open=True),
        choices=("sqrt", "log2", None),
    ),
    ("hist_gradient_boosting", "classification", "loss"): ParamType(choices=("log_loss",)),
    ("hist_gradient_boosting", "regression", "loss"): ParamType(
        choices=("squared_error", "absolute_error", "gamma", "poisson", "quantile")
    ),
    ("hist_gradient_boosting", "classification", "max_iter"): ParamType(integers=(1, 10_000)),
    ("hist_gradient_boosting", "regression", "max_iter"): ParamType(integers=(1, 10_000)),
    ("hist_gradient_boosting", "classification", "early_stopping"): ParamType(
        choices=("auto", True, False)
    ),
    ("hist_gradient_boosting", "regression", "early_stopping"): ParamType(
        choices=("auto", True, False)
    ),
    ("hist_gradient_boosting", "classification", "max_features"): ParamType(
        reals=Interval(0.0, 1.0, low_open=True)
    ),
    ("hist_gradient_boosting", "regression", "max_features"): ParamType(
        reals=Interval(0.0, 1.0, low_open=True)
    ),
    ("hist_gradient_boosting", "regression", "quantile"): ParamType(
        reals=Interval(0.0, 1.0), choices=(None,)
    ),
    ("hist_gradient_boosting", "classification", "validation_fraction"): ParamType(
        integers=(1, 100_000),
        reals=Interval(0.0, 1.0, low_open=True, high_open=True),
        choices=(None,),
    ),
    ("hist_gradient_boosting", "regression", "validation_fraction"): ParamType(
        integers=(1, 100_000),
        reals=Interval(0.0, 1.0, low_open=True, high_open=True),
        choices=(None,),
    ),
    ("hist_gradient_boosting", "classification", "max_depth"): ParamType(
        integers=(1, 1_000), choices=(None,)
    ),
    ("hist_gradient_boosting", "classification", "max_leaf_nodes"): ParamType(
        integers=(2, 100_000), choices=(None,)
    ),
    ("svm", "classification", "max_iter"): ParamType(integers=(-1, 100_000)),
    ("svm", "regression", "max_iter"): ParamType(integers=(-1, 100_000)),
    ("linear_svm", "classification", "loss"): ParamType(choices=("hinge", "squared_hinge")),
    ("linear_svm", "regression", "loss"): ParamType(
        choices=("epsilon_insensitive", "squared_epsilon_insensitive")
    ),
    ("linear_svm", "classification", "penalty"): ParamType(choices=("l1", "l2")),
    ("linear_svm", "classification", "multi_class"): ParamType(choices=("ovr", "crammer_singer")),
    ("linear_svm", "classification", "max_iter"): ParamType(integers=(0, 100_000)),
    ("linear_svm", "regression", "max_iter"): ParamType(integers=(0, 100_000)),
    ("logistic_regression", "classification", "penalty"): ParamType(
        choices=("l1", "l2", "elasticnet", None)
    ),
    ("logistic_regression", "classification", "solver"): ParamType(
        choices=("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")
    ),
    ("logistic_regression", "classification", "max_iter"): ParamType(integers=(0, 100_000)),
    ("logistic_regression", "classification", "l1_ratio"): ParamType(
        reals=Interval(0.0, 1.0), choices=(None,)
    ),
    ("logistic_regression", "classification", "dual"): BOOL,
    ("ridge_classifier", "classification", "solver"): ParamType(
        choices=("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")
    ),
    ("ridge_classifier", "classification", "max_iter"): ParamType(
        integers=(1, 100_000), choices=(None,)
    ),
    ("ridge", "regression", "solver"): ParamType(
        choices=("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")
    ),
    ("ridge", "regression", "max_iter"): ParamType(integers=(1, 100_000), choices=(None,)),
    ("sgd", "classification", "loss"): ParamType(
        choices=(
            "hinge",
            "log_loss",
            "modified_huber",
            "squared_hinge",
            "perceptron",
            "squared_error",
            "huber",
            "epsilon_insensitive",
            "squared_epsilon_insensitive",
        )
    ),
    ("sgd", "regression", "loss"): ParamType(
        choices=("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")
    ),
    ("sgd", "classification", "penalty"): ParamType(choices=("l2", "l1", "elasticnet", None)),
    ("sgd", "regression", "penalty"): ParamType(choices=("l2", "l1", "elasticnet", None)),
    ("sgd", "classification", "learning_rate"): ParamType(
        choices=("constant", "optimal", "invscaling", "adaptive")
    ),
    ("sgd", "regression", "learning_rate"): ParamType(
        choices=("constant", "optimal", "invscaling", "adaptive")
    ),
    ("sgd", "classification", "eta0"): POSITIVE,
    ("sgd", "regression", "eta0"): POSITIVE,
    ("sgd", "classification", "tol"): ParamType(
        reals=Interval(0.0, INF, high_open=True), choices=(None,)
    ),
    ("sgd", "regression", "tol"): ParamType(
        reals=Interval(0.0, INF, high_open=True), choices=(None,)
    ),
    ("linear_regression", "regression", "tol"): NON_NEGATIVE,
    ("dummy", "classification", "strategy"): ParamType(
        choices=("most_frequent", "prior", "stratified", "uniform", "constant")
    ),
    ("dummy", "regression", "strategy"): ParamType(
        choices=("mean", "median", "quantile", "constant")
    ),
    ("dummy", "classification", "constant"): ParamType(
        integers=(-(2**31), 2**31 - 1), any_text=True, choices=(None,)
    ),
    ("dummy", "regression", "constant"): ParamType(
        reals=Interval(-INF, INF, low_open=True, high_open=True), choices=(None,)
    ),
    ("dummy", "regression", "quantile"): ParamType(reals=Interval(0.0, 1.0), choices=(None,)),
}


def param_type(estimator: str, task: str, name: str) -> ParamType | None:
    """The type of ``name`` for ``estimator`` on ``task``; None when the catalogue has none."""
    return _OVERRIDES.get((estimator, task, name)) or _BY_NAME.get(name)
