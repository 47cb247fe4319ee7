"""The README's main command: the whole loop on the example, end to end, on embedded defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_the_whole_loop_and_says_where_everything_is(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlops_gitops.demo", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for step in (
        "mlops_gitops validate",
        "mlops_gitops apply --yes",
        "dvc repro",
        "mlops_gitops models register progression-linear",
        "mlops_gitops models promote progression-linear --stage prod",
        "mlops_gitops deploy progression-api",
        "sent 300 rows",
        "mlops_gitops drift check progression-api",
        "mlops_gitops drift pr progression-api",
    ):
        assert step in out, step
    assert "Dataset drift detected" in out
    remote = tmp_path / "remote.git"
    branches = subprocess.run(
        ["git", "branch", "--list", "mlops/drift/*"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "mlops/drift/progression-api/" in branches
    tags = subprocess.run(
        ["git", "tag"], cwd=remote, capture_output=True, text=True, check=True
    ).stdout
    assert "progression-linear@v0.1.0" in tags
    project = tmp_path / "project"
    assert (project / "models/progression-linear/model_card.md").is_file()
    assert list((project / ".mlops/requests/progression-api").rglob("*.parquet"))
    assert "Where everything is:" in out
