"""Which model folder a deployment serves."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE
from mlops_gitops.specs.models import Deployment

__all__ = ["resolve_model_dir"]


def resolve_model_dir(root: Path, deployment: Deployment) -> Path:
    """``models/<experiment>/`` for ``model.experiment`` (or ``model.registered``).

    The registry's version and stage resolution (``model.version`` / ``model.stage``) plugs in
    here: it will map a registered name and version/stage to the folder of that version.
    """
    ref = deployment.model
    experiment = ref.experiment or ref.registered
    if not experiment:
        raise RuntimeBackendError(
            f"deployment {deployment.name!r} names no model (model.experiment or model.registered)",
            f"set model.experiment in {deployment.source.file}",
        )
    directory = root / "models" / experiment
    missing = [n for n in (MODEL_FILE, MODEL_INFO_FILE) if not (directory / n).is_file()]
    if missing:
        raise RuntimeBackendError(
            f"deployment {deployment.name!r} serves {directory.relative_to(root)}/, which has no "
            f"{' or '.join(missing)}",
            "train the model first: `dvc repro`",
        )
    return directory
