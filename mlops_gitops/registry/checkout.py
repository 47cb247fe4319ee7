"""Materialise the model files of a registered version into a folder (from git or DVC)."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from mlops_gitops.errors import RegistryError
from mlops_gitops.fsutil import atomic_write_bytes
from mlops_gitops.ml.artifact import MODEL_FILE, MODEL_INFO_FILE, file_sha256
from mlops_gitops.registry.gitrepo import open_repo
from mlops_gitops.registry.model_types import CheckedOutModel
from mlops_gitops.registry.queries import find_model
from mlops_gitops.registry.revision import RevisionFiles
from mlops_gitops.registry.versions import normalise_version
from mlops_gitops.registry.workspace import model_folder

__all__ = ["checkout_model"]


def checkout_model(root: Path, name: str, version: str, dest: Path) -> CheckedOutModel:
    """Write every file of ``models/<name>/`` at ``version``'s commit into ``dest``.

    The model file's sha256 is checked against ``model.json`` when both are there, so a
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
    written: list[str] = []
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
            if data is None:  # pragma: no cover - listed a moment ago
                continue
            relative = PurePosixPath(path).relative_to(folder)
            atomic_write_bytes(dest.joinpath(*relative.parts), data)
            written.append(relative.as_posix())
    _verify(dest, name, wanted)
    return CheckedOutModel(name, wanted, registered.commit, str(dest), tuple(written))


def _verify(dest: Path, name: str, version: str) -> None:
    info = dest / MODEL_INFO_FILE
    if not info.is_file():
        return
    recorded = json.loads(info.read_text()).get("sha256")
    if not recorded:
        return
    actual = file_sha256(dest / MODEL_FILE)
    if actual != recorded:
        raise RegistryError(
            f"{MODEL_FILE} of {name} {version} has sha256 {actual[:12]}..., but its "
            f"{MODEL_INFO_FILE} records {recorded[:12]}...: the registered files disagree",
            "retrain and register a new version",
        )
