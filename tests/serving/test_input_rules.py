"""One set of input rules for the server, ``mlops predict`` and ``mlops explain``: an omitted
nullable column is missing, an unknown category is refused everywhere, a file holding the
target column is accepted by ``mlops predict`` with a note saying what happened to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest

from mlops_gitops.cli import main
from tests.serving.models import ROW, training_frame

ATLANTIS = (
    "column 'city': 'atlantis' is not one of the allowed values 'oslo', 'paris', 'rome' at row 0"
)


@pytest.fixture
def project(example_project: Path, regressor_dir: Path) -> Path:
    """The example project with the test regressor standing in for an experiment's model."""
    shutil.copytree(regressor_dir, example_project / "models" / "progression-linear")
    return example_project


def explain(root: Path, row: dict[str, object], *changes: str) -> list[str]:
    argv = ["-C", str(root), "explain", "progression-linear", "--row", json.dumps(row)]
    for change in changes:
        argv += ["--set", change]
    return [*argv, "--format", "json"]


def test_explain_refuses_an_unknown_category_as_the_server_does(
    project: Path, classifier_url: str, client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(explain(project, ROW, "city=atlantis")) == 1
    err = capsys.readouterr().err
    assert f"error: --row with --set is refused as the server would refuse it: {ATLANTIS}" in err
    served = client.post(
        f"{classifier_url}/predict", json={"instances": [{**ROW, "city": "atlantis"}]}
    )
    assert served.status_code == 400
    assert served.json()["error"] == ATLANTIS
    assert main(explain(project, {**ROW, "city": "atlantis"})) == 1
    assert (
        f"error: --row is refused as the server would refuse it: {ATLANTIS}"
        in capsys.readouterr().err
    )


def test_explain_takes_a_row_without_a_nullable_column(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {k: v for k, v in ROW.items() if k != "income"}
    assert main(explain(project, row, "age=50")) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["delta"] == pytest.approx(answer["after"] - answer["before"])
    assert answer["delta"] == pytest.approx(16.0)  # the regressor's age coefficient is 2


def test_predict_accepts_a_file_holding_the_target_and_says_what_it_did(
    tmp_path: Path, regressor_dir: Path, example_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = training_frame(rows=50).assign(spend=1.0)
    source = tmp_path / "labelled.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "out.parquet"
    argv = ["-C", str(example_project), "predict", "--model-dir", str(regressor_dir)]
    argv += ["--input", str(source), "--output", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert (
        "note: the input holds the target column 'spend': ignored (pass --passthrough spend to "
        "copy it to the output)"
    ) in err
    assert pq.read_table(out).column_names == ["age", "income", "city", "member", "prediction"]
    assert main([*argv, "--passthrough", "spend"]) == 0
    assert (
        "note: the target column 'spend' is passed through to the output" in capsys.readouterr().err
    )
    assert "spend" in pq.read_table(out).column_names
