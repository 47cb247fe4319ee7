"""Runtimes by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.runtimes.base import Runtime

__all__ = ["RUNTIMES", "get_runtime"]

RUNTIMES = ("local", "docker", "kubernetes")


def get_runtime(name: str, project_root: Path, **options: Any) -> Runtime:
    """The runtime called ``name`` for the project at ``project_root``; ``options`` go to its
    constructor (``base_image``, ``wheel_cache``, ``ready_timeout`` where it takes them)."""
    if name == "local":
        from mlops_gitops.runtimes.local import LocalRuntime

        return LocalRuntime(project_root, **options)
    if name == "docker":
        from mlops_gitops.runtimes.docker import DockerRuntime

        return DockerRuntime(project_root, **options)
    if name == "kubernetes":
        from mlops_gitops.runtimes.kubernetes import KubernetesRuntime

        return KubernetesRuntime(project_root, **options)
    raise RuntimeBackendError(
        f"The 'runtime' of a deployment must be one of {', '.join(RUNTIMES)}. Got {name!r} "
        "instead.",
        "set runtime: local, docker or kubernetes in the Deployment spec",
    )
