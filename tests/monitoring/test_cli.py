"""``mlops drift check``: the ad hoc form and the spec-driven form, with exit codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from mlops_gitops.cli import main
from mlops_gitops.monitoring import check_deployment
from tests.helpers.drift_data import PLANTED, planted
from tests.helpers.served_example import FEATURES, NOW


@pytest.fixture
def files(tmp_path):
    ref, cur = planted(5000, seed=4)
    pq.write_table(ref, tmp_path / "ref.parquet")
    pq.write_table(cur, tmp_path / "cur.parquet")
    pq.write_table(ref.slice(2500), tmp_path / "same.parquet")
    return tmp_path


def test_ad_hoc_check_prints_json_and_exits_by_fail_on_drift(files, capsys):
    argv = [
        "drift",
        "check",
        "--reference",
        str(files / "ref.parquet"),
        "--current",
        str(files / "cur.parquet"),
        "--format",
        "json",
        "--drift-share",
        "0.25",
    ]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["drifted_columns"]) == PLANTED and data["dataset_drift"] is True
    assert main([*argv, "--fail-on-drift"]) == 2
    capsys.readouterr()
    clean = [
        "drift",
        "check",
        "--reference",
        str(files / "ref.parquet"),
        "--current",
        str(files / "same.parquet"),
        "--fail-on-drift",
    ]
    assert main(clean) == 0
    assert capsys.readouterr().out.startswith("No dataset drift: 0 of 14")


def test_ad_hoc_check_writes_a_report_folder(files, capsys):
    out = files / "report"
    code = main(
        [
            "drift",
            "check",
            "my-api",
            "--reference",
            str(files / "ref.parquet"),
            "--current",
            str(files / "cur.parquet"),
            "--format",
            "md",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("# Drift report: my-api")
    assert {p.name for p in out.iterdir()} >= {"report.json", "report.md", "shift.png"}


def test_missing_arguments_and_bad_files_exit_1_with_a_hint(files, capsys):
    assert main(["drift", "check", "--reference", str(files / "ref.parquet")]) == 1
    err = capsys.readouterr().err
    assert "needs a DEPLOYMENT name, or both --reference FILE and --current FILE" in err
    assert "hint: e.g. `mlops drift check my-api`" in err
    assert (
        main(
            [
                "drift",
                "check",
                "--reference",
                str(files / "nope.parquet"),
                "--current",
                str(files / "cur.parquet"),
            ]
        )
        == 1
    )
    assert "does not exist" in capsys.readouterr().err


# --------------------------------------------------------------------- spec-driven


def test_check_deployment_uses_the_spec_the_model_schema_and_the_request_log(served):
    from mlops_gitops.specs import load_specs

    specs = load_specs(served)
    result = check_deployment(served, specs.deployments["malignancy-api"], specs, now=NOW)
    assert result.deployment == "malignancy-api"
    assert result.window_end == NOW.isoformat()
    assert result.window_start == (NOW - timedelta(days=7)).isoformat()
    assert result.current_rows == 300
    assert [c.name for c in result.columns] == [*FEATURES, "prediction"]
    assert result.drifted_columns == ("mean_radius", "prediction")
    assert result.dataset_drift is True  # 1 of 3 >= driftShare 0.3 in the spec
    assert result.settings["min_rows"] == 50
    assert "prediction compared with the training target 'diagnosis'" in result.notes


def test_cli_spec_driven_writes_under_reports_drift(served, capsys):
    code = main(
        [
            "-C",
            str(served),
            "drift",
            "check",
            "malignancy-api",
            "--now",
            NOW.isoformat(),
            "--fail-on-drift",
        ]
    )
    assert code == 2
    folder = served / "reports" / "drift" / "malignancy-api" / "20240508T060000Z"
    assert {p.name for p in folder.iterdir()} == {
        "report.json",
        "report.md",
        "report.html",
        "mean_radius.png",
        "prediction.png",
    }
    plots = folder.parent  # the histograms as DVC plots, beside the time-stamped reports
    assert {p.name for p in (plots / "histograms").iterdir()} == {
        "mean_radius.csv",
        "prediction.csv",
    }
    assert "histograms/mean_radius.csv:" in (plots / "dvc.yaml").read_text()
    assert "Dataset drift detected: 1 of 3" in capsys.readouterr().out


def test_cli_unknown_deployment_and_missing_split(served, capsys):
    assert main(["-C", str(served), "drift", "check", "nope"]) == 1
    assert "no Deployment named 'nope'" in capsys.readouterr().err
    (served / "data" / "breast-cancer" / "train.parquet").unlink()
    assert main(["-C", str(served), "drift", "check", "malignancy-api"]) == 1
    err = capsys.readouterr().err
    assert "train.parquet does not exist" in err and "dvc repro" in err


def test_check_is_one_library_call_that_writes_only_when_asked(served, tmp_path):
    from mlops_gitops.monitoring import check

    reports = served / "reports"
    outcome = check(served, "malignancy-api", now=NOW, write=False)
    assert outcome.deployment is not None and outcome.deployment.name == "malignancy-api"
    assert outcome.result.drifted_columns == ("mean_radius", "prediction")
    assert (outcome.report_dir, outcome.written, outcome.performance) == (None, (), None)
    assert not reports.exists()

    metrics = tmp_path / "drift.prom"
    written = check(served, "malignancy-api", now=NOW, metrics_file=metrics)
    folder = reports / "drift" / "malignancy-api" / "20240508T060000Z"
    assert written.report_dir == folder
    assert sorted(p for p in written.written if folder in p.parents) == sorted(folder.iterdir())
    # and the drifted columns' histograms as DVC plots, beside the report folders
    plots = [p for p in written.written if folder not in p.parents]
    assert plots and all(p.is_relative_to(folder.parent) for p in plots)
    assert folder.parent / "dvc.yaml" in plots
    lines = metrics.read_text().splitlines()
    assert 'mlops_drift_check_dataset_drift{deployment="malignancy-api"} 1' in lines
    assert 'mlops_drift_check_drifted_columns{deployment="malignancy-api"} 2' in lines


def test_check_names_an_unknown_deployment_and_a_missing_argument(served):
    from mlops_gitops.errors import DriftError, UnknownSpec
    from mlops_gitops.monitoring import check

    with pytest.raises(UnknownSpec) as raised:
        check(served, "malignancy-apl", now=NOW)
    assert raised.value.message == (
        "no Deployment named 'malignancy-apl'; known: malignancy-api, progression-api; "
        "did you mean 'malignancy-api'?"
    )
    with pytest.raises(DriftError, match="needs a DEPLOYMENT name"):
        check(served)
