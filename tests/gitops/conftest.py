"""Fixtures: git isolated from the machine, a clone with a real bare remote, a fake GitHub."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.git_remote import GITCONFIG, Project, make_project
from tests.fakes.github import FakeGitHub


@pytest.fixture(autouse=True)
def isolated_git_and_github_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per test: a fresh global git config (tests rewrite it) and no GITHUB_* or GIT_* from the
    machine, so the code under test sees only the environment each test passes."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(GITCONFIG)
    for name in list(os.environ):
        if name.startswith(("GIT_", "GITHUB_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def clone(tmp_path: Path) -> Project:
    """The user's clone (``clone.root``) and its bare remote (``clone.remote``)."""
    return make_project(tmp_path)


@pytest.fixture
def github(clone: Project) -> Iterator[FakeGitHub]:
    """A fake GitHub whose pull requests must name branches that exist on ``clone.remote``."""
    with FakeGitHub(repository="octo/demo", git_remote=clone.remote) as fake:
        yield fake
