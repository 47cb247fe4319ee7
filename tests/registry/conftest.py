"""A real git repository in a temp folder holding committed models and metrics (no mocks).

The session fixture in ``tests/conftest.py`` points git at a temp global config; here HOME and
the XDG folders move to the test's temp folder too, so neither git, pygit2 (used by GTO) nor
DVC can read or write the real home.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.commands import git
from tests.helpers.model_repo import Repo


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(home / "dvc-site-cache"))
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def repo(tmp_path: Path, home: Path) -> Repo:
    """An empty git repository with one commit (a README)."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    project = Repo(root)
    project.commit("start", {"README.md": "# project\n"})
    return project
