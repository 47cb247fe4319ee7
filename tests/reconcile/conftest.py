"""A small real project (git + DVC) that has been applied and reproduced once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.commands import git, mlops, sh
from tests.helpers.diabetes_project import make_project


@pytest.fixture(scope="session")
def reproduced_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Applied, committed and reproduced once; tests get copies of it."""
    root = make_project(tmp_path_factory.mktemp("reproduced") / "project")
    mlops(root, "apply", "--yes")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "specs and pipeline")
    sh(root, "dvc", "repro")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "reproduced")
    return root


@pytest.fixture
def repo(reproduced_project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(reproduced_project, target, symlinks=True)
    return target
