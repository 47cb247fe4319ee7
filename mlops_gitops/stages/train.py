"""Stage ``train``: search the experiment's candidates, keep the best, record its lineage."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from mlops_gitops import __version__
from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import FeatureInfo, ModelInfo, save_model
from mlops_gitops.render.dvc import experiment_files, experiment_params, spec_file
from mlops_gitops.stages.context import experiment_settings, load_frame, read_json

__all__ = ["run"]

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def run(root: Path, name: str) -> str:
    from mlops_gitops.ml.compile import Tolerances, compile_pipeline, disabled, write_compiled
    from mlops_gitops.ml.leaderboard import write_leaderboard
    from mlops_gitops.ml.search import run_search
    from mlops_gitops.registry.lineage import build_lineage, dvc_data_version, write_lineage

    experiment, problem, dataset = experiment_settings(root, name)
    frame = load_frame(ProjectLayout(root).train_split(dataset.name))
    features = dataset.feature_columns
    X = frame[[c.name for c in features]]
    y = frame[dataset.target]
    started = time.perf_counter()
    result = run_search(experiment, problem, dataset, X, y)
    search_seconds = time.perf_counter() - started
    model = result.best_model
    target = dataset.column(dataset.target)
    classes = (
        tuple(_plain(c) for c in getattr(model, "classes_", ()))
        if (problem.task == "classification")
        else ()
    )
    features_info = tuple(
        FeatureInfo(c.name, c.type, c.nullable, c.min, c.max, c.allowed) for c in features
    )
    tolerances = Tolerances(
        experiment.compile.probability_tolerance, experiment.compile.relative_tolerance
    )
    started = time.perf_counter()
    if experiment.compile.enabled:
        log.info(
            "compiling %s to ONNX and checking it on the test split ...", result.best_candidate
        )
        test = load_frame(ProjectLayout(root).test_split(dataset.name))
        compiled = compile_pipeline(
            model, features_info, problem.task, test[[c.name for c in features]], tolerances
        )
    else:
        compiled = disabled(tolerances)
    compile_seconds = time.perf_counter() - started
    info = ModelInfo(
        experiment=name,
        problem=problem.name,
        dataset=dataset.name,
        task=problem.task,
        target=dataset.target,
        features=features_info,
        estimator=result.best_estimator,
        candidate=result.best_candidate,
        params={k: _plain(v) for k, v in result.best_params.items()},
        classes=classes,
        framework_version=__version__,
        target_min=target.min if target is not None else None,
        target_max=target.max if target is not None else None,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        compiled=compiled.record.to_dict(),
    )
    model_dir = ProjectLayout(root).model_dir(name)
    write_compiled(model_dir, compiled)
    save_model(model, model_dir, info)
    write_leaderboard(result, model_dir)
    ingest = read_json(ProjectLayout(root).ingest_record(dataset.name)) or {}
    lineage = build_lineage(
        root,
        experiment=name,
        dataset_hash=str(ingest.get("content_sha256", "unknown")),
        dvc_data_version=dvc_data_version(root, dataset.name),
        # the tunables and the fixed settings, as the stage read them
        params={
            **experiment_files(experiment)[spec_file("Experiment", name)],
            **experiment_params(experiment),
        },
        metrics={
            f"cv_{result.metric}": result.best.cv_mean,
            "cv_std": result.best.cv_std,
            **compiled.metrics,
        },
        durations={"search_s": search_seconds, "compile_s": compile_seconds},
    )
    write_lineage(model_dir, {**lineage, "compiled": compiled.record.to_dict()})
    return (
        f"best {result.best_candidate} ({result.best_estimator}) "
        f"cv {result.metric} {result.best.cv_mean:.4f} of {len(result.leaderboard)} candidates; "
        f"serves with {compiled.record.describe()}"
    )
