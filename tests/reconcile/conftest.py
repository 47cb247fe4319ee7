"""A small real project (git + DVC) that has been applied and reproduced once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, write_files

VENV_BIN = str(Path(sys.executable).parent)

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


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    return env


def sh(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, check=check, env=run_env()
    )


def mlops(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return sh(cwd, sys.executable, "-m", "mlops_gitops", *args, check=check)


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


@pytest.fixture(scope="session")
def reproduced_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Applied, committed and reproduced once; tests get copies of it."""
    root = make_project(tmp_path_factory.mktemp("reproduced") / "project")
    mlops(root, "apply", "--yes")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "specs and pipeline")
    sh(root, "dvc", "repro")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "reproduced")
    return root


@pytest.fixture
def repo(reproduced_project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(reproduced_project, target, symlinks=True)
    return target
