"""Valid spec files of a small house-price project (a problem, a dataset, an experiment) that a
test overrides one file of, and the loader's diagnostics as ``file:line:col: message`` strings."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.specs import validate_specs
from tests.helpers.files import write_files

__all__ = ["DATASET", "EXPERIMENT", "PROBLEM", "errors", "valid_project"]

PROBLEM = """\
apiVersion: mlops-gitops/v1
kind: Problem
metadata:
  name: prices
spec:
  question: What will a house sell for?
  task: regression
  target: price
  metric: r2
"""

DATASET = """\
apiVersion: mlops-gitops/v1
kind: Dataset
metadata:
  name: houses
spec:
  source:
    path: data/houses.csv
  target: price
  columns:
    rooms: {type: integer, min: 0}
    area: {type: number}
    price: {type: number}
"""

EXPERIMENT = """\
apiVersion: mlops-gitops/v1
kind: Experiment
metadata:
  name: price-model
spec:
  problem: prices
  dataset: houses
  candidates:
    - estimator: ridge
      params:
        alpha: {low: 0.1, high: 10, log: true}
"""


def errors(root: Path) -> list[str]:
    return [str(d) for d in validate_specs(root).diagnostics]


def valid_project(root: Path, **overrides: str) -> None:
    files = {
        "specs/problem.yaml": PROBLEM,
        "specs/dataset.yaml": DATASET,
        "specs/experiment.yaml": EXPERIMENT,
    }
    files.update(overrides)
    write_files(root, files)
