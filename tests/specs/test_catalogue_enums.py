"""The estimator and metric enums of the schemas are generated from the catalogue."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mlops_gitops.specs import compile_schemas
from mlops_gitops.specs.catalogue import ESTIMATORS, METRICS, PROCESSING_METRICS
from mlops_gitops.specs.compile_schemas import ENUM_FROM, catalogue_enum, with_catalogue_enums
from mlops_gitops.specs.schema import KINDS, schema_for


def _marked(schema: Any) -> list[tuple[str, list[str]]]:
    if isinstance(schema, dict):
        here = [(schema[ENUM_FROM], schema["enum"])] if ENUM_FROM in schema else []
        return here + [m for v in schema.values() for m in _marked(v)]
    if isinstance(schema, list):
        return [m for v in schema for m in _marked(v)]
    return []


def test_every_marked_enum_is_the_catalogue_list() -> None:
    marked = [m for kind in KINDS for m in _marked(schema_for(kind))]
    assert sorted(name for name, _ in marked) == [
        "criterion-metrics",
        "estimators",
        "metrics",
        "metrics",
    ]
    for name, enum in marked:
        assert enum == catalogue_enum(name)
    assert catalogue_enum("estimators") == sorted(ESTIMATORS)
    assert set(catalogue_enum("criterion-metrics")) == set(METRICS) | set(PROCESSING_METRICS)


def test_the_schema_files_are_generated_from_the_current_catalogue() -> None:
    assert compile_schemas.main(["--check"]) == 0, (
        "run `python -m mlops_gitops.specs.compile_schemas`"
    )
    for kind in KINDS:
        assert with_catalogue_enums(schema_for(kind)) == schema_for(kind)


def test_a_schema_behind_the_catalogue_is_rewritten() -> None:
    stale = copy.deepcopy(schema_for("Experiment"))
    estimator = stale["properties"]["spec"]["properties"]["candidates"]["items"]["properties"][
        "estimator"
    ]
    estimator["enum"] = ["random_forest"]
    regenerated = with_catalogue_enums(stale)
    assert regenerated == schema_for("Experiment")
    assert json.dumps(regenerated) != json.dumps(stale)


def test_an_unknown_catalogue_list_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown catalogue list 'scorers'"):
        with_catalogue_enums({"x-enum-from": "scorers", "enum": []})
