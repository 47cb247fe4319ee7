"""Closing the monitoring loop: late labels, performance on labelled traffic, and the drift pull
request that carries a new dataset version and a champion/challenger comparison.

Modules, one job each:

- ``labelled``: the requests of a window joined with their late labels;
- ``live_metrics``: the served model's metrics on them, beside its test-split metrics;
- ``labelled_report``: that as a Markdown section and JSON in the drift report folder;
- ``labels_import``: ``mlops labels import`` (a CSV/Parquet file into the label folder);
- ``dataset_version``: current rows + labelled rows as a new data file with its ``.dvc`` pointer;
- ``dvc_store``: the new data into DVC's cache and remote, leaving the work tree as it was;
- ``spec_source``: point a Dataset spec at the new file, keeping comments;
- ``challenger``: retrain with the experiment's search, score champion and challenger;
- ``pr_body``: the pull request's title and body;
- ``drift_pr``: ``mlops drift pr``, the straight path through all of the above.

Heavy libraries load only when a function runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_gitops.loop.drift_pr import DriftProposal, propose_drift_pr
    from mlops_gitops.loop.labels_import import ImportedLabels, import_deployment_labels
    from mlops_gitops.loop.live_metrics import LabelledPerformance, labelled_performance

__all__ = [
    "DriftProposal",
    "ImportedLabels",
    "LabelledPerformance",
    "import_deployment_labels",
    "labelled_performance",
    "propose_drift_pr",
]

_HOMES = {
    "DriftProposal": "drift_pr",
    "propose_drift_pr": "drift_pr",
    "ImportedLabels": "labels_import",
    "import_deployment_labels": "labels_import",
    "LabelledPerformance": "live_metrics",
    "labelled_performance": "live_metrics",
}


def __getattr__(name: str) -> object:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
