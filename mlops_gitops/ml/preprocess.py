"""The model pipeline: per-column preprocessing from the dataset schema, then a catalogue estimator.

The fitted pipeline is what ``save_model`` writes, so it holds scikit-learn classes only (skops
loads nothing else). Columns are routed by their schema type:

* ``number`` / ``integer``: imputed (``impute_numeric``), then scaled (``scale``);
* ``category``: imputed (``impute_categorical``), then one-hot or ordinal encoded (``encode``);
* ``boolean``: encoded without imputation (scikit-learn's imputer does not take ``bool`` data);
  a missing value becomes a category of its own;
* ``text`` / ``datetime``: dropped, with a note saying so (see :func:`plan_columns`).

Data columns the schema does not name are dropped too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlops_gitops.errors import MlopsError
from mlops_gitops.specs.catalogue import ESTIMATORS, Task, estimator_class
from mlops_gitops.specs.models import ColumnSchema, Preprocessing

__all__ = ["ColumnPlan", "build_pipeline", "make_estimator", "plan_columns"]

log = logging.getLogger(__name__)

PREPROCESS_STEP = "preprocess"
MODEL_STEP = "model"

NUMERIC_TYPES = frozenset({"number", "integer"})
CATEGORY_TYPES = frozenset({"category"})
BOOLEAN_TYPES = frozenset({"boolean"})
DROPPED_TYPES = frozenset({"text", "datetime"})


@dataclass(frozen=True)
class ColumnPlan:
    """Which schema columns go through which branch, and notes on what was left out."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    boolean: tuple[str, ...]
    dropped: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def used(self) -> tuple[str, ...]:
        return self.numeric + self.categorical + self.boolean


def plan_columns(features: Sequence[ColumnSchema]) -> ColumnPlan:
    """Route each feature column to a preprocessing branch by its schema type."""
    numeric = tuple(c.name for c in features if c.type in NUMERIC_TYPES)
    categorical = tuple(c.name for c in features if c.type in CATEGORY_TYPES)
    boolean = tuple(c.name for c in features if c.type in BOOLEAN_TYPES)
    dropped = tuple(c.name for c in features if c.type in DROPPED_TYPES)
    notes = tuple(
        f"column '{c.name}' ({c.type}) is not used by the model: {c.type} columns are dropped; "
        "derive numeric or category columns from it in the dataset if it carries signal"
        for c in features
        if c.type in DROPPED_TYPES
    )
    return ColumnPlan(numeric, categorical, boolean, dropped, notes)


def build_pipeline(
    features: Sequence[ColumnSchema], preprocessing: Preprocessing, estimator: Any
) -> Any:
    """A ``Pipeline([("preprocess", ColumnTransformer), ("model", estimator)])`` for the schema.

    Raises :class:`MlopsError` when no column is usable. Notes on dropped columns are logged; call
    :func:`plan_columns` to get them as data.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    plan = plan_columns(features)
    if not plan.used:
        raise MlopsError(
            "the dataset has no column the model can use (only text/datetime columns, or none)",
            "add number, integer, category or boolean columns to the dataset's `columns`",
        )
    for note in plan.notes:
        log.info(note)
    transformers: list[tuple[str, Any, list[str]]] = []
    if plan.numeric:
        transformers.append(("numeric", _numeric_branch(preprocessing), list(plan.numeric)))
    if plan.categorical:
        branch = _categorical_branch(preprocessing, impute=True)
        transformers.append(("categorical", branch, list(plan.categorical)))
    if plan.boolean:
        branch = _categorical_branch(preprocessing, impute=False)
        transformers.append(("boolean", branch, list(plan.boolean)))
    columns = ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)
    return Pipeline([(PREPROCESS_STEP, columns), (MODEL_STEP, estimator)])


def _numeric_branch(preprocessing: Preprocessing) -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    steps: list[tuple[str, Any]] = []
    if preprocessing.impute_numeric != "none":
        steps.append(("impute", SimpleImputer(strategy=preprocessing.impute_numeric)))
    scalers = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}
    if preprocessing.scale != "none":
        steps.append(("scale", scalers[preprocessing.scale]()))
    return Pipeline(steps) if steps else "passthrough"


def _categorical_branch(preprocessing: Preprocessing, *, impute: bool) -> Any:
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    steps: list[tuple[str, Any]] = []
    if impute and preprocessing.impute_categorical == "constant":
        steps.append(("impute", SimpleImputer(strategy="constant", fill_value="missing")))
    elif impute and preprocessing.impute_categorical == "most_frequent":
        steps.append(("impute", SimpleImputer(strategy="most_frequent")))
    if preprocessing.encode == "onehot":
        steps.append(("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)))
    elif preprocessing.encode == "ordinal":
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
        )
        steps.append(("encode", encoder))
    return Pipeline(steps) if steps else "passthrough"


def make_estimator(
    candidate_estimator_name: str,
    task: Task,
    fixed_params: Mapping[str, Any],
    seed: int,
) -> Any:
    """An unfitted catalogue estimator with ``fixed_params`` set and ``random_state=seed``.

    Only catalogue entries can be built (a spec cannot make the pipeline import code). A
    ``random_state`` in ``fixed_params`` wins over ``seed``.
    """
    entry = estimator_class(candidate_estimator_name, task)
    if entry is None:
        known = sorted(name for name, tasks in ESTIMATORS.items() if task in tasks)
        raise MlopsError(
            f"estimator '{candidate_estimator_name}' is not in the catalogue for {task}; "
            f"known: {', '.join(known)}",
            "use one of the known estimator names in the experiment's candidates",
        )
    unknown = sorted(set(fixed_params) - set(entry.params))
    if unknown:
        raise MlopsError(
            f"estimator '{candidate_estimator_name}' ({task}) has no parameter(s) "
            f"{', '.join(unknown)}; allowed: {', '.join(entry.params)}",
            "fix the parameter names in the experiment's candidate",
        )
    estimator = entry.load()()
    params = dict(fixed_params)
    if "random_state" in estimator.get_params() and "random_state" not in params:
        params["random_state"] = seed
    estimator.set_params(**params)
    return estimator
