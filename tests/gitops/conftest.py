"""Fixtures: git isolated from the machine, a clone with a real bare remote, a fake GitHub."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# `tests.fakes` is imported by package path; until pytest's `pythonpath = ["."]` is configured the
# project root is not on sys.path when pytest runs as a script.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.git_remote import GITCONFIG, Project, make_project  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git reads only a temp global config; no GITHUB_* or GIT_* leaks in from the machine."""
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
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


@pytest.fixture
def github(project: Project) -> Iterator[FakeGitHub]:
    """A fake GitHub whose pull requests must name branches that exist on ``project.remote``."""
    with FakeGitHub(repository="octo/demo", git_remote=project.remote) as fake:
        yield fake
