"""The registry's result records: plain frozen dataclasses with a ``to_dict`` for JSON output."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "CheckedOutModel",
    "ModelDetail",
    "ModelSummary",
    "ModelVersion",
    "Promotion",
    "StageRef",
    "VersionInfo",
]


def _as_dict(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = asdict(record)
    return data


@dataclass(frozen=True)
class ModelVersion:
    """A registered version. ``created`` is False when the commit was registered already."""

    name: str
    version: str
    commit: str
    tag: str
    created: bool = True
    annotation_commit: str | None = None
    """The commit that added the model to ``artifacts.yaml``, when registering made one."""

    def describe(self) -> str:
        if self.created:
            return (
                f"registered {self.name} {self.version} at commit {self.commit[:12]} "
                f"(tag {self.tag})"
            )
        return (
            f"{self.name} is already registered as {self.version} at commit {self.commit[:12]} "
            f"(tag {self.tag}); nothing to do"
        )

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class ModelSummary:
    name: str
    latest: str | None
    stages: Mapping[str, str] = field(default_factory=dict)
    """stage -> the version now in it."""

    def to_dict(self) -> dict[str, Any]:
        stages = dict(sorted(self.stages.items()))
        return {"name": self.name, "latest": self.latest, "stages": stages}


@dataclass(frozen=True)
class VersionInfo:
    version: str
    commit: str
    tag: str
    registered_at: str
    """ISO 8601 time of the registration tag."""
    author: str
    message: str
    stages: tuple[str, ...] = ()
    """Stages this version is in now."""
    metrics: Mapping[str, Any] = field(default_factory=dict)
    """Predictive and processing metrics as committed at ``commit`` (empty when absent)."""

    def to_dict(self) -> dict[str, Any]:
        return {**_as_dict(self), "stages": list(self.stages), "metrics": dict(self.metrics)}


@dataclass(frozen=True)
class ModelDetail:
    name: str
    path: str | None
    """The model file annotated in ``artifacts.yaml`` at HEAD."""
    versions: tuple[VersionInfo, ...]
    """Newest first."""
    stages: Mapping[str, str]
    current_metrics: Mapping[str, Any] | None
    """Metrics of the model in the working tree (``metrics/<name>.json`` + performance)."""
    compiled: Mapping[str, Any] | None = None
    """The working tree's ``model.json`` record of the compiled graph: which backend serves."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "versions": [v.to_dict() for v in self.versions],
            "stages": dict(sorted(self.stages.items())),
            "current_metrics": None if self.current_metrics is None else dict(self.current_metrics),
            "compiled": None if self.compiled is None else dict(self.compiled),
        }


@dataclass(frozen=True)
class StageRef:
    """The version a stage points at: what a deployment with ``stage: prod`` serves."""

    name: str
    stage: str
    version: str
    commit: str
    tag: str

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True)
class Promotion:
    name: str
    stage: str
    version: str
    commit: str
    tag: str | None
    """The stage-assignment tag made, or None when the version was already in the stage."""
    champion: str | None = None
    """The version that was in the stage before, if any."""
    checks: tuple[str, ...] = ()
    """Gates that passed, in words."""
    overridden: tuple[str, ...] = ()
    """Gate failures overridden with ``force`` (recorded in the tag message)."""

    @property
    def created(self) -> bool:
        return self.tag is not None

    @property
    def forced(self) -> bool:
        return bool(self.overridden)

    def describe(self) -> str:
        if not self.created:
            return f"{self.name} {self.version} is already in stage {self.stage}; nothing to do"
        text = f"promoted {self.name} {self.version} to {self.stage} (tag {self.tag})"
        if self.champion:
            text += f", replacing {self.champion}"
        if self.overridden:
            text += "\nforced past failed gates:\n" + "\n".join(f"  - {o}" for o in self.overridden)
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            **_as_dict(self),
            "checks": list(self.checks),
            "overridden": list(self.overridden),
            "forced": self.forced,
        }


@dataclass(frozen=True)
class CheckedOutModel:
    name: str
    version: str
    commit: str
    directory: str
    files: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**_as_dict(self), "files": list(self.files)}
