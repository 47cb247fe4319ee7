"""The registry as GTO sees it (git tags), turned into plain records once.

GTO answers "which version is in stage X" by semantic version by default, so rolling back
(assigning ``prod`` to an older version) would not take effect. Here the newest assignment wins:
GTO numbers a model's stage tags (``<model>#<stage>#<n>``), and the highest ``n`` is the latest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops_gitops.errors import RegistryError

__all__ = ["ModelState", "RegisteredVersion", "StageAssignment", "read_registry", "valid_name"]


@dataclass(frozen=True)
class RegisteredVersion:
    version: str
    commit: str
    tag: str
    registered_at: datetime
    author: str
    message: str


@dataclass(frozen=True)
class StageAssignment:
    stage: str
    version: str
    commit: str
    tag: str
    counter: int


@dataclass(frozen=True)
class ModelState:
    name: str
    versions: tuple[RegisteredVersion, ...]
    """Registered, not deregistered; highest semantic version first."""
    stages: Mapping[str, StageAssignment] = field(default_factory=dict)
    """stage -> the assignment in force."""

    @property
    def latest(self) -> RegisteredVersion | None:
        return self.versions[0] if self.versions else None

    def version(self, version: str) -> RegisteredVersion | None:
        return next((v for v in self.versions if v.version == version), None)

    def at_commit(self, commit: str) -> RegisteredVersion | None:
        return next((v for v in self.versions if v.commit == commit), None)

    def stages_of(self, version: str) -> tuple[str, ...]:
        return tuple(sorted(s for s, a in self.stages.items() if a.version == version))


def valid_name(value: str) -> bool:
    """GTO's rule for model and stage names: letters, digits, ``-_/``, starting and ending alnum."""
    from gto.constants import check_string_is_valid

    return bool(check_string_is_valid(value))  # type: ignore[no-untyped-call]  # GTO is untyped


def _counter(tag: str) -> int:
    from gto.tag import parse_name

    parsed: dict[str, Any] = parse_name(tag, raise_on_fail=False) or {}
    return int(parsed.get("counter", 0))


def _model_state(artifact: Any) -> ModelState:
    versions: list[RegisteredVersion] = []
    current: dict[str, StageAssignment] = {}
    for v in artifact.get_versions():  # registered, active, highest semver first
        registration = v.registrations[0]
        versions.append(
            RegisteredVersion(
                version=v.version,
                commit=v.commit_hexsha,
                tag=registration.tag,
                registered_at=registration.created_at,
                author=registration.author,
                message=registration.message.strip(),
            )
        )
        for vstage in v.get_vstages(active_only=True):
            latest = max(vstage.assignments, key=lambda a: (_counter(a.tag), a.created_at))
            candidate = StageAssignment(
                stage=vstage.stage,
                version=v.version,
                commit=v.commit_hexsha,
                tag=latest.tag,
                counter=_counter(latest.tag),
            )
            held = current.get(vstage.stage)
            if held is None or candidate.counter > held.counter:
                current[vstage.stage] = candidate
    return ModelState(name=artifact.artifact, versions=tuple(versions), stages=current)


def read_registry(root: Path) -> dict[str, ModelState]:
    """Every model with at least one registered version, by name."""
    from gto.exceptions import GTOException
    from gto.registry import GitRegistry

    try:
        with GitRegistry.from_url(str(root)) as registry:
            state = registry.get_state()
    except GTOException as error:
        raise RegistryError(
            f"GTO cannot read the registry in {root}: {error}",
            "check the git tags (`git tag -l '*@v*'`) and artifacts.yaml",
        ) from error
    models = {name: _model_state(a) for name, a in state.get_artifacts().items()}
    return {name: m for name, m in sorted(models.items()) if m.versions}
