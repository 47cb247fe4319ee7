"""Which model folder a deployment serves.

``model.experiment``: the experiment's latest trained model, ``models/<experiment>/``.
``model.registered`` with a ``version`` or ``stage``: that registered version (GTO tags), checked
out of git/DVC into the local cache ``.mlops/models/<name>/<version>/`` (hash-checked), so a
deployment serves exactly the bytes that were registered and promoted. ``registered`` alone
serves the latest trained model like ``experiment``.

Only ``resolve_model_dir(..., checkout=True)`` (apply, deploy, build, serve) writes into the cache;
planning and status pass ``checkout=False`` and get :class:`ModelNotCheckedOut` for a registered
version that is not in the cache yet, so a plan on an untrusted pull request reads and never writes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mlops_gitops.errors import RuntimeBackendError
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE
from mlops_gitops.specs.models import Deployment

__all__ = ["CACHE_DIR", "ModelNotCheckedOut", "resolve_model_dir"]

CACHE_DIR = RELATIVE.posix(RELATIVE.models_cache())


class ModelNotCheckedOut(RuntimeBackendError):
    """A registered version the deployment serves is not in the local cache yet; only a command
    that may write (apply, deploy, build, serve) checks it out."""

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version
        super().__init__(
            f"model {name}@{version} is not checked out yet",
            "`mlops apply` (or `mlops deploy`) checks it out into " + CACHE_DIR,
        )


def _registered_dir(root: Path, deployment: Deployment, *, checkout: bool) -> Path:
    from mlops_gitops.registry import checkout_model, resolve_stage

    ref = deployment.model
    name = ref.registered or ""
    version = ref.version or resolve_stage(root, name, ref.stage or "").version
    directory = ProjectLayout(root).models_checkout(name, version)
    if not (directory / MODEL_INFO_FILE).is_file():
        if not checkout:
            raise ModelNotCheckedOut(name, version)
        # check out beside it, then rename the whole folder: a killed checkout or a concurrent
        # deploy never leaves a half-written version that looks complete
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=directory.parent))
        try:
            checkout_model(root, name, version, staging)
            try:
                staging.rename(directory)
            except OSError:  # another process finished first; its copy is as good
                if not (directory / MODEL_INFO_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return directory


def resolve_model_dir(root: Path, deployment: Deployment, *, checkout: bool = True) -> Path:
    """The folder holding ``model.skops`` and ``model.json`` that ``deployment`` serves.
    ``checkout=False``: read only; a registered version not in the cache raises
    :class:`ModelNotCheckedOut` instead of being checked out."""
    ref = deployment.model
    if ref.registered and (ref.version or ref.stage):
        return _registered_dir(root, deployment, checkout=checkout)
    experiment = ref.experiment or ref.registered
    if not experiment:
        raise RuntimeBackendError(
            f"deployment {deployment.name!r} names no model (model.experiment or model.registered)",
            f"set model.experiment in {deployment.source.file}",
        )
    directory = ProjectLayout(root).model_dir(experiment)
    missing = [n for n in (MODEL_FILE, MODEL_INFO_FILE) if not (directory / n).is_file()]
    if missing:
        raise RuntimeBackendError(
            f"deployment {deployment.name!r} serves {directory.relative_to(root)}/, which has no "
            f"{' or '.join(missing)}",
            "train the model first: `dvc repro`",
        )
    return directory
