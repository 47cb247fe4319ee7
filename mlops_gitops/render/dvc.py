"""Specs -> the DVC stages, the ``params.yaml`` blocks and the spec files they need. Pure: no I/O.

``params.yaml`` holds only what a person tunes from run to run (the split's size and seed, the
candidates and their search spaces, the search and preprocessing settings), so
the default ``dvc exp show`` compares experiments by those and their metrics, and
``dvc exp run -S mlops.experiment.<name>.search.trials=20`` sets one. The rest of what stages
use (dataset source and column schema, problem task and success criteria, compile, compute and
interpretation settings) goes to small JSON files under ``.mlops/specs/`` that stages declare as
``deps``: DVC re-runs a stage when one changes, but ``dvc exp show`` does not spread them into
columns (each file is one column).

Each stage depends on the ``params.yaml`` keys and spec files it uses, so a changed description
or label re-runs nothing, and a changed hyperparameter re-runs only that experiment's stages.
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
from mlops_gitops.specs.shape import to_params

__all__ = [
    "CANDIDATES",
    "MANAGED_BY",
    "PARAMS_ROOT",
    "SPEC_DIR",
    "DesiredPipeline",
    "RenderedFile",
    "RenderedStage",
    "dataset_files",
    "dataset_params",
    "experiment_files",
    "experiment_params",
    "problem_files",
    "render_pipeline",
    "spec_file",
    "spec_parts",
    "stage_name",
]

MANAGED_BY = "mlops-gitops"
PARAMS_ROOT = "mlops"
STAGE_MODULE = "python -m mlops_gitops.stages"
VERSION_KEY = f"{PARAMS_ROOT}.version"
SPEC_DIR = RELATIVE.posix(RELATIVE.spec_files_dir())
"""Rendered spec files (JSON) that stages depend on; every file in it belongs to mlops."""
CANDIDATES = "candidates"
"""In params.yaml the candidates are a mapping of name to candidate (in a spec, a list)."""
VALIDATION_PART = "validation"
CRITERIA_PART = "criteria"
INTERPRETATION_PART = "interpretation"


@dataclass(frozen=True)
class RenderedStage:
    name: str
    body: Mapping[str, Any]
    spec: str
    """``Kind/name`` of the spec that asked for this stage."""


@dataclass(frozen=True)
class RenderedFile:
    path: str
    """Relative to the project root, under :data:`SPEC_DIR`."""
    body: Mapping[str, Any]
    spec: str
    """``Kind/name`` of the spec it renders."""


@dataclass(frozen=True)
class DesiredPipeline:
    stages: tuple[RenderedStage, ...]
    params: Mapping[str, Any]
    """The whole ``mlops:`` block of params.yaml: the tunables."""
    files: tuple[RenderedFile, ...]
    """The spec files (JSON) with the fixed settings."""


def stage_name(stage: str, spec_name: str) -> str:
    return f"{stage}_{spec_name}"


TUNABLES: Mapping[str, tuple[str, ...]] = {
    "Dataset": ("split",),
    "Problem": (),
    "Experiment": (CANDIDATES, "search", "preprocessing"),
}
"""The keys of each kind's rendered block that go to params.yaml; the rest go to spec files."""
PARTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "Dataset": {VALIDATION_PART: ("validation",)},
    "Problem": {CRITERIA_PART: ("successCriteria",)},
    "Experiment": {INTERPRETATION_PART: ("interpretation",)},
}
"""Groups of fixed settings kept in files of their own, so changing one re-runs only the
stages that read it (tightening success criteria re-runs evaluation, not training)."""


def spec_file(kind: str, name: str, part: str = "") -> str:
    """The rendered file of a spec's fixed settings (``part``: one group of them, kept apart
    so that changing it re-runs only the stages that read it), as dvc.yaml names it."""
    return _path(RELATIVE.spec_file(kind, name, part))


def spec_parts(kind: str, name: str) -> tuple[str, ...]:
    """Every rendered file of one spec, the main one first."""
    return (spec_file(kind, name), *(spec_file(kind, name, part) for part in PARTS[kind]))


def _tunables(kind: str, block: Mapping[str, Any]) -> dict[str, Any]:
    return {key: block[key] for key in TUNABLES[kind] if key in block}


def _files(kind: str, name: str, block: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    apart = {key for keys in PARTS[kind].values() for key in keys} | set(TUNABLES[kind])
    files = {spec_file(kind, name): {k: v for k, v in block.items() if k not in apart}}
    for part, keys in PARTS[kind].items():
        files[spec_file(kind, name, part)] = {key: block[key] for key in keys if key in block}
    return files


def dataset_params(dataset: Dataset) -> dict[str, Any]:
    """The dataset's tunables: the split."""
    return _tunables("Dataset", to_params(dataset))


def dataset_files(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """What a dataset's stages use besides the split: not the description or labels."""
    return _files("Dataset", dataset.name, to_params(dataset))


def problem_files(problem: Problem) -> dict[str, dict[str, Any]]:
    """What training and evaluation use: not the question, hypotheses or owner. The success
    criteria are a file of their own: tightening them re-runs evaluation, not training."""
    return _files("Problem", problem.name, to_params(problem))


def _experiment_block(experiment: Experiment) -> dict[str, Any]:
    """The rendered block with the candidates keyed by name: in params.yaml each search-space
    bound is then a column of ``dvc exp show`` and a key ``dvc exp run -S`` can set."""
    block = to_params(experiment)
    block[CANDIDATES] = {
        candidate.name: {k: v for k, v in rendered.items() if k != "name"}
        for candidate, rendered in zip(experiment.candidates, block[CANDIDATES], strict=True)
    }
    return block


def experiment_params(experiment: Experiment) -> dict[str, Any]:
    """The experiment's tunables: candidates (keyed by name), search and preprocessing."""
    return _tunables("Experiment", _experiment_block(experiment))


def experiment_files(experiment: Experiment) -> dict[str, dict[str, Any]]:
    """What the experiment's stages use besides its tunables."""
    return _files("Experiment", experiment.name, _experiment_block(experiment))


def _stage(
    stage: str,
    name: str,
    *,
    params: list[str],
    files: list[str] = (),  # type: ignore[assignment]
    deps: list[str] = (),  # type: ignore[assignment]
    outs: list[Any] = (),  # type: ignore[assignment]
    metrics: list[str] = (),  # type: ignore[assignment]
    plots: list[Any] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cmd": f"{STAGE_MODULE} {stage} {name}",
        "deps": sorted({*deps, *files}),
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
    schema = spec_file("Dataset", n)
    validation_file = spec_file("Dataset", n, VALIDATION_PART)
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
                params=[],
                files=[schema],
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
                params=[],
                files=[schema],
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
                params=[],
                files=[schema, validation_file],
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
                params=[f"{key}.split"],
                files=[schema],
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
    exp_file = spec_file("Experiment", n)
    problem_file = spec_file("Problem", experiment.problem)
    criteria_file = spec_file("Problem", experiment.problem, CRITERIA_PART)
    ds_file = spec_file("Dataset", ds)
    interpretation_file = spec_file("Experiment", n, INTERPRETATION_PART)
    model, model_info = _path(RELATIVE.model_file(n)), _path(RELATIVE.model_info(n))
    train, test = _path(RELATIVE.train_split(ds)), _path(RELATIVE.test_split(ds))
    reports = RELATIVE.experiment_reports(n)
    interpret = _path(RELATIVE.interpret_dir(n))
    metrics, performance = _path(RELATIVE.metrics_file(n)), _path(RELATIVE.performance_file(n))
    spec = f"Experiment/{n}"
    training_params = [f"{exp_key}.{CANDIDATES}", f"{exp_key}.search", f"{exp_key}.preprocessing"]
    stages = [
        RenderedStage(
            stage_name("train", n),
            _stage(
                "train",
                n,
                params=training_params,
                files=[exp_file, problem_file, ds_file],
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
                params=[],
                files=[problem_file, criteria_file],
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
                params=[],
                files=[criteria_file],
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
                    params=[],
                    files=[ds_file, problem_file, interpretation_file],
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
    """The stages, the ``mlops`` params block and the spec files that ``specs`` ask for."""
    stages: list[RenderedStage] = []
    for dataset in specs.datasets.values():
        stages.extend(_dataset_stages(dataset))
    for experiment in specs.experiments.values():
        problem = specs.problems.get(experiment.problem)
        stages.extend(_experiment_stages(experiment, problem.task if problem else ""))
    params = {
        "version": __version__,
        "dataset": {n: dataset_params(d) for n, d in specs.datasets.items()},
        "experiment": {n: experiment_params(e) for n, e in specs.experiments.items()},
    }
    rendered = [
        *((f"Dataset/{n}", dataset_files(d)) for n, d in specs.datasets.items()),
        *((f"Problem/{n}", problem_files(p)) for n, p in specs.problems.items()),
        *((f"Experiment/{n}", experiment_files(e)) for n, e in specs.experiments.items()),
    ]
    files = [RenderedFile(path, body, spec) for spec, of in rendered for path, body in of.items()]
    return DesiredPipeline(tuple(stages), params, tuple(files))
