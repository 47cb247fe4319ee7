"""The ``kubernetes`` runtime: the GitOps pull model. ``deploy`` writes the manifests of
:mod:`mlops_gitops.render.kubernetes` to ``deploy/<deployment>/`` (atomically, stale managed
files pruned) for Argo CD or Flux to sync from git; ``status`` renders again and compares with
what is on disk. It never talks to a cluster: the cluster's health is Argo CD's or Flux's to
report. The image is the content-digest tag of the deployment's build context, which CI builds
and pushes with ``mlops build <deployment> --push``.
"""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.errors import MlopsError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.render.kubernetes import MANAGED_FILES, render_manifests
from mlops_gitops.render.operations import (
    OPERATIONS_DIR,
    OPERATIONS_FILES,
    Operations,
    render_operations,
)
from mlops_gitops.runtimes.base import DeployResult, RuntimeStatus
from mlops_gitops.runtimes.build import prepare_build
from mlops_gitops.specs.models import Deployment

__all__ = ["KubernetesRuntime"]


class KubernetesRuntime:
    name = "kubernetes"

    def __init__(
        self, project_root: Path, *, base_image: str | None = None, wheel_cache: Path | None = None
    ) -> None:
        self.root = project_root
        self.base_image = base_image
        self.wheel_cache = wheel_cache

    def folder(self, deployment: Deployment) -> Path:
        return ProjectLayout(self.root).deploy_manifests(deployment.name)

    def image(self, deployment: Deployment, *, download: bool = True) -> str:
        return prepare_build(
            self.root,
            deployment,
            base_image=self.base_image,
            wheel_cache=self.wheel_cache,
            download=download,
        ).image

    def _on_disk(self, deployment: Deployment) -> dict[str, str]:
        folder = self.folder(deployment)
        names = (*MANAGED_FILES, *OPERATIONS_FILES)
        return {n: (folder / n).read_text() for n in names if (folder / n).is_file()}

    def operations(self, deployment: Deployment) -> Operations:
        """The task and p99 latency limit of the Problem the deployment's model answers, when
        the specs say (an unreadable spec set leaves the defaults: the plan reports it)."""
        from mlops_gitops.specs import load_specs

        try:
            specs = load_specs(self.root)
        except MlopsError:
            return Operations()
        experiment = specs.experiments.get(
            deployment.model.experiment or deployment.model.registered or ""
        )
        problem = specs.problems.get(experiment.problem) if experiment else None
        if problem is None:
            return Operations()
        limits = [
            c.max
            for c in problem.success_criteria
            if c.metric == "p99_latency_ms" and c.max is not None
        ]
        return Operations(problem.task, min(limits) if limits else None, problem.name)

    def _wanted(self, deployment: Deployment, image: str) -> dict[str, str]:
        return {
            **render_manifests(deployment, image),
            **render_operations(deployment, self.operations(deployment)),
        }

    def deploy(self, deployment: Deployment) -> DeployResult:
        return self.write(deployment, self.image(deployment))

    def write(self, deployment: Deployment, image: str) -> DeployResult:
        """Write the manifests for ``image``; only files whose text changed are rewritten."""
        wanted = self._wanted(deployment, image)
        current = self._on_disk(deployment)
        folder = self.folder(deployment)
        changed = sorted(n for n, text in wanted.items() if current.get(n) != text)
        stale = sorted(n for n in current if n not in wanted)
        for name in changed:
            atomic_write_text(folder / name, wanted[name])
        for name in stale:
            (folder / name).unlink()
        detail = ", ".join([*(f"wrote {n}" for n in changed), *(f"removed {n}" for n in stale)])
        return DeployResult(
            deployment.name,
            self.name,
            "",
            bool(changed or stale),
            f"{image}: {detail or 'manifests up to date'}",
        )

    def _missing(self, deployment: Deployment) -> RuntimeStatus:
        relative = RELATIVE.posix(RELATIVE.deploy_manifests(deployment.name)) + "/"
        return RuntimeStatus(
            deployment.name, self.name, "", "OutOfSync", "Missing", f"no manifests in {relative}"
        )

    def status(self, deployment: Deployment) -> RuntimeStatus:
        if not self._on_disk(deployment):
            return self._missing(deployment)
        try:
            image = self.image(deployment, download=False)
        except MlopsError as error:
            return RuntimeStatus(
                deployment.name,
                self.name,
                "",
                "OutOfSync",
                "Progressing",
                f"cannot compute the image: {error.message}",
            )
        return self.compare(deployment, image)

    def compare(self, deployment: Deployment, image: str) -> RuntimeStatus:
        """Sync of the manifests on disk against those rendered for ``image``."""
        wanted = self._wanted(deployment, image)
        current = self._on_disk(deployment)
        if not current:
            return self._missing(deployment)
        relative = RELATIVE.posix(RELATIVE.deploy_manifests(deployment.name)) + "/"
        differ = sorted(n for n in {*wanted, *current} if wanted.get(n) != current.get(n))
        if differ:
            return RuntimeStatus(
                deployment.name,
                self.name,
                "",
                "OutOfSync",
                "Progressing",
                f"{relative}: {', '.join(differ)} differ from the spec; run "
                f"`mlops deploy {deployment.name}`",
            )
        return RuntimeStatus(
            deployment.name,
            self.name,
            "",
            "Synced",
            "Healthy",
            f"{relative} matches the spec ({image}); the cluster's state is "
            "Argo CD's or Flux's to report",
        )

    def logs(self, deployment: Deployment, tail: int = 100) -> str:
        return (
            f"the kubernetes runtime keeps no logs: run `kubectl logs "
            f"deployment/{deployment.name} --tail {tail}`"
        )

    def undeploy(self, deployment: Deployment) -> bool:
        current = self._on_disk(deployment)
        for name in current:
            (self.folder(deployment) / name).unlink()
        folder = self.folder(deployment)
        for directory in (folder / OPERATIONS_DIR, folder):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        return bool(current)
