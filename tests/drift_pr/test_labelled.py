"""Late labels: import through the CLI, joined to the window's requests, and the served model's
metrics on them (hand-checked), reported by `mlops drift check`."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.cli import main
from mlops_gitops.labels.performance import labelled_performance, measure_labelled
from mlops_gitops.labels.store import write_labels
from mlops_gitops.specs import load_specs
from tests.helpers.shop_project import (
    DEPLOYMENT,
    EXPERIMENT,
    LOG,
    NOW,
    drifted_requests,
    label_requests,
    write_trained_project,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_trained_project(tmp_path)
    return tmp_path


def served(root: Path, rows: list[tuple[str, timedelta, float]]) -> None:
    """Requests (id, age before NOW, logged prediction) in the serving log format."""
    n = len(rows)
    folder = root / LOG
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table(
            {
                "request_id": [r[0] for r in rows],
                "timestamp": pa.array([NOW - r[1] for r in rows], pa.timestamp("us", tz="UTC")),
                "model_version": ["abc"] * n,
                "x1": [0.0] * n,
                "x2": [0.0] * n,
                "plan": ["basic"] * n,
                "prediction": pa.array([r[2] for r in rows], pa.float64()),
            }
        ),
        folder / "20240501T000000Z-000001.parquet",
    )


def test_performance_on_labelled_requests_is_hand_checkable(project: Path) -> None:
    day = timedelta(days=1)
    served(
        project,
        [
            ("a", day, 1.0),
            ("b", day, 2.0),
            ("c", 2 * day, 3.0),
            ("d", 3 * day, 4.0),
            ("old", 8 * day, 50.0),
            ("unlabelled", day, 7.0),
        ],
    )
    log = project / LOG
    write_labels(
        log, ["a", "b", "c", "d", "old", "nobody"], [1.0, 5.0, 3.0, 6.0, 0.0, 9.0], when=NOW
    )
    write_labels(log, ["b"], [2.0], when=NOW + day)  # a corrected label replaces the first
    specs = load_specs(project)

    perf = labelled_performance(
        project, specs.deployments[DEPLOYMENT], specs, start=NOW - 7 * day, end=NOW
    )

    assert perf is not None
    assert (perf.rows, perf.requests) == (4, 5)  # "old" is outside the window
    # labels 1 2 3 6 against predictions 1 2 3 4: errors 0 0 0 2; mean label 3, SS_tot 14
    assert perf.metrics["mae"] == pytest.approx(0.5)
    assert perf.metrics["rmse"] == pytest.approx(1.0)
    assert perf.metrics["r2"] == pytest.approx(1 - 4 / 14)
    assert perf.metrics["mape"] == pytest.approx((2 / 6) / 4)
    test = json.loads((project / "metrics" / f"{EXPERIMENT}.json").read_text())
    assert perf.test == {k: test[k] for k in ("mae", "mape", "r2", "rmse")}
    assert perf.headline() == (
        f"performance on labelled traffic: 4 rows, r2 0.7143 vs {test['r2']:.4g} on the test split"
    )


def test_no_labels_or_no_labelled_request_in_the_window_gives_none(project: Path) -> None:
    served(project, [("a", timedelta(days=1), 1.0)])
    specs = load_specs(project)
    deployment = specs.deployments[DEPLOYMENT]
    window = {"start": NOW - timedelta(days=7), "end": NOW}
    assert labelled_performance(project, deployment, specs, **window) is None
    write_labels(project / LOG, ["somebody-else"], [1.0], when=NOW)
    assert labelled_performance(project, deployment, specs, **window) is None


def test_classification_metrics_from_logged_labels() -> None:
    frame = pd.DataFrame({"label": ["a", "b", "a", "b"], "prediction": ["a", "b", "b", "b"]})

    metrics, notes = measure_labelled(frame, "classification")

    assert metrics["accuracy"] == 0.75
    assert metrics["balanced_accuracy"] == 0.75  # recall a 1/2, recall b 2/2
    assert metrics["precision_macro"] == pytest.approx((1 + 2 / 3) / 2)
    assert "roc_auc" not in metrics and "log_loss" not in metrics
    assert notes == ("roc_auc and log_loss need class probabilities, which the log does not keep",)


def test_labels_import_cli_types_labels_as_the_model_predicts(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = project / "labels.csv"
    csv.write_text("request_id,label,comment\nr1,10,ok\nr2,12.5,late\n")
    parquet = project / "more.parquet"
    pq.write_table(pa.table({"request_id": [3], "label": [7]}), parquet)

    assert main(["-C", str(project), "labels", "import", DEPLOYMENT, str(csv)]) == 0
    assert main(["-C", str(project), "labels", "import", DEPLOYMENT, str(parquet)]) == 0

    assert capsys.readouterr().out == (
        f"imported 2 label(s) for {DEPLOYMENT} into {LOG}/labels\n"
        f"imported 1 label(s) for {DEPLOYMENT} into {LOG}/labels\n"
    )
    files = sorted((project / LOG / "labels").rglob("*.parquet"))
    tables = [pq.read_table(f) for f in files]
    assert [t.schema.field("label").type for t in tables] == [pa.float64(), pa.float64()]
    assert [t.column("request_id").to_pylist() for t in tables] == [["r1", "r2"], ["3"]]
    assert [t.column("label").to_pylist() for t in tables] == [[10.0, 12.5], [7.0]]


def test_labels_import_cli_errors_exit_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = project / "bad.csv"
    bad.write_text("request_id,value\nr1,3\n")
    assert main(["-C", str(project), "labels", "import", DEPLOYMENT, str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"error: {bad} has no column 'label' (it has: request_id, value)" in err
    assert "hint: labels need a 'request_id' and a 'label' column" in err
    assert main(["-C", str(project), "labels", "import", "nope", str(bad)]) == 1
    assert "error: no Deployment named 'nope'; known: shop-api\n" in capsys.readouterr().err
    assert main(["-C", str(project), "labels", "import", DEPLOYMENT, "missing.csv"]) == 1
    assert "labels file missing.csv does not exist" in capsys.readouterr().err
    assert not (project / LOG / "labels").exists()


def test_drift_check_reports_performance_on_labelled_traffic(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = drifted_requests(project)
    label_requests(project, frame, 30)
    check = ["-C", str(project), "drift", "check", DEPLOYMENT, "--now", NOW.isoformat()]

    assert main([*check, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    perf = data["labelled_performance"]
    assert (perf["rows"], perf["requests"], perf["metric"]) == (30, 120, "r2")
    assert math.isclose(
        perf["metrics"]["mae"], float((frame["spend"][:30] - _logged(project)[:30]).abs().mean())
    )
    assert data["dataset_drift"] is True  # the drift result itself is unchanged

    assert main(check) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Dataset drift detected")
    assert "\nperformance on labelled traffic: 30 rows, r2 " in out
    assert main(check) == 0  # writing twice keeps one section
    capsys.readouterr()
    folder = project / "reports" / "drift" / DEPLOYMENT / "20240508T060000Z"
    report = (folder / "report.md").read_text()
    assert report.startswith("# Drift report: shop-api")
    assert report.count("## Performance on labelled traffic") == 1
    assert "30 of 120 request(s) in the window have a label." in report
    saved = json.loads((folder / "labelled_performance.json").read_text())
    assert saved["rows"] == 30


def _logged(root: Path) -> pd.Series:
    return pq.read_table(
        next(p for p in (root / LOG).rglob("*.parquet") if "labels" not in p.parts)
    ).to_pandas()["prediction"]
