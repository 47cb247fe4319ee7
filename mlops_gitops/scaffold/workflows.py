"""The GitHub Actions workflows: one set of templates for this repository and for user projects.

They differ only in how mlops-gitops is installed. This repository's own copies under
``.github/workflows/`` are rendered with ``pip install -e .`` (the project is the framework);
a project made by ``mlops init`` gets ``pip install mlops-gitops``. ``python -m
mlops_gitops.docsgen`` regenerates this repository's copies.
"""

from __future__ import annotations

from mlops_gitops.scaffold.templates import fill, read_template

__all__ = ["REPOSITORY_INSTALL", "USER_INSTALL", "WORKFLOWS", "render_workflows"]

WORKFLOWS = ("ci.yml", "cd.yml", "drift.yml")
USER_INSTALL = "pip install mlops-gitops"
REPOSITORY_INSTALL = "pip install -e ."


def render_workflows(install: str = USER_INSTALL) -> dict[str, str]:
    """File name -> workflow text, with ``install`` as the command that installs mlops-gitops."""
    return {
        name: fill(read_template(f"workflows/{name}"), {"INSTALL": install}) for name in WORKFLOWS
    }
