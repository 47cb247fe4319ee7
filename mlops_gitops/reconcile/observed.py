"""Observed state: what dvc.yaml, params.yaml and the inventory hold now. Reads only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.reconcile.resources import Resource, plain
from mlops_gitops.reconcile.state import State, read_state
from mlops_gitops.reconcile.yamlfile import load_roundtrip
from mlops_gitops.render.dvc import MANAGED_BY, PARAMS_ROOT

__all__ = ["DVC_FILE", "PARAMS_FILE", "ObservedState", "observe"]

DVC_FILE = "dvc.yaml"
PARAMS_FILE = "params.yaml"


@dataclass(frozen=True)
class ObservedState:
    managed: Mapping[str, Resource]
    """Resources that are ours (marked, or in the inventory), by id."""
    unmanaged_stages: tuple[str, ...]
    state: State


def _is_marked(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("meta") or {}).get("managed-by") == MANAGED_BY


def observe(root: Path) -> ObservedState:
    state = read_state(root)
    inventory = set(state.resources)
    managed: dict[str, Resource] = {}
    unmanaged: list[str] = []
    stages = load_roundtrip(root / DVC_FILE).get("stages") or {}
    for name, body in stages.items():
        resource = Resource("stage", str(name), plain(body))
        if _is_marked(body) or resource.id in inventory:
            managed[resource.id] = resource
        else:
            unmanaged.append(str(name))
    block = load_roundtrip(root / PARAMS_FILE).get(PARAMS_ROOT)
    if isinstance(block, dict):
        if "version" in block:
            version = Resource("params", f"{PARAMS_ROOT}.version", plain(block["version"]))
            managed[version.id] = version
        for group in ("dataset", "problem", "experiment"):
            for name, body in (block.get(group) or {}).items():
                resource = Resource("params", f"{PARAMS_ROOT}.{group}.{name}", plain(body))
                managed[resource.id] = resource
    return ObservedState(managed, tuple(unmanaged), state)
