"""What a stage knows: its settings, rebuilt as typed spec objects, and paths.

A spec's settings come from two rendered places: its tunables in ``params.yaml`` (what
``dvc exp run -S`` may change) and its fixed settings in ``.mlops/specs/`` (see
:mod:`mlops_gitops.render.dvc`). Together they are checked exactly as ``mlops validate`` checks
the spec files, so a value set with ``-S`` passes the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlops_gitops.errors import StageError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.io.yamlfile import load_fast
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.render.dvc import CANDIDATES, PARAMS_ROOT, SPEC_DIR, spec_parts
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
    "spec_from_params",
    "write_json",
]


def _tunables(root: Path, group: str, name: str, *, required: bool) -> dict[str, Any]:
    path = ProjectLayout(root).params_file()
    if not path.is_file():
        raise StageError("params.yaml is missing", "run `mlops apply` to render it")
    data = load_fast(path)
    block = ((data.get(PARAMS_ROOT) or {}).get(group) or {}).get(name)
    if block is None and not required:
        return {}
    if not isinstance(block, dict):
        raise StageError(
            f"params.yaml has no {PARAMS_ROOT}.{group}.{name}",
            "run `mlops apply` so params.yaml matches the specs",
        )
    block = dict(block)
    candidates = block.get(CANDIDATES)
    if isinstance(candidates, dict):  # name -> candidate in params.yaml, a list in a spec
        block[CANDIDATES] = [
            {"name": key, **value} if isinstance(value, dict) else value
            for key, value in candidates.items()
        ]
    return block


def _fixed(root: Path, kind: str, name: str) -> dict[str, Any]:
    """The spec's fixed settings: its rendered files under ``.mlops/specs/``."""
    block: dict[str, Any] = {}
    for relative in spec_parts(kind, name):
        path = root / relative
        if not path.is_file():
            raise StageError(
                f"{relative} is missing", "run `mlops apply` so .mlops/specs/ matches the specs"
            )
        try:
            data = json.loads(path.read_text())
        except ValueError as error:
            raise StageError(
                f"{relative} is not valid JSON: {error}",
                "run `mlops apply` to render it again (it is generated; do not edit it)",
            ) from None
        if not isinstance(data, dict):
            raise StageError(
                f"{relative} must hold a JSON object", "run `mlops apply` to render it again"
            )
        block.update(data)
    return block


def _block(root: Path, kind: str, name: str) -> Mapping[str, Any]:
    group = kind.lower()
    tunables = _tunables(root, group, name, required=kind != "Problem")
    return {**_fixed(root, kind, name), **tunables}


def _refused(problems: Sequence[Diagnostic]) -> StageError:
    lines = "\n".join(f"  {d.file}: {d.path}: {d.message}" for d in problems)
    return StageError(
        f"params.yaml and {SPEC_DIR}/ hold settings that `mlops validate` refuses:\n{lines}",
        "fix the spec and run `mlops apply`; a value set with `dvc exp run -S` must pass the "
        "same checks",
    )


def _located(kind: str, name: str, spec: Mapping[str, Any]) -> Located:
    """The rendered settings as a spec, checked by the same schema as the spec files."""
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


def spec_from_params(root: Path, kind: str, name: str) -> Located:
    """One spec rebuilt from its params.yaml block, schema-checked and built as every stage sees
    it; the checks across specs are the caller's. Descriptive fields (not in params.yaml) keep
    their defaults."""
    block = _block(root, kind, name)
    if kind == "Problem":  # the schema requires the question, which params.yaml leaves out
        block = {"question": "(rendered)", **block}
    return _located(kind, name, block)


def _dataset(root: Path, name: str) -> Located:
    return spec_from_params(root, "Dataset", name)


def _problem(root: Path, name: str) -> Located:
    return spec_from_params(root, "Problem", name)


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
    experiment = spec_from_params(root, "Experiment", name)
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
