"""Stage ``interpret``: why the model predicts what it does, and whether it is fair."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import load_model
from mlops_gitops.stages.context import experiment_settings, load_frame

__all__ = ["run"]


def run(root: Path, name: str) -> str:
    from mlops_gitops.ml.explain import interpret

    experiment, problem, dataset = experiment_settings(root, name)
    layout = ProjectLayout(root)
    model, info = load_model(layout.model_dir(name))
    test = load_frame(layout.test_split(dataset.name))
    summary = interpret(
        model,
        test[[f.name for f in info.features]],
        test[dataset.target],
        problem=problem,
        dataset=dataset,
        settings=experiment.interpretation,
        out_dir=layout.interpret_dir(name),
        plots_dir=layout.experiment_reports(name),
        seed=experiment.search.seed,
    )
    top = ", ".join(summary.get("top_features", [])) or "none"
    gap = summary.get("largest_fairness_gap")
    fairness = f"; largest fairness gap on {gap['column']}: {gap['gap']:.3f}" if gap else ""
    return f"top features: {top}{fairness}"
