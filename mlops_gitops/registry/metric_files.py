"""A model's metrics files, from the working tree or as committed at a version's commit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.errors import RegistryError
from mlops_gitops.layout import RELATIVE
from mlops_gitops.registry.revision import RevisionFiles

__all__ = ["MetricsSnapshot", "metrics_paths", "read_metrics_at", "read_metrics_worktree"]


def metrics_paths(name: str) -> tuple[str, str]:
    """``metrics/<name>.json`` (predictive) and ``metrics/<name>.performance.json`` (processing)."""
    return RELATIVE.posix(RELATIVE.metrics_file(name)), RELATIVE.posix(
        RELATIVE.performance_file(name)
    )


@dataclass(frozen=True)
class MetricsSnapshot:
    """The two metrics files of one model; either may be missing (None)."""

    predictive: Mapping[str, Any] | None
    performance: Mapping[str, Any] | None
    where: str
    """Where they were read, for messages: ``the working tree`` or ``v0.2.0 (commit abc123)``."""

    def value(self, metric: str) -> float | None:
        """A numeric metric from either file (booleans such as ``criteria_passed`` are not)."""
        for source in (self.predictive, self.performance):
            if source is None:
                continue
            value = source.get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    def merged(self) -> dict[str, Any]:
        return {**(self.performance or {}), **(self.predictive or {})}

    @property
    def empty(self) -> bool:
        return self.predictive is None and self.performance is None


def _parse(raw: bytes | None, path: str, where: str) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise RegistryError(
            f"{path} in {where} is not valid JSON: {error}",
            "re-run the stage that writes it (`dvc repro`) and commit the result",
        ) from error
    if not isinstance(data, dict):
        raise RegistryError(
            f"{path} in {where} holds a {type(data).__name__}, not an object of metrics",
            "re-run the stage that writes it (`dvc repro`) and commit the result",
        )
    return data


def read_metrics_at(
    files: RevisionFiles, name: str, *, label: str | None = None
) -> MetricsSnapshot:
    where = label or f"commit {files.rev[:12]}"
    predictive, performance = metrics_paths(name)
    return MetricsSnapshot(
        predictive=_parse(files.read(predictive), predictive, where),
        performance=_parse(files.read(performance), performance, where),
        where=where,
    )


def read_metrics_worktree(root: Path, name: str) -> MetricsSnapshot:
    where = "the working tree"
    predictive, performance = metrics_paths(name)

    def read(path: str) -> bytes | None:
        file = root / path
        return file.read_bytes() if file.is_file() else None

    return MetricsSnapshot(
        predictive=_parse(read(predictive), predictive, where),
        performance=_parse(read(performance), performance, where),
        where=where,
    )
