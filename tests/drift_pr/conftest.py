"""Fixtures of the drift PR tests: the machine's git, GitHub and DVC settings kept out, the
tiny shop project in a clone (:mod:`tests.helpers.shop_project`) and a fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.environment import isolate_git_and_github
from tests.helpers.github_fake import FakeGitHub
from tests.helpers.shop_project import Repo, make_repo


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No GITHUB_*/GIT_* from the machine, git and DVC configured in a temporary HOME."""
    isolate_git_and_github(tmp_path_factory.mktemp("home"), monkeypatch, dvc=True)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, retrain=False)


@pytest.fixture
def retrain_repo(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, retrain=True)


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(repository="octo/shop", git_remote=tmp_path / "remote.git") as fake:
        yield fake
