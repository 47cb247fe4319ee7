"""The data contract: ``mlops validate --data`` and the ingest stage check each Dataset's source
against its schema, with file:line:col messages naming the column."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from mlops_gitops.cli import main
from mlops_gitops.errors import StageError
from mlops_gitops.specs import load_specs
from mlops_gitops.stages.ingest import typed_source
from tests.helpers.files import write_files
from tests.helpers.penguins import SPECS, penguins, write_csv

DATASET = "specs/penguins/dataset.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_files(tmp_path, SPECS)
    write_csv(penguins(), tmp_path / "data" / "penguins.csv")
    return tmp_path


def test_data_that_match_the_schema_pass_and_are_typed(project, capsys):
    assert main(["-C", str(project), "validate", "--data"]) == 0
    assert capsys.readouterr().out == "4 file(s), 4 spec(s): valid\n"
    table = typed_source(project, load_specs(project).datasets["penguins"])
    assert table.num_rows == 344
    assert table.column("sex").null_count == 11
    assert table.schema.field("body_mass_g").type == pa.int64()
    assert table.schema.field("year").type == pa.int64()


def test_a_target_missing_from_the_data_stops_validate_data_and_ingest(project, capsys):
    write_csv(penguins().drop(columns=["species"]), project / "data" / "penguins.csv")
    assert main(["-C", str(project), "validate"]) == 0  # the specs alone are fine
    capsys.readouterr()
    assert main(["-C", str(project), "validate", "--data"]) == 1
    err = capsys.readouterr().err
    columns = "island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year"
    assert (
        f"{DATASET}:8:3: spec.target: the target column 'species' is not in the data "
        f"(its columns: {columns})"
    ) in err
    with pytest.raises(StageError) as error:
        typed_source(project, load_specs(project).datasets["penguins"])
    assert f"{DATASET}:8:3: spec.target: the target column 'species'" in error.value.message


def test_every_column_of_the_wrong_type_is_named_at_its_line(project, capsys):
    frame = penguins().astype({"body_mass_g": object, "year": object})
    frame.loc[5, "body_mass_g"] = "heavy"
    frame.loc[7, "year"] = "2008.5"
    write_csv(frame, project / "data" / "penguins.csv")
    assert main(["-C", str(project), "validate", "--data", "--format", "text"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        f"{DATASET}:15:5: spec.columns.body_mass_g: column 'body_mass_g': expected an integer, "
        "got 'heavy' at row 5",
        f"{DATASET}:17:5: spec.columns.year: column 'year': expected an integer category, "
        "got 2008.5 at row 7",
    ]


def test_validate_reports_a_source_path_that_does_not_exist(project, capsys):
    (project / "data" / "penguins.csv").unlink()
    assert main(["-C", str(project), "validate"]) == 1
    err = capsys.readouterr().err
    assert (
        f"{DATASET}:7:5: spec.source.path: path 'data/penguins.csv' does not exist (nor a "
        "data/penguins.csv.dvc file tracking it); add the file (and `dvc add` it), or fix the path"
    ) in err
    (project / "data" / "penguins.csv.dvc").write_text("outs:\n- path: penguins.csv\n")
    assert main(["-C", str(project), "validate"]) == 0
