"""What a stage knows: its settings from params.yaml, rebuilt as typed spec objects, and paths."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.reconcile.yamlfile import load_fast
from mlops_gitops.render.dvc import PARAMS_ROOT
from mlops_gitops.specs.build import build_spec
from mlops_gitops.specs.checks import Located, run_checks
from mlops_gitops.specs.diagnostics import Diagnostic
from mlops_gitops.specs.models import API_VERSION, Dataset, Experiment, Problem, Source
from mlops_gitops.specs.schema import check_document
from mlops_gitops.specs.yamlpos import Document

__all__ = [
    "dataset_settings",
    "experiment_settings",
    "load_frame",
    "problem_settings",
    "read_json",
    "write_json",
]


def _block(root: Path, group: str, name: str) -> Mapping[str, Any]:
    path = ProjectLayout(root).params_file()
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


def _refused(problems: Sequence[Diagnostic]) -> StageError:
    lines = "\n".join(f"  {d.file}: {d.path}: {d.message}" for d in problems)
    return StageError(
        f"params.yaml holds settings that `mlops validate` refuses:\n{lines}",
        "fix the spec and run `mlops apply`; a value set with `dvc exp run -S` must pass the "
        "same checks",
    )


def _located(kind: str, name: str, spec: Mapping[str, Any]) -> Located:
    """The params.yaml block as a spec, checked by the same schema as the spec files."""
    where = f"params.yaml {PARAMS_ROOT}.{kind.lower()}.{name}"
    data = {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}
    doc = Document(where, 0, data, 1, 1)
    _, problems = check_document(doc)
    if problems:
        raise _refused(problems)
    return Located(build_spec(kind, data, Source(RELATIVE.posix(RELATIVE.params_file()))), doc)


def _checked(root: Path, *located: Located) -> None:
    problems = run_checks(located, root)
    if problems:
        raise _refused(problems)


def _dataset(root: Path, name: str) -> Located:
    return _located("Dataset", name, _block(root, "dataset", name))


def _problem(root: Path, name: str) -> Located:
    block = {"question": "(from params.yaml)", **_block(root, "problem", name)}
    return _located("Problem", name, block)


def dataset_settings(root: Path, name: str) -> Dataset:
    located = _dataset(root, name)
    _checked(root, located)
    assert isinstance(located.spec, Dataset)
    return located.spec


def problem_settings(root: Path, name: str) -> Problem:
    located = _problem(root, name)
    _checked(root, located)
    assert isinstance(located.spec, Problem)
    return located.spec


def experiment_settings(root: Path, name: str) -> tuple[Experiment, Problem, Dataset]:
    """The experiment with its problem and dataset, checked together as `mlops validate` would."""
    experiment = _located("Experiment", name, _block(root, "experiment", name))
    assert isinstance(experiment.spec, Experiment)
    problem = _problem(root, experiment.spec.problem)
    dataset = _dataset(root, experiment.spec.dataset)
    _checked(root, experiment, problem, dataset)
    assert isinstance(problem.spec, Problem)
    assert isinstance(dataset.spec, Dataset)
    return experiment.spec, problem.spec, dataset.spec


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
