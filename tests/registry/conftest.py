"""A real git repository in a temp folder holding committed models and metrics (no mocks).

The session fixture in ``tests/conftest.py`` points git at a temp global config; here HOME and
the XDG folders move to the test's temp folder too, so neither git, pygit2 (used by GTO) nor
DVC can read or write the real home.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git


@dataclass
class Repo:
    root: Path

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    def commit(self, message: str, files: Mapping[str, str | bytes] | None = None) -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def model_files(
        self,
        name: str,
        *,
        payload: bytes = b"model-v1",
        metrics: Mapping[str, Any] | None = None,
        performance: Mapping[str, Any] | None = None,
    ) -> dict[str, str | bytes]:
        """The files of a trained model (a few bytes stand in for the skops file)."""
        info = {"experiment": name, "sha256": hashlib.sha256(payload).hexdigest()}
        files: dict[str, str | bytes] = {
            f"models/{name}/model.skops": payload,
            f"models/{name}/model.json": json.dumps(info, indent=2) + "\n",
        }
        if metrics is not None:
            files[f"metrics/{name}.json"] = json.dumps(metrics, indent=2) + "\n"
        if performance is not None:
            files[f"metrics/{name}.performance.json"] = json.dumps(performance, indent=2) + "\n"
        return files

    def commit_model(self, name: str, message: str = "train", **kwargs: Any) -> str:
        return self.commit(message, self.model_files(name, **kwargs))

    def tags(self) -> list[str]:
        return self.git("tag", "-l").split()

    def tag_message(self, tag: str) -> str:
        return self.git("for-each-ref", f"refs/tags/{tag}", "--format=%(contents)")

    def dvc(self, *args: str) -> str:
        dvc = Path(sys.executable).with_name("dvc")
        return subprocess.run(
            [str(dvc), *args], cwd=self.root, check=True, capture_output=True, text=True
        ).stdout


GOOD = {"r2": 0.52, "mae": 41.0, "rmse": 52.0, "criteria_passed": True}
FAST = {"p50_latency_ms": 2.0, "p95_latency_ms": 4.0, "p99_latency_ms": 6.0, "model_size_mb": 0.1}


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
