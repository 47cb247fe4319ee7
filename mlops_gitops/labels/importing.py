"""Import late labels for a deployment: a CSV or Parquet file with ``request_id`` and ``label``
columns, appended to the deployment's request log (``<log>/labels/``) as the model's label type
(its class labels' type, or numbers for regression)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_gitops.errors import DataError
from mlops_gitops.layout import ProjectLayout

if TYPE_CHECKING:
    from mlops_gitops.io.storage import Location

__all__ = ["ImportedLabels", "import_deployment_labels"]


@dataclass(frozen=True)
class ImportedLabels:
    count: int
    directory: Location  # the labels folder, local or in object storage


def import_deployment_labels(root: Path, deployment_name: str, file: Path) -> ImportedLabels:
    """Append ``file``'s labels to ``deployment_name``'s label folder; return how many."""
    import numpy as np
    import pyarrow as pa

    from mlops_gitops.labels.joined import labels_directory
    from mlops_gitops.labels.store import import_labels
    from mlops_gitops.requestlog.writer import arrow_type_of
    from mlops_gitops.specs import load_specs

    if not file.is_file():
        raise DataError(
            f"labels file {file} does not exist",
            "pass a CSV or Parquet file with request_id and label columns",
        )
    specs = load_specs(root)
    deployment = specs.deployment(deployment_name)
    experiment = specs.experiment_of(deployment)
    label_type: pa.DataType | None = None
    if experiment is not None:
        problem = specs.problem_of(experiment)
        layout = ProjectLayout(root)
        info_path = layout.model_dir(experiment.name)
        if problem.task == "regression":
            label_type = pa.float64()
        elif layout.model_info(experiment.name).is_file():
            from mlops_gitops.ml.artifact import read_model_info

            classes = read_model_info(info_path).classes
            label_type = arrow_type_of(np.asarray(classes)) if classes else None
    from mlops_gitops.requestlog.layout import request_log_location

    count = import_labels(request_log_location(root, deployment), file, label_type=label_type)
    directory = labels_directory(root, deployment)
    return ImportedLabels(count, directory)
