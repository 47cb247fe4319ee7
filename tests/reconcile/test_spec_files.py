"""The rendered spec files in `.mlops/specs/`: a spec change shows up in the plan as a change of
the file that holds it, a hand edit is reported as drift and restored, and files of removed
specs are pruned."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.commands import mlops
from tests.helpers.diabetes_project import make_project

SCHEMA = ".mlops/specs/dataset-diabetes.json"


def plan(root: Path) -> list[dict[str, object]]:
    actions: list[dict[str, object]] = json.loads(
        mlops(root, "plan", "--format", "json", "--scope", "pipeline").stdout
    )["actions"]
    return actions


def applied(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    mlops(root, "apply", "--yes", "--scope", "pipeline")
    return root


def test_a_changed_column_bound_changes_the_schema_file_not_params(tmp_path: Path) -> None:
    root = applied(tmp_path)
    body = json.loads((root / SCHEMA).read_text())
    assert body["columns"]["bmi"] == {"type": "number", "nullable": False, "min": 10, "max": 80}
    spec = root / "specs/dataset.yaml"
    spec.write_text(spec.read_text().replace("max: 80", "max: 90"))
    [action] = plan(root)
    assert (action["resource"], action["action"], action["drifted"]) == (
        f"file/{SCHEMA}",
        "update",
        False,
    )
    assert action["spec"] == "Dataset/diabetes"
    params_before = (root / "params.yaml").read_bytes()
    mlops(root, "apply", "--yes", "--scope", "pipeline")
    assert json.loads((root / SCHEMA).read_text())["columns"]["bmi"]["max"] == 90
    assert (root / "params.yaml").read_bytes() == params_before
    assert plan(root) == []


def test_a_hand_edited_spec_file_is_drift_and_apply_restores_it(tmp_path: Path) -> None:
    root = applied(tmp_path)
    original = (root / SCHEMA).read_text()
    (root / SCHEMA).write_text(original.replace('"progression"', '"age"'))
    [action] = plan(root)
    assert action == {
        "action": "update",
        "resource": f"file/{SCHEMA}",
        "type": "file",
        "spec": "Dataset/diabetes",
        "reason": "modified outside mlops; apply restores it",
        "drifted": True,
    }
    (root / SCHEMA).write_text("{not json")
    [action] = plan(root)
    assert action["drifted"] is True
    mlops(root, "apply", "--yes", "--scope", "pipeline")
    assert (root / SCHEMA).read_text() == original
    assert plan(root) == []


def test_files_of_a_removed_experiment_are_pruned(tmp_path: Path) -> None:
    root = applied(tmp_path)
    files = {p.name for p in (root / ".mlops/specs").iterdir()}
    assert {"experiment-lin-b.json", "experiment-lin-b.interpretation.json"} <= files
    (root / "specs/experiment-b.yaml").unlink()
    mlops(root, "apply", "--yes", "--scope", "pipeline")
    left = {p.name for p in (root / ".mlops/specs").iterdir()}
    assert left == files - {"experiment-lin-b.json", "experiment-lin-b.interpretation.json"}
    assert plan(root) == []
