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
from pathlib import Path
from typing import Any

from mlops_gitops import __version__
from mlops_gitops.layout import RELATIVE
from mlops_gitops.ml.plot_data import IMPORTANCE_PLOT, PDP_ICE_DIR, PLOT_FILES
from mlops_gitops.specs.models import Dataset, Experiment, Problem, SpecSet

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


def _drop_empty(value: Any) -> Any:
    """No empty fields. Key order is the specs' own, so output is deterministic."""
    if isinstance(value, Mapping):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [], ())}
    if isinstance(value, list | tuple):
        return [_drop_empty(v) for v in value]
    return value


def dataset_params(dataset: Dataset) -> dict[str, Any]:
    """What a dataset's stages use: everything but the description and labels."""
    source = dataset.data_source
    block: dict[str, Any] = _drop_empty(
        {
            "source": {
                "sklearn": source.sklearn,
                "path": source.path,
                "url": source.url,
                "format": source.format,
                "tokenEnv": source.token_env,
                "allowHttp": source.allow_http or None,
            },
            "target": dataset.target,
            "columns": {
                c.name: {
                    "type": c.type,
                    "nullable": c.nullable,
                    "min": c.min,
                    "max": c.max,
                    "allowed": list(c.allowed) if c.allowed is not None else None,
                }
                for c in dataset.columns
            },
            "validation": {
                "maxMissingFraction": dataset.validation.max_missing_fraction,
                "minRows": dataset.validation.min_rows,
                "maxDuplicateFraction": dataset.validation.max_duplicate_fraction,
                "minClassFraction": dataset.validation.min_class_fraction,
                "maxClassFraction": dataset.validation.max_class_fraction,
            },
            "split": {
                "testSize": dataset.split.test_size,
                "seed": dataset.split.seed,
                "stratify": dataset.split.stratify,
                "timeColumn": dataset.split.time_column,
            },
        }
    )
    # always present, even empty: the interpret stage depends on this key
    block["sensitiveColumns"] = list(dataset.sensitive_columns)
    return block


def problem_params(problem: Problem) -> dict[str, Any]:
    """What training and evaluation use: not the question, hypotheses or owner."""
    block: dict[str, Any] = _drop_empty(
        {"task": problem.task, "target": problem.target, "metric": problem.metric}
    )
    # always present, even empty: the evaluate and register stages depend on this key
    block["successCriteria"] = [
        _drop_empty({"metric": c.metric, "min": c.min, "max": c.max})
        for c in problem.success_criteria
    ]
    return block


def _param_value(value: Any) -> Any:
    from mlops_gitops.specs.models import Range

    if isinstance(value, Range):
        low: float | int = int(value.low) if value.integer else value.low
        high: float | int = int(value.high) if value.integer else value.high
        return {"low": low, "high": high, "log": value.log}
    if isinstance(value, tuple):
        return list(value)
    return value


def experiment_params(experiment: Experiment) -> dict[str, Any]:
    search = experiment.search
    prep = experiment.preprocessing
    interp = experiment.interpretation
    block: dict[str, Any] = _drop_empty(
        {
            "problem": experiment.problem,
            "dataset": experiment.dataset,
            "candidates": [
                {
                    "name": c.name,
                    "estimator": c.estimator,
                    "params": {k: _param_value(v) for k, v in c.params.items()},
                }
                for c in experiment.candidates
            ],
            "search": {
                "strategy": search.strategy,
                "trials": search.trials,
                "cvFolds": search.cv_folds,
                "scoring": search.scoring,
                "seed": search.seed,
                "tolerateFailures": search.tolerate_failures or None,
            },
            "preprocessing": {
                "imputeNumeric": prep.impute_numeric,
                "imputeCategorical": prep.impute_categorical,
                "scale": prep.scale,
                "encode": prep.encode,
            },
            "interpretation": {
                "enabled": interp.enabled,
                "permutationRepeats": interp.permutation_repeats,
                "topFeatures": interp.top_features,
                "localExamples": interp.local_examples,
                "fairness": interp.fairness,
            },
            "compile": {
                "enabled": experiment.compile.enabled,
                "probabilityTolerance": experiment.compile.probability_tolerance,
                "relativeTolerance": experiment.compile.relative_tolerance,
            },
            "compute": {
                "backend": experiment.compute.backend,
                "scheduler": experiment.compute.scheduler,
                "nJobs": experiment.compute.n_jobs,
            },
            "championTolerance": experiment.champion_tolerance,
        }
    )
    return block


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
        "params": [{_path(RELATIVE.params_file()): sorted({VERSION_KEY, *params})}],
        "outs": list(outs),
        "metrics": list(metrics),
        "plots": list(plots),
        "meta": {"managed-by": MANAGED_BY},
    }
    return {k: v for k, v in body.items() if v not in ([], None)}


def _dataset_stages(dataset: Dataset) -> list[RenderedStage]:
    n = dataset.name
    key = f"{PARAMS_ROOT}.dataset.{n}"
    raw = _path(RELATIVE.raw_data(n))
    validation = _path(RELATIVE.validation_report(n))
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
                outs=[raw, _path(RELATIVE.ingest_record(n))],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("profile", n),
            _stage(
                "profile",
                n,
                params=[f"{key}.columns", f"{key}.target"],
                deps=[raw],
                outs=[_path(RELATIVE.profile_report(n)), _path(RELATIVE.profile_markdown(n))],
                plots=[_path(RELATIVE.profile_plots(n))],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("validate", n),
            _stage(
                "validate",
                n,
                params=[f"{key}.columns", f"{key}.target", f"{key}.validation"],
                deps=[raw],
                outs=[validation, _path(RELATIVE.validation_markdown(n))],
            ),
            spec,
        ),
        RenderedStage(
            stage_name("split", n),
            _stage(
                "split",
                n,
                params=[f"{key}.split", f"{key}.target"],
                deps=[raw, validation],
                outs=[_path(RELATIVE.train_split(n)), _path(RELATIVE.test_split(n))],
            ),
            spec,
        ),
    ]


def _path(path: Path) -> str:
    """A path of :data:`RELATIVE` as dvc.yaml writes it: relative, POSIX."""
    return RELATIVE.posix(path)


def _evaluate_plots(task: str, experiment: str) -> list[Any]:
    """The evaluate stage's DVC plots: data files with a template and axes, then the PNG."""
    folder = RELATIVE.evaluate_plots(experiment)
    data = [
        {_path(folder / plot.file): plot.dvc_props(experiment)} for plot in PLOT_FILES.get(task, ())
    ]
    image = "confusion_matrix.png" if task == "classification" else "predicted_vs_actual.png"
    return [*data, _path(folder / image)]


def _experiment_stages(experiment: Experiment, task: str) -> list[RenderedStage]:
    n = experiment.name
    ds = experiment.dataset
    exp_key = f"{PARAMS_ROOT}.experiment.{n}"
    problem_key = f"{PARAMS_ROOT}.problem.{experiment.problem}"
    ds_key = f"{PARAMS_ROOT}.dataset.{ds}"
    model, model_info = _path(RELATIVE.model_file(n)), _path(RELATIVE.model_info(n))
    train, test = _path(RELATIVE.train_split(ds)), _path(RELATIVE.test_split(ds))
    reports = RELATIVE.experiment_reports(n)
    interpret = _path(RELATIVE.interpret_dir(n))
    metrics, performance = _path(RELATIVE.metrics_file(n)), _path(RELATIVE.performance_file(n))
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
                    model_info,
                    _path(RELATIVE.compiled_dir(n)),
                    _path(RELATIVE.leaderboard(n)),
                    _path(RELATIVE.leaderboard_markdown(n)),
                    _path(RELATIVE.lineage(n)),
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
                metrics=[metrics],
                outs=[
                    _path(RELATIVE.evaluation_markdown(n)),
                    _path(RELATIVE.evaluation_report(n)),
                ],
                plots=_evaluate_plots(task, n),
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
                metrics=[performance],
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
                    outs=[interpret],
                    plots=[
                        {_path(reports / IMPORTANCE_PLOT.file): IMPORTANCE_PLOT.dvc_props(n)},
                        _path(reports / PDP_ICE_DIR),
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
                deps=[train, model_info],
                outs=[_path(RELATIVE.reference_profile(n))],
            ),
            spec,
        )
    )
    # The card also reads the specs' descriptive text when it runs, but does not depend on the
    # spec files: a changed description or label re-runs nothing.
    card_deps = [model, metrics, performance]
    if experiment.interpretation.enabled:
        card_deps.append(interpret)
    stages.append(
        RenderedStage(
            stage_name("card", n),
            _stage(
                "card",
                n,
                params=[],
                deps=card_deps,
                outs=[_path(RELATIVE.model_card(n))],
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
