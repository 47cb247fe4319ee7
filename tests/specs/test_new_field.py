"""Adding a field to a spec kind is one schema edit and one dataclass field: Dataset.license was
added that way and reaches every stage with no other code (through the dataset's rendered spec
file, .mlops/specs/dataset-<name>.json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mlops_gitops.io.yamlfile import dump_roundtrip, to_roundtrip, write_roundtrip
from mlops_gitops.render.dvc import PARAMS_ROOT, render_pipeline, spec_file
from mlops_gitops.specs.loader import validate_specs
from mlops_gitops.stages.context import dataset_settings, experiment_settings
from tests.helpers.paths import EXAMPLE_SPECS


def _project(tmp_path: Path, license_line: str | None) -> Path:
    shutil.copytree(EXAMPLE_SPECS, tmp_path / "specs")
    if license_line is not None:
        path = tmp_path / "specs" / "diabetes" / "dataset.yaml"
        text = path.read_text()
        path.write_text(text.replace("\n  source:\n", f"\n  {license_line}\n  source:\n", 1))
    return tmp_path


def test_a_dataset_license_flows_from_the_spec_to_the_stages(tmp_path: Path) -> None:
    root = _project(tmp_path, "license: CC-BY-4.0")
    loaded = validate_specs(root)  # what `mlops validate` runs: schema, build, checks
    assert loaded.diagnostics == ()
    assert loaded.specs is not None
    assert loaded.specs.datasets["diabetes"].license == "CC-BY-4.0"

    pipeline = render_pipeline(loaded.specs)
    files = {f.path: f.body for f in pipeline.files}
    assert files[spec_file("Dataset", "diabetes")]["license"] == "CC-BY-4.0"
    assert "license" not in files[spec_file("Dataset", "breast-cancer")]
    # a fixed setting, not a tunable: it stays out of params.yaml (and `dvc exp show`)
    assert "license" not in str(pipeline.params)

    write_roundtrip(root / "params.yaml", to_roundtrip({PARAMS_ROOT: dict(pipeline.params)}))
    for path, body in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(json.dumps(body))
    assert dataset_settings(root, "diabetes").license == "CC-BY-4.0"  # what ingest..split read
    _, _, dataset = experiment_settings(root, "progression-linear")  # what train..card read
    assert dataset.license == "CC-BY-4.0"
    assert dataset_settings(root, "breast-cancer").license is None


def test_an_empty_license_is_refused_at_its_line(tmp_path: Path) -> None:
    root = _project(tmp_path, "license: ''")
    loaded = validate_specs(root)
    assert [(d.file, d.line, d.message) for d in loaded.diagnostics] == [
        ("specs/diabetes/dataset.yaml", 12, "must not be empty")
    ]


def test_specs_without_a_license_render_the_same_params(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    loaded = validate_specs(root)
    assert loaded.specs is not None
    rendered = dump_roundtrip(
        to_roundtrip({PARAMS_ROOT: dict(render_pipeline(loaded.specs).params)})
    )
    committed = (EXAMPLE_SPECS.parent / "params.yaml").read_text()
    assert rendered == committed
