"""Materialise the model files of a registered version into a folder (from git or DVC)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from mlops_gitops.errors import RegistryError
from mlops_gitops.fsutil import atomic_write_bytes
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE
from mlops_gitops.ml.registered import write_registered
from mlops_gitops.registry.gitrepo import open_repo
from mlops_gitops.registry.model_types import CheckedOutModel
from mlops_gitops.registry.queries import find_model
from mlops_gitops.registry.revision import RevisionFiles
from mlops_gitops.registry.versions import normalise_version
from mlops_gitops.registry.workspace import model_folder

__all__ = ["checkout_model"]


def checkout_model(root: Path, name: str, version: str, dest: Path) -> CheckedOutModel:
    """Write every file of ``models/<name>/`` at ``version``'s commit into ``dest``.

    The model file's sha256 is checked against ``model.json`` before anything is written, so a
    deployment never serves bytes other than the ones registered.
    """
    repo = open_repo(root)
    root = Path(str(repo.working_tree_dir))
    wanted = normalise_version(version)
    model = find_model(root, name)
    registered = model.version(wanted)
    if registered is None:
        known = ", ".join(v.version for v in model.versions)
        raise RegistryError(
            f"model '{name}' has no version {wanted} (registered: {known})",
            f"pick one listed by `mlops models show {name}`",
        )
    folder = model_folder(name)
    contents: dict[str, bytes] = {}
    with RevisionFiles(repo, registered.commit) as files:
        paths = files.files(folder)
        if f"{folder}/{MODEL_FILE}" not in paths:
            raise RegistryError(
                f"{folder}/{MODEL_FILE} is not in commit {registered.commit[:12]} "
                f"({name} {wanted}), in git or in DVC",
                "register versions only from commits that hold the model",
            )
        for path in paths:
            data = files.read(path)
            if data is not None:
                contents[PurePosixPath(path).relative_to(folder).as_posix()] = data
    _verify(contents, name, wanted)
    for relative, data in contents.items():
        atomic_write_bytes(dest.joinpath(*relative.split("/")), data)
    write_registered(dest, name=name, version=wanted, commit=registered.commit)
    return CheckedOutModel(name, wanted, registered.commit, str(dest), tuple(sorted(contents)))


def _verify(contents: dict[str, bytes], name: str, version: str) -> None:
    """Nothing is written unless ``model.skops`` has the sha256 ``model.json`` records."""
    info = contents.get(MODEL_INFO_FILE)
    if info is None:
        return
    try:
        recorded = json.loads(info).get("sha256")
    except (ValueError, AttributeError):
        recorded = None
    if not recorded:
        return
    actual = hashlib.sha256(contents[MODEL_FILE]).hexdigest()
    if actual != recorded:
        raise RegistryError(
            f"{MODEL_FILE} of {name} {version} has sha256 {actual[:12]}..., but its "
            f"{MODEL_INFO_FILE} records {recorded[:12]}...: the registered files disagree",
            "retrain and register a new version",
        )
