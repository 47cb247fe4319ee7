"""A managed resource: one DVC stage, one block of params.yaml or one rendered spec file, with
a content digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Resource", "ResourceType", "digest", "plain"]

ResourceType = Literal["stage", "params", "file"]


def plain(value: Any) -> Any:
    """Round-trip YAML types (ruamel) -> plain dicts, lists and scalars."""
    return json.loads(json.dumps(value, default=str))


def digest(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Resource:
    type: ResourceType
    name: str
    """Stage name, the dotted params key (``mlops.experiment.<name>``), or the file's path
    (``.mlops/specs/<kind>-<name>.json``)."""
    body: Any
    spec: str = ""
    """``Kind/name`` of the spec that asked for it (empty for shared resources)."""
    known_digest: str | None = None
    """Set when the body was not read (the file is exactly what the inventory recorded)."""

    @property
    def id(self) -> str:
        return f"{self.type}/{self.name}"

    @property
    def digest(self) -> str:
        if self.known_digest is not None:
            return self.known_digest
        return digest(self.body)

    def as_inventory(self) -> Mapping[str, str]:
        return {"digest": self.digest, "spec": self.spec}
