"""Stage ``performance``: how fast and reliably the model serves (processing performance)."""

from __future__ import annotations

from pathlib import Path

from mlops_gitops.layout import ProjectLayout
from mlops_gitops.ml.artifact import read_model_info
from mlops_gitops.specs.catalogue import PROCESSING_METRICS
from mlops_gitops.stages.context import experiment_settings, load_frame, write_json

__all__ = ["run"]


def run(root: Path, name: str) -> str:
    from mlops_gitops.ml.metrics import check_criteria
    from mlops_gitops.ml.performance import measure_backends

    _, problem, dataset = experiment_settings(root, name)
    layout = ProjectLayout(root)
    model_dir = layout.model_dir(name)
    info = read_model_info(model_dir)
    test = load_frame(layout.test_split(dataset.name))
    measured = measure_backends(model_dir, test[[f.name for f in info.features]])
    criteria = [c for c in problem.success_criteria if c.metric in PROCESSING_METRICS]
    results = check_criteria(criteria, {k: float(v) for k, v in measured.items()})
    passed = all(r.passed for r in results)
    write_json(layout.performance_file(name), {**measured, "criteria_passed": passed})
    backend = "onnx" if measured["onnx_serves"] else "sklearn"
    return (
        f"{backend}: p50 {measured['p50_latency_ms']:.2f} ms, "
        f"p99 {measured['p99_latency_ms']:.2f} ms, "
        f"{measured['throughput_rows_per_s']:.0f} rows/s; "
        f"{'criteria pass' if passed else 'criteria FAIL'}"
    )
