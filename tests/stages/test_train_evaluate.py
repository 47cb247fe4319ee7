"""Stages ``train`` and ``evaluate`` called in-process on a project that ``ingest`` and
``split`` prepared: the model, its record, leaderboard and lineage; the test-split metrics
against the success criteria; and both read their settings from params.yaml."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlops_gitops.ml.artifact import load_model
from mlops_gitops.render.dvc import CRITERIA_PART, spec_file
from mlops_gitops.stages import evaluate, ingest, split, train
from tests.helpers.houses import DATASET, EXPERIMENT, PROBLEM, houses, to_csv
from tests.helpers.stage_project import set_param, write_stage_project

NAME = "price-model"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Specs, params.yaml, raw data and its splits (ingest and split run once per module)."""
    root = tmp_path_factory.mktemp("prepared")
    write_stage_project(
        root,
        {"problem.yaml": PROBLEM, "dataset.yaml": DATASET, "experiment.yaml": EXPERIMENT},
        {"data/houses.csv": to_csv(houses(160))},
    )
    ingest.run(root, "houses")
    split.run(root, "houses")
    return root


@pytest.fixture
def project(prepared: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(prepared, tmp_path / "project"))


def test_train_keeps_the_best_candidate_with_its_record_and_lineage(project: Path) -> None:
    message = train.run(project, NAME)

    assert message.startswith("best ridge (ridge) cv r2 0.9")
    assert "of 2 candidates; serves with scikit-learn (" in message
    model, info = load_model(project / "models" / NAME)
    assert (info.experiment, info.problem, info.dataset) == (NAME, "prices", "houses")
    assert (info.task, info.target, info.estimator) == ("regression", "price", "ridge")
    assert [f.name for f in info.features] == ["rooms", "area"]
    assert info.params["alpha"] in (0.1, 1.0)
    assert model.predict(houses(5)[["rooms", "area"]]).shape == (5,)
    lineage = json.loads((project / "models" / NAME / "lineage.json").read_text())
    ingest_record = json.loads((project / "data" / "houses" / "ingest.json").read_text())
    assert lineage["data"]["hash"] == ingest_record["content_sha256"]
    assert lineage["params"]["search"]["cvFolds"] == 2


def test_train_uses_the_hyperparameters_in_params_yaml(project: Path) -> None:
    set_param(
        project,
        f"mlops.experiment.{NAME}.candidates",
        [{"name": "ridge", "estimator": "ridge", "params": {"alpha": 7.5}}],
    )

    assert "of 1 candidates" in train.run(project, NAME)

    _, info = load_model(project / "models" / NAME)
    assert info.params["alpha"] == 7.5


def test_evaluate_scores_the_test_split_against_the_success_criteria(project: Path) -> None:
    train.run(project, NAME)

    message = evaluate.run(project, NAME)

    metrics = json.loads((project / "metrics" / f"{NAME}.json").read_text())
    assert metrics["r2"] > 0.9 and metrics["criteria_passed"] is True
    assert message == f"r2 {metrics['r2']:.4f} on 40 test rows; criteria pass"
    evaluation = json.loads((project / "reports" / NAME / "evaluation.json").read_text())
    assert evaluation["rows"] == 40
    [criterion] = evaluation["criteria"]
    assert criterion["passed"] is True
    markdown = (project / "reports" / NAME / "evaluation.md").read_text()
    assert f"| r2 >= 0.5 | {metrics['r2']:.4f} | pass |" in markdown
    plot = project / "reports" / NAME / "evaluate" / "predicted_vs_actual.png"
    assert plot.read_bytes()[:8] == PNG


def test_evaluate_reads_the_criteria_from_their_rendered_file(project: Path) -> None:
    train.run(project, NAME)
    # the spec asks for r2 >= 0.5, which passes; a mean absolute error of 1 or less does not.
    # The criteria are a spec file of their own (.mlops/specs/problem-<name>.criteria.json), so
    # tightening them re-runs evaluation, not training.
    criteria = project / spec_file("Problem", "prices", CRITERIA_PART)
    criteria.write_text(json.dumps({"successCriteria": [{"metric": "mae", "max": 1.0}]}))

    assert evaluate.run(project, NAME).endswith("; criteria FAIL")

    metrics = json.loads((project / "metrics" / f"{NAME}.json").read_text())
    assert metrics["criteria_passed"] is False
