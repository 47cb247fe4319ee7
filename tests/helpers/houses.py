"""A small generated house-price table (no network) and the specs of a project built on it.

``price = 1000 area + 5000 rooms + noise``: a linear model fits it almost exactly, so a trained
ridge scores r2 near 1 and a test can tell a real fit from a broken one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DATASET",
    "EXPERIMENT",
    "PROBLEM",
    "dataset_spec",
    "houses",
    "to_csv",
]

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
  successCriteria:
    - {metric: r2, min: 0.5}
"""


def dataset_spec(source: str = "path: data/houses.csv", *, split: str = "") -> str:
    """The houses Dataset with ``source`` (YAML lines under ``source:``) and extra ``split``
    settings (flow-style entries, e.g. ``stratify: true``)."""
    source_lines = "\n".join(f"    {line}" for line in source.splitlines())
    extra = f", {split}" if split else ""
    return f"""\
apiVersion: mlops-gitops/v1
kind: Dataset
metadata:
  name: houses
spec:
  source:
{source_lines}
  target: price
  columns:
    rooms: {{type: integer, min: 0}}
    area: {{type: number}}
    price: {{type: number}}
  split: {{testSize: 0.25, seed: 1{extra}}}
"""


DATASET = dataset_spec()

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
        alpha: [0.1, 1.0]
    - estimator: dummy
  search: {strategy: grid, cvFolds: 2, seed: 1}
  compile: {enabled: false}
"""


def houses(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rooms = rng.integers(1, 7, n)
    area = rng.uniform(30.0, 200.0, n).round(1)
    price = (1000.0 * area + 5000.0 * rooms + rng.normal(0.0, 500.0, n)).round(0)
    return pd.DataFrame({"rooms": rooms, "area": area, "price": price})


def to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()
