"""Apply a plan: atomic writes under a lock, only to what mlops owns, then the inventory.

Order matters for crash safety: the spec files, params.yaml, then dvc.yaml, then the inventory;
each file is replaced whole (temporary file + rename). A process killed at any point leaves
every file either old or new, and the next plan, computed from the files themselves, converges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from mlops_gitops.errors import ApplyError
from mlops_gitops.fsutil import atomic_write_text
from mlops_gitops.io.yamlfile import load_roundtrip, to_roundtrip, write_roundtrip
from mlops_gitops.layout import RELATIVE, ProjectLayout
from mlops_gitops.reconcile.desired import desired_resources
from mlops_gitops.reconcile.live import apply_live, plan_live
from mlops_gitops.reconcile.observed import DVC_FILE, PARAMS_FILE, file_sha256, observe
from mlops_gitops.reconcile.plan import Plan, make_plan
from mlops_gitops.reconcile.state import read_state, write_state
from mlops_gitops.render.dvc import PARAMS_ROOT, SPEC_DIR
from mlops_gitops.specs import SpecSet, load_specs

__all__ = ["ApplyResult", "apply_plan", "compute_plan", "project_lock", "revision"]

LOCK_FILE = RELATIVE.posix(RELATIVE.lock_file())


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    written: tuple[str, ...]


def revision(root: Path) -> str | None:
    """The git commit the specs come from (``+dirty`` when specs have uncommitted edits)."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", RELATIVE.posix(RELATIVE.specs_dir())],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+dirty" if dirty else head


SCOPES = ("all", "pipeline", "deployments")


def _plan(root: Path, specs: SpecSet, scope: str, *, read_bodies: bool = False) -> Plan:
    observed = observe(root, read_bodies=read_bodies)
    plan = make_plan(desired_resources(specs), observed)
    if scope == "deployments":
        plan = replace(plan, actions=(), desired=())
    if scope in ("all", "deployments"):
        live = plan_live(root, specs, observed.state.resources)
        plan = replace(plan, live=tuple(live))
    return plan


def compute_plan(root: Path, *, read_bodies: bool = False, scope: str = "all") -> Plan:
    """Load specs, observe the project, and plan. Changes nothing.

    ``scope``: ``pipeline`` (dvc.yaml, params.yaml), ``deployments`` (what serves each
    Deployment), or ``all``. ``read_bodies`` parses dvc.yaml and params.yaml even when the
    inventory vouches for them, so every change can show a diff.
    """
    return _plan(root, load_specs(root), scope, read_bodies=read_bodies)


@contextlib.contextmanager
def project_lock(root: Path, timeout: float = 30.0) -> Iterator[None]:
    import time

    path = root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ApplyError(
                        f"another `mlops apply` holds {LOCK_FILE}",
                        "wait for it to finish, then run `mlops apply` again",
                    ) from None
                time.sleep(0.05)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _apply_files(root: Path, plan: Plan) -> list[str]:
    """Write or remove the spec files under ``.mlops/specs/`` the plan changes."""
    written = []
    for action in (a for a in plan.changes if a.resource.type == "file"):
        path = root / action.resource.name
        if action.verb == "delete":
            path.unlink(missing_ok=True)
        else:
            body = json.dumps(action.resource.body, indent=2, ensure_ascii=False)
            atomic_write_text(path, body + "\n")
        written.append(action.resource.name)
    return written


def _apply_params(root: Path, plan: Plan) -> bool:
    actions = [a for a in plan.changes if a.resource.type == "params"]
    if not actions:
        return False
    data = load_roundtrip(root / PARAMS_FILE)
    block = data.setdefault(PARAMS_ROOT, to_roundtrip({}))
    for action in actions:
        parts = action.resource.name.split(".")[1:]  # drop "mlops"
        parent = block
        for part in parts[:-1]:
            if part not in parent or not isinstance(parent[part], dict):
                parent[part] = to_roundtrip({})
            parent = parent[part]
        if action.verb == "delete":
            parent.pop(parts[-1], None)
        else:
            parent[parts[-1]] = to_roundtrip(action.resource.body)
    for group in ("dataset", "problem", "experiment"):
        if group in block and not block[group]:
            del block[group]
    write_roundtrip(root / PARAMS_FILE, data)
    return True


def _apply_stages(root: Path, plan: Plan) -> bool:
    actions = [a for a in plan.changes if a.resource.type == "stage"]
    if not actions:
        return False
    data = load_roundtrip(root / DVC_FILE)
    stages = data.setdefault("stages", to_roundtrip({}))
    for action in actions:
        if action.verb == "delete":
            stages.pop(action.resource.name, None)
        else:
            stages[action.resource.name] = to_roundtrip(action.resource.body)
    write_roundtrip(root / DVC_FILE, data)
    return True


def _live_inventory(
    specs: SpecSet, plan: Plan, previous: Mapping[str, Mapping[str, str]], scope: str
) -> dict[str, Mapping[str, str]]:
    """Deployments the inventory keeps: those this apply deployed or found in sync."""
    if scope == "pipeline":
        return {k: v for k, v in previous.items() if k.startswith("deployment/")}
    kept: dict[str, Mapping[str, str]] = {
        a.id: {"digest": "", "spec": f"Deployment/{a.name}", "runtime": a.runtime}
        for a in plan.live
        if a.verb in ("deploy", "unchanged")
    }
    # a deployment that failed to plan keeps its entry: it may still be running
    kept.update({a.id: previous[a.id] for a in plan.failed if a.id in previous})
    return kept


def _remove_stale_temporaries(root: Path) -> None:
    """Temporary files an apply killed mid-write left behind (we hold the lock: none is live)."""
    state = ProjectLayout(root).state_file()
    for folder, name in ((root, DVC_FILE), (root, PARAMS_FILE), (state.parent, state.name)):
        for leftover in folder.glob(f".{name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    for leftover in (root / SPEC_DIR).glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def apply_plan(root: Path, plan: Plan | None = None, *, scope: str = "all") -> ApplyResult:
    """Converge the project on its specs. A second call right after changes nothing."""
    specs = load_specs(root)  # an invalid spec stops here, before anything is written
    with project_lock(root):
        fresh = _plan(root, specs, scope)
        observed_state = read_state(root)
        if plan is not None and plan.change_dicts() != fresh.change_dicts():
            raise ApplyError(
                "the project changed since the plan was made",
                "run `mlops plan` again, review it, then apply",
            )
        _remove_stale_temporaries(root)
        if not fresh.has_changes:
            return ApplyResult(fresh, ())
        rev = revision(root)
        state = observed_state.attempted(rev)
        write_state(root, state)
        written = []
        try:
            written.extend(_apply_files(root, fresh))
            if _apply_params(root, fresh):
                written.append(PARAMS_FILE)
            if _apply_stages(root, fresh):
                written.append(DVC_FILE)
            written.extend(apply_live(root, specs, list(fresh.live_changes)))
        except Exception as error:
            write_state(root, replace(read_state(root), last_error=str(error)))
            raise
        if scope == "deployments":
            inventory = {
                k: v for k, v in observed_state.resources.items() if not k.startswith("deployment/")
            }
        else:
            inventory = {r.id: r.as_inventory() for r in fresh.desired}
        inventory.update(_live_inventory(specs, fresh, observed_state.resources, scope))
        files = {
            name: sha
            for name in (PARAMS_FILE, DVC_FILE)
            if (sha := file_sha256(root / name)) is not None
        }
        write_state(
            root,
            replace(
                state,
                resources=inventory,
                files=files,
                unmanaged_stages=fresh.unmanaged_stages,
                last_applied_revision=rev,
                last_applied_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                last_error=None,
            ),
        )
        written.append(RELATIVE.posix(RELATIVE.state_file()))
        return ApplyResult(fresh, tuple(written))
