"""DVC-native plots: `dvc plots show` draws every experiment's data, `dvc plots diff` overlays
two revisions with different hyperparameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.commands import git, mlops, sh

pytestmark = pytest.mark.slow

DATA_PLOTS = ("evaluate/predictions.csv", "evaluate/residuals.csv", "importance.csv")
IMAGE_PLOTS = ("evaluate/predicted_vs_actual.png", "pdp_ice/pdp_ice_bmi.png")


def plots_json(repo: Path, *args: str) -> dict[str, list[dict[str, Any]]]:
    done = sh(repo, "dvc", "plots", *args, "--json", "-o", str(repo.parent / "dvc_plots"))
    assert done.stderr == "", done.stderr  # no warnings, no errors
    data: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)["data"]
    return data


def test_plots_show_lists_data_and_image_plots_of_every_experiment(repo: Path) -> None:
    plots = plots_json(repo, "show")
    for experiment in ("lin-a", "lin-b"):
        for name in DATA_PLOTS:
            [plot] = plots[f"reports/{experiment}/{name}"]
            assert plot["type"] == "vega"
            assert plot["content"]["title"]["text"].startswith(f"{experiment}: ")
            assert len(plot["content"]["data"]["values"]) > 0
        for name in IMAGE_PLOTS:
            [plot] = plots[f"reports/{experiment}/{name}"]
            assert plot["type"] == "image" and Path(plot["url"]).is_file()
    importance = plots["reports/lin-a/importance.csv"][0]["content"]
    assert importance["encoding"]["y"] == {
        "field": "feature",
        "type": "nominal",
        "title": "feature",
        "sort": "-x",
    }
    features = {row["feature"] for row in importance["data"]["values"]}
    assert features == {"age", "bmi", "bp", "s5"}
    assert plots["reports/diabetes/plots/histograms.png"][0]["type"] == "image"


def test_plots_diff_overlays_two_revisions_with_different_hyperparameters(repo: Path) -> None:
    spec = repo / "specs/experiment-a.yaml"
    spec.write_text(spec.read_text().replace("alpha: 1.0", "alpha: 300.0"))
    mlops(repo, "apply", "--yes")
    sh(repo, "dvc", "repro")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "alpha 300")

    plots = plots_json(repo, "diff", "HEAD~1", "HEAD")
    [predictions] = plots["reports/lin-a/evaluate/predictions.csv"]
    assert predictions["revisions"] == ["HEAD~1", "HEAD"]
    values = predictions["content"]["data"]["values"]
    by_rev = {
        rev: [v["predicted"] for v in values if v["rev"] == rev] for rev in ("HEAD~1", "HEAD")
    }
    assert len(by_rev["HEAD~1"]) == len(by_rev["HEAD"]) > 0
    assert by_rev["HEAD~1"] != by_rev["HEAD"]  # the stronger penalty changed the predictions
    images = plots["reports/lin-a/evaluate/predicted_vs_actual.png"]
    assert [(i["type"], i["revisions"]) for i in images] == [
        ("image", ["HEAD~1"]),
        ("image", ["HEAD"]),
    ]
