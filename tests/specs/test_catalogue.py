from __future__ import annotations

import warnings

import pytest

from mlops_gitops.specs.catalogue import ESTIMATORS, EXCLUDED_PARAMS, METRICS, PROCESSING_METRICS

ENTRIES = [(name, task) for name, tasks in ESTIMATORS.items() for task in tasks]


@pytest.mark.parametrize(("name", "task"), ENTRIES)
def test_entry_loads_and_lists_every_settable_parameter(name: str, task: str) -> None:
    entry = ESTIMATORS[name][task]
    cls = entry.load()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        installed = set(cls().get_params(deep=False))
    assert set(entry.params) <= installed, (
        f"{name}: not in scikit-learn: {set(entry.params) - installed}"
    )
    unaccounted = installed - set(entry.params) - set(EXCLUDED_PARAMS)
    assert not unaccounted, f"{name}: neither listed nor excluded: {unaccounted}"
    assert list(entry.params) == sorted(entry.params)


@pytest.mark.parametrize(("name", "task"), ENTRIES)
def test_entry_class_is_of_its_task(name: str, task: str) -> None:
    from sklearn.base import is_classifier, is_regressor

    estimator = ESTIMATORS[name][task].load()()
    assert is_classifier(estimator) if task == "classification" else is_regressor(estimator)


def test_every_training_metric_is_a_scikit_learn_scorer() -> None:
    from sklearn.metrics import get_scorer_names

    names = set(get_scorer_names())
    for info in METRICS.values():
        assert info.scorer in names
        assert info.scorer.startswith("neg_") == (not info.greater_is_better)
    assert all(info.scorer is None for info in PROCESSING_METRICS.values())
