"""The model card's data: mutual information ranked by value, importance from importance.json,
a fairness section that says what it measured and flags only gaps above its threshold."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_gitops.registry.model_card import _features
from mlops_gitops.stages.card import _dataset_summary, _fairness
from mlops_gitops.stages.context import write_json


def test_mutual_information_is_ranked_by_value_not_by_name(tmp_path: Path) -> None:
    # the diabetes profile's values (sklearn's bundled data): age has almost none
    relations = {
        "age": {"mutual_information": 0.0},
        "bmi": {"mutual_information": 0.17},
        "bp": {"mutual_information": 0.06},
        "s5": {"mutual_information": 0.15},
        "s6": {"mutual_information": 0.09},
    }
    write_json(
        tmp_path / "reports" / "diabetes" / "profile.json", {"relations_with_target": relations}
    )
    written = json.loads((tmp_path / "reports/diabetes/profile.json").read_text())
    assert next(iter(written["relations_with_target"])) == "age"  # written in name order
    summary = _dataset_summary(tmp_path, "diabetes")
    assert summary["highlights"] == ["highest mutual information with the target: bmi, s5, s6"]


def test_importance_comes_from_the_mean_of_importance_json() -> None:
    assert _features([{"feature": "bmi", "mean": 0.21, "std": 0.02}]) == [("bmi", 0.21)]


def test_fairness_highlights_say_what_is_measured_and_flag_only_above_the_threshold() -> None:
    report = {
        "measured": "r2 on the test split for each group of each sensitive column",
        "gap_threshold": 0.1,
        "metric": "r2",
        "columns": {
            "sex": {"groups": [], "gap": 0.0, "best": 1, "worst": 2, "flagged": False},
            "age": {"groups": [], "gap": 0.2, "best": "a", "worst": "b", "flagged": True},
        },
    }
    assert _fairness(report)["highlights"] == [
        "measured: r2 on the test split for each group of each sensitive column; a gap above "
        "0.1 is flagged",
        "r2 differs by 0.000 across `sex` (best 1, worst 2)",
        "r2 differs by 0.200 across `age` (best a, worst b) **flagged**",
    ]
