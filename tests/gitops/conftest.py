"""Fixtures: git isolated from the machine, a clone with a real bare remote, a fake GitHub."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# `tests.fakes` is imported by package path; until pytest's `pythonpath = ["."]` is configured the
# project root is not on sys.path when pytest runs as a script.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.github import FakeGitHub  # noqa: E402

GITCONFIG = """\
[user]
    name = Test User
    email = test@example.com
[init]
    defaultBranch = main
[commit]
    gpgsign = false
[tag]
    gpgsign = false
[protocol "file"]
    allow = always
"""


def run_git(cwd: Path, *args: str, input: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.decode()}")
    return done.stdout.decode().strip()


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


@dataclass(frozen=True)
class Project:
    """A user's clone (``root``) of a bare ``remote`` holding one commit on ``main``."""

    root: Path
    remote: Path

    def git(self, *args: str) -> str:
        return run_git(self.root, *args)

    def remote_git(self, *args: str) -> str:
        return run_git(self.remote, *args)

    def commit(self, files: dict[str, str], message: str = "change") -> str:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", *files)
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def remote_branches(self) -> dict[str, str]:
        out = self.remote_git(
            "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads"
        )
        return dict(line.split() for line in out.splitlines())

    def remote_file(self, branch: str, path: str) -> str:
        return self.remote_git("show", f"{branch}:{path}")

    def snapshot(self) -> dict[str, str]:
        """Everything of the user's clone a proposal must leave alone."""
        return {
            "HEAD": self.git("symbolic-ref", "-q", "HEAD"),
            "head_commit": self.git("rev-parse", "HEAD"),
            "refs": self.git("for-each-ref", "--format=%(refname) %(objectname)"),
            "index": self.git("ls-files", "--stage"),
            "staged": self.git("diff", "--cached"),
            "unstaged": self.git("diff"),
            "status": self.git("status", "--porcelain=v1", "--untracked-files=all"),
            "stash": self.git("stash", "list"),
            "fetch_head": str((self.root / ".git" / "FETCH_HEAD").exists()),
        }


@pytest.fixture
def project(tmp_path: Path) -> Project:
    remote = tmp_path / "remote.git"
    root = tmp_path / "work"
    run_git(tmp_path, "init", "-q", "--bare", str(remote))
    run_git(tmp_path, "init", "-q", str(root))
    made = Project(root=root, remote=remote)
    made.commit({"README.md": "# demo\n", "reports/.keep": ""}, "initial commit")
    made.git("remote", "add", "origin", str(remote))
    made.git("push", "-q", "-u", "origin", "main")
    return made


@pytest.fixture
def github(project: Project) -> Iterator[FakeGitHub]:
    """A fake GitHub whose pull requests must name branches that exist on ``project.remote``."""
    with FakeGitHub(repository="octo/demo", git_remote=project.remote) as fake:
        yield fake
