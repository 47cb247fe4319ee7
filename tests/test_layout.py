"""The project layout is the one source of the paths the pipeline declares and the code uses."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mlops_gitops
from mlops_gitops import layout as layout_module
from mlops_gitops.layout import ARTIFACTS, RELATIVE, Artifact, ProjectLayout, artifact_pattern
from mlops_gitops.render.dvc import PARTS, render_pipeline
from mlops_gitops.specs import load_specs
from mlops_gitops.specs.models import SpecSet
from tests.conftest import EXAMPLE_SPECS

PACKAGE = Path(mlops_gitops.__file__).parent


def _params(item: Artifact) -> list[str]:
    return list(inspect.signature(getattr(RELATIVE, item.method)).parameters)


def _declared(entries: list[Any]) -> Iterator[str]:
    """The paths of a dvc.yaml ``outs``/``deps``/``metrics``/``plots`` list."""
    for entry in entries:
        yield from (entry if isinstance(entry, dict) else [entry])


def _per_spec_paths(specs: SpecSet) -> dict[str, Artifact]:
    """Every layout path of every dataset and experiment of ``specs`` -> its artifact."""
    names = {"dataset": list(specs.datasets), "experiment": list(specs.experiments)}
    paths: dict[str, Artifact] = {}
    for item in ARTIFACTS:
        params = _params(item)
        if len(params) == 1 and params[0] in names:
            for name in names[params[0]]:
                paths[RELATIVE.posix(getattr(RELATIVE, item.method)(name))] = item
    return paths


@pytest.fixture(scope="module")
def example() -> tuple[SpecSet, list[dict[str, Any]]]:
    specs = load_specs(EXAMPLE_SPECS.parent)
    return specs, [dict(stage.body) for stage in render_pipeline(specs).stages]


def test_every_declared_output_and_dependency_is_a_layout_path(
    example: tuple[SpecSet, list[dict[str, Any]]],
) -> None:
    specs, bodies = example
    known = _per_spec_paths(specs)
    sources = {d.data_source.path for d in specs.datasets.values() if d.data_source.path}
    folders = [p for p, item in known.items() if item.folder]
    # the rendered spec files: `ProjectLayout.spec_file(kind, name, part)`, in one layout folder
    rendered = {
        RELATIVE.posix(RELATIVE.spec_file(kind, name, part))
        for kind, names in (
            ("Dataset", specs.datasets),
            ("Problem", specs.problems),
            ("Experiment", specs.experiments),
        )
        for name in names
        for part in ("", *PARTS[kind])
    }
    unknown = []
    for body in bodies:
        for key in ("outs", "deps", "metrics"):
            declared = _declared(body.get(key, []))
            unknown += [p for p in declared if p not in {*known, *sources, *rendered}]
        # plot files are named by the plot's own module, inside a folder of the layout
        for path in _declared(body.get("plots", [])):
            if path not in known and not any(path.startswith(f"{f}/") for f in folders):
                unknown.append(path)
    assert unknown == []
    assert bodies, "the example renders no stage"


def test_every_file_a_stage_writes_is_declared_to_dvc(
    example: tuple[SpecSet, list[dict[str, Any]]],
) -> None:
    """A layout path a stage writes that dvc.yaml does not declare would escape DVC's cache."""
    specs, bodies = example
    declared = {
        path
        for body in bodies
        for key in ("outs", "metrics", "plots")
        for path in _declared(body.get(key, []))
    }
    undeclared = [
        path
        for path, item in _per_spec_paths(specs).items()
        if item.written_by.startswith("stage `")
        and path not in declared
        and not any(d.startswith(f"{path}/") for d in declared)
        and not (item.method == "interpret_dir" and not _interpreted(specs, path))
    ]
    assert undeclared == []


def _interpreted(specs: SpecSet, path: str) -> bool:
    return any(
        e.interpretation.enabled and path == RELATIVE.posix(RELATIVE.interpret_dir(e.name))
        for e in specs.experiments.values()
    )


@pytest.mark.parametrize("item", ARTIFACTS, ids=lambda item: item.method)
def test_a_layout_rooted_elsewhere_gives_the_same_relative_paths(
    item: Artifact, tmp_path: Path
) -> None:
    args = [f"x{i}" for i, _ in enumerate(_params(item))]
    rooted = ProjectLayout(tmp_path)
    path = getattr(rooted, item.method)(*args)
    assert path.is_relative_to(tmp_path)
    assert rooted.posix(path) == RELATIVE.posix(getattr(RELATIVE, item.method)(*args))
    assert not RELATIVE.posix(path.relative_to(tmp_path)).startswith(("/", ".."))


def test_every_path_is_documented_once_with_its_writer_and_readers() -> None:
    patterns = [artifact_pattern(item) for item in ARTIFACTS]
    assert len(set(patterns)) == len(patterns)
    assert all(item.holds and item.written_by and item.read_by for item in ARTIFACTS)
    assert artifact_pattern(next(a for a in ARTIFACTS if a.method == "raw_data")) == (
        "data/<dataset>/raw.parquet"
    )
    assert artifact_pattern(next(a for a in ARTIFACTS if a.method == "models_checkout")) == (
        ".mlops/models/<name>/<version>/"
    )


def _string_constants(tree: ast.AST) -> Iterator[ast.Constant]:
    """String constants that are not docstrings (the parts of f-strings included)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node


FILE_NAMES = {
    value
    for name, value in vars(layout_module).items()
    if name.endswith("_FILE") and isinstance(value, str)
} | {RELATIVE.posix(p) for p in (RELATIVE.dvc_file(), RELATIVE.dvc_lock(), RELATIVE.params_file())}
PREFIXES = ("data/", "models/", "metrics/", "reports/", ".mlops/")


def test_no_module_spells_a_project_path_itself() -> None:
    """Paths come from the layout: no other module has ``"model.json"`` or ``f"data/{n}"``."""
    found = []
    for file in sorted(PACKAGE.rglob("*.py")):
        if file.name == "layout.py" and file.parent == PACKAGE:
            continue
        for node in _string_constants(ast.parse(file.read_text(encoding="utf-8"))):
            if node.value in FILE_NAMES or node.value.startswith(PREFIXES):
                found.append(f"{file.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
    assert found == []
