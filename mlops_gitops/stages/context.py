"""What a stage knows: its settings from params.yaml, rebuilt as typed spec objects, and paths."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.reconcile.yamlfile import load_fast
from mlops_gitops.render.dvc import PARAMS_ROOT
from mlops_gitops.specs.build import build_spec
from mlops_gitops.specs.models import Dataset, Experiment, Problem, Source

__all__ = [
    "dataset_settings",
    "experiment_settings",
    "load_frame",
    "problem_settings",
    "read_json",
    "write_json",
]


def _block(root: Path, group: str, name: str) -> Mapping[str, Any]:
    path = root / "params.yaml"
    if not path.is_file():
        raise StageError("params.yaml is missing", "run `mlops apply` to render it")
    data = load_fast(path)
    block = ((data.get(PARAMS_ROOT) or {}).get(group) or {}).get(name)
    if not isinstance(block, dict):
        raise StageError(
            f"params.yaml has no {PARAMS_ROOT}.{group}.{name}",
            "run `mlops apply` so params.yaml matches the specs",
        )
    return block


def _build(kind: str, name: str, spec: Mapping[str, Any]) -> Any:
    return build_spec(kind, {"metadata": {"name": name}, "spec": spec}, Source("params.yaml"))


def dataset_settings(root: Path, name: str) -> Dataset:
    dataset: Dataset = _build("Dataset", name, _block(root, "dataset", name))
    return dataset


def problem_settings(root: Path, name: str) -> Problem:
    problem: Problem = _build("Problem", name, {"question": "", **_block(root, "problem", name)})
    return problem


def experiment_settings(root: Path, name: str) -> tuple[Experiment, Problem, Dataset]:
    experiment: Experiment = _build("Experiment", name, _block(root, "experiment", name))
    return (
        experiment,
        problem_settings(root, experiment.problem),
        dataset_settings(root, experiment.dataset),
    )


def load_frame(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise StageError(f"{path} is missing", "run the upstream stages first: `dvc repro`")
    return pd.read_parquet(path)


def read_json(path: Path) -> Any:
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
