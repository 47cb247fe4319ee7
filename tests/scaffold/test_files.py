"""The files ``mlops init`` writes, before any of them touches the disk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlops_gitops.errors import MlopsError
from mlops_gitops.scaffold import init_project
from mlops_gitops.scaffold.files import project_files
from mlops_gitops.scaffold.init import default_name
from mlops_gitops.scaffold.install import InstallLine, how_installed
from mlops_gitops.scaffold.templates import fill
from tests.helpers.commands import mlops

SPECS = [
    "specs/problem.yaml",
    "specs/dataset.yaml",
    "specs/experiment.yaml",
    "specs/deployment.yaml",
]


def test_every_spec_points_its_editor_at_a_schema_the_scaffold_writes() -> None:
    files = project_files("demo")
    for spec in SPECS:
        first = files[spec].splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=\.\./(\S+)", first)
        assert match, first
        assert match.group(1) in files
        kind = yaml.safe_load(files[spec])["kind"]
        assert match.group(1) == f".mlops/schemas/{kind.lower()}.json"


def test_schemas_are_byte_for_byte_what_mlops_schema_export_writes(tmp_path: Path) -> None:
    mlops(tmp_path, "schema", "export", "out")
    files = project_files("demo")
    exported = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert exported == ["dataset.json", "deployment.json", "experiment.json", "problem.json"]
    for name in exported:
        assert files[f".mlops/schemas/{name}"] == (tmp_path / "out" / name).read_text()


def test_the_name_fills_every_token_and_workflows_use_the_install_line() -> None:
    line = InstallLine('pip install "mlops-gitops @ git+https://example.com/m.git@abc123"')
    files = project_files("my-proj", line)
    assert not [path for path, text in files.items() if "@@" in text]
    assert files["README.md"].startswith("# my-proj\n")
    assert "../my-proj-dvc-remote" in files["README.md"]
    assert f"```sh\n{line.command}\nmlops validate" in files["README.md"]
    for name in ("ci.yml", "cd.yml", "drift.yml"):
        assert f"run: {line.command}\n" in files[f".github/workflows/{name}"]


def test_by_default_the_workflows_install_mlops_gitops_the_way_it_is_installed_here() -> None:
    files = project_files("my-proj")
    assert how_installed().command in files[".github/workflows/ci.yml"]


def test_a_token_without_value_is_an_error() -> None:
    with pytest.raises(KeyError, match="@@OTHER@@"):
        fill("@@NAME@@ @@OTHER@@", {"NAME": "x"})


@pytest.mark.parametrize(
    ("folder", "name"),
    [("My Project", "my-project"), ("data_science.v2", "data-science-v2"), ("--x--", "x")],
)
def test_default_name_is_the_folder_as_a_slug(folder: str, name: str) -> None:
    assert default_name(Path("/tmp") / folder) == name


def test_a_bad_name_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(MlopsError) as caught:
        init_project(tmp_path / "new", name="Bad Name")
    assert caught.value.message == (
        "The project name must be a slug (lower-case letters, digits and '-', at most 63 "
        "characters). Got 'Bad Name' instead."
    )
    assert caught.value.hint == "pass --name my-project"
    assert not (tmp_path / "new").exists()
