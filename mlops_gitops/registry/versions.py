"""Semantic version arithmetic for model versions (``v<major>.<minor>.<patch>``)."""

from __future__ import annotations

import re
from typing import Literal

from mlops_gitops.errors import RegistryError

__all__ = ["BUMPS", "Bump", "next_version", "normalise_version"]

Bump = Literal["major", "minor", "patch"]
BUMPS: tuple[Bump, ...] = ("major", "minor", "patch")

_VERSION = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def normalise_version(value: str) -> str:
    """``1.2.0`` or ``v1.2.0`` -> ``v1.2.0``; anything else is refused."""
    match = _VERSION.match(value.strip())
    if not match:
        raise RegistryError(
            f"'{value}' is not a model version: expected v<major>.<minor>.<patch>, e.g. v1.2.0",
            "list the versions with `mlops models show <name>`",
        )
    return "v{}.{}.{}".format(*match.groups())


def next_version(latest: str | None, bump: str) -> str:
    """The version after ``latest``; the first is v1.0.0, v0.1.0 or v0.0.1 by ``bump``."""
    if bump not in BUMPS:
        raise RegistryError(
            f"The 'bump' parameter must be one of {', '.join(BUMPS)}. Got '{bump}' instead.",
            "use --bump major, --bump minor or --bump patch",
        )
    major, minor, patch = (
        (0, 0, 0) if latest is None else (int(p) for p in normalise_version(latest)[1:].split("."))
    )
    if bump == "major":
        return f"v{major + 1}.0.0"
    if bump == "minor":
        return f"v{major}.{minor + 1}.0"
    return f"v{major}.{minor}.{patch + 1}"
