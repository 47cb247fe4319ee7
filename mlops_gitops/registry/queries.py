"""Read the registry: every model, one model in detail, the version a stage points at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlops_gitops.errors import RegistryError
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.registry.annotation import ANNOTATIONS_FILE, annotation_of
from mlops_gitops.registry.gitrepo import head_commit, open_repo
from mlops_gitops.registry.gto_state import ModelState, read_registry
from mlops_gitops.registry.metric_files import read_metrics_at, read_metrics_worktree
from mlops_gitops.registry.model_types import ModelDetail, ModelSummary, StageRef, VersionInfo
from mlops_gitops.registry.revision import RevisionFiles

__all__ = ["find_model", "list_models", "resolve_stage", "show_model"]


def _root(root: Path) -> Path:
    return Path(str(open_repo(root).working_tree_dir))


def find_model(root: Path, name: str) -> ModelState:
    """The registry state of ``name``; refused when it has no registered version."""
    models = read_registry(root)
    model = models.get(name)
    if model is None:
        known = ", ".join(models) or "none yet"
        raise RegistryError(
            f"model '{name}' is not registered (registered models: {known})",
            f"register it with `mlops models register {name}`",
        )
    return model


def list_models(root: Path) -> list[ModelSummary]:
    """Every registered model: its latest version and which version each stage points at."""
    return [
        ModelSummary(
            name=m.name,
            latest=m.latest.version if m.latest else None,
            stages={s: a.version for s, a in sorted(m.stages.items())},
        )
        for m in read_registry(_root(root)).values()
    ]


def show_model(root: Path, name: str) -> ModelDetail:
    """Versions (newest first) with commits, dates, stages and metrics as committed."""
    repo = open_repo(root)
    root = Path(str(repo.working_tree_dir))
    model = find_model(root, name)
    versions = []
    for v in model.versions:
        with RevisionFiles(repo, v.commit) as files:
            metrics = read_metrics_at(files, name, label=f"{v.version} ({v.commit[:12]})")
        versions.append(
            VersionInfo(
                version=v.version,
                commit=v.commit,
                tag=v.tag,
                registered_at=v.registered_at.isoformat(),
                author=v.author,
                message=v.message,
                stages=model.stages_of(v.version),
                metrics=metrics.merged(),
            )
        )
    with RevisionFiles(repo, head_commit(repo)) as files:
        raw = files.read(ANNOTATIONS_FILE)
    path = annotation_of(raw.decode() if raw else None, name).get("path")
    current = read_metrics_worktree(root, name)
    return ModelDetail(
        name=name,
        path=str(path) if path else None,
        versions=tuple(versions),
        stages={s: a.version for s, a in sorted(model.stages.items())},
        current_metrics=None if current.empty else current.merged(),
        compiled=_compiled_record(root, name),
    )


def _compiled_record(root: Path, name: str) -> dict[str, Any] | None:
    """``models/<name>/model.json``'s record of the compiled graph (None: no model here)."""
    path = ProjectLayout(root).model_info(name)
    if not path.is_file():
        return None
    try:
        compiled = json.loads(path.read_text()).get("compiled")
    except (OSError, ValueError, AttributeError):
        return None
    return compiled if isinstance(compiled, dict) else {}


def resolve_stage(root: Path, name: str, stage: str) -> StageRef:
    """The version (and commit) now in ``stage``: what a deployment with that stage serves."""
    model = find_model(_root(root), name)
    assignment = model.stages.get(stage)
    if assignment is None:
        stages = ", ".join(f"{s} -> {a.version}" for s, a in sorted(model.stages.items()))
        raise RegistryError(
            f"no version of model '{name}' is in stage '{stage}' "
            f"(stages now: {stages or 'none assigned'})",
            f"promote one with `mlops models promote {name} --stage {stage}`",
        )
    return StageRef(name, stage, assignment.version, assignment.commit, assignment.tag)
