"""``mlops drift pr``: check a deployment for drift and propose the report as a pull request.

One straight path: check, with the window's labelled traffic, as ``mlops drift check`` does
(:func:`mlops_gitops.monitoring.check`); stop when nothing drifted (unless forced); write the
report; when the spec asks to retrain and labels exist, build the new dataset version,
point the dataset spec at it and train a challenger; put the new data into DVC; and last, the
only git side effect, commit everything to ``mlops/drift/<deployment>/<window end date>`` and
open or update the pull request (:func:`mlops_gitops.gitops.propose_change`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.layout import RELATIVE, ProjectLayout

if TYPE_CHECKING:
    from mlops_gitops.drift_pr.body import Retraining
    from mlops_gitops.gitops.pull_request import ProposalResult
    from mlops_gitops.labels.joined import LabelledWindow
    from mlops_gitops.labels.performance import LabelledPerformance
    from mlops_gitops.monitoring.result import DriftResult
    from mlops_gitops.specs.models import Deployment, SpecSet

__all__ = ["BRANCH_ROOT", "LABELS", "DriftProposal", "branch_for", "propose_drift_pr"]

BRANCH_ROOT = "mlops/drift"
LABELS = ("drift", "mlops")


@dataclass(frozen=True)
class DriftProposal:
    """What ``mlops drift pr`` did. ``proposal`` is None when nothing was proposed; ``skipped``
    then says why (no drift, drift not judged, or the spec's ``monitoring.action: none``)."""

    result: DriftResult
    proposal: ProposalResult | None = None
    skipped: str | None = None
    report_files: tuple[str, ...] = ()
    performance: LabelledPerformance | None = None
    retraining: Retraining | None = None
    title: str = ""
    body: str = ""


def branch_for(deployment: str, window_end: str) -> tuple[str, str]:
    """(prefix, branch): ``mlops/drift/<deployment>/`` and ``.../<window end as YYYY-MM-DD>``."""
    day = datetime.fromisoformat(window_end).astimezone(UTC).strftime("%Y-%m-%d")
    prefix = f"{BRANCH_ROOT}/{deployment}/"
    return prefix, prefix + day


def propose_drift_pr(
    root: Path,
    deployment_name: str,
    *,
    current: Path | None = None,
    remote: str = "origin",
    now: datetime | None = None,
    force: bool = False,
    env: Mapping[str, str] = os.environ,
) -> DriftProposal:
    """Check ``deployment_name`` and, when its data drifted (or ``force``), propose the report
    (and, with ``monitoring.retrain`` and labels, a new dataset version) as a pull request."""
    from mlops_gitops.monitoring.checking import check, write_outcome

    outcome = check(root, deployment_name, current=current, now=now, write=False)
    result, deployment, specs = outcome.result, outcome.deployment, outcome.specs
    assert deployment is not None and specs is not None  # a deployment's check sets them
    skipped = _skip_reason(result, deployment, force)
    if skipped is not None:
        return DriftProposal(result, skipped=skipped)
    assert result.window_end is not None  # check_deployment always sets it
    _check_remote(root, remote)  # before any work that a missing remote would waste
    outcome = write_outcome(root, outcome)
    assert outcome.report_dir is not None  # write_outcome sets it
    prefix, branch = branch_for(deployment.name, result.window_end)
    retraining: Retraining | None = None
    extra: dict[Path, bytes] = {}
    window = outcome.window
    if deployment.monitoring.retrain and window is not None and window.rows:
        retraining, extra = _retrain(root, deployment, specs, window, branch.rsplit("/", 1)[1])
    return _propose(
        root,
        result,
        deployment,
        files=list(outcome.written),
        extra=extra,
        report_dir=outcome.report_dir,
        performance=outcome.performance,
        retraining=retraining,
        prefix=prefix,
        branch=branch,
        remote=remote,
        env=env,
    )


def _check_remote(root: Path, remote: str) -> None:
    from mlops_gitops.gitops.git import open_repo, remote_url

    remote_url(open_repo(root), remote)


def _skip_reason(result: DriftResult, deployment: Deployment, force: bool) -> str | None:
    if deployment.monitoring.action == "none":
        return (
            f"monitoring.action of {deployment.name!r} is none: no pull request "
            f"({result.headline()})"
        )
    if force:
        return None
    if result.status != "ok":
        return result.headline()
    if not result.dataset_drift:
        return f"no drift: {result.headline()}"
    return None


def _retrain(
    root: Path, deployment: Deployment, specs: SpecSet, window: LabelledWindow, day: str
) -> tuple[Retraining, dict[Path, bytes]]:
    """Build the new dataset version, the edited spec and the challenger comparison; put the
    data into DVC. Returns the files to commit (absolute path -> bytes)."""
    from mlops_gitops.drift_pr.body import Retraining
    from mlops_gitops.drift_pr.challenger import compare_challenger
    from mlops_gitops.drift_pr.dataset_version import build_dataset_version
    from mlops_gitops.drift_pr.dvc_store import dvc_root, store_in_dvc
    from mlops_gitops.drift_pr.spec_source import set_source_path

    experiment = specs.experiment_of(deployment)
    assert experiment is not None  # check_deployment refused a deployment without one
    dataset = specs.dataset_of(experiment)
    version = build_dataset_version(root, dataset, window.frame, date=day)
    spec_path = root / dataset.source.file
    spec_text = set_source_path(
        spec_path.read_text(encoding="utf-8"), dataset.name, version.path, file=dataset.source.file
    )
    with tempfile.TemporaryDirectory(prefix="mlops-challenger-") as scratch:
        comparison = compare_challenger(root, experiment, specs, window.frame, Path(scratch))
    files: dict[Path, bytes] = {spec_path: spec_text.encode("utf-8")}
    tracked = dvc_root(root) is not None
    remote = None
    if tracked:
        remote = store_in_dvc(root, version).remote
        files[root / version.dvc_path] = version.dvc_file.encode("utf-8")
        files[root / version.gitignore_path] = version.gitignore.encode("utf-8")
    else:
        files[root / version.path] = version.content
    files.update(_applied_pipeline(root, {spec_path: files[spec_path]}))
    retraining = Retraining(
        version=version,
        spec_file=dataset.source.file,
        comparison=comparison,
        dvc_remote=remote,
        tracked_by_dvc=tracked,
    )
    return retraining, files


def _applied_pipeline(root: Path, edits: dict[Path, bytes]) -> dict[Path, bytes]:
    """``dvc.yaml``, ``params.yaml`` and the spec files as `mlops apply --scope pipeline` writes
    them once the edited specs are in, for a project that commits them (CI requires them to
    match the specs): computed in a scratch copy of the specs and those files, so the working
    tree stays as it was. Only the files that change are returned."""
    import shutil

    from mlops_gitops.reconcile.apply import apply_plan
    from mlops_gitops.reconcile.state import STATE_FILE
    from mlops_gitops.render.dvc import SPEC_DIR

    if not ProjectLayout(root).dvc_file().is_file():
        return {}  # the pipeline is not applied in this project: nothing to keep in step
    spec_files = sorted(p.relative_to(root) for p in (root / SPEC_DIR).glob("*.json"))
    pipeline_files = (RELATIVE.posix(RELATIVE.dvc_file()), RELATIVE.posix(RELATIVE.params_file()))
    with tempfile.TemporaryDirectory(prefix="mlops-drift-apply-") as scratch:
        copy = Path(scratch)
        shutil.copytree(ProjectLayout(root).specs_dir(), ProjectLayout(copy).specs_dir())
        for name in (*pipeline_files, STATE_FILE, *map(str, spec_files)):
            if (root / name).is_file():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / name, copy / name)
        for path, content in edits.items():
            (copy / path.relative_to(root)).write_bytes(content)
        apply_plan(copy, scope="pipeline")
        rendered = sorted(p.relative_to(copy) for p in (copy / SPEC_DIR).glob("*.json"))
        names = [*pipeline_files, *map(str, rendered)]
        return {
            root / name: (copy / name).read_bytes()
            for name in names
            if (copy / name).is_file()
            and (
                not (root / name).is_file()
                or (copy / name).read_bytes() != (root / name).read_bytes()
            )
        }


def _propose(
    root: Path,
    result: DriftResult,
    deployment: Deployment,
    *,
    files: list[Path],
    extra: dict[Path, bytes],
    report_dir: Path,
    performance: LabelledPerformance | None,
    retraining: Retraining | None,
    prefix: str,
    branch: str,
    remote: str,
    env: Mapping[str, str],
) -> DriftProposal:
    from mlops_gitops.drift_pr.body import render_body, render_title
    from mlops_gitops.gitops.git import open_repo
    from mlops_gitops.gitops.pull_request import FileLinks, propose_change

    top = Path(str(open_repo(root).working_tree_dir)).resolve()

    def in_repo(path: Path) -> str:
        return path.resolve().relative_to(top).as_posix()

    contents = {in_repo(p): p.read_bytes() for p in files}
    contents.update({in_repo(p): content for p, content in extra.items()})
    title = render_title(result)
    plots = sorted(
        (p for p in files if p.suffix == ".png" and p.parent == report_dir),
        key=lambda p: p.name,
    )

    def body_at(links: FileLinks | None) -> str:
        return render_body(
            result,
            report_dir=report_dir.relative_to(root).as_posix(),
            performance=performance,
            retrain=deployment.monitoring.retrain,
            retraining=retraining,
            images=[(p.stem, links.url(in_repo(p)) if links else None) for p in plots],
            page_url=(lambda path: links.page(in_repo(root / path))) if links else None,
        )

    proposed_body: dict[str, str] = {}

    def body_for_commit(links: FileLinks) -> str:
        proposed_body["text"] = body_at(links)
        return proposed_body["text"]

    proposal = propose_change(
        top,
        branch_prefix=prefix,
        branch=branch,
        files=contents,
        message=f"Drift report for {deployment.name}, window ending {result.window_end}",
        title=title,
        body=body_for_commit,
        labels=LABELS,
        remote=remote,
        env=env,
    )
    return DriftProposal(
        result,
        proposal=proposal,
        report_files=tuple(sorted(contents)),
        performance=performance,
        retraining=retraining,
        title=title,
        body=proposed_body.get("text") or body_at(None),
    )
