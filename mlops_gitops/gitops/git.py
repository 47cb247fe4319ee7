"""Git operations that never touch the user's working tree, index or checked-out branch.

Commits are built with plumbing on a temporary index file (``read-tree``, ``hash-object``,
``update-index``, ``write-tree``, ``commit-tree``); no local branch or ref is written. Objects are
fetched without updating any ref or ``FETCH_HEAD``. The only visible side effect is
:func:`push_commit`, which callers run last.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from mlops_gitops.errors import GitOpsError
from mlops_gitops.gitops.redact import redact

__all__ = [
    "RemoteHeads",
    "check_branch_name",
    "check_repo_path",
    "commit_files",
    "current_branch",
    "current_commit",
    "fetch_commit",
    "is_dirty",
    "open_repo",
    "push_commit",
    "remote_heads",
    "remote_url",
]

# Network commands must fail rather than wait for a password nobody will type.
_NETWORK_ENV = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
_NETWORK_TIMEOUT_S = 300.0
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "mlops-gitops",
    "GIT_AUTHOR_EMAIL": "mlops-gitops@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mlops-gitops",
    "GIT_COMMITTER_EMAIL": "mlops-gitops@users.noreply.github.com",
}


@dataclass(frozen=True)
class RemoteHeads:
    """Branches of a remote (name -> commit) and the branch its HEAD points at, if any."""

    default_branch: str | None
    heads: Mapping[str, str]


def open_repo(path: Path) -> Repo:
    """The git repository holding ``path`` (searching parent folders)."""
    try:
        return Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise GitOpsError(
            f"{path} is not inside a git repository.",
            hint="run the command in a clone of your project (or `git init` one)",
        ) from None


def current_commit(repo: Repo) -> str:
    """The commit HEAD points at."""
    try:
        return str(repo.head.commit.hexsha)
    except ValueError:
        raise GitOpsError(
            f"The repository {repo.working_dir} has no commit yet.",
            hint="commit something first: git add -A && git commit -m 'initial commit'",
        ) from None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch, or None when HEAD is detached."""
    if repo.head.is_detached:
        return None
    return str(repo.head.ref.name)


def is_dirty(repo: Repo) -> bool:
    """Whether tracked files have uncommitted changes or untracked files exist."""
    return bool(repo.is_dirty(index=True, working_tree=True, untracked_files=True))


def remote_url(repo: Repo, remote: str) -> str:
    """The fetch URL of ``remote``."""
    names = sorted(r.name for r in repo.remotes)
    if remote not in names:
        known = ", ".join(names) or "none"
        raise GitOpsError(
            f"The repository has no remote named {remote!r} (remotes: {known}).",
            hint=f"add it with `git remote add {remote} <url>` or pass another remote",
        )
    return str(repo.remote(remote).url)


def remote_heads(repo: Repo, remote: str) -> RemoteHeads:
    """Ask ``remote`` for its branches and default branch (``git ls-remote``; writes nothing)."""
    out = _git(repo, "ls-remote", "--symref", remote, "HEAD", "refs/heads/*", network=True)
    default: str | None = None
    heads: dict[str, str] = {}
    for line in out.splitlines():
        left, _, name = line.partition("\t")
        if left.startswith("ref: ") and name == "HEAD":
            default = left.removeprefix("ref: ").removeprefix("refs/heads/")
        elif name.startswith("refs/heads/"):
            heads[name.removeprefix("refs/heads/")] = left
    if default is not None and default not in heads:
        default = None  # the remote's HEAD names a branch that does not exist yet
    return RemoteHeads(default_branch=default, heads=heads)


def fetch_commit(repo: Repo, remote: str, branch: str, sha: str) -> None:
    """Make commit ``sha`` (the tip of ``branch`` on ``remote``) available locally.

    Fetches without writing any ref or ``FETCH_HEAD``; does nothing if the commit is present.
    """
    if _has_commit(repo, sha):
        return
    _git(
        repo,
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--refmap=",
        remote,
        f"refs/heads/{branch}",
        network=True,
    )
    if not _has_commit(repo, sha):
        raise GitOpsError(
            f"Branch {branch!r} on {remote!r} moved while it was being read.",
            hint="run the command again",
        )


def commit_files(
    repo: Repo, *, parent: str, files: Mapping[str, bytes], message: str
) -> str | None:
    """A new commit: ``parent``'s tree with ``files`` (repo-relative path -> bytes) written in.

    Returns its sha, or None when the files change nothing. Only objects are written: no ref,
    no index, no working tree. Contents are stored byte for byte (no clean filters); an existing
    file keeps its executable bit.
    """
    for path in files:
        check_repo_path(path)
    with tempfile.TemporaryDirectory(prefix="mlops-gitops-") as tmp:
        folder = Path(tmp)
        index_env = {"GIT_INDEX_FILE": str(folder / "index")}
        _git(repo, "read-tree", parent, env=index_env)
        paths = sorted(files)
        blobs = []
        for number, path in enumerate(paths):
            blob = folder / f"blob-{number}"
            blob.write_bytes(files[path])
            blobs.append(str(blob))
        shas = _git(repo, "hash-object", "-w", "--no-filters", "--", *blobs).split()
        modes = _existing_modes(repo, parent, paths)
        entries = b"".join(
            f"{modes.get(path, '100644')} {sha}\t{path}".encode() + b"\0"
            for path, sha in zip(paths, shas, strict=True)
        )
        (folder / "entries").write_bytes(entries)
        with (folder / "entries").open("rb") as stdin:
            _git(repo, "update-index", "-z", "--index-info", env=index_env, istream=stdin)
        tree = _git(repo, "write-tree", env=index_env)
    if tree == _git(repo, "rev-parse", f"{parent}^{{tree}}"):
        return None
    return _git(repo, "commit-tree", tree, "-p", parent, "-m", message, env=_identity_env(repo))


def push_commit(repo: Repo, remote: str, sha: str, branch: str) -> None:
    """Push commit ``sha`` to ``refs/heads/{branch}`` on ``remote``; never forced."""
    _git(repo, "push", "--porcelain", remote, f"{sha}:refs/heads/{branch}", network=True)


def check_branch_name(name: str) -> None:
    """Refuse a name git would not accept as a branch."""
    bad = (
        not name
        or name.startswith(("-", "/"))
        or name.endswith(("/", ".", ".lock"))
        or any(c in name for c in " ~^:?*[\\\x7f")
        or any(ord(c) < 32 for c in name)
        or ".." in name
        or "//" in name
        or "@{" in name
        or any(part.startswith(".") for part in name.split("/"))
    )
    if bad:
        raise GitOpsError(
            f"{name!r} is not a valid git branch name.",
            hint="use letters, digits, '-', '_', '.' and '/' separators, "
            "e.g. mlops/drift/churn/2024-05-01",
        )


def check_repo_path(path: str) -> None:
    """Refuse a path that is not a plain relative path inside the repository."""
    pure = PurePosixPath(path)
    bad = (
        not path
        or pure.is_absolute()
        or "\\" in path
        or any(ord(c) < 32 for c in path)
        or any(part in {"", ".", ".."} for part in path.split("/"))
        or pure.parts[0].lower() == ".git"
    )
    if bad:
        raise GitOpsError(
            f"{path!r} is not a repository-relative file path.",
            hint="give paths like 'reports/drift/churn/2024-05-01/report.md' "
            "(forward slashes, no '..', not inside .git)",
        )


def _existing_modes(repo: Repo, commit: str, paths: list[str]) -> dict[str, str]:
    """Modes of the regular files among ``paths`` in ``commit`` (to keep executable bits)."""
    out = _git(repo, "ls-tree", "-z", commit, "--", *paths, strip=False)
    modes = {}
    for entry in out.split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if fields and fields[0] == "100755":
            modes[path] = "100755"
    return modes


def _has_commit(repo: Repo, sha: str) -> bool:
    try:
        _git(repo, "cat-file", "-e", f"{sha}^{{commit}}")
    except GitOpsError:
        return False
    return True


def _identity_env(repo: Repo) -> dict[str, str]:
    """Nothing when git knows who commits; a neutral bot identity when it does not (bare CI)."""
    try:
        _git(repo, "var", "GIT_AUTHOR_IDENT")
        _git(repo, "var", "GIT_COMMITTER_IDENT")
    except GitOpsError:
        return dict(_FALLBACK_IDENTITY)
    return {}


def _git(
    repo: Repo,
    *args: str,
    env: Mapping[str, str] | None = None,
    istream: Any = None,
    network: bool = False,
    strip: bool = True,
) -> str:
    """Run one git command in ``repo``; failures become GitOpsError with credentials removed."""
    full_env = {**(_NETWORK_ENV if network else {}), **(env or {})}
    try:
        out = repo.git.execute(
            ["git", *args],
            env=full_env,
            istream=istream,
            kill_after_timeout=_NETWORK_TIMEOUT_S if network else None,
            strip_newline_in_stdout=strip,
        )
    except GitCommandError as error:
        raise _command_error(args, error) from None
    return str(out)


def _command_error(args: tuple[str, ...], error: GitCommandError) -> GitOpsError:
    output = "\n".join(text for text in (_text(error.stdout), _text(error.stderr)) if text)
    message = redact(f"git {args[0]} failed (exit {error.status}): {output}".rstrip(": "))
    hints = {
        "push": "the remote refused the push; check access rights and branch protection, "
        "then run the command again",
        "fetch": "check the remote's URL and your access to it (git remote -v)",
        "ls-remote": "check the remote's URL and your access to it (git remote -v)",
    }
    return GitOpsError(message, hint=hints.get(args[0]))


def _text(value: object) -> str:
    """GitPython's captured output without its ``  stderr: '...'`` decoration."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")
    text = text.strip()
    for label in ("stdout: '", "stderr: '"):
        if text.startswith(label) and text.endswith("'"):
            text = text[len(label) : -1].strip()
    return text
