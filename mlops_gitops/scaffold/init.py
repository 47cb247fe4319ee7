"""Scaffold a project: write its files, then set up git, the git hook and DVC.

Every conflict is found before anything is written. Files go first (atomically, one by one);
git and DVC come after, and only where they are missing: an existing repository, DVC setup,
default remote or hook is kept (a hook is replaced only with ``force``). Nothing is committed and
nothing else runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.errors import MlopsError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.scaffold import tools
from mlops_gitops.scaffold.files import HOOK_TEMPLATE, project_files, remote_folder
from mlops_gitops.scaffold.templates import read_template

__all__ = ["REMOTE_NAME", "InitResult", "default_name", "init_project"]

REMOTE_NAME = "local"
_SLUG = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_project` did; paths are relative to ``root``."""

    root: Path
    name: str
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    git_initialised: bool
    dvc_initialised: bool
    remote: str | None
    hook: str | None


def default_name(directory: Path) -> str:
    """The folder's name as a slug: lower case, runs of other characters become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", directory.name.lower()).strip("-")[:63].strip("-")


def _check_name(name: str) -> None:
    if not _SLUG.match(name) or len(name) > 63:
        raise MlopsError(
            f"The project name must be a slug (lower-case letters, digits and '-', at most 63 "
            f"characters). Got {name!r} instead.",
            "pass --name my-project",
        )


def init_project(
    directory: Path, *, name: str | None = None, force: bool = False, remote: str | None = None
) -> InitResult:
    """Scaffold a project in ``directory`` (created if missing). ``remote``: the default DVC
    remote (``s3://bucket/prefix``, any URL DVC supports, or a folder) instead of a local folder
    next to the project; it replaces an existing default remote."""
    root = directory.resolve()
    if remote is not None:
        _check_remote(remote)
    if root.exists() and not root.is_dir():
        raise MlopsError(f"{directory} is a file, not a folder", "pick a folder for the project")
    name = name if name is not None else default_name(root)
    _check_name(name)

    files = project_files(name)
    toplevel = tools.git_toplevel(root) if root.is_dir() else None
    hook_text = read_template(HOOK_TEMPLATE)
    hook = tools.git_hook_path(root) if toplevel is not None else root / ".git/hooks/pre-commit"
    conflicts = [path for path, text in files.items() if _clashes(root / path, text)]
    if _clashes(hook, hook_text):
        conflicts.append(_shown(hook, root))
    if conflicts and not force:
        listed = "\n".join(f"  {c}" for c in conflicts)
        raise MlopsError(
            f"{len(conflicts)} file(s) already exist in {root} with other contents:\n{listed}",
            "move them away, or run `mlops init --force` to overwrite them",
        )

    written: list[str] = []
    unchanged: list[str] = []
    for path, text in files.items():
        if _differs(root / path, text):
            atomic_write_text(root / path, text)
            written.append(path)
        else:
            unchanged.append(path)

    git_initialised = toplevel is None
    if git_initialised:
        tools.git_init(root)
        toplevel = root
    hook = tools.git_hook_path(root)
    hook_written = _differs(hook, hook_text)
    if hook_written:
        atomic_write_text(hook, hook_text)
        hook.chmod(0o755)

    dvc_initialised = not (root / ".dvc").is_dir()
    if dvc_initialised:
        tools.dvc_init(root, subdir=toplevel != root)
    chosen = remote
    remote = None
    if chosen is not None:
        remote = chosen
        tools.add_default_remote(root, REMOTE_NAME, remote, replace=True)
    elif dvc_initialised or not tools.has_default_remote(root):
        remote = remote_folder(name)
        tools.add_default_remote(root, REMOTE_NAME, remote)
    return InitResult(
        root=root,
        name=name,
        written=tuple(written),
        unchanged=tuple(unchanged),
        git_initialised=git_initialised,
        dvc_initialised=dvc_initialised,
        remote=remote,
        hook=_shown(hook, root) if hook_written else None,
    )


def _check_remote(remote: str) -> None:
    """A remote URL without credentials in it, whose DVC plugin is installed."""
    from mlops_gitops.io.storage import is_remote, redact

    if redact(remote) != remote:
        raise MlopsError(
            f"the remote {redact(remote)} holds credentials",
            "give the URL alone; DVC reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
            "AWS_ENDPOINT_URL from the environment (or `dvc remote modify --local`)",
        )
    scheme = remote.split("://", 1)[0].lower() if is_remote(remote) else ""
    plugin = {"s3": "dvc_s3", "gs": "dvc_gs", "azure": "dvc_azure"}.get(scheme)
    if plugin is not None:
        import importlib.util

        if importlib.util.find_spec(plugin) is None:
            package = plugin.replace("_", "-")
            raise MlopsError(
                f"a {scheme}:// DVC remote needs {package}, which is not installed",
                f"pip install {package}",
            )


def _differs(path: Path, text: str) -> bool:
    """True when writing ``text`` to ``path`` would change something."""
    try:
        return path.read_text(encoding="utf-8") != text
    except (OSError, UnicodeDecodeError):  # missing, a folder, unreadable or binary
        return True


def _clashes(path: Path, text: str) -> bool:
    """True when ``path`` exists and writing ``text`` would overwrite something else."""
    return (path.exists() or path.is_symlink()) and _differs(path, text)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
