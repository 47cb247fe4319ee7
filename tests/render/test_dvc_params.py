"""Every params.yaml key and spec file a rendered stage depends on is rendered, for the
example specs and for specs that leave optional lists out (DVC refuses a stage whose params key is
missing: "Parameters ... are missing from params.yaml")."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from mlops_gitops.render.dvc import PARAMS_ROOT, SPEC_DIR, render_pipeline
from mlops_gitops.specs.loader import load_specs
from tests.helpers.paths import EXAMPLE_SPECS


def _lookup(params: dict[str, Any], dotted: str) -> bool:
    node: Any = {PARAMS_ROOT: params}
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _missing_keys(root: Path) -> list[str]:
    pipeline = render_pipeline(load_specs(root))
    keys = [
        key
        for stage in pipeline.stages
        for entry in stage.body.get("params", [])
        for key in ([entry] if isinstance(entry, str) else [k for v in entry.values() for k in v])
    ]
    assert keys  # the stages do depend on params
    missing = [k for k in keys if not _lookup(dict(pipeline.params), k)]
    spec_deps = {
        dep
        for stage in pipeline.stages
        for dep in stage.body.get("deps", [])
        if dep.startswith(SPEC_DIR + "/")
    }
    assert spec_deps  # and on rendered spec files
    return missing + sorted(spec_deps - {f.path for f in pipeline.files})


def test_the_example_stages_depend_only_on_rendered_params(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE_SPECS, tmp_path / "specs")
    assert _missing_keys(tmp_path) == []


@pytest.mark.parametrize("field", ["successCriteria", "sensitiveColumns"])
def test_specs_without_optional_lists_still_render_every_key(tmp_path: Path, field: str) -> None:
    shutil.copytree(EXAMPLE_SPECS, tmp_path / "specs")
    for path in (tmp_path / "specs").rglob("*.yaml"):
        text = path.read_text()
        # drop the field's block (the key and its indented or flow value)
        text = re.sub(rf"(?m)^(\s*){field}:.*(\n\1\s+.*)*", "", text)
        path.write_text(text)
    assert field not in "".join(p.read_text() for p in (tmp_path / "specs").rglob("*.yaml"))
    assert _missing_keys(tmp_path) == []
