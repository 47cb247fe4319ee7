"""Drift verdicts on messy data (a generated Palmer-penguins-like table): the same verdict from
CSV and Parquet, data-quality failures that never pass silently, messages instead of
tracebacks, command-line settings honoured in deployment mode."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlops_gitops.cli import main
from mlops_gitops.io.tables import column_kinds, read_table
from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo
from tests.helpers.files import write_files
from tests.helpers.penguins import SPECS, penguins, write_csv

FEATURES = (
    FeatureInfo("island", "category", allowed=("Biscoe", "Dream", "Torgersen")),
    FeatureInfo("bill_length_mm", "number", nullable=True),
    FeatureInfo("bill_depth_mm", "number", nullable=True),
    FeatureInfo("flipper_length_mm", "integer", nullable=True),
    FeatureInfo("body_mass_g", "integer", nullable=True),
    FeatureInfo("sex", "category", nullable=True, allowed=("female", "male")),
    FeatureInfo("year", "category", allowed=(2007, 2008, 2009)),
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A penguins project with its data, a training split and a model record (no training)."""
    write_files(tmp_path, SPECS)
    frame = penguins()
    write_csv(frame, tmp_path / "data" / "penguins.csv")
    split = tmp_path / "data" / "penguins" / "train.parquet"
    split.parent.mkdir(parents=True)
    typed = read_table(tmp_path / "data" / "penguins.csv", column_kinds(FEATURES))
    pq.write_table(typed.take(np.arange(0, 344, 2)), split)  # every second row: 172 rows
    info = ModelInfo(
        experiment="penguin-classifier",
        problem="penguin-species",
        dataset="penguins",
        task="classification",
        target="species",
        features=FEATURES,
        estimator="logistic_regression",
        candidate="logistic_regression",
        classes=("Adelie", "Chinstrap", "Gentoo"),
    )
    (tmp_path / "models" / "penguin-classifier").mkdir(parents=True)
    (tmp_path / "models" / "penguin-classifier" / "model.json").write_text(info.to_json())
    return tmp_path


def resample(seed: int = 3, rows: int = 200) -> pd.DataFrame:
    """An undrifted window: rows drawn from the same data, without the target."""
    frame = penguins()
    picks = np.random.default_rng(seed).integers(0, len(frame), rows)
    return frame.iloc[picks].drop(columns=["species"]).reset_index(drop=True)


def check(root: Path, current: Path, *extra: str) -> list[str]:
    return ["-C", str(root), "drift", "check", "penguin-api", "--current", str(current), *extra]


def test_an_undrifted_csv_with_na_cells_gets_the_verdict_of_the_same_parquet(project, capsys):
    frame = resample()
    csv = write_csv(frame, project / "current.csv")
    parquet = project / "current.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet)
    assert main([*check(project, csv, "--format", "json")]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert main([*check(project, parquet, "--format", "json")]) == 0
    from_parquet = json.loads(capsys.readouterr().out)
    for report in (from_csv, from_parquet):
        report.pop("window_end")
    assert from_csv == from_parquet
    assert from_csv["dataset_drift"] is False
    sex = from_csv["columns"]["sex"]
    assert sex["drifted"] is False and "unseen_categories" not in sex
    assert sex["missing_current"] == pytest.approx(frame["sex"].isna().mean(), abs=1e-6)


def _missing_column(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["island"])


def _all_missing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(body_mass_g=pd.NA)


def _infinite(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(bill_length_mm=[np.inf, -np.inf] * (len(frame) // 2))


@pytest.mark.parametrize(
    ("mutate", "column", "finding"),
    [
        (
            _missing_column,
            "island",
            "the model's input column is missing from the current data",
        ),
        (_all_missing, "body_mass_g", "all 200 value(s) are missing"),
        (_infinite, "bill_length_mm", "200 of 200 value(s) are not finite (±inf)"),
    ],
)
def test_broken_columns_are_data_quality_failures_exiting_2(
    project, capsys, mutate, column, finding
):
    current = write_csv(mutate(resample()), project / "current.csv")
    assert main(check(project, current, "--fail-on-drift")) == 2
    out = capsys.readouterr().out
    assert f"  {column}: DATA QUALITY: {finding}\n" in out
    assert out.startswith("Dataset drift detected: ")
    assert f"; data-quality failure in {column}." in out.splitlines()[0]
    report = next((project / "reports" / "drift" / "penguin-api").glob("*/report.json"))
    data = json.loads(report.read_text())
    assert data["data_quality_failures"] == [column]
    assert data["columns"][column]["data_quality"] == finding


def test_a_nullable_column_left_out_is_read_as_all_missing(project, capsys):
    current = write_csv(resample().drop(columns=["sex"]), project / "current.csv")
    assert main(check(project, current, "--fail-on-drift")) == 2
    assert (
        "  sex: DATA QUALITY: left out of the current data (nullable): every value is missing\n"
        in capsys.readouterr().out
    )


def test_a_wrong_type_in_the_request_log_is_a_data_quality_failure(project, capsys):
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 5, 8, 6, 0, tzinfo=UTC)
    table = pa.Table.from_pandas(resample(), preserve_index=False)
    rows = table.num_rows
    table = table.set_column(
        table.column_names.index("year"), "year", pa.array(["last year"] * rows)
    )
    stamps = [now - timedelta(hours=1 + i) for i in range(rows)]
    table = table.append_column("request_id", pa.array([str(i) for i in range(rows)]))
    table = table.append_column("timestamp", pa.array(stamps, pa.timestamp("us", tz="UTC")))
    log = project / ".mlops" / "requests" / "penguin-api"
    log.mkdir(parents=True)
    pq.write_table(table, log / "part-0001.parquet")
    argv = ["-C", str(project), "drift", "check", "penguin-api", "--now", now.isoformat()]
    assert main([*argv, "--fail-on-drift"]) == 2
    out = capsys.readouterr().out
    assert (
        "  year: DATA QUALITY: wrong type: expected an integer category, got 'last year' at row 0"
        in out
    )


def test_files_that_used_to_crash_exit_1_with_a_message_naming_the_column(project, capsys):
    frame = resample()
    huge = write_csv(frame.assign(bill_length_mm=[1e308, -1e308] * 100), project / "huge.csv")
    assert main(check(project, huge)) == 1
    err = capsys.readouterr().err
    assert "error: column 'bill_length_mm': the current data holds 1e+308, too large" in err
    words = write_csv(frame.assign(year="twenty"), project / "words.csv")
    assert main(check(project, words)) == 1
    err = capsys.readouterr().err
    assert (
        f"error: {words}: column 'year': expected an integer category, got 'twenty' at row 0" in err
    )
    duplicate = project / "duplicate.csv"
    text = write_csv(frame, project / "plain.csv").read_text().splitlines()
    duplicate.write_text("\n".join([text[0] + ",sex", *(line + ",male" for line in text[1:])]))
    assert main(check(project, duplicate)) == 1
    err = capsys.readouterr().err
    assert f"error: {duplicate}: column 'sex' appears more than once in the header" in err
    assert "Traceback" not in err


def test_ad_hoc_strings_where_the_reference_has_numbers_are_a_wrong_type_finding(tmp_path, capsys):
    rng = np.random.default_rng(0)
    pq.write_table(
        pa.table({"code": rng.choice([1, 2], 300), "x": rng.normal(size=300)}),
        tmp_path / "ref.parquet",
    )
    (tmp_path / "cur.csv").write_text(
        "code,x\n" + "\n".join(f"{rng.choice(['a', 'b'])},{v}" for v in rng.normal(size=300))
    )
    argv = ["drift", "check", "--reference", str(tmp_path / "ref.parquet")]
    assert main([*argv, "--current", str(tmp_path / "cur.csv"), "--fail-on-drift"]) == 2
    assert "  code: DATA QUALITY: wrong type: string values where numbers are expected" in (
        capsys.readouterr().out
    )


def test_command_line_settings_override_the_spec_in_deployment_mode(project, capsys):
    current = write_csv(resample(), project / "current.csv")
    flags = ("--multiple-testing", "fdr", "--drift-share", "0.9", "--min-rows", "20")
    assert main([*check(project, current, "--format", "json"), *flags]) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert settings["multiple_testing"] == "fdr"
    assert settings["drift_share"] == 0.9
    assert settings["min_rows"] == 20
    assert main([*check(project, current, "--format", "json")]) == 0
    settings = json.loads(capsys.readouterr().out)["settings"]
    assert (settings["multiple_testing"], settings["drift_share"]) == ("none", 0.3)
