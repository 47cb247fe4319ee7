"""Round-trip YAML for files a person also edits (dvc.yaml, params.yaml): comments survive.

Used by the reconciler, the pipeline stages, the registry and the drift pull request alike, so
its errors (:class:`YamlFileError`) name the file and the fix, not the command that called it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from mlops_gitops.errors import MlopsError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.io.yaml_loader import safe_loader

__all__ = [
    "YamlFileError",
    "dump_roundtrip",
    "load_fast",
    "load_roundtrip",
    "roundtrip_yaml",
    "to_roundtrip",
    "write_roundtrip",
]


class YamlFileError(MlopsError):
    """A YAML file a person also edits is not valid YAML, or not a mapping at the top level."""


def _not_yaml(path: Path, error: Exception) -> YamlFileError:
    return YamlFileError(
        f"{path.name} is not valid YAML: {error}",
        f"fix {path.name} by hand (or restore it from git), then run the command again",
    )


def _not_mapping(path: Path) -> YamlFileError:
    return YamlFileError(f"{path.name} must hold a mapping at the top level", f"fix {path.name}")


def roundtrip_yaml() -> Any:
    """The one ruamel configuration for files people also edit (keeps comments and quotes)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_roundtrip(path: Path) -> Any:
    """The file's mapping (empty when the file is absent), keeping comments and order."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    if not path.exists():
        return CommentedMap()
    try:
        data = roundtrip_yaml().load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        raise _not_yaml(path, error) from error
    if data is None:
        return CommentedMap()
    if not isinstance(data, dict):
        raise _not_mapping(path)
    return data


def load_fast(path: Path) -> dict[str, Any]:
    """The file as plain data, parsed with libyaml (no comments; numbers as DVC reads them);
    empty when absent."""
    import yaml

    if not path.exists():
        return {}
    loader = safe_loader()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError as error:
        raise _not_yaml(path, error) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _not_mapping(path)
    return data


def to_roundtrip(value: Any) -> Any:
    """Plain data -> ruamel containers, so new entries dump in block style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = to_roundtrip(item)
        return out
    if isinstance(value, list | tuple):
        return CommentedSeq([to_roundtrip(v) for v in value])
    return value


def dump_roundtrip(data: Any) -> str:
    buffer = io.StringIO()
    roundtrip_yaml().dump(data, buffer)
    return buffer.getvalue()


def write_roundtrip(path: Path, data: Any) -> None:
    atomic_write_text(path, dump_roundtrip(data))
