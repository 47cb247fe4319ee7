"""Stage ``split`` called in-process after ``ingest``: seeded, time-ordered when asked, and
driven by params.yaml (an edit there, as ``dvc exp run -S`` makes, is what the stage uses)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.stages import ingest, split
from tests.helpers.houses import DATASET, dataset_spec, houses, to_csv
from tests.helpers.stage_project import set_param, write_stage_project

FOLDER = Path("data") / "houses"


def ingested(root: Path, frame: pd.DataFrame, spec: str = DATASET) -> None:
    write_stage_project(root, {"dataset.yaml": spec}, {"data/houses.csv": to_csv(frame)})
    ingest.run(root, "houses")


def parts(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_parquet(root / FOLDER / "train.parquet"),
        pd.read_parquet(root / FOLDER / "test.parquet"),
    )


def test_split_holds_out_the_test_share_and_loses_no_row(tmp_path: Path) -> None:
    frame = houses(120)
    ingested(tmp_path, frame)

    assert split.run(tmp_path, "houses") == "90 train rows, 30 test rows"

    train, test = parts(tmp_path)
    together = pd.concat([train, test]).sort_values(["area", "rooms"]).reset_index(drop=True)
    expected = frame.sort_values(["area", "rooms"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(together, expected, check_dtype=False)
    assert not list((tmp_path / FOLDER).glob(".*.tmp"))


def test_the_same_seed_gives_the_same_split_and_another_seed_another(tmp_path: Path) -> None:
    ingested(tmp_path, houses(120))
    split.run(tmp_path, "houses")
    first = parts(tmp_path)[1]
    split.run(tmp_path, "houses")
    pd.testing.assert_frame_equal(parts(tmp_path)[1], first)

    set_param(tmp_path, "mlops.dataset.houses.split.seed", 2)
    split.run(tmp_path, "houses")
    assert not parts(tmp_path)[1].equals(first)


def test_the_stage_uses_params_yaml_not_the_spec(tmp_path: Path) -> None:
    ingested(tmp_path, houses(120))  # the spec says testSize 0.25
    set_param(tmp_path, "mlops.dataset.houses.split.testSize", 0.5)

    assert split.run(tmp_path, "houses") == "60 train rows, 60 test rows"


def test_a_params_yaml_value_the_schema_refuses_stops_the_stage(tmp_path: Path) -> None:
    ingested(tmp_path, houses(40))
    set_param(tmp_path, "mlops.dataset.houses.split.testSize", "abc")

    with pytest.raises(StageError) as caught:
        split.run(tmp_path, "houses")

    first, line = caught.value.message.splitlines()
    assert first == "params.yaml and .mlops/specs/ hold settings that `mlops validate` refuses:"
    assert line.startswith("  params.yaml mlops.dataset.houses: spec.split.testSize: ")
    assert not (tmp_path / FOLDER / "train.parquet").exists()


def test_a_time_ordered_split_holds_out_the_latest_rows(tmp_path: Path) -> None:
    frame = houses(40)
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    frame["sold"] = [str(day.date()) for day in days[::-1]]  # written newest first
    spec = dataset_spec(split="timeColumn: sold").replace(
        "    price: {type: number}\n", "    price: {type: number}\n    sold: {type: datetime}\n"
    )
    ingested(tmp_path, frame, spec)

    assert split.run(tmp_path, "houses") == "30 train rows, 10 test rows"

    train, test = parts(tmp_path)
    # the table reader keeps datetime columns as ISO text, which sorts as time does
    assert train["sold"].max() < test["sold"].min()
    assert list(test["sold"]) == [str(day.date()) for day in days[30:]]


def test_split_before_ingest_says_what_to_run(tmp_path: Path) -> None:
    write_stage_project(tmp_path, {"dataset.yaml": DATASET})
    with pytest.raises(StageError) as caught:
        split.run(tmp_path, "houses")
    assert caught.value.message == f"{tmp_path / FOLDER / 'raw.parquet'} is missing"
    assert caught.value.hint == "run the upstream stages first: `dvc repro`"
