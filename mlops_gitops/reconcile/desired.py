"""Desired state: the managed resources the specs ask for."""

from __future__ import annotations

from mlops_gitops.reconcile.resources import Resource
from mlops_gitops.render.dvc import PARAMS_ROOT, render_pipeline
from mlops_gitops.specs.models import SpecSet

__all__ = ["desired_resources"]


def desired_resources(specs: SpecSet) -> list[Resource]:
    pipeline = render_pipeline(specs)
    resources = [Resource("stage", s.name, dict(s.body), s.spec) for s in pipeline.stages]
    params = pipeline.params
    resources.append(Resource("params", f"{PARAMS_ROOT}.version", params["version"]))
    for group, kind in (
        ("dataset", "Dataset"),
        ("problem", "Problem"),
        ("experiment", "Experiment"),
    ):
        for name, block in params.get(group, {}).items():
            resources.append(
                Resource("params", f"{PARAMS_ROOT}.{group}.{name}", block, f"{kind}/{name}")
            )
    resources.extend(Resource("file", f.path, dict(f.body), f.spec) for f in pipeline.files)
    return resources
