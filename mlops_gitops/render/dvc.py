"""Specs -> the DVC stages and ``params.yaml`` blocks they need. Pure: no I/O.

Each stage depends on exactly the ``params.yaml`` keys it uses, so a changed description or
label re-runs nothing, and a changed hyperparameter re-runs only that experiment's stages.
``mlops.version`` is a dependency of every stage: upgrading the framework re-runs the pipeline.

Every output is cached by DVC (no ``cache: false``), reports and metrics included: DVC's
run-cache restores a stage only when each output is in its cache (``dvc/stage/cache.py``
``restore`` -> ``outs_cached``: an uncached output must be unchanged in the workspace). So
reverting a spec change makes ``dvc repro`` check the earlier outputs out instead of training.

Stage names are ``<stage>_<spec name>`` (DVC allows only ``-`` and ``_`` as punctuation), and every
managed stage carries ``meta: {managed-by: mlops-gitops}`` so a person can tell it from their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlops_gitops import __version__
from mlops_gitops.ml.artifact import COMPILED_DIR, REFERENCE_PROFILE_FILE
from mlops_gitops.ml.plot_data import IMPORTANCE_PLOT, PDP_ICE_DIR, PLOT_FILES
from mlops_gitops.specs.models import Dataset, Experiment, Problem, SpecSet
from mlops_gitops.specs.shape import to_params

__all__ = [
    "MANAGED_BY",
    "PARAMS_ROOT",
    "DesiredPipeline",
    "RenderedStage",
    "dataset_params",
    "experiment_params",
    "problem_params",
    "render_pipeline",
    "stage_name",
]

MANAGED_BY = "mlops-gitops"
PARAMS_ROOT = "mlops"
STAGE_MODULE = "python -m mlops_gitops.stages"
VERSION_KEY = f"{PARAMS_ROOT}.version"


@dataclass(frozen=True)
class RenderedStage:
    name: str
    body: Mapping[str, Any]
    spec: str
    """``Kind/name`` of the spec that asked for this stage."""


@dataclass(frozen=True)
class DesiredPipeline:
    stages: tuple[RenderedStage, ...]
    params: Mapping[str, Any]
    """The whole ``mlops:`` block of params.yaml."""


def stage_name(stage: str, spec_name: str) -> str:
    return f"{stage}_{spec_name}"


def dataset_params(dataset: Dataset) -> dict[str, Any]:
    """What a dataset's stages use: everything but the description and labels."""
    return to_params(dataset)


def problem_params(problem: Problem) -> dict[str, Any]:
    """What training and evaluation use: not the question, hypotheses or owner."""
    return to_params(problem)


def experiment_params(experiment: Experiment) -> dict[str, Any]:
    """What training, evaluation and interpretation use: not the description."""
    return to_params(experiment)


def _stage(
    stage: str,
    name: str,
    *,
    params: list[str],
    deps: list[str] = (),  # type: ignore[assignment]
    outs: list[Any] = (),  # type: ignore[assignment]
    metrics: list[str] = (),  # type: ignore[assignment]
    plots: list[Any] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cmd": f"{STAGE_MODULE} {stage} {name}",
        "deps": sorted(set(deps)),
        "params": [{"params.yaml": sorted({VERSION_KEY, *params})}],
        "outs": list(outs),
        "metrics": list(metrics),
        "plots": list(plots),
        "meta": {"managed-by": MANAGED_BY},
    }
    return {k: v for k, v in body.items() if v not in ([], None)}


def _dataset_stages(dataset: Dataset) -> list[RenderedStage]:
    n = dataset.name
    key = f"{PARAMS_ROOT}.dataset.{n}"
    data = f"data/{n}"
    reports = f"reports/{n}"
    spec = f"Dataset/{n}"
    source_deps = [dataset.data_source.path] if dataset.data_source.path else []
    return [
        RenderedStage(
            stage_name("ingest", n),
            _stage(
                "ingest",
                n,
                params=[f"{key}.source", f"{key}.target"],
                deps=source_deps,
                outs=[f"{data}/raw.parquet", f"{data}/ingest.json"],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("profile", n),
            _stage(
                "profile",
                n,
                params=[f"{key}.columns", f"{key}.target"],
                deps=[f"{data}/raw.parquet"],
                outs=[f"{reports}/profile.json", f"{reports}/profile.md"],
                plots=[f"{reports}/plots"],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("validate", n),
            _stage(
                "validate",
                n,
                params=[f"{key}.columns", f"{key}.target", f"{key}.validation"],
                deps=[f"{data}/raw.parquet"],
                outs=[
                    f"{reports}/validation.json",
                    f"{reports}/validation.md",
                ],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("split", n),
            _stage(
                "split",
                n,
                params=[f"{key}.split", f"{key}.target"],
                deps=[f"{data}/raw.parquet", f"{reports}/validation.json"],
                outs=[f"{data}/train.parquet", f"{data}/test.parquet"],
            ),
            spec,
        ),
    ]


def _evaluate_plots(task: str, experiment: str, reports: str) -> list[Any]:
    """The evaluate stage's DVC plots: data files with a template and axes, then the PNG."""
    data = [
        {f"{reports}/evaluate/{plot.file}": plot.dvc_props(experiment)}
        for plot in PLOT_FILES.get(task, ())
    ]
    image = "confusion_matrix.png" if task == "classification" else "predicted_vs_actual.png"
    return [*data, f"{reports}/evaluate/{image}"]


def _experiment_stages(experiment: Experiment, task: str) -> list[RenderedStage]:
    n = experiment.name
    ds = experiment.dataset
    exp_key = f"{PARAMS_ROOT}.experiment.{n}"
    problem_key = f"{PARAMS_ROOT}.problem.{experiment.problem}"
    ds_key = f"{PARAMS_ROOT}.dataset.{ds}"
    model_dir = f"models/{n}"
    model = f"{model_dir}/model.skops"
    train, test = f"data/{ds}/train.parquet", f"data/{ds}/test.parquet"
    reports = f"reports/{n}"
    spec = f"Experiment/{n}"
    training_params = [
        f"{exp_key}.candidates",
        f"{exp_key}.search",
        f"{exp_key}.preprocessing",
        f"{exp_key}.compute",
        f"{exp_key}.compile",
        f"{problem_key}.task",
        f"{problem_key}.target",
        f"{problem_key}.metric",
        f"{ds_key}.columns",
        f"{ds_key}.target",
    ]
    stages = [
        RenderedStage(
            stage_name("train", n),
            _stage(
                "train",
                n,
                params=training_params,
                # the test split verifies the compiled graph against scikit-learn
                deps=[train, test],
                outs=[
                    model,
                    f"{model_dir}/model.json",
                    f"{model_dir}/{COMPILED_DIR}",
                    f"{model_dir}/leaderboard.json",
                    f"{model_dir}/leaderboard.md",
                    f"{model_dir}/lineage.json",
                ],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("evaluate", n),
            _stage(
                "evaluate",
                n,
                params=[f"{problem_key}.successCriteria", f"{problem_key}.metric"],
                deps=[model, test],
                metrics=[f"metrics/{n}.json"],
                outs=[f"{reports}/evaluation.md", f"{reports}/evaluation.json"],
                plots=_evaluate_plots(task, n, reports),
            ),
            spec,
        ),
        RenderedStage(
            stage_name("performance", n),
            _stage(
                "performance",
                n,
                params=[f"{problem_key}.successCriteria"],
                deps=[model, test],
                metrics=[f"metrics/{n}.performance.json"],
            ),
            spec,
        ),
    ]
    if experiment.interpretation.enabled:
        stages.append(
            RenderedStage(
                stage_name("interpret", n),
                _stage(
                    "interpret",
                    n,
                    params=[
                        f"{exp_key}.interpretation",
                        f"{ds_key}.sensitiveColumns",
                        f"{problem_key}.metric",
                    ],
                    deps=[model, train, test],
                    outs=[f"{reports}/interpret"],
                    plots=[
                        {f"{reports}/{IMPORTANCE_PLOT.file}": IMPORTANCE_PLOT.dvc_props(n)},
                        f"{reports}/{PDP_ICE_DIR}",
                    ],
                ),
                spec,
            )
        )
    # Drift checks read this small profile instead of the training split (no `dvc pull` of
    # the data); it changes only when the split or the model's input schema does.
    stages.append(
        RenderedStage(
            stage_name("reference", n),
            _stage(
                "reference",
                n,
                params=[],
                deps=[train, f"{model_dir}/model.json"],
                outs=[f"{model_dir}/{REFERENCE_PROFILE_FILE}"],
            ),
            spec,
        )
    )
    # The card also reads the specs' descriptive text when it runs, but does not depend on the
    # spec files: a changed description or label re-runs nothing.
    card_deps = [model, f"metrics/{n}.json", f"metrics/{n}.performance.json"]
    if experiment.interpretation.enabled:
        card_deps.append(f"{reports}/interpret")
    stages.append(
        RenderedStage(
            stage_name("card", n),
            _stage(
                "card",
                n,
                params=[],
                deps=card_deps,
                outs=[f"{model_dir}/model_card.md"],
            ),
            spec,
        )
    )
    return stages


def render_pipeline(specs: SpecSet) -> DesiredPipeline:
    """The stages and the ``mlops`` params block that ``specs`` ask for."""
    stages: list[RenderedStage] = []
    for dataset in specs.datasets.values():
        stages.extend(_dataset_stages(dataset))
    for experiment in specs.experiments.values():
        problem = specs.problems.get(experiment.problem)
        stages.extend(_experiment_stages(experiment, problem.task if problem else ""))
    params = {
        "version": __version__,
        "dataset": {n: dataset_params(d) for n, d in specs.datasets.items()},
        "problem": {n: problem_params(p) for n, p in specs.problems.items()},
        "experiment": {n: experiment_params(e) for n, e in specs.experiments.items()},
    }
    return DesiredPipeline(tuple(stages), params)
