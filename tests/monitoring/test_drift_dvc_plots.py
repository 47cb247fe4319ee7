"""Drift histograms as DVC plots: real `dvc plots show` draws each drifted column's histogram
without a warning, and `dvc plots diff` overlays two reports committed one after the other."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlops_gitops.monitoring import detect_drift, write_report
from mlops_gitops.monitoring.plot_data import HISTOGRAMS_DIR, PLOTS_FILE
from tests.helpers.commands import git
from tests.helpers.drift_data import PLANTED, planted

pytestmark = pytest.mark.slow

DEPLOYMENT = Path("reports/drift/price-api")


def dvc(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        ["dvc", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    )


def plots_json(root: Path, *args: str) -> dict[str, list[dict[str, Any]]]:
    done = dvc(root, "plots", *args, "--json", "-o", str(root.parent / "dvc_plots"))
    assert done.stderr == "", done.stderr  # no warnings, no errors
    data: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)["data"]
    return data


@pytest.fixture
def dvc_repo(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    dvc(root, "init", "-q")
    return root


def report(root: Path, stamp: str, seed: int) -> tuple[Path, ...]:
    result = detect_drift(*planted(2_000, seed=seed))
    folder = root / DEPLOYMENT
    return write_report(result, folder / stamp, plots_folder=folder)


def test_plots_show_draws_every_drifted_column_histogram(dvc_repo: Path) -> None:
    written = report(dvc_repo, "20260101T000000Z", seed=3)
    folder = dvc_repo / DEPLOYMENT
    assert folder / PLOTS_FILE in written
    with (folder / HISTOGRAMS_DIR / "shift.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["bin", "reference", "current"] and len(rows) > 5
    assert abs(sum(float(r["reference"]) for r in rows) - 1) < 1e-6

    plots = plots_json(dvc_repo, "show")
    drawn = {path for path in plots if path.startswith(f"{DEPLOYMENT}/{HISTOGRAMS_DIR}/")}
    assert drawn == {f"{DEPLOYMENT}/{HISTOGRAMS_DIR}/{c}.csv" for c in PLANTED}
    [shift] = plots[f"{DEPLOYMENT}/{HISTOGRAMS_DIR}/shift.csv"]
    assert shift["type"] == "vega"
    assert shift["content"]["title"]["text"] == "shift: share of rows, reference vs current"
    values = shift["content"]["data"]["values"]
    assert {v["field"] for v in values} == {"reference", "current"}
    assert shift["content"]["encoding"]["x"] == {
        "field": "bin",
        "type": "quantitative",
        "title": "shift (bin's lower edge)",
    }
    [colour] = plots[f"{DEPLOYMENT}/{HISTOGRAMS_DIR}/colour.csv"]
    encoding = colour["content"]["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("share", "quantitative")
    assert (encoding["y"]["field"], encoding["y"]["type"]) == ("bar", "nominal")
    bars = {v["bar"] for v in colour["content"]["data"]["values"]}
    assert {"red (reference)", "red (current)", "blue (current)"} <= bars


def test_plots_diff_overlays_the_previous_report(dvc_repo: Path) -> None:
    report(dvc_repo, "20260101T000000Z", seed=3)
    git(dvc_repo, "add", "-A")
    git(dvc_repo, "commit", "-qm", "first drift report")
    report(dvc_repo, "20260108T000000Z", seed=4)
    git(dvc_repo, "add", "-A")
    git(dvc_repo, "commit", "-qm", "second drift report")

    plots = plots_json(dvc_repo, "diff", "HEAD~1", "HEAD")
    [shift] = plots[f"{DEPLOYMENT}/{HISTOGRAMS_DIR}/shift.csv"]
    assert shift["revisions"] == ["HEAD~1", "HEAD"]
    values = shift["content"]["data"]["values"]
    by_rev = {rev: [v for v in values if v["rev"] == rev] for rev in ("HEAD~1", "HEAD")}
    assert len(by_rev["HEAD~1"]) > 0 and len(by_rev["HEAD"]) > 0
    assert [v["current"] for v in by_rev["HEAD~1"]] != [v["current"] for v in by_rev["HEAD"]]
