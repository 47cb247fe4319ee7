"""Stage ``validate`` called in-process after ``ingest``: the report it writes for valid data,
and for data that break the dataset's rules (written before the stage fails)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlops_gitops.errors import StageError
from mlops_gitops.stages import ingest, validate
from tests.helpers.houses import DATASET, houses, to_csv
from tests.helpers.stage_project import set_param, write_stage_project

REPORTS = Path("reports") / "houses"


def test_valid_data_give_a_valid_report(tmp_path: Path) -> None:
    write_stage_project(tmp_path, {"dataset.yaml": DATASET}, {"data/houses.csv": to_csv(houses())})
    ingest.run(tmp_path, "houses")

    assert validate.run(tmp_path, "houses") == "120 rows valid"

    report = json.loads((tmp_path / REPORTS / "validation.json").read_text())
    assert report == {"valid": True, "rows": 120, "violations": [], "columns_not_in_schema": []}
    assert (tmp_path / REPORTS / "validation.md").read_text() == (
        "# Validation of houses\n\nValid.\n\n"
    )


def test_every_violation_is_reported_with_its_rule_observed_value_and_limit(
    tmp_path: Path,
) -> None:
    frame = houses(40)
    frame.loc[3, "rooms"] = -2  # below min 0
    frame.loc[5, "area"] = np.nan  # area is not nullable
    frame["listing_id"] = range(40)  # not in the schema: reported, ignored
    write_stage_project(tmp_path, {"dataset.yaml": DATASET}, {"data/houses.csv": to_csv(frame)})
    ingest.run(tmp_path, "houses")
    set_param(tmp_path, "mlops.dataset.houses.validation", {"minRows": 50})

    with pytest.raises(StageError) as caught:
        validate.run(tmp_path, "houses")

    report = json.loads((tmp_path / REPORTS / "validation.json").read_text())
    assert report["valid"] is False
    assert report["violations"] == [
        {"column": "", "rule": "min rows", "observed": 40, "limit": 50},
        {"column": "rooms", "rule": "min", "observed": -2.0, "limit": 0},
        {
            "column": "area",
            "rule": "missing values (not nullable)",
            "observed": "2.50%",
            "limit": "0%",
        },
    ]
    assert report["columns_not_in_schema"] == ["listing_id"]
    assert caught.value.message == (
        "dataset 'houses' failed validation:\n"
        "  dataset: min rows: observed 40, limit 50\n"
        "  column 'rooms': min: observed -2.0, limit 0\n"
        "  column 'area': missing values (not nullable): observed 2.50%, limit 0%"
    )
    markdown = (tmp_path / REPORTS / "validation.md").read_text()
    assert "- column 'rooms': min: observed -2.0, limit 0" in markdown
    assert "Columns not in the schema (ignored): listing_id" in markdown
