"""The interface every runtime (local, docker, kubernetes) implements, and its result types.

A runtime turns one :class:`~mlops_gitops.specs.models.Deployment` into something serving it and
reports on it, in the vocabulary of Argo CD: ``sync`` says whether what runs matches what git
asks for, ``health`` says whether it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from mlops_gitops.specs.models import Deployment

__all__ = ["DeployResult", "Health", "Runtime", "RuntimeStatus", "Sync"]

Sync = Literal["Synced", "OutOfSync", "Unknown"]
Health = Literal["Healthy", "Progressing", "Degraded", "Missing", "Unknown"]
"""Argo CD's words; Unknown: the status could not be read (a corrupt model, say)."""


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did. ``changed`` is False when the deployment was already up to date."""

    name: str
    runtime: str
    url: str
    changed: bool
    detail: str = ""


@dataclass(frozen=True)
class RuntimeStatus:
    name: str
    runtime: str
    url: str
    sync: Sync
    health: Health
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "runtime": self.runtime,
            "url": self.url,
            "sync": self.sync,
            "health": self.health,
            "detail": self.detail,
        }


class Runtime(Protocol):
    """One way of running a deployment. Every method is idempotent."""

    name: str

    def deploy(self, deployment: Deployment) -> DeployResult:
        """Make what runs match ``deployment``; a no-op (``changed=False``) when it already does."""
        ...

    def status(self, deployment: Deployment) -> RuntimeStatus:
        """Sync and health of ``deployment``; never raises for a deployment that is not there."""
        ...

    def logs(self, deployment: Deployment, tail: int = 100) -> str:
        """The last ``tail`` lines the deployment's server(s) wrote."""
        ...

    def undeploy(self, deployment: Deployment) -> bool:
        """Stop and remove what serves ``deployment``; True when something was removed."""
        ...
