"""Schema-valid spec documents -> typed, frozen spec objects.

Runs only on documents that passed their JSON Schema, so it trusts shapes and types; defaults
live in the dataclasses of :mod:`mlops_gitops.specs.models`, and the key of each field follows
from the dataclass (:mod:`mlops_gitops.specs.shape`), so nothing here lists fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlops_gitops.specs.models import (
    Dataset,
    Deployment,
    Experiment,
    Metadata,
    Problem,
    Source,
    Spec,
)
from mlops_gitops.specs.shape import from_doc

__all__ = ["KIND_CLASSES", "build_spec"]

KIND_CLASSES: Mapping[str, type[Spec]] = {
    "Problem": Problem,
    "Dataset": Dataset,
    "Experiment": Experiment,
    "Deployment": Deployment,
}


def build_spec(kind: str, data: Mapping[str, Any], source: Source) -> Spec:
    metadata = from_doc(Metadata, data["metadata"])
    return from_doc(KIND_CLASSES[kind], data["spec"], metadata=metadata, source=source)
