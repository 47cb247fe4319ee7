"""Live resources: what serves each Deployment, as its runtime reports it (Argo CD's view).

Planning asks each runtime for the status of each deployment (a read: process table, Docker API,
rendered manifests) and turns OutOfSync or unhealthy into a ``deploy`` action, a deployment in the
inventory whose spec is gone into ``undeploy``, and a deployment whose model is not trained yet
into a ``waiting`` note that is not a change. Apply runs the runtimes' idempotent deploy/undeploy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlops_gitops.errors import MlopsError
from mlops_gitops.reconcile.state import STATE_FILE
from mlops_gitops.specs.models import Deployment, Metadata, ModelRef, Source, SpecSet

__all__ = ["LiveAction", "apply_live", "plan_live"]

LiveVerb = Literal["deploy", "undeploy", "unchanged", "waiting", "failed"]


@dataclass(frozen=True)
class LiveAction:
    verb: LiveVerb
    name: str
    runtime: str
    reason: str
    sync: str = ""
    health: str = ""

    @property
    def id(self) -> str:
        return f"deployment/{self.name}"

    @property
    def is_change(self) -> bool:
        return self.verb in ("deploy", "undeploy")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.verb,
            "resource": self.id,
            "type": "deployment",
            "spec": f"Deployment/{self.name}",
            "runtime": self.runtime,
            "reason": self.reason,
            "sync": self.sync,
            "health": self.health,
            "drifted": False,
        }


ModelProblem = tuple[Literal["checkout", "waiting"], str]


def _model_problem(root: Path, deployment: Deployment) -> ModelProblem | None:
    """None when the model the deployment serves is in place; ``("checkout", why)`` when apply will
    check a registered version out; ``("waiting", why)`` when it cannot be deployed yet (not
    trained). Reads only: planning never checks a model out."""
    from mlops_gitops.registry.model_dir import ModelNotCheckedOut, resolve_model_dir

    try:
        resolve_model_dir(root, deployment, checkout=False)
    except ModelNotCheckedOut as error:
        return "checkout", error.message
    except MlopsError as error:
        return "waiting", error.message
    return None


def _planned(root: Path, deployment: Deployment) -> LiveAction:
    """What to do for one deployment; a broken model (or runtime) fails this one alone."""
    try:
        return _planned_or_raise(root, deployment)
    except MlopsError as error:
        return LiveAction("failed", deployment.name, deployment.runtime, error.message)


def _planned_or_raise(root: Path, deployment: Deployment) -> LiveAction:
    from mlops_gitops.ml.artifact import read_model_info
    from mlops_gitops.registry.model_dir import resolve_model_dir
    from mlops_gitops.runtimes.lookup import get_runtime

    runtime_name = deployment.runtime
    problem = _model_problem(root, deployment)
    if problem is not None and problem[0] == "waiting":
        return LiveAction("waiting", deployment.name, runtime_name, problem[1])
    if problem is None:  # a corrupt model.json fails here; a version to check out is not read
        read_model_info(resolve_model_dir(root, deployment, checkout=False))
    status = get_runtime(runtime_name, root).status(deployment)
    detail = f" ({status.detail})" if status.detail else ""
    if problem is not None:
        verb_reason = f"check out and deploy {deployment.name}: {problem[1]}"
    elif status.health == "Missing":
        what = "build the image and start" if runtime_name == "docker" else "start"
        if runtime_name == "kubernetes":
            what = "render manifests for"
        verb_reason = f"{what} {deployment.name}: not deployed{detail}"
    elif status.sync == "OutOfSync":
        verb_reason = f"redeploy {deployment.name}: model or spec changed{detail}"
    elif status.health in ("Degraded",):
        verb_reason = f"redeploy {deployment.name}: {status.health}{detail}"
    else:
        return LiveAction(
            "unchanged", deployment.name, runtime_name, "in sync", status.sync, status.health
        )
    return LiveAction(
        "deploy", deployment.name, runtime_name, verb_reason, status.sync, status.health
    )


def plan_live(
    root: Path, specs: SpecSet, inventory: Mapping[str, Mapping[str, str]]
) -> list[LiveAction]:
    actions = [_planned(root, d) for d in specs.deployments.values()]
    for rid, entry in sorted(inventory.items()):
        kind, _, name = rid.partition("/")
        if kind == "deployment" and name not in specs.deployments:
            runtime = entry.get("runtime", "local")
            actions.append(
                LiveAction("undeploy", name, runtime, f"undeploy {name}: its spec was removed")
            )
    return actions


def _stub(name: str, runtime: str) -> Deployment:
    """Enough of a removed deployment for its runtime to find and remove it."""
    return Deployment(
        metadata=Metadata(name),
        source=Source(STATE_FILE),
        model=ModelRef(experiment=name),
        runtime=runtime,  # type: ignore[arg-type]
    )


def apply_live(root: Path, specs: SpecSet, actions: list[LiveAction]) -> list[str]:
    """Run the deploy/undeploy actions; returns what was done, one line each."""
    from mlops_gitops.runtimes.lookup import get_runtime

    done = []
    for action in actions:
        if action.verb == "deploy":
            deployment = specs.deployment(action.name)
            result = get_runtime(action.runtime, root).deploy(deployment)
            where = f" at {result.url}" if result.url else ""
            done.append(f"deployed {action.name} ({action.runtime}){where}: {result.detail}")
        elif action.verb == "undeploy":
            get_runtime(action.runtime, root).undeploy(_stub(action.name, action.runtime))
            done.append(f"undeployed {action.name} ({action.runtime})")
    return done
