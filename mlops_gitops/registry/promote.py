"""Promote a registered version to a stage (a GTO ``<model>#<stage>#<n>`` tag), behind gates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import RegistryError
from mlops_gitops.registry.gates import champion_gate, criteria_gate, fmt
from mlops_gitops.registry.gitrepo import committer, open_repo
from mlops_gitops.registry.gto_state import RegisteredVersion, valid_name
from mlops_gitops.registry.metric_files import read_metrics_at
from mlops_gitops.registry.model_types import Promotion
from mlops_gitops.registry.queries import find_model
from mlops_gitops.registry.revision import RevisionFiles
from mlops_gitops.registry.versions import normalise_version
from mlops_gitops.specs.catalogue import metric_info
from mlops_gitops.specs.models import Criterion

if TYPE_CHECKING:
    import git

__all__ = ["promote"]


def promote(
    root: Path,
    name: str,
    *,
    stage: str,
    criteria: Sequence[Criterion],
    metric: str,
    version: str | None = None,
    tolerance: float | None = None,
    force: bool = False,
    message: str | None = None,
) -> Promotion:
    """Assign ``stage`` to ``version`` (default: the latest) of model ``name``.

    Gates: every criterion in ``criteria`` holds on the metrics committed with the version
    (``metrics/<name>.json`` and ``metrics/<name>.performance.json``), and the version is not
    worse on the primary ``metric`` than the version now in ``stage`` by more than
    ``tolerance`` (absolute; default 0). ``force`` promotes anyway and records the failures it
    overrode in the tag message. A version already in the stage is left as it is.
    """
    if not valid_name(stage):
        raise RegistryError(
            f"'{stage}' cannot be a stage name: use letters, digits, '-', '_' or '/', starting "
            "and ending with a letter or digit",
            "use a stage such as dev, staging or prod",
        )
    tolerance = 0.0 if tolerance is None else float(tolerance)
    if tolerance < 0:
        raise RegistryError(
            f"The 'tolerance' parameter of promote must be >= 0. Got {fmt(tolerance)} instead.",
            "pass a non-negative tolerance (the largest acceptable drop of the primary metric)",
        )
    info = metric_info(metric)
    if info is None:
        raise RegistryError(
            f"the primary metric '{metric}' is not in the metric catalogue, so the registry "
            "cannot tell whether higher or lower is better",
            "fix `metric` in the Problem spec (`mlops validate` lists the allowed names)",
        )
    repo = open_repo(root)
    root = Path(str(repo.working_tree_dir))
    model = find_model(root, name)
    challenger = _pick(model.versions, name, version)
    held = model.stages.get(stage)
    if held is not None and held.version == challenger.version:
        return Promotion(name, stage, challenger.version, challenger.commit, None, held.version)

    label = f"{challenger.version} (commit {challenger.commit[:12]})"
    with RevisionFiles(repo, challenger.commit) as files:
        metrics = read_metrics_at(files, name, label=label)
    report = criteria_gate(criteria, metrics)
    passed, failed = list(report.passed), list(report.failed)
    if held is not None:
        with RevisionFiles(repo, held.commit) as files:
            champion = read_metrics_at(
                files, name, label=f"{held.version} (commit {held.commit[:12]})"
            )
        duel = champion_gate(
            metric=metric,
            greater_is_better=info.greater_is_better,
            challenger=metrics,
            challenger_version=challenger.version,
            champion=champion,
            champion_version=held.version,
            stage=stage,
            tolerance=tolerance,
        )
        passed += duel.passed
        failed += duel.failed
    if failed and not force:
        raise RegistryError(
            f"refusing to promote {name} {challenger.version} to {stage}:\n"
            + "\n".join(f"  - {f}" for f in failed),
            "improve the model and register a new version, or pass --force to promote anyway "
            "(the overridden failures are recorded in the stage tag's message)",
        )
    text = _tag_message(
        name=name,
        version=challenger.version,
        stage=stage,
        message=message,
        passed=passed,
        failed=failed,
    )
    tag = _assign(repo, root, name=name, stage=stage, version=challenger.version, message=text)
    return Promotion(
        name=name,
        stage=stage,
        version=challenger.version,
        commit=challenger.commit,
        tag=tag,
        champion=held.version if held else None,
        checks=tuple(passed),
        overridden=tuple(failed),
    )


def _pick(
    versions: Sequence[RegisteredVersion], name: str, version: str | None
) -> RegisteredVersion:
    if version is None:
        return versions[0]
    wanted = normalise_version(version)
    found = next((v for v in versions if v.version == wanted), None)
    if found is None:
        known = ", ".join(v.version for v in versions)
        raise RegistryError(
            f"model '{name}' has no version {wanted} (registered: {known})",
            f"register it first with `mlops models register {name}`, or pick a listed version",
        )
    return found


def _tag_message(
    *,
    name: str,
    version: str,
    stage: str,
    message: str | None,
    passed: Sequence[str],
    failed: Sequence[str],
) -> str:
    lines = [message or f"Promote model {name} {version} to {stage}", ""]
    if failed:
        lines.append("FORCED: promoted although these gates failed:")
        lines += [f"- {f}" for f in failed]
        lines.append("")
    if passed:
        lines.append("Gates passed:")
        lines += [f"- {p}" for p in passed]
    return "\n".join(lines).rstrip() + "\n"


def _assign(
    repo: git.Repo, root: Path, *, name: str, stage: str, version: str, message: str
) -> str:
    import gto.api
    from gto.exceptions import GTOException

    author, email = committer(repo)
    try:
        # force: a version may hold an older assignment to this stage (a rollback); the
        # registry's own checks above decide whether the promotion is allowed.
        event = gto.api.assign(
            str(root),
            name,
            stage,
            version=version,
            message=message,
            force=True,
            author=author,
            author_email=email,
        )
    except GTOException as error:
        raise RegistryError(
            f"GTO refused to assign stage {stage} to {name} {version}: {error}",
            f"check the tags with `mlops models show {name}`",
        ) from error
    return str(event.tag)
