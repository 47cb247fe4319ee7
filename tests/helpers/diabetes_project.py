"""A small real project on scikit-learn's bundled diabetes data: git and DVC initialised, a
problem, a dataset, two experiments, and a person's own params.yaml entry and dvc.yaml stage
(which every apply must keep)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.commands import git, sh
from tests.helpers.files import write_files

__all__ = [
    "DATASET",
    "KUBERNETES_WITH_STORE",
    "PROBLEM",
    "deployment",
    "experiment",
    "make_project",
]

PROBLEM = """\
apiVersion: mlops-gitops/v1
kind: Problem
metadata:
  name: progression
  labels: {team: a}
spec:
  question: How far does diabetes progress?
  task: regression
  target: progression
  metric: r2
  successCriteria:
    - {metric: r2, min: 0.1}
"""

DATASET = """\
apiVersion: mlops-gitops/v1
kind: Dataset
metadata:
  name: diabetes
spec:
  description: Bundled diabetes data.
  source: {sklearn: diabetes}
  target: progression
  columns:
    age: {type: number}
    bmi: {type: number, min: 10, max: 80}
    bp: {type: number}
    s5: {type: number}
    progression: {type: number}
  split: {testSize: 0.25, seed: 1}
"""


def experiment(name: str, estimator: str, alpha: float, description: str = "") -> str:
    return f"""\
apiVersion: mlops-gitops/v1
kind: Experiment
metadata:
  name: {name}
spec:
  description: "{description}"
  problem: progression
  dataset: diabetes
  candidates:
    - estimator: {estimator}
      params: {{alpha: {alpha}}}
  search: {{cvFolds: 2}}
  interpretation: {{permutationRepeats: 1, topFeatures: 1, localExamples: 1, fairness: false}}
"""


# a kubernetes deployment's request log must be on object storage (nothing is written there:
# the tests that use this only render manifests)
KUBERNETES_WITH_STORE = "runtime: kubernetes\n  requestLog: {uri: s3://requests-bucket/logs}"


def deployment(port: int, experiment: str = "lin-a") -> str:
    return f"""\
apiVersion: mlops-gitops/v1
kind: Deployment
metadata:
  name: lin-api
spec:
  model: {{experiment: {experiment}}}
  runtime: local
  port: {port}
"""


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    sh(root, "dvc", "init", "-q")
    sh(root, "dvc", "config", "core.autostage", "true")
    write_files(
        root,
        {
            "specs/problem.yaml": PROBLEM,
            "specs/dataset.yaml": DATASET,
            "specs/experiment-a.yaml": experiment("lin-a", "ridge", 1.0),
            "specs/experiment-b.yaml": experiment("lin-b", "lasso", 0.1),
            "params.yaml": "# hand-written params stay\nseed: 7  # mine\n",
            "dvc.yaml": (
                "stages:\n  hello:  # a person's own stage\n"
                "    cmd: echo hello > hello.txt\n    outs:\n      - hello.txt\n"
            ),
        },
    )
    return root
