"""``plan --since REF``: which specs changed since a git ref, and what they affect."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from mlops_gitops.errors import MlopsError
from mlops_gitops.graph import Node, build_graph
from mlops_gitops.layout import RELATIVE
from mlops_gitops.reconcile.desired import desired_resources
from mlops_gitops.specs.models import SpecSet

__all__ = ["Impact", "impact_since"]


@dataclass(frozen=True)
class Impact:
    changed_files: tuple[str, ...]
    changed_specs: tuple[str, ...]
    affected_specs: tuple[str, ...]
    affected_resources: tuple[str, ...]


def impact_since(root: Path, specs: SpecSet, ref: str) -> Impact:
    done = subprocess.run(
        ["git", "diff", "--name-only", ref, "--", RELATIVE.posix(RELATIVE.specs_dir())],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise MlopsError(
            f"cannot compare with git ref {ref!r}: {done.stderr.strip()}",
            "give a branch, tag or commit that exists (e.g. origin/main)",
        )
    files = tuple(sorted(line for line in done.stdout.splitlines() if line))
    changed = {Node(s.kind, s.name) for s in specs if s.source.file in files}
    affected = build_graph(specs).downstream(changed)
    names = {str(n) for n in affected}
    resources = sorted(r.id for r in desired_resources(specs) if r.spec in names)
    return Impact(
        files,
        tuple(sorted(str(n) for n in changed)),
        tuple(sorted(names)),
        tuple(resources),
    )
