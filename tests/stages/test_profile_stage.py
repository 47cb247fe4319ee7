"""Stage ``profile`` called in-process after ``ingest``: per-column summaries, the relation of
each feature with the target, the Markdown summary and its plots."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mlops_gitops.stages import ingest, profile
from tests.helpers.houses import DATASET, houses, to_csv
from tests.helpers.stage_project import write_stage_project

REPORTS = Path("reports") / "houses"
PNG = b"\x89PNG\r\n\x1a\n"


def test_profile_summarises_each_column_and_ranks_features_by_their_link_to_the_target(
    tmp_path: Path,
) -> None:
    frame = houses(120)
    frame.loc[[4, 9], "area"] = np.nan
    spec = DATASET.replace("area: {type: number}", "area: {type: number, nullable: true}")
    write_stage_project(tmp_path, {"dataset.yaml": spec}, {"data/houses.csv": to_csv(frame)})
    ingest.run(tmp_path, "houses")

    assert profile.run(tmp_path, "houses") == "profiled 120 rows, 3 columns"

    report = json.loads((tmp_path / REPORTS / "profile.json").read_text())
    assert report["rows"] == 120
    assert report["duplicate_rows"] == 0
    area = report["columns"]["area"]
    assert (area["type"], area["missing"], area["missing_fraction"]) == ("number", 2, 2 / 120)
    assert area["min"] == frame["area"].min() and area["max"] == frame["area"].max()
    assert report["columns"]["rooms"]["distinct"] == frame["rooms"].nunique()
    # price is 1000 x area + 5000 x rooms: area carries most of it
    relations = report["relations_with_target"]
    assert list(relations) == ["area", "rooms"]
    assert relations["area"]["correlation"] > 0.9
    assert "class_balance" not in report  # a regression target

    markdown = (tmp_path / REPORTS / "profile.md").read_text()
    assert markdown.startswith("# Profile of houses\n\n120 rows, 3 columns, 0 duplicated rows.")
    assert "| area | number | 1.7% |" in markdown
    assert "![histograms of the numeric columns](plots/histograms.png)" in markdown
    assert (tmp_path / REPORTS / "plots" / "histograms.png").read_bytes()[:8] == PNG
    assert not (tmp_path / REPORTS / "plots" / "class_balance.png").exists()
