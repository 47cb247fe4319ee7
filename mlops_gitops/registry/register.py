"""Register the model committed at HEAD as the next version of ``<experiment>`` (a GTO tag)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import RegistryError
from mlops_gitops.registry.annotation import (
    ANNOTATIONS_FILE,
    annotate_model,
    is_annotated,
    model_path,
)
from mlops_gitops.registry.gitrepo import (
    changed_paths,
    commit_paths,
    committer,
    head_commit,
    open_repo,
)
from mlops_gitops.registry.gto_state import read_registry, valid_name
from mlops_gitops.registry.model_types import ModelVersion
from mlops_gitops.registry.revision import RevisionFiles
from mlops_gitops.registry.versions import next_version
from mlops_gitops.registry.workspace import uncommitted_model_changes

if TYPE_CHECKING:
    import git

__all__ = ["check_name", "register_model"]


def check_name(name: str, what: str = "model") -> None:
    if not valid_name(name):
        raise RegistryError(
            f"'{name}' cannot be a {what} name in the registry: use letters, digits, '-', '_' "
            "or '/', starting and ending with a letter or digit",
            "rename the experiment in its spec",
        )


def register_model(
    root: Path, experiment: str, *, bump: str = "minor", message: str | None = None
) -> ModelVersion:
    """Tag the commit at HEAD as the next version of the model ``experiment``.

    Refused when the model's files or metrics in the working tree differ from HEAD. When HEAD is
    registered already, returns that version with ``created=False``. When ``artifacts.yaml`` at
    HEAD does not annotate the model, it is annotated and committed (that file alone) first.
    """
    check_name(experiment)
    repo = open_repo(root)
    root = Path(str(repo.working_tree_dir))
    head = head_commit(repo)
    with RevisionFiles(repo, head) as files:
        if not files.exists(model_path(experiment)):
            raise RegistryError(
                f"{model_path(experiment)} is not committed at HEAD ({head[:12]}): there is no "
                f"model of experiment '{experiment}' to register",
                "train it with `dvc repro`, then commit dvc.lock and the metrics "
                "(`git add dvc.lock metrics && git commit`)",
            )
        changes = uncommitted_model_changes(repo, files, experiment)
        annotations_at_head = files.read(ANNOTATIONS_FILE)
    if changes:
        raise RegistryError(
            f"the model '{experiment}' in the working tree is not the one committed at HEAD "
            f"({head[:12]}):\n" + "\n".join(f"  {c}" for c in changes),
            "commit the model first (`dvc commit` for DVC outputs, then `git add` and "
            "`git commit` dvc.lock and the metrics), or restore HEAD's with `dvc checkout`",
        )

    model = read_registry(root).get(experiment)
    if model is not None:
        existing = model.at_commit(head)
        if existing is not None:
            return ModelVersion(experiment, existing.version, head, existing.tag, created=False)

    version = next_version(model.latest.version if model and model.latest else None, bump)
    annotation_commit = None
    at_head = annotations_at_head.decode() if annotations_at_head else None
    if not is_annotated(at_head, experiment):
        if changed_paths(repo, [ANNOTATIONS_FILE]) and not is_annotated(
            _worktree_text(root), experiment
        ):
            raise RegistryError(
                f"{ANNOTATIONS_FILE} has uncommitted changes, and the model must be annotated "
                "in it before it is registered",
                f"commit or revert {ANNOTATIONS_FILE}, then register again",
            )
        annotate_model(root, experiment)
        annotation_commit = commit_paths(
            repo,
            [ANNOTATIONS_FILE],
            f"Annotate model {experiment} for the registry ({model_path(experiment)})",
        )
        head = annotation_commit
    tag = _tag(repo, root, name=experiment, version=version, commit=head, message=message)
    return ModelVersion(experiment, version, head, tag, annotation_commit=annotation_commit)


def _worktree_text(root: Path) -> str | None:
    path = root / ANNOTATIONS_FILE
    return path.read_text() if path.is_file() else None


def _tag(
    repo: git.Repo, root: Path, *, name: str, version: str, commit: str, message: str | None
) -> str:
    import gto.api
    from gto.exceptions import GTOException

    author, email = committer(repo)
    try:
        event = gto.api.register(
            str(root),
            name,
            ref=commit,
            version=version,
            message=message or f"Register model {name} {version}",
            author=author,
            author_email=email,
        )
    except GTOException as error:
        raise RegistryError(
            f"GTO refused to register {name} {version} at {commit[:12]}: {error}",
            "check the existing tags with `mlops models show " + name + "`",
        ) from error
    return str(event.tag)
