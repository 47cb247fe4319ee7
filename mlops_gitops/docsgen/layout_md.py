"""``docs/layout.md``: every path of a project, from :mod:`mlops_gitops.layout`."""

from __future__ import annotations

from collections.abc import Sequence

from mlops_gitops.docsgen.markdown import code, table
from mlops_gitops.layout import Artifact, artifact_pattern

__all__ = ["render_layout_reference"]

_INTRO = """\
# Where things live (the contract between modules)

Generated from `mlops_gitops/layout.py` by `python -m mlops_gitops.docsgen`: do not edit by hand.
Every module that writes or reads one of these paths asks `ProjectLayout(root)` for it (the
method named in the second column), so the DVC stages `mlops apply` renders, the stages that
write their outputs and every reader agree. Paths are relative to the project root (the folder
holding `specs/` and `dvc.yaml`); a name in `<...>` is the spec's name.
"""

_OUTRO = """\
Outside the project layout: git tags `<model>@vX.Y.Z` and `<model>#<stage>#<n>` (GTO, written
by `mlops models register` / `promote`); `.github/workflows/{ci,cd,drift}.yml`,
`.pre-commit-config.yaml` and the default DVC remote `../<name>-dvc-remote/`, written by
`mlops init`; a request log in object storage, `<requestLog.uri>/deployment=<name>/` (see
[object-storage.md](object-storage.md)). The columns of a request-log row and of a label row are
defined in `mlops_gitops/requestlog/schema.py`.

`model.json` (`ModelInfo`) carries the input schema (`features`: name, type, nullable, min, max,
allowed), the task, the target, class labels, the estimator and params, the sha256 of
`model.skops`, and `compiled`: the compiled graph's record (`status` verified, fallback or
disabled; `reason`; `file` and `sha256` of `compiled/model.onnx`; its `inputs`; the
`tolerances`; the `verification` figures): serving needs nothing but the model folder.
"""


def render_layout_reference(artifacts: Sequence[Artifact]) -> str:
    """The Markdown page: one table row per path of the layout, in declaration order."""
    rows = [
        [code(artifact_pattern(a)), code(a.method), a.holds, a.written_by, a.read_by]
        for a in artifacts
    ]
    header = ["path", "`ProjectLayout`", "what it holds", "written by", "read by"]
    return "\n".join([_INTRO, *table(header, rows), "", _OUTRO])
