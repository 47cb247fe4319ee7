"""The GTO annotation of a model in ``artifacts.yaml``: its type (``model``) and file path.

GTO reads ``artifacts.yaml`` at a version's commit to tell what the artifact is and where it
lives. The file is edited round-trip (ruamel.yaml), so a person's comments and other entries stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_gitops.errors import RegistryError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.io.yamlfile import dump_roundtrip, roundtrip_yaml
from mlops_gitops.layout import RELATIVE

__all__ = [
    "ANNOTATIONS_FILE",
    "MODEL_TYPE",
    "annotate_model",
    "annotation_of",
    "is_annotated",
    "model_path",
]

ANNOTATIONS_FILE = RELATIVE.posix(RELATIVE.annotations_file())
MODEL_TYPE = "model"


def model_path(name: str) -> str:
    return RELATIVE.posix(RELATIVE.model_file(name))


def _expected(name: str) -> dict[str, str]:
    return {"type": MODEL_TYPE, "path": model_path(name)}


def _load(text: str, where: str) -> Any:
    from ruamel.yaml.error import YAMLError

    try:
        data = roundtrip_yaml().load(text)
    except YAMLError as error:
        raise RegistryError(
            f"{where} is not valid YAML: {error}", f"fix {ANNOTATIONS_FILE} or remove it"
        ) from error
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise RegistryError(
            f"{where} must map artifact names to annotations, found a {type(data).__name__}",
            f"fix {ANNOTATIONS_FILE} (see `gto annotate --help`)",
        )
    return data


def annotation_of(text: str | None, name: str, *, where: str = ANNOTATIONS_FILE) -> dict[str, Any]:
    """The annotation of ``name`` in the given ``artifacts.yaml`` text ({} when absent)."""
    if not text:
        return {}
    data = _load(text, where)
    entry = (data or {}).get(name)
    return dict(entry) if isinstance(entry, Mapping) else {}


def is_annotated(text: str | None, name: str) -> bool:
    entry = annotation_of(text, name)
    return all(entry.get(k) == v for k, v in _expected(name).items())


def annotate_model(root: Path, name: str) -> bool:
    """Annotate ``name`` as a model at ``models/<name>/model.skops``; True if the file changed."""
    from ruamel.yaml.comments import CommentedMap

    path = root / ANNOTATIONS_FILE
    text = path.read_text() if path.is_file() else ""
    if is_annotated(text, name):
        return False
    data = _load(text, str(path)) if text else None
    if data is None:
        data = CommentedMap()
    entry = data.get(name)
    if not isinstance(entry, Mapping):
        entry = CommentedMap()
        data[name] = entry
    for key, value in _expected(name).items():
        entry[key] = value
    atomic_write_text(path, dump_roundtrip(data))
    return True
