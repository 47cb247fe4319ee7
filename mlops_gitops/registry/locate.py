"""Find the model folder a deployment or experiment name refers to."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.errors import MlopsError, UnknownSpec
from mlops_gitops.layout import ProjectLayout

__all__ = ["model_dir_for"]


def model_dir_for(root: Path, name: str) -> Path:
    """``models/<experiment>/`` for an experiment, or the folder a deployment serves."""
    from mlops_gitops.registry.model_dir import resolve_model_dir
    from mlops_gitops.specs import load_specs

    specs = load_specs(root)
    if name in specs.deployments:
        return resolve_model_dir(root, specs.deployments[name])
    if name in specs.experiments:
        layout = ProjectLayout(root)
        directory = layout.model_dir(name)
        if not layout.model_info(name).is_file():
            raise MlopsError(
                f"experiment {name!r} has no trained model in {layout.posix(directory)}/",
                "train it first: `dvc repro`",
            )
        return directory
    raise UnknownSpec(
        "Deployment or Experiment",
        name,
        [*specs.deployments, *specs.experiments],
        "give a name from `mlops get`, or --model-dir",
    )
