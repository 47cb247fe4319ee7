"""``mlops init``: scaffold a new project (specs, workflows, DVC, git hook, editor schemas)."""

from __future__ import annotations

from mlops_gitops.scaffold.init import InitResult, init_project

__all__ = ["InitResult", "init_project"]
