"""Late labels: the ground truth that arrives after a prediction, in one place.

Modules, one job each:

- ``store``: write labels beside a deployment's request log (the feedback route and imports)
  and read them back;
- ``writer``: the feedback route's labels, batched into rotating files like the request log;
- ``importing``: ``mlops labels import`` (a CSV/Parquet file into the label folder);
- ``joined``: the requests of a window joined with their late labels;
- ``performance``: the served model's metrics on them, beside its test-split metrics;
- ``report``: that as a Markdown section and JSON in the drift report folder.

Heavy libraries load only when a function runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_gitops.labels.importing import ImportedLabels, import_deployment_labels
    from mlops_gitops.labels.performance import LabelledPerformance, labelled_performance

__all__ = [
    "ImportedLabels",
    "LabelledPerformance",
    "import_deployment_labels",
    "labelled_performance",
]

_HOMES = {
    "ImportedLabels": "importing",
    "import_deployment_labels": "importing",
    "LabelledPerformance": "performance",
    "labelled_performance": "performance",
}


def __getattr__(name: str) -> object:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
