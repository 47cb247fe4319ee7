"""SpecSet lookups by name: the spec, or one UnknownSpec naming the kind, the name and the names
that exist (with the closest as a suggestion)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_gitops.errors import MlopsError, UnknownSpec
from mlops_gitops.specs import load_specs
from mlops_gitops.specs.models import SpecSet
from tests.helpers.files import write_files
from tests.specs.test_loader import DATASET, EXPERIMENT, PROBLEM

DEPLOYMENT = """\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata:
  name: price-api
spec:
  model: {experiment: price-model}
"""


@pytest.fixture
def specs(tmp_path: Path) -> SpecSet:
    write_files(
        tmp_path,
        {
            "specs/problem.yaml": PROBLEM,
            "specs/dataset.yaml": DATASET,
            "specs/experiment.yaml": EXPERIMENT,
            "specs/deployment.yaml": DEPLOYMENT,
        },
    )
    return load_specs(tmp_path)


def test_each_lookup_returns_the_spec_of_that_name(specs: SpecSet) -> None:
    assert specs.problem("prices") is specs.problems["prices"]
    assert specs.dataset("houses") is specs.datasets["houses"]
    assert specs.experiment("price-model") is specs.experiments["price-model"]
    assert specs.deployment("price-api") is specs.deployments["price-api"]


@pytest.mark.parametrize(
    ("lookup", "name", "message"),
    [
        ("problem", "price", "no Problem named 'price'; known: prices; did you mean 'prices'?"),
        ("dataset", "cars", "no Dataset named 'cars'; known: houses"),
        (
            "experiment",
            "price-modle",
            "no Experiment named 'price-modle'; known: price-model; did you mean 'price-model'?",
        ),
        ("deployment", "nope", "no Deployment named 'nope'; known: price-api"),
    ],
)
def test_an_unknown_name_is_one_error_naming_kind_name_and_known_names(
    specs: SpecSet, lookup: str, name: str, message: str
) -> None:
    with pytest.raises(UnknownSpec) as raised:
        getattr(specs, lookup)(name)
    error = raised.value
    assert isinstance(error, MlopsError)
    assert (error.kind, error.name) == (lookup.capitalize(), name)
    assert str(error) == f"{message}\nhint: run `mlops get` to list the specs"


def test_an_empty_kind_says_none_are_known() -> None:
    with pytest.raises(UnknownSpec) as raised:
        SpecSet().deployment("api")
    assert raised.value.message == "no Deployment named 'api'; known: none"
