"""A project folder a pipeline stage can run in: spec files, data files, and the params.yaml
and ``.mlops/specs/`` files that the real renderer writes from those specs (what ``mlops apply``
puts there).

:func:`set_param` then edits one params.yaml value by its dotted key, as
``dvc exp run -S mlops.experiment.NAME.search.cvFolds=3`` does, so a test can show that a stage
reads params.yaml and not the spec files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mlops_gitops.render.dvc import PARAMS_ROOT, render_pipeline
from mlops_gitops.specs import load_specs
from mlops_gitops.specs.models import SpecSet

__all__ = ["set_param", "write_stage_project"]


def write_stage_project(
    root: Path, specs: Mapping[str, str], data: Mapping[str, bytes] | None = None
) -> SpecSet:
    """``specs`` (file name under ``specs/`` -> YAML) and ``data`` (project path -> bytes)
    written under ``root``, the specs loaded, and params.yaml rendered from them."""
    for name, text in specs.items():
        path = root / "specs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for name, content in (data or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    spec_set = load_specs(root)
    pipeline = render_pipeline(spec_set)
    (root / "params.yaml").write_text(
        yaml.safe_dump({PARAMS_ROOT: pipeline.params}, sort_keys=False)
    )
    for rendered in pipeline.files:  # the specs' fixed settings, .mlops/specs/*.json
        path = root / rendered.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rendered.body, indent=2))
    return spec_set


def set_param(root: Path, dotted: str, value: Any) -> None:
    """Set ``dotted`` (``mlops.dataset.NAME.split.testSize``) in ``root``'s params.yaml."""
    path = root / "params.yaml"
    data = yaml.safe_load(path.read_text())
    *parents, last = dotted.split(".")
    block = data
    for key in parents:
        block = block[key]
    block[last] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))
