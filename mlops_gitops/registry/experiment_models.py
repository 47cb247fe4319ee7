"""Registry verbs named by an Experiment spec: the name is checked against the specs, and
promotion takes its gates (success criteria, primary metric, champion tolerance) from them."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.errors import UnknownSpec
from mlops_gitops.registry.model_types import ModelVersion, Promotion
from mlops_gitops.registry.promote import promote
from mlops_gitops.registry.register import register_model
from mlops_gitops.specs.models import Experiment, SpecSet

__all__ = ["promote_experiment", "register_experiment"]

NAME_HINT = "a model is named after its experiment: check the name with `mlops get`"


def register_experiment(
    root: Path, name: str, *, bump: str = "minor", message: str | None = None
) -> ModelVersion:
    """:func:`register_model` for the model of the Experiment spec ``name``."""
    _experiment(root, name)
    return register_model(root, name, bump=bump, message=message)


def promote_experiment(
    root: Path,
    name: str,
    *,
    stage: str,
    version: str | None = None,
    tolerance: float | None = None,
    force: bool = False,
    message: str | None = None,
) -> Promotion:
    """:func:`promote` the model of the Experiment spec ``name``, gated by its problem's success
    criteria and primary metric; ``tolerance`` defaults to the spec's ``championTolerance``."""
    specs, experiment = _experiment(root, name)
    problem = specs.problem_of(experiment)
    return promote(
        root,
        name,
        stage=stage,
        criteria=problem.success_criteria,
        metric=problem.metric,
        version=version,
        tolerance=tolerance if tolerance is not None else experiment.champion_tolerance,
        force=force,
        message=message,
    )


def _experiment(root: Path, name: str) -> tuple[SpecSet, Experiment]:
    from mlops_gitops.specs import load_specs

    specs = load_specs(root)
    try:
        return specs, specs.experiment(name)
    except UnknownSpec as error:
        raise UnknownSpec(error.kind, error.name, error.known, NAME_HINT) from None
