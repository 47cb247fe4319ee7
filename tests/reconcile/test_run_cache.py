"""A reverted spec costs nothing: `dvc repro` restores the earlier outputs from DVC's run-cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers.commands import mlops, sh

pytestmark = pytest.mark.slow

RESTORED = "Stage 'train_lin-a' is cached - skipping run, checking out outputs"


def ran_stages(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", output))


def test_reverting_a_hyperparameter_restores_every_stage_from_the_run_cache(repo: Path) -> None:
    spec = repo / "specs/experiment-a.yaml"
    original = spec.read_text()
    metrics_before = (repo / "metrics/lin-a.json").read_text()
    leaderboard_before = (repo / "models/lin-a/leaderboard.json").read_text()

    spec.write_text(original.replace("alpha: 1.0", "alpha: 3.0"))
    mlops(repo, "apply", "--yes")
    changed = sh(repo, "dvc", "repro").stdout
    assert "train_lin-a" in ran_stages(changed)
    assert json.loads((repo / "models/lin-a/leaderboard.json").read_text()) != json.loads(
        leaderboard_before
    )

    spec.write_text(original)
    mlops(repo, "apply", "--yes")
    reverted = sh(repo, "dvc", "repro").stdout
    assert ran_stages(reverted) == set(), reverted
    assert RESTORED in reverted
    for stage in ("evaluate_lin-a", "performance_lin-a", "interpret_lin-a", "card_lin-a"):
        assert f"Stage '{stage}' is cached - skipping run, checking out outputs" in reverted
    assert (repo / "metrics/lin-a.json").read_text() == metrics_before
    assert (repo / "models/lin-a/leaderboard.json").read_text() == leaderboard_before
    assert json.loads(sh(repo, "dvc", "status", "--json").stdout or "{}") == {}
