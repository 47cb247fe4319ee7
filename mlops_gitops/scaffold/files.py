"""Every file ``mlops init`` writes, as text: a pure function of the project's name and of the
line that installs mlops-gitops (by default, the way it is installed here)."""

from __future__ import annotations

import json

from mlops_gitops.layout import RELATIVE
from mlops_gitops.scaffold.install import InstallLine, how_installed
from mlops_gitops.scaffold.templates import fill, read_template
from mlops_gitops.scaffold.workflows import render_workflows

__all__ = ["HOOK_TEMPLATE", "SCHEMA_FOLDER", "project_files", "remote_folder"]

SCHEMA_FOLDER = RELATIVE.posix(RELATIVE.schemas_dir())
HOOK_TEMPLATE = "project/pre-commit-hook.sh"

# target path in the project -> template under mlops_gitops/templates/project/
# (dotfiles are stored without their dot, so they do not act on this repository)
_PROJECT_TEMPLATES = {
    "README.md": "README.md",
    ".gitignore": "gitignore.txt",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    "specs/problem.yaml": "specs/problem.yaml",
    "specs/dataset.yaml": "specs/dataset.yaml",
    "specs/experiment.yaml": "specs/experiment.yaml",
    "specs/deployment.yaml": "specs/deployment.yaml",
}


def remote_folder(name: str) -> str:
    """The default DVC remote: a folder next to the project, so it outlives a fresh clone."""
    return f"../{name}-dvc-remote"


def schema_files() -> dict[str, str]:
    """The JSON Schemas the specs' ``# yaml-language-server`` lines point at.

    Serialised exactly as ``mlops schema export`` writes them.
    """
    from mlops_gitops.specs.schema import schemas

    return {
        f"{SCHEMA_FOLDER}/{kind.lower()}.json": json.dumps(schema, indent=2) + "\n"
        for kind, schema in schemas().items()
    }


def project_files(name: str, install: InstallLine | None = None) -> dict[str, str]:
    """Project-relative path -> text, for a project called ``name`` (a slug) whose workflows
    install mlops-gitops with ``install`` (default: :func:`how_installed`)."""
    install = install if install is not None else how_installed()
    values = {"NAME": name, "INSTALL": install.text()}
    files = {
        target: fill(read_template(f"project/{template}"), values)
        for target, template in _PROJECT_TEMPLATES.items()
    }
    files.update(schema_files())
    files.update(
        {f".github/workflows/{n}": text for n, text in render_workflows(install.text()).items()}
    )
    return dict(sorted(files.items()))
