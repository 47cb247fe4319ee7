"""Fixtures: git isolated from the machine, a clone with a real bare remote, a fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.environment import isolate_git_and_github
from tests.helpers.git_remote import Project, make_project
from tests.helpers.github_fake import FakeGitHub


@pytest.fixture(autouse=True)
def isolated_git_and_github_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per test: a fresh global git config (tests rewrite it) and no GITHUB_* or GIT_* from the
    machine, so the code under test sees only the environment each test passes."""
    isolate_git_and_github(tmp_path_factory.mktemp("home"), monkeypatch, dvc=False)


@pytest.fixture
def clone(tmp_path: Path) -> Project:
    """The user's clone (``clone.root``) and its bare remote (``clone.remote``)."""
    return make_project(tmp_path)


@pytest.fixture
def github(clone: Project) -> Iterator[FakeGitHub]:
    """A fake GitHub whose pull requests must name branches that exist on ``clone.remote``."""
    with FakeGitHub(repository="octo/demo", git_remote=clone.remote) as fake:
        yield fake
