"""The drift PR's tiny real project (tests/helpers/shop_project.py) reused against object
storage: the same isolated environment and fake GitHub as tests/drift_pr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.environment import isolate_git_and_github
from tests.helpers.github_fake import FakeGitHub


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No GITHUB_*/GIT_* from the machine, git and DVC configured in a temporary HOME."""
    isolate_git_and_github(tmp_path_factory.mktemp("home"), monkeypatch, dvc=True)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(repository="octo/shop", git_remote=tmp_path / "remote.git") as fake:
        yield fake
