"""The files of this repository that are generated from code, and their generator.

``python -m mlops_gitops.docsgen`` writes them; ``--check`` only reports which are stale:

- ``docs/specs.md`` from the spec JSON Schemas,
- ``docs/cli.md`` from the ``mlops`` argparse parser,
- ``docs/layout.md`` from the project layout (:mod:`mlops_gitops.layout`),
- ``.github/workflows/{ci,cd,drift}.yml`` from the templates ``mlops init`` also uses.
"""

from __future__ import annotations

from mlops_gitops.docsgen.cli_md import render_cli_reference
from mlops_gitops.docsgen.layout_md import render_layout_reference
from mlops_gitops.docsgen.specs_md import render_specs_reference

__all__ = [
    "generated_files",
    "render_cli_reference",
    "render_layout_reference",
    "render_specs_reference",
]


def generated_files() -> dict[str, str]:
    """Repository-relative path -> the text it must have."""
    from mlops_gitops.cli import build_parser
    from mlops_gitops.layout import ARTIFACTS
    from mlops_gitops.scaffold.workflows import REPOSITORY_INSTALL, render_workflows
    from mlops_gitops.specs.schema import schemas

    files = {
        "docs/specs.md": render_specs_reference(schemas()),
        "docs/cli.md": render_cli_reference(build_parser()),
        "docs/layout.md": render_layout_reference(ARTIFACTS),
    }
    for name, text in render_workflows(REPOSITORY_INSTALL).items():
        files[f".github/workflows/{name}"] = text
    return files
