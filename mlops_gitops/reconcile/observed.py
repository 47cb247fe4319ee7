"""Observed state: what dvc.yaml, params.yaml, the spec files and the inventory hold now. Reads
only.

Reading uses libyaml (fast, plain data); only apply, which must keep a person's comments, pays
for the round-trip parser.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_gitops.errors import ApplyError
from mlops_gitops.io.yamlfile import load_fast
from mlops_gitops.layout import RELATIVE
from mlops_gitops.reconcile.resources import Resource
from mlops_gitops.reconcile.state import State, read_state
from mlops_gitops.render.dvc import MANAGED_BY, PARAMS_ROOT, SPEC_DIR

__all__ = ["DVC_FILE", "PARAMS_FILE", "ObservedState", "observe"]

DVC_FILE = RELATIVE.posix(RELATIVE.dvc_file())
PARAMS_FILE = RELATIVE.posix(RELATIVE.params_file())


@dataclass(frozen=True)
class ObservedState:
    managed: Mapping[str, Resource]
    """Resources that are ours (marked, or in the inventory), by id."""
    unmanaged_stages: tuple[str, ...]
    state: State


def _is_marked(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("meta") or {}).get("managed-by") == MANAGED_BY


def file_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _recorded(state: State, kind: str) -> dict[str, Resource]:
    """The inventory's resources of one file, digests only (fast path)."""
    out = {}
    for rid, entry in state.resources.items():
        rtype, _, name = rid.partition("/")
        if rtype == kind:
            out[rid] = Resource(rtype, name, None, entry.get("spec", ""), entry["digest"])  # type: ignore[arg-type]
    return out


def _spec_files(root: Path) -> dict[str, Resource]:
    """Every file under ``.mlops/specs/`` (all are ours; small, so always read). A file that is
    not valid JSON is observed as its text: the plan shows it changed and apply restores it."""
    out = {}
    folder = root / SPEC_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        text = path.read_text(errors="replace")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        resource = Resource("file", f"{SPEC_DIR}/{path.name}", body)
        out[resource.id] = resource
    return out


def observe(root: Path, *, read_bodies: bool = False) -> ObservedState:
    """What is there now. Unless ``read_bodies``, a file whose hash is the one apply recorded
    is not parsed: its managed resources are the inventory's."""
    state = read_state(root)
    inventory = set(state.resources)
    managed: dict[str, Resource] = _spec_files(root)
    unmanaged: list[str] = []
    dvc_path, params_path = root / DVC_FILE, root / PARAMS_FILE
    dvc_sha, params_sha = file_sha256(dvc_path), file_sha256(params_path)
    if not read_bodies and dvc_sha is not None and state.files.get(DVC_FILE) == dvc_sha:
        managed.update(_recorded(state, "stage"))
        unmanaged.extend(state.unmanaged_stages)
    else:
        stages = load_fast(dvc_path).get("stages") or {}
        if not isinstance(stages, dict):
            raise ApplyError(
                f"{DVC_FILE}: 'stages' must be a mapping of stage name to stage",
                f"fix {DVC_FILE} by hand (or restore it from git), then run `mlops plan` again",
            )
        for name, body in stages.items():
            resource = Resource("stage", str(name), body)
            if _is_marked(body) or resource.id in inventory:
                managed[resource.id] = resource
            else:
                unmanaged.append(str(name))
    if not read_bodies and params_sha is not None and state.files.get(PARAMS_FILE) == params_sha:
        managed.update(_recorded(state, "params"))
        return ObservedState(managed, tuple(unmanaged), state)
    block = load_fast(params_path).get(PARAMS_ROOT)
    if block is not None and not isinstance(block, dict):
        raise ApplyError(
            f"{PARAMS_FILE}: '{PARAMS_ROOT}' belongs to mlops-gitops and must be a mapping",
            f"remove or rename your '{PARAMS_ROOT}' key in {PARAMS_FILE}, then run `mlops apply`",
        )
    if isinstance(block, dict):
        if "version" in block:
            version = Resource("params", f"{PARAMS_ROOT}.version", block["version"])
            managed[version.id] = version
        for group in ("dataset", "problem", "experiment"):
            for name, body in (block.get(group) or {}).items():
                resource = Resource("params", f"{PARAMS_ROOT}.{group}.{name}", body)
                managed[resource.id] = resource
    return ObservedState(managed, tuple(unmanaged), state)
