"""The inventory in ``.mlops/state.json``: what apply wrote, and which revision it came from.

Like Flux, the last attempted and the last applied revision are kept apart: an apply that fails
half-way records the attempt without claiming success.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mlops_gitops.errors import ApplyError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.layout import RELATIVE

__all__ = ["STATE_FILE", "State", "read_state", "write_state"]

STATE_FILE = RELATIVE.posix(RELATIVE.state_file())


@dataclass(frozen=True)
class State:
    resources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    last_attempted_revision: str | None = None
    last_applied_revision: str | None = None
    last_applied_at: str | None = None
    last_error: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    """sha256 of dvc.yaml and params.yaml as apply left them: while a file still has that hash,
    plan knows its managed content without parsing it."""
    unmanaged_stages: tuple[str, ...] = ()

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "version": 1,
                    "lastAttemptedRevision": self.last_attempted_revision,
                    "lastAppliedRevision": self.last_applied_revision,
                    "lastAppliedAt": self.last_applied_at,
                    "lastError": self.last_error,
                    "resources": {k: dict(v) for k, v in sorted(self.resources.items())},
                    "files": dict(sorted(self.files.items())),
                    "unmanagedStages": list(self.unmanaged_stages),
                },
                indent=2,
                sort_keys=True,
            )
            + "\n"
        )

    def attempted(self, revision: str | None) -> State:
        return replace(self, last_attempted_revision=revision)


def read_state(root: Path) -> State:
    path = root / STATE_FILE
    if not path.exists():
        return State()
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return State(
            resources=data.get("resources", {}),
            last_attempted_revision=data.get("lastAttemptedRevision"),
            last_applied_revision=data.get("lastAppliedRevision"),
            last_applied_at=data.get("lastAppliedAt"),
            last_error=data.get("lastError"),
            files=data.get("files", {}),
            unmanaged_stages=tuple(data.get("unmanagedStages", ())),
        )
    except (ValueError, AttributeError) as error:
        raise ApplyError(
            f"{STATE_FILE} is not valid: {error}",
            "restore it from git, or delete it and run `mlops apply` to rebuild the inventory",
        ) from error


def write_state(root: Path, state: State) -> None:
    atomic_write_text(root / STATE_FILE, state.to_json())
