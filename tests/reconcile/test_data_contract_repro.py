"""``dvc repro`` on messy public-like data: a dataset whose data break its schema stops in the
ingest stage with the spec's file:line:col, never a traceback; valid data with NA cells, two
categorical columns and imbalanced classes go through the whole pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.commands import git, mlops, sh
from tests.helpers.files import write_files
from tests.helpers.penguins import SPECS, penguins, write_csv


def penguins_project(root: Path, *, with_target: bool) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    sh(root, "dvc", "init", "-q")
    write_files(root, SPECS)
    frame = penguins() if with_target else penguins().drop(columns=["species"])
    write_csv(frame, root / "data" / "penguins.csv")
    mlops(root, "apply", "--yes")
    return root


@pytest.mark.slow
def test_repro_stops_in_ingest_with_the_spec_position_when_the_target_is_missing(
    tmp_path: Path,
) -> None:
    root = penguins_project(tmp_path / "p", with_target=False)
    done = sh(root, "dvc", "repro", check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert (
        "specs/penguins/dataset.yaml:8:3: spec.target: the target column 'species' is not in "
        "the data"
    ) in output
    assert "Traceback" not in output
    assert not (root / "data" / "penguins" / "raw.parquet").exists()


@pytest.mark.slow
def test_repro_trains_on_penguins_with_na_cells(tmp_path: Path) -> None:
    root = penguins_project(tmp_path / "p", with_target=True)
    done = sh(root, "dvc", "repro", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    ingest = json.loads((root / "data" / "penguins" / "ingest.json").read_text())
    assert (ingest["rows"], ingest["columns"]) == (344, 8)
    metrics = json.loads((root / "metrics" / "penguin-classifier.json").read_text())
    assert metrics["recall_macro"] > 0.9
