"""The hyperparameter types agree with the catalogue and with installed scikit-learn."""

from __future__ import annotations

import math

import pytest

from mlops_gitops.specs.catalogue import ESTIMATORS
from mlops_gitops.specs.hyperparams import Interval, ParamType, param_type

ENTRIES = [
    (name, task, entry) for name, tasks in ESTIMATORS.items() for task, entry in tasks.items()
]


@pytest.mark.parametrize(
    ("name", "task", "entry"), ENTRIES, ids=[f"{n}-{t}" for n, t, _ in ENTRIES]
)
def test_every_value_allowed_here_is_accepted_by_scikit_learn(
    name: str, task: str, entry: object
) -> None:
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    cls = entry.load()  # type: ignore[attr-defined]
    refused = []
    for param in entry.params:  # type: ignore[attr-defined]
        kind = param_type(name, task, param)
        assert kind is not None, f"{name}/{task}: no type for {param}"
        constraints = {param: cls._parameter_constraints[param]}
        for value in kind.examples():
            try:
                validate_parameter_constraints(constraints, {param: value}, cls.__name__)
            except InvalidParameterError as error:
                refused.append(f"{param}={value!r}: {error}")
    assert refused == []


@pytest.mark.parametrize(
    ("kind", "value", "allowed"),
    [
        (ParamType(integers=(1, 5)), 3, True),
        (ParamType(integers=(1, 5)), 6, False),
        (ParamType(integers=(1, 5)), True, False),
        (ParamType(integers=(1, 5)), 3.0, False),
        (ParamType(integers=(1, 5)), "3", False),
        (ParamType(reals=Interval(0, 1, low_open=True)), 0.0, False),
        (ParamType(reals=Interval(0, 1, low_open=True)), 1, True),
        (ParamType(reals=Interval(-math.inf, math.inf, True, True)), math.nan, False),
        (ParamType(reals=Interval(-math.inf, math.inf, True, True)), math.inf, False),
        (ParamType(choices=("a", None)), None, True),
        (ParamType(choices=(True, False)), 1, False),
        (ParamType(choices=(True, False)), False, True),
    ],
)
def test_allows(kind: ParamType, value: object, allowed: bool) -> None:
    assert kind.allows(value) is allowed


def test_descriptions_name_the_limits() -> None:
    assert param_type("random_forest", "regression", "n_estimators") is not None
    assert param_type("random_forest", "regression", "n_estimators").describe() == (  # type: ignore[union-attr]
        "an integer from 1 to 5_000"
    )
    assert param_type("random_forest", "regression", "max_features").describe() == (  # type: ignore[union-attr]
        "an integer from 1 to 100_000, or a number in (0, 1], or one of 'sqrt', 'log2', null"
    )


def test_the_experiment_schema_lists_exactly_the_catalogue() -> None:
    from mlops_gitops.specs.catalogue import METRICS
    from mlops_gitops.specs.schema import schema_for

    spec = schema_for("Experiment")["properties"]["spec"]["properties"]
    estimator = spec["candidates"]["items"]["properties"]["estimator"]
    assert estimator["enum"] == sorted(ESTIMATORS)
    assert spec["search"]["properties"]["scoring"]["enum"] == sorted(METRICS)


def test_every_catalogue_parameter_has_a_type() -> None:
    missing = [
        f"{name}/{task}/{param}"
        for name, task, entry in ENTRIES
        for param in entry.params
        if param_type(name, task, param) is None
    ]
    assert missing == []
