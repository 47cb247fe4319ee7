"""The `reference` stage: one per experiment, beside its model, on the split and the schema."""

from __future__ import annotations

from mlops_gitops.render.dvc import render_pipeline
from mlops_gitops.specs import load_specs


def test_each_experiment_has_a_reference_stage_beside_its_model(example_project):
    specs = load_specs(example_project)
    stages = {s.name: s for s in render_pipeline(specs).stages}
    stage = stages["reference_malignancy-classifier"]
    assert stage.spec == "Experiment/malignancy-classifier"
    assert dict(stage.body) == {
        "cmd": "python -m mlops_gitops.stages reference malignancy-classifier",
        "deps": [
            "data/breast-cancer/train.parquet",
            "models/malignancy-classifier/model.json",
        ],
        "params": [{"params.yaml": ["mlops.version"]}],
        "outs": ["models/malignancy-classifier/reference_profile.json"],
        "meta": {"managed-by": "mlops-gitops"},
    }
    assert {n for n in stages if n.startswith("reference_")} == {
        f"reference_{name}" for name in specs.experiments
    }
