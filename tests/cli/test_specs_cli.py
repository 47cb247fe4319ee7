"""``mlops validate / get / graph / schema export`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_gitops.cli import main
from tests.helpers.files import write_files


def run(root: Path, *args: str) -> int:
    return main(["-C", str(root), *args])


def test_validate_example_exits_zero(
    example_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(example_project, "validate") == 0
    assert "9 file(s), 9 spec(s): valid" in capsys.readouterr().out


def test_validate_reports_github_annotations_and_exits_one(
    example_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = example_project / "specs/diabetes/problem.yaml"
    path.write_text(path.read_text().replace("metric: r2", "metric: accuracy"))
    assert run(example_project, "validate", "--format", "github") == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "::error file=specs/diabetes/problem.yaml,line=12,col=11,title=mlops validate::"
    )
    assert "metric 'accuracy' is for classification" in out


def test_validate_json(example_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(example_project, {"specs/x.yaml": "kind: [\n"})
    assert run(example_project, "validate", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert report["errors"][0]["file"] == "specs/x.yaml"
    assert report["errors"][0]["category"] == "syntax"


def test_validate_without_specs_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(project, "validate") == 1
    out = capsys.readouterr()
    assert "run `mlops init`" in out.err and "valid" not in out.out


def test_get_lists_specs_with_references(
    example_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(example_project, "get", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    by_name = {r["name"]: r for r in rows}
    assert by_name["progression-api"]["references"] == ["Experiment/progression-linear"]
    assert by_name["progression-trees"]["file"] == "specs/diabetes/experiment-trees.yaml:2"


def test_get_on_invalid_specs_prints_errors_without_traceback(project: Path) -> None:
    write_files(project, {"specs/x.yaml": "apiVersion: nope\n"})
    done = subprocess.run(
        [sys.executable, "-m", "mlops_gitops", "-C", str(project), "get"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "specs/x.yaml:1:13: apiVersion: unknown apiVersion" in done.stderr
    assert "hint: fix the specs above, then run `mlops validate`" in done.stderr


def test_graph_mermaid(example_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(example_project, "graph", "--format", "mermaid") == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR")
    assert "experiment_progression_linear --> deployment_progression_api" in out


def test_schema_export_writes_valid_schemas(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    assert main(["schema", "export", str(tmp_path / "schemas")]) == 0
    for kind in ("problem", "dataset", "experiment", "deployment"):
        schema = json.loads((tmp_path / "schemas" / f"{kind}.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["additionalProperties"] is False


def test_example_specs_point_editors_at_the_schemas() -> None:
    from tests.helpers.paths import EXAMPLE_SPECS

    for path in EXAMPLE_SPECS.rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = (path.parent / first.split("$schema=")[1]).resolve()
        assert schema.is_file(), schema


def test_startup_does_not_import_heavy_libraries(example_project: Path) -> None:
    code = (
        "import sys; from mlops_gitops.cli import main; "
        f"main(['-C', {str(example_project)!r}, 'validate']); "
        "heavy = [m for m in ('pandas', 'sklearn', 'scipy', 'docker', 'dvc', 'fastapi', 'gto', "
        "'onnxruntime', 'skl2onnx', 'fsspec', 's3fs', 'pyarrow', 'prometheus_client') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_schema_export_to_an_unwritable_place_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["schema", "export", str(blocker / "schemas")]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {blocker / 'schemas'}" in err and "hint:" in err
