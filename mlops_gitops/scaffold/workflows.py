"""The GitHub Actions workflows: one set of templates for this repository and for user projects.

They differ only in how mlops-gitops is installed. This repository's own copies under
``.github/workflows/`` are rendered with ``pip install -e .`` (the project is the framework);
a project made by ``mlops init`` gets the line :func:`~mlops_gitops.scaffold.install.how_installed`
derives from how mlops-gitops was installed where ``mlops init`` ran (a pinned version, or a git
URL at the installed commit), with a comment above it when it needs changing. ``python -m
mlops_gitops.docsgen`` regenerates this repository's copies.
"""

from __future__ import annotations

import re

from mlops_gitops.scaffold.templates import fill, read_template

__all__ = ["REPOSITORY_INSTALL", "WORKFLOWS", "render_workflows"]

WORKFLOWS = ("ci.yml", "cd.yml", "drift.yml")
REPOSITORY_INSTALL = "pip install -e ."
_RUN = re.compile(r"^( *)run: @@INSTALL@@$", re.MULTILINE)


def _as_run_step(text: str, install: str) -> str:
    """Put ``install`` in the ``run:`` of the install step: inline when it is one line, else a
    literal block (``run: |``) indented under the key."""
    if "\n" not in install:
        return fill(text, {"INSTALL": install})

    def block(match: re.Match[str]) -> str:
        indent = match.group(1) + "  "
        return f"{match.group(1)}run: |\n" + "\n".join(
            indent + line for line in install.split("\n")
        )

    return _RUN.sub(block, text)


def render_workflows(install: str) -> dict[str, str]:
    """File name -> workflow text, with ``install`` (one or more shell lines) as the commands that
    install mlops-gitops."""
    return {name: _as_run_step(read_template(f"workflows/{name}"), install) for name in WORKFLOWS}
