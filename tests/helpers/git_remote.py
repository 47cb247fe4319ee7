"""A user's clone with a real bare remote standing in for GitHub's git server, plus git helpers.

Tests must isolate git from the machine first: point ``GIT_CONFIG_GLOBAL`` at a file holding
:data:`GITCONFIG` and set ``GIT_CONFIG_NOSYSTEM=1`` (see :mod:`tests.helpers.environment`). Then
:func:`make_project` builds ``remote.git`` (bare) and ``work`` (a clone with one commit on main).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GITCONFIG", "Project", "make_project", "run_git"]

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


def make_project(folder: Path) -> Project:
    """``folder/remote.git`` (bare) and ``folder/work`` (its clone, one commit pushed to main)."""
    remote = folder / "remote.git"
    root = folder / "work"
    run_git(folder, "init", "-q", "--bare", str(remote))
    run_git(folder, "init", "-q", str(root))
    made = Project(root=root, remote=remote)
    made.commit({"README.md": "# demo\n", "reports/.keep": ""}, "initial commit")
    made.git("remote", "add", "origin", str(remote))
    made.git("push", "-q", "-u", "origin", "main")
    return made
